//! Checks of the committed builds in `guests/wasm/`: in the machine's profile, the `opml`
//! imports only, a `main: [] -> []` export, and no float anywhere in the integer guests (in the
//! float one, floats are the point).

use std::path::PathBuf;
use wasmparser::{
    Export, ExternalKind, Import, Operator, Parser, Payload, TypeRef, ValType, Validator,
    WasmFeatures,
};

/// The committed guests, and whether each must be integer-only. `minilm` links std, whose
/// prebuilt code encodes `call_indirect` the reference-types way (which the machine's loader
/// accepts, docs/profile.md): the VM's own loader checks it in `modelpack/tests/tiny.rs`.
const GUESTS: &[(&str, bool)] = &[
    ("digits", true),
    ("kernels", true),
    ("digits-f32", false),
    ("attention", false),
];

fn wasm(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../wasm/{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run guests/build.sh)", path.display()))
}

/// The deterministic profile of `docs/machine.md`.
fn profile() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
}

fn is_float(t: ValType) -> bool {
    matches!(t, ValType::F32 | ValType::F64)
}

fn float_op(op: &Operator<'_>) -> bool {
    // Every float instruction's name has an `F32`/`F64` in it (loads, stores, constants,
    // arithmetic, conversions, reinterpretations).
    let name = format!("{op:?}");
    name.contains("F32") || name.contains("F64")
}

#[test]
fn committed_builds_are_in_profile_with_the_opml_abi() {
    for &(name, integer_only) in GUESTS {
        let bytes = wasm(name);
        Validator::new_with_features(profile())
            .validate_all(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut types = Vec::new();
        // Type index of every function, imports first (the function index space).
        let mut func_types = Vec::new();
        let mut main_idx = None;
        let mut floats = Vec::new();
        for payload in Parser::new(0).parse_all(&bytes) {
            match payload.unwrap() {
                Payload::TypeSection(r) => {
                    for ty in r.into_iter_err_on_gc_types() {
                        let ty = ty.unwrap();
                        if ty.params().iter().chain(ty.results()).any(|&t| is_float(t)) {
                            floats.push(format!("type {ty:?}"));
                        }
                        types.push(ty);
                    }
                }
                Payload::ImportSection(r) => {
                    for imp in r.into_imports() {
                        let Import {
                            module,
                            name: field,
                            ty,
                        } = imp.unwrap();
                        assert_eq!(module, "opml", "{name}: import {module}.{field}");
                        assert!(
                            ["input_len", "input_read", "output_write"].contains(&field),
                            "{name}: import opml.{field}"
                        );
                        let TypeRef::Func(t) = ty else {
                            panic!("{name}: non-function import {field}")
                        };
                        func_types.push(t);
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        func_types.push(t.unwrap());
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let Export {
                            name: n,
                            kind,
                            index,
                        } = e.unwrap();
                        if n == "main" && kind == ExternalKind::Func {
                            main_idx = Some(index);
                        }
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        if is_float(g.unwrap().ty.content_type) {
                            floats.push("global".into());
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    for local in body.get_locals_reader().unwrap() {
                        if is_float(local.unwrap().1) {
                            floats.push("local".into());
                        }
                    }
                    for op in body.get_operators_reader().unwrap() {
                        let op = op.unwrap();
                        if float_op(&op) {
                            floats.push(format!("{op:?}"));
                        }
                    }
                }
                _ => {}
            }
        }
        let main_idx = main_idx.unwrap_or_else(|| panic!("{name}: no exported function `main`"));
        let ty = &types[func_types[main_idx as usize] as usize];
        assert!(
            ty.params().is_empty() && ty.results().is_empty(),
            "{name}: main is {ty:?}, not [] -> []"
        );
        if integer_only {
            assert!(floats.is_empty(), "{name} uses floats: {floats:?}");
        } else {
            assert!(!floats.is_empty(), "{name} was meant to use floats");
        }
    }
}
