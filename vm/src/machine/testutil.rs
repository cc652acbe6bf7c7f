//! Hand-built programs for tests (the loader is developed separately).

use std::sync::Arc;

use crate::isa::{Instr, Opcode};
use crate::program::{ExportFunc, Limits, Program, TableEntry, ValType};

/// Builds a [`Program`] field by field.
pub(crate) struct ProgramBuilder {
    pub(crate) p: Program,
}

/// `Instr::new` shorthand.
pub(crate) fn i(op: Opcode, imm: u64) -> Instr {
    Instr::new(op, imm)
}

/// `Instr::bare` shorthand.
pub(crate) fn b(op: Opcode) -> Instr {
    Instr::bare(op)
}

/// `Call` to `pc` with `n_locals`.
pub(crate) fn call(pc: u32, n_locals: u32) -> Instr {
    Instr::new(Opcode::Call, (n_locals as u64) << 32 | pc as u64)
}

impl ProgramBuilder {
    /// A program running `code` with `pages` of zero memory and default limits.
    pub(crate) fn new(code: Vec<Instr>) -> Self {
        let limits = Limits::default();
        Self {
            p: Program {
                code,
                memory: Vec::new(),
                memory_pages: 0,
                max_pages: limits.max_memory_pages,
                globals: Vec::new(),
                table: Vec::new(),
                segments: Vec::new(),
                init_trap: None,
                results: Vec::new(),
                limits,
                exports: Vec::new(),
                halt_pc: 0,
                segment_pc: None,
                derived: Default::default(),
            },
        }
    }

    pub(crate) fn pages(mut self, pages: u32, max: u32) -> Self {
        self.p.memory_pages = pages;
        self.p.max_pages = max;
        self.p.memory = vec![0; pages as usize * 65536];
        self
    }

    pub(crate) fn data(mut self, at: usize, bytes: &[u8]) -> Self {
        self.p.memory[at..at + bytes.len()].copy_from_slice(bytes);
        self
    }

    pub(crate) fn globals(mut self, g: Vec<u64>) -> Self {
        self.p.globals = g;
        self
    }

    pub(crate) fn table(mut self, t: Vec<Option<TableEntry>>) -> Self {
        self.p.table = t;
        self
    }

    pub(crate) fn segments(mut self, s: Vec<Vec<u8>>) -> Self {
        self.p.segments = s;
        self
    }

    pub(crate) fn results(mut self, r: Vec<ValType>) -> Self {
        self.p.results = r;
        self
    }

    pub(crate) fn call_depth(mut self, d: u32) -> Self {
        self.p.limits.max_call_depth = d;
        self
    }

    pub(crate) fn export(mut self, e: ExportFunc, halt_pc: u32) -> Self {
        self.p.exports.push(e);
        self.p.halt_pc = halt_pc;
        self
    }

    pub(crate) fn build(self) -> Arc<Program> {
        Arc::new(self.p)
    }
}
