//! Unit tests of loading: exact lowered sequences, instantiation, rejections, fuzzing.

mod entry;
mod fuzz;
mod instantiate;
mod lowering;
mod reject;

use crate::isa::{Instr, Opcode};
use crate::{Entry, Limits, LoadError, Program};

/// Loads WAT with `Entry::Instantiate`.
fn load(wat: &str) -> Program {
    try_load(wat).unwrap_or_else(|e| panic!("load failed: {e}"))
}

fn try_load(wat: &str) -> Result<Program, LoadError> {
    let bytes = wat::parse_str(wat).expect("test WAT parses");
    Program::load_with_entry(&bytes, Limits::default(), Entry::Instantiate)
}

/// The error loading `wat` gives.
fn load_err(wat: &str) -> LoadError {
    match try_load(wat) {
        Ok(_) => panic!("expected a load error for {wat}"),
        Err(e) => e,
    }
}

/// Shorthand for an instruction.
fn i(op: Opcode, imm: u64) -> Instr {
    Instr::new(op, imm)
}

/// Shorthand for an instruction without immediate.
fn b(op: Opcode) -> Instr {
    Instr::bare(op)
}

/// The `Call` immediate for `pc` and `n_locals`.
fn call(pc: u64, n_locals: u64) -> Instr {
    Instr::new(Opcode::Call, pc | n_locals << 32)
}
