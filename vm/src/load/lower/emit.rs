//! The code being emitted and its pending call fix-ups.

use crate::isa::{Instr, Opcode as Op};
use crate::load::error::{LoadError, Result};

/// The code being produced, with its pending call fix-ups.
pub(crate) struct Emitter {
    pub(crate) code: Vec<Instr>,
    max_len: usize,
    /// `(position of a Call, callee's function index)`, fixed up once every function has a
    /// `pc`.
    pub(crate) calls: Vec<(usize, u32)>,
}

impl Emitter {
    /// An emitter whose code may not grow past `max_len` instructions.
    pub(crate) fn new(code: Vec<Instr>, max_len: usize) -> Self {
        Self {
            code,
            max_len,
            calls: Vec::new(),
        }
    }

    pub(super) fn pc(&self) -> usize {
        self.code.len()
    }

    pub(super) fn emit(&mut self, op: Op, imm: u64) -> usize {
        self.code.push(Instr::new(op, imm));
        self.code.len() - 1
    }

    pub(super) fn patch(&mut self, at: usize, target: usize) {
        if let Some(i) = self.code.get_mut(at) {
            i.imm = target as u64;
        }
    }

    /// Fails unless `extra` more instructions fit.
    pub(super) fn reserve(&self, extra: usize, offset: usize) -> Result<()> {
        if self.code.len().saturating_add(extra) > self.max_len {
            return Err(LoadError::limit(
                offset,
                format!("lowered code longer than {} instructions", self.max_len),
            ));
        }
        Ok(())
    }
}
