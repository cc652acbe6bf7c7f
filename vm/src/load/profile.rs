//! The deterministic profile: which wasm features the validator accepts, and which operators
//! the loader itself rejects on top (see `docs/profile.md`).

use super::error::{LoadError, Result};
use crate::ValType;
use wasmparser::{Operator, WasmFeatures};

/// The validator's feature set. Reference types are enabled in the *validator* only so that
/// MVP-shaped modules produced by current toolchains validate (over-long `call_indirect`
/// table immediates, typed `select` of a number type, element segments written as
/// expressions); every reference-typed value, table beyond one funcref table and reference
/// instruction is then rejected by the loader itself.
pub(crate) fn features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
        | WasmFeatures::REFERENCE_TYPES
}

macro_rules! define_proposal_of {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The wasm proposal an operator belongs to, as named in wasmparser's operator table.
        pub(crate) fn proposal_of(op: &Operator<'_>) -> &'static str {
            match op {
                $( Operator::$op { .. } => stringify!($proposal), )*
                #[allow(unreachable_patterns)]
                _ => "unknown",
            }
        }
    };
}
wasmparser::for_each_operator!(define_proposal_of);

/// Rejects an operator outside the profile, naming its feature.
pub(crate) fn check_operator(op: &Operator<'_>, offset: usize) -> Result<()> {
    let proposal = proposal_of(op);
    let feature = match proposal {
        "mvp" | "sign_extension" | "saturating_float_to_int" => return Ok(()),
        "bulk_memory" => match op {
            Operator::TableInit { .. } | Operator::ElemDrop { .. } | Operator::TableCopy { .. } => {
                return Err(LoadError::unsupported(
                    "bulk-memory table operations",
                    offset,
                    format!("{op:?}: the table is read-only in profile v1"),
                ));
            }
            _ => return Ok(()),
        },
        "reference_types" => match op {
            Operator::TypedSelect { ty } if val_type(*ty).is_some() => return Ok(()),
            _ => "reference-types",
        },
        "simd" => "simd",
        "relaxed_simd" => "relaxed-simd",
        "threads" => "threads",
        "shared_everything_threads" => "shared-everything-threads",
        "tail_call" => "tail-call",
        "exceptions" => "exceptions",
        "legacy_exceptions" => "legacy-exceptions",
        "gc" => "gc",
        "function_references" => "function-references",
        "stack_switching" => "stack-switching",
        "wide_arithmetic" => "wide-arithmetic",
        "memory_control" => "memory-control",
        "custom_descriptors" => "custom-descriptors",
        _ => "unknown",
    };
    Err(LoadError::unsupported(
        feature,
        offset,
        format!("instruction {op:?}"),
    ))
}

/// The profile's value type for a wasmparser one; `None` for v128 and references.
pub(crate) fn val_type(t: wasmparser::ValType) -> Option<ValType> {
    match t {
        wasmparser::ValType::I32 => Some(ValType::I32),
        wasmparser::ValType::I64 => Some(ValType::I64),
        wasmparser::ValType::F32 => Some(ValType::F32),
        wasmparser::ValType::F64 => Some(ValType::F64),
        wasmparser::ValType::V128 | wasmparser::ValType::Ref(_) => None,
    }
}

/// As [`val_type`], rejecting with the feature named.
pub(crate) fn require_val_type(
    t: wasmparser::ValType,
    offset: usize,
    what: &str,
) -> Result<ValType> {
    val_type(t).ok_or_else(|| {
        let feature = match t {
            wasmparser::ValType::V128 => "simd",
            _ => "reference-types",
        };
        LoadError::unsupported(feature, offset, format!("{what} of type {t}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_are_classified() {
        assert_eq!(proposal_of(&Operator::I32Add), "mvp");
        assert_eq!(proposal_of(&Operator::I32Extend8S), "sign_extension");
        assert_eq!(proposal_of(&Operator::RefIsNull), "reference_types");
        assert_eq!(
            proposal_of(&Operator::ReturnCall { function_index: 0 }),
            "tail_call"
        );
        assert!(check_operator(&Operator::MemoryFill { mem: 0 }, 0).is_ok());
        assert!(check_operator(&Operator::ElemDrop { elem_index: 0 }, 0).is_err());
        assert!(
            check_operator(
                &Operator::TypedSelect {
                    ty: wasmparser::ValType::I32
                },
                0
            )
            .is_ok()
        );
        assert!(
            check_operator(
                &Operator::TypedSelect {
                    ty: wasmparser::ValType::FUNCREF
                },
                0
            )
            .is_err()
        );
    }
}
