//! Machine tests: opcode semantics through the dispatch loop, traps as states, hashing,
//! checkpoints and golden vectors.

mod bulk;
mod control;
mod fast;
mod golden;
mod hashing;
mod ops;
mod speed;
pub(crate) mod workload;

use std::sync::Arc;

use super::Machine;
use super::testutil::{ProgramBuilder, b, i};
use crate::isa::{Instr, Opcode};
use crate::{Program, Status, TrapCode};

/// Runs `code` (1 page of memory) to completion and returns the machine.
pub(crate) fn run_code(code: Vec<Instr>) -> Machine {
    run_prog(&ProgramBuilder::new(code).pages(1, 4).build(), &[])
}

/// Runs a program on `input` for up to a million steps.
pub(crate) fn run_prog(p: &Arc<Program>, input: &[u8]) -> Machine {
    let mut m = Machine::new(p, input);
    m.run(1_000_000);
    m
}

/// `Const`s for `vals` then `op` then `Halt`.
pub(crate) fn apply(vals: &[u64], op: Opcode, imm: u64) -> Vec<Instr> {
    let mut code: Vec<Instr> = vals.iter().map(|&v| i(Opcode::Const, v)).collect();
    code.push(i(op, imm));
    code.push(b(Opcode::Halt));
    code
}

/// Asserts that `code` traps with `code_` and that the trapping step changed nothing but the
/// status and trap code.
pub(crate) fn assert_traps(p: &Arc<Program>, input: &[u8], code_: TrapCode) -> Machine {
    let mut m = Machine::new(p, input);
    let mut before = m.state_fields();
    while m.status() == Status::Running && m.steps() < 1_000_000 {
        before = m.state_fields();
        m.step();
    }
    assert_eq!(
        m.status(),
        Status::Trapped,
        "expected a trap, got {:?}",
        m.status()
    );
    assert_eq!(m.trap_code(), Some(code_));
    before.status = Status::Trapped as u8;
    before.trap_code = code_ as u8;
    assert_eq!(
        m.state_fields(),
        before,
        "a trapping step must change only status and code"
    );
    m
}

/// As [`assert_traps`] for `code` with one page of memory.
pub(crate) fn assert_code_traps(code: Vec<Instr>, code_: TrapCode) -> Machine {
    assert_traps(&ProgramBuilder::new(code).pages(1, 4).build(), &[], code_)
}
