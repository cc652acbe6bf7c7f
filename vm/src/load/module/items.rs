//! The items of a module: signatures, imports, the table, element segments, constants.

use super::{ElemSeg, Import, Module, Sig};
use crate::load::error::{LoadError, Result};
use crate::load::profile::require_val_type;
use crate::{Limits, ValType};
use wasmparser::{ConstExpr, ElementItems, ElementKind, Operator, TableInit, TypeRef};

impl Module<'_> {
    pub(super) fn push_sig(&mut self, ft: &wasmparser::FuncType, offset: usize) -> Result<()> {
        let conv = |ts: &[wasmparser::ValType], what| {
            ts.iter()
                .map(|t| require_val_type(*t, offset, what))
                .collect::<Result<Vec<_>>>()
        };
        let sig = Sig {
            params: conv(ft.params(), "parameter")?,
            results: conv(ft.results(), "result")?,
        };
        let next = self.sig_ids.len() as u32;
        let id = *self.sig_ids.entry(sig.clone()).or_insert(next);
        self.sigs.push(sig);
        self.type_ids.push(id);
        Ok(())
    }

    pub(super) fn import(
        &self,
        module: &str,
        name: &str,
        ty: TypeRef,
        offset: usize,
    ) -> Result<(Import, u32)> {
        let err = |reason| LoadError::Import {
            module: module.to_string(),
            name: name.to_string(),
            offset,
            reason,
        };
        let TypeRef::Func(type_index) = ty else {
            return Err(err(
                "only functions may be imported (no memory, table, global or tag)",
            ));
        };
        let sig = self
            .sigs
            .get(type_index as usize)
            .ok_or_else(|| err("unknown type"))?;
        use ValType::I32;
        let (import, params, results): (Import, &[ValType], &[ValType]) = match (module, name) {
            ("opml", "input_len") => (Import::InputLen, &[], &[I32]),
            ("opml", "input_read") => (Import::InputRead, &[I32, I32, I32], &[]),
            ("opml", "output_write") => (Import::OutputWrite, &[I32, I32], &[]),
            _ => return Err(err("not a host function of the opml interface")),
        };
        if sig.params != params || sig.results != results {
            return Err(err("wrong type for this host function"));
        }
        Ok((import, type_index))
    }

    pub(super) fn table(
        &mut self,
        ty: wasmparser::TableType,
        init: &TableInit<'_>,
        offset: usize,
        limits: &Limits,
    ) -> Result<()> {
        if self.table_size.is_some() {
            return Err(LoadError::unsupported(
                "reference-types",
                offset,
                "more than one table",
            ));
        }
        if ty.element_type != wasmparser::RefType::FUNCREF || matches!(init, TableInit::Expr(_)) {
            return Err(LoadError::unsupported(
                "reference-types",
                offset,
                "table other than funcref",
            ));
        }
        let max = u64::from(limits.max_table_size.min(1 << 16));
        if ty.initial > max {
            return Err(LoadError::limit(
                offset,
                format!("table of {} slots exceeds the limit of {max}", ty.initial),
            ));
        }
        let size =
            u32::try_from(ty.initial).map_err(|_| LoadError::limit(offset, "table too large"))?;
        self.table_size = Some(size);
        Ok(())
    }

    pub(super) fn elem(
        &mut self,
        kind: ElementKind<'_>,
        items: ElementItems<'_>,
        offset: usize,
    ) -> Result<()> {
        let active = match kind {
            ElementKind::Passive | ElementKind::Declared => None,
            ElementKind::Active {
                table_index,
                offset_expr,
            } => {
                if table_index.unwrap_or(0) != 0 {
                    return Err(LoadError::unsupported(
                        "reference-types",
                        offset,
                        "table index > 0",
                    ));
                }
                Some(self.const_u32(&offset_expr)?)
            }
        };
        let mut out = Vec::new();
        match items {
            ElementItems::Functions(r) => {
                for f in r {
                    out.push(Some(f?));
                }
            }
            ElementItems::Expressions(ty, r) => {
                if ty != wasmparser::RefType::FUNCREF {
                    return Err(LoadError::unsupported(
                        "reference-types",
                        offset,
                        "non-funcref elements",
                    ));
                }
                for e in r {
                    match self.const_expr(&e?)? {
                        ConstVal::Func(f) => out.push(f),
                        ConstVal::Num(_) => return Err(LoadError::invalid(offset, "bad element")),
                    }
                }
            }
        }
        self.elems.push(ElemSeg {
            offset,
            active,
            items: out,
        });
        Ok(())
    }

    /// Evaluates an `i32` constant expression (segment offsets).
    pub(super) fn const_u32(&self, e: &ConstExpr<'_>) -> Result<u32> {
        match self.const_expr(e)? {
            ConstVal::Num(v) => Ok(v as u32),
            ConstVal::Func(_) => Err(LoadError::invalid(0, "reference as an offset")),
        }
    }

    /// Evaluates a constant expression of the profile.
    pub(super) fn const_expr(&self, e: &ConstExpr<'_>) -> Result<ConstVal> {
        let mut r = e.get_operators_reader();
        let mut value = None;
        loop {
            let (op, offset) = r.read_with_offset()?;
            let v = match op {
                Operator::End => break,
                Operator::I32Const { value } => ConstVal::Num(u64::from(value as u32)),
                Operator::I64Const { value } => ConstVal::Num(value as u64),
                Operator::F32Const { value } => ConstVal::Num(u64::from(value.bits())),
                Operator::F64Const { value } => ConstVal::Num(value.bits()),
                Operator::RefNull { .. } => ConstVal::Func(None),
                Operator::RefFunc { function_index } => ConstVal::Func(Some(function_index)),
                Operator::GlobalGet { global_index } => {
                    match self.globals.get(global_index as usize) {
                        Some(g) if !g.mutable => ConstVal::Num(g.value),
                        _ => {
                            return Err(LoadError::invalid(
                                offset,
                                "global.get of a later or mutable global",
                            ));
                        }
                    }
                }
                other => {
                    return Err(LoadError::unsupported(
                        "extended-const",
                        offset,
                        format!("{other:?} in a constant expression"),
                    ));
                }
            };
            if value.replace(v).is_some() {
                return Err(LoadError::unsupported(
                    "extended-const",
                    offset,
                    "constant expression",
                ));
            }
        }
        value.ok_or_else(|| {
            LoadError::invalid(e.get_binary_reader().original_position(), "empty constant")
        })
    }
}

/// A constant expression's value.
#[derive(Debug, Clone, Copy)]
pub(super) enum ConstVal {
    Num(u64),
    Func(Option<u32>),
}
