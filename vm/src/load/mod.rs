//! Loading: validation against the deterministic profile (`docs/profile.md`), lowering to the
//! flat code (docs/machine.md §2), instantiation (§4).
//!
//! Any byte string in, a [`Program`] or a [`LoadError`] out: never a panic.

mod error;
mod instantiate;
mod lower;
mod module;
mod ops;
mod profile;

#[cfg(test)]
mod tests;

pub use error::LoadError;
use error::Result;
use lower::{Emitter, lower_function};
use module::Module;

use crate::isa::{Instr, Opcode as Op};
use crate::{Entry, ExportFunc, Limits, Program, ValType};

/// The most instructions any program may have (the code tree's bound).
const MAX_CODE_LEN: u32 = 1 << 24;

impl Program {
    /// Validates, lowers and instantiates `bytes` with the entry `main`.
    pub fn load(bytes: &[u8], limits: Limits) -> Result<Program, LoadError> {
        Self::load_with_entry(bytes, limits, Entry::Main)
    }

    /// As [`Program::load`], with another entry.
    pub fn load_with_entry(
        bytes: &[u8],
        limits: Limits,
        entry: Entry,
    ) -> Result<Program, LoadError> {
        if !(1..=crate::consensus::MAX_SEGMENT_DEPTH).contains(&limits.segment_depth) {
            return Err(LoadError::limit(
                0,
                format!(
                    "segment depth {} outside 1..={}",
                    limits.segment_depth,
                    crate::consensus::MAX_SEGMENT_DEPTH
                ),
            ));
        }
        let m = Module::parse(bytes, &limits)?;
        let segmented = entry == Entry::Main && m.exports.iter().any(|e| e.0 == "segment");
        let boot_len = usize::from(m.start.is_some())
            + 1
            + match &entry {
                Entry::Main if segmented => 3,
                Entry::Main => 1,
                Entry::Instantiate => 0,
                Entry::Invoke { args, .. } => args.len() + 1,
            };
        let max_len = limits.max_code_len.min(MAX_CODE_LEN) as usize;
        let mut e = Emitter::new(vec![Instr::bare(Op::Unreachable); boot_len], max_len);

        // The program's functions, in index order.
        let n_imports = m.n_imports();
        let mut funcs: Vec<(u32, u32)> = Vec::with_capacity(m.bodies.len());
        let mut m = m;
        let bodies = std::mem::take(&mut m.bodies);
        for (i, body) in bodies.into_iter().enumerate() {
            let pc = e.code.len() as u32;
            let n_locals = lower_function(&mut e, &m, n_imports + i as u32, body)?;
            funcs.push((pc, n_locals));
        }
        let func = |f: u32| {
            f.checked_sub(n_imports)
                .and_then(|i| funcs.get(i as usize))
                .copied()
        };

        // Every call's immediate.
        for &(at, f) in &e.calls {
            let (pc, n_locals) = func(f).ok_or_else(|| LoadError::invalid(0, "unresolved call"))?;
            e.code[at].imm = call_imm(pc, n_locals);
        }

        // Exports and the bootstrap.
        let mut exports = Vec::new();
        for (name, f, offset) in &m.exports {
            let (pc, n_locals) = func(*f).ok_or_else(|| {
                LoadError::unsupported("host-import-reference", *offset, "an exported host import")
            })?;
            let sig = m
                .func_sig(*f)
                .ok_or_else(|| LoadError::invalid(*offset, "no type"))?;
            exports.push(ExportFunc {
                name: name.clone(),
                pc,
                n_locals,
                params: sig.params.clone(),
                results: sig.results.clone(),
            });
        }
        let mut boot = Vec::with_capacity(boot_len);
        if let Some(start) = m.start {
            let (pc, n_locals) = func(start).ok_or_else(|| {
                LoadError::unsupported("host-import-reference", 0, "start is an import")
            })?;
            boot.push(Instr::new(Op::Call, call_imm(pc, n_locals)));
        }
        let (results, segment_pc) = bootstrap_entry(&entry, &exports, &mut boot)?;
        let halt_pc = boot.len() as u32;
        boot.push(Instr::bare(Op::Halt));
        e.code[..boot_len].copy_from_slice(&boot);

        let inst = instantiate::instantiate(&m, &limits, &func)?;
        Ok(Program {
            code: e.code,
            memory: inst.memory,
            memory_pages: inst.memory_pages,
            max_pages: inst.max_pages,
            globals: inst.globals,
            table: inst.table,
            segments: inst.segments,
            init_trap: inst.init_trap,
            results,
            limits,
            exports,
            halt_pc,
            segment_pc,
            derived: Default::default(),
        })
    }
}

/// The `Call` immediate: `pc | n_locals << 32`.
fn call_imm(pc: u32, n_locals: u32) -> u64 {
    u64::from(pc) | u64::from(n_locals) << 32
}

/// Appends the entry's part of the bootstrap (before `Halt`); returns its result types and, for
/// a segmented program, the `pc` of its `Call segment` (`docs/machine.md` §2, §9).
fn bootstrap_entry(
    entry: &Entry,
    exports: &[ExportFunc],
    boot: &mut Vec<Instr>,
) -> Result<(Vec<ValType>, Option<u32>)> {
    let find = |name: &str| exports.iter().find(|x| x.name == name);
    match entry {
        Entry::Instantiate => Ok((Vec::new(), None)),
        Entry::Main => {
            let main = find("main").or_else(|| find("_start"));
            if let Some(seg) = find("segment") {
                if let Some(m) = main {
                    return Err(LoadError::Entry {
                        reason: format!(
                            "both `segment` and `{}` are exported: a program has one entry",
                            m.name
                        ),
                    });
                }
                if !seg.params.is_empty() || seg.results != [ValType::I32] {
                    return Err(LoadError::Entry {
                        reason: format!(
                            "`segment` must have type [] -> [i32], not {:?} -> {:?}",
                            seg.params, seg.results
                        ),
                    });
                }
                // s: Call segment; JumpIfNot s+3; Yield s; (s+3: Halt, appended by the caller)
                let s = boot.len() as u32;
                boot.push(Instr::new(Op::Call, call_imm(seg.pc, seg.n_locals)));
                boot.push(Instr::new(Op::JumpIfNot, u64::from(s + 3)));
                boot.push(Instr::new(Op::Yield, u64::from(s)));
                return Ok((Vec::new(), Some(s)));
            }
            let f = main.ok_or_else(|| LoadError::Entry {
                reason: "no exported function `main`, `_start` or `segment`".into(),
            })?;
            if !f.params.is_empty() || !f.results.is_empty() {
                return Err(LoadError::Entry {
                    reason: format!(
                        "`{}` must have type [] -> [], not {:?} -> {:?}",
                        f.name, f.params, f.results
                    ),
                });
            }
            boot.push(Instr::new(Op::Call, call_imm(f.pc, f.n_locals)));
            Ok((Vec::new(), None))
        }
        Entry::Invoke { export, args } => {
            let f = find(export).ok_or_else(|| LoadError::Entry {
                reason: format!("no exported function `{export}`"),
            })?;
            let types: Vec<ValType> = args.iter().map(|a| a.ty()).collect();
            if types != f.params {
                return Err(LoadError::Entry {
                    reason: format!("`{export}` takes {:?}, got arguments {types:?}", f.params),
                });
            }
            boot.extend(args.iter().map(|a| Instr::new(Op::Const, a.to_bits())));
            boot.push(Instr::new(Op::Call, call_imm(f.pc, f.n_locals)));
            Ok((f.results.clone(), None))
        }
    }
}
