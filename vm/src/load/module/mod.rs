//! Parsing and validating a module into the facts lowering and instantiation need.

mod items;

use items::ConstVal;

use super::error::{LoadError, Result};
use super::profile::{self, require_val_type};
use crate::{Limits, ValType};
use std::collections::HashMap;
use wasmparser::{
    CompositeInnerType, DataKind, ExternalKind, FuncToValidate, FunctionBody, Parser, Payload,
    ValidPayload, Validator, ValidatorResources,
};

/// Most mutable globals, data segments and locals per function: the trees have 2^16 leaves.
pub(crate) const TREE_LEAVES: u64 = 1 << 16;

/// A function signature of the profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Sig {
    pub(crate) params: Vec<ValType>,
    pub(crate) results: Vec<ValType>,
}

/// An imported function, lowered inline at each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Import {
    /// `opml.input_len`.
    InputLen,
    /// `opml.input_read`.
    InputRead,
    /// `opml.output_write`.
    OutputWrite,
}

/// A global after its initializer ran.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Global {
    pub(crate) mutable: bool,
    /// Its initial value (bits, 32-bit types zero-extended).
    pub(crate) value: u64,
    /// Index among the mutable globals (the globals tree), when mutable.
    pub(crate) lowered: u32,
}

/// An element segment: function indices (`None` for `ref.null`).
#[derive(Debug, Clone)]
pub(crate) struct ElemSeg {
    pub(crate) offset: usize,
    /// The table offset, for an active segment.
    pub(crate) active: Option<u32>,
    pub(crate) items: Vec<Option<u32>>,
}

/// A data segment.
#[derive(Debug, Clone)]
pub(crate) struct DataSeg<'a> {
    /// The memory offset, for an active segment.
    pub(crate) active: Option<u32>,
    pub(crate) bytes: &'a [u8],
}

/// A function body still to validate and lower.
pub(crate) struct Body<'a> {
    pub(crate) func: FuncToValidate<ValidatorResources>,
    pub(crate) body: FunctionBody<'a>,
}

/// A validated module's facts.
pub(crate) struct Module<'a> {
    /// Signatures by type index.
    pub(crate) sigs: Vec<Sig>,
    /// Type index → signature id (distinct signatures in first-appearance order).
    pub(crate) type_ids: Vec<u32>,
    /// Signature → id, for numbering.
    sig_ids: HashMap<Sig, u32>,
    /// Imported functions (the first indices of the function space).
    pub(crate) imports: Vec<Import>,
    /// Type index of every function, imports first.
    pub(crate) func_types: Vec<u32>,
    /// Memory `(initial, maximum)` pages.
    pub(crate) memory: Option<(u32, Option<u64>)>,
    /// The table's initial size.
    pub(crate) table_size: Option<u32>,
    pub(crate) globals: Vec<Global>,
    /// Exported functions: `(name, function index, offset)`.
    pub(crate) exports: Vec<(String, u32, usize)>,
    pub(crate) start: Option<u32>,
    pub(crate) elems: Vec<ElemSeg>,
    pub(crate) data: Vec<DataSeg<'a>>,
    pub(crate) bodies: Vec<Body<'a>>,
}

impl<'a> Module<'a> {
    /// Parses and validates `bytes` (function bodies are validated later, while lowering).
    pub(crate) fn parse(bytes: &'a [u8], limits: &Limits) -> Result<Self> {
        let mut m = Module {
            sigs: Vec::new(),
            type_ids: Vec::new(),
            sig_ids: HashMap::new(),
            imports: Vec::new(),
            func_types: Vec::new(),
            memory: None,
            table_size: None,
            globals: Vec::new(),
            exports: Vec::new(),
            start: None,
            elems: Vec::new(),
            data: Vec::new(),
            bodies: Vec::new(),
        };
        let mut validator = Validator::new_with_features(profile::features());
        let mut n_mutable: u64 = 0;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload?;
            match validator.payload(&payload)? {
                ValidPayload::Func(func, body) => m.bodies.push(Body { func, body }),
                ValidPayload::Parser(_) => {
                    return Err(LoadError::unsupported(
                        "component-model",
                        0,
                        "nested module",
                    ));
                }
                ValidPayload::Ok | ValidPayload::End(_) => {}
            }
            match payload {
                Payload::TypeSection(r) => {
                    for group in r.into_iter_with_offsets() {
                        let (offset, group) = group?;
                        for sub in group.into_types() {
                            let CompositeInnerType::Func(ft) = &sub.composite_type.inner else {
                                return Err(LoadError::unsupported(
                                    "gc",
                                    offset,
                                    "non-function type",
                                ));
                            };
                            m.push_sig(ft, offset)?;
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for import in r.into_imports_with_offsets() {
                        let (offset, import) = import?;
                        let found = m.import(import.module, import.name, import.ty, offset)?;
                        m.imports.push(found.0);
                        m.func_types.push(found.1);
                    }
                }
                Payload::FunctionSection(r) => {
                    for ty in r {
                        m.func_types.push(ty?);
                    }
                }
                Payload::TableSection(r) => {
                    for table in r.into_iter_with_offsets() {
                        let (offset, table) = table?;
                        m.table(table.ty, &table.init, offset, limits)?;
                    }
                }
                Payload::MemorySection(r) => {
                    for mem in r.into_iter_with_offsets() {
                        let (offset, mem) = mem?;
                        if mem.initial > u64::from(limits.max_memory_pages) {
                            return Err(LoadError::limit(
                                offset,
                                format!(
                                    "memory of {} initial pages exceeds the limit of {}",
                                    mem.initial, limits.max_memory_pages
                                ),
                            ));
                        }
                        let initial = u32::try_from(mem.initial)
                            .map_err(|_| LoadError::limit(offset, "memory too large"))?;
                        m.memory = Some((initial, mem.maximum));
                    }
                }
                Payload::GlobalSection(r) => {
                    for global in r.into_iter_with_offsets() {
                        let (offset, g) = global?;
                        require_val_type(g.ty.content_type, offset, "global")?;
                        let value = match m.const_expr(&g.init_expr)? {
                            ConstVal::Num(v) => v,
                            ConstVal::Func(_) => {
                                return Err(LoadError::unsupported(
                                    "reference-types",
                                    offset,
                                    "reference-typed global",
                                ));
                            }
                        };
                        let lowered = if g.ty.mutable {
                            n_mutable += 1;
                            if n_mutable > TREE_LEAVES {
                                return Err(LoadError::limit(
                                    offset,
                                    "more than 2^16 mutable globals",
                                ));
                            }
                            (n_mutable - 1) as u32
                        } else {
                            0
                        };
                        m.globals.push(Global {
                            mutable: g.ty.mutable,
                            value,
                            lowered,
                        });
                    }
                }
                Payload::ExportSection(r) => {
                    for export in r.into_iter_with_offsets() {
                        let (offset, e) = export?;
                        match e.kind {
                            ExternalKind::Func => {
                                m.exports.push((e.name.to_string(), e.index, offset))
                            }
                            ExternalKind::FuncExact => {
                                return Err(LoadError::unsupported(
                                    "function-references",
                                    offset,
                                    "exact function export",
                                ));
                            }
                            _ => {}
                        }
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(func),
                Payload::ElementSection(r) => {
                    for elem in r.into_iter_with_offsets() {
                        let (offset, e) = elem?;
                        m.elem(e.kind, e.items, offset)?;
                    }
                }
                Payload::DataSection(r) => {
                    for data in r.into_iter_with_offsets() {
                        let (offset, d) = data?;
                        if m.data.len() as u64 >= TREE_LEAVES {
                            return Err(LoadError::limit(offset, "more than 2^16 data segments"));
                        }
                        let active = match d.kind {
                            DataKind::Passive => None,
                            DataKind::Active { offset_expr, .. } => {
                                Some(m.const_u32(&offset_expr)?)
                            }
                        };
                        m.data.push(DataSeg {
                            active,
                            bytes: d.data,
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(m)
    }

    /// Number of imported functions.
    pub(crate) fn n_imports(&self) -> u32 {
        self.imports.len() as u32
    }

    /// The signature of function `f`.
    pub(crate) fn func_sig(&self, f: u32) -> Option<&Sig> {
        let ty = *self.func_types.get(f as usize)?;
        self.sigs.get(ty as usize)
    }
}
