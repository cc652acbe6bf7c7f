//! Crafted code: instruction sequences the lowering never emits, on which the machine,
//! `verify_step` and the Solidity verifier must give one answer (`docs/machine.md` §5.6). Each
//! case names the status and trap code its run ends in; the vm's tests prove and verify every
//! step of every case, `opml-stepcheck` replays them in the compiled verifier and writes their
//! golden vectors for forge.

use std::sync::Arc;

use crate::consensus::DEFAULT_SEGMENT_DEPTH;
use crate::isa::{Instr, Opcode::*};
use crate::{Limits, Program, Status, TrapCode};

/// One crafted program and how its run ends.
#[derive(Debug, Clone)]
pub struct Case {
    /// What it exercises.
    pub name: &'static str,
    /// The program (bootstrap-free: `pc = 0` is the first instruction below).
    pub program: Arc<Program>,
    /// Its input.
    pub input: Vec<u8>,
    /// The final status.
    pub status: Status,
    /// The final trap code (`Some` exactly when trapped; the raw byte, which `Trap` may set to a
    /// number outside the table).
    pub trap_code: Option<u8>,
}

fn i(op: crate::isa::Opcode, imm: u64) -> Instr {
    Instr::new(op, imm)
}

fn b(op: crate::isa::Opcode) -> Instr {
    Instr::bare(op)
}

/// A program running `code` at `pc = 0` with one page of memory, `globals`, `segments`.
fn program(code: Vec<Instr>, globals: Vec<u64>, segments: Vec<Vec<u8>>, depth: u8) -> Arc<Program> {
    let limits = Limits {
        segment_depth: depth,
        max_call_depth: 8,
        ..Limits::default()
    };
    Arc::new(Program {
        code,
        memory: vec![0; 65536],
        memory_pages: 1,
        max_pages: 2,
        globals,
        table: Vec::new(),
        segments,
        init_trap: None,
        results: Vec::new(),
        limits,
        exports: Vec::new(),
        halt_pc: 0,
        segment_pc: None,
        derived: Default::default(),
    })
}

fn case(name: &'static str, code: Vec<Instr>, status: Status, trap: Option<TrapCode>) -> Case {
    with(
        name,
        program(code, vec![5], vec![b"abcd".to_vec()], DEFAULT_SEGMENT_DEPTH),
        status,
        trap,
    )
}

fn with(name: &'static str, program: Arc<Program>, status: Status, trap: Option<TrapCode>) -> Case {
    Case {
        name,
        program,
        input: b"input".to_vec(),
        status,
        trap_code: trap.map(|t| t as u8),
    }
}

/// Every crafted case (`docs/machine.md` §5.6).
pub fn cases() -> Vec<Case> {
    use Status::{Halted, Trapped, Yielded};
    use TrapCode::*;
    let k = |v: u64| i(Const, v);
    vec![
        // ---- bulk steps without their start, or after another op's start ----------------------
        case(
            "bulk steps without a start only advance",
            vec![
                b(FillStep),
                b(CopyStep),
                i(InitStep, 0),
                b(InputReadStep),
                b(OutputWriteStep),
                b(Halt),
            ],
            Halted,
            None,
        ),
        case(
            "CopyStep after MemoryFill copies from the fill byte's address",
            vec![
                k(0),
                k(0xab),
                k(100),
                b(MemoryFill),
                b(CopyStep),
                b(FillStep),
                b(Halt),
            ],
            Halted,
            None,
        ),
        case(
            "CopyStep after MemoryFill re-checks its source bounds",
            vec![k(0), k(0xff), k(65536), b(MemoryFill), b(CopyStep), b(Halt)],
            Trapped,
            Some(MemoryOutOfBounds),
        ),
        case(
            "InitStep after OutputWrite re-checks the segment's length",
            vec![k(65530), k(6), b(OutputWrite), i(InitStep, 0), b(Halt)],
            Trapped,
            Some(MemoryOutOfBounds),
        ),
        case(
            "InputReadStep after MemoryFill re-checks the input's length",
            vec![
                k(0),
                k(200),
                k(10),
                b(MemoryFill),
                b(InputReadStep),
                b(Halt),
            ],
            Trapped,
            Some(InputOutOfBounds),
        ),
        case(
            "InitStep of a dropped segment traps",
            vec![
                k(0),
                k(0),
                k(4),
                i(MemoryInit, 0),
                i(DataDrop, 0),
                i(InitStep, 0),
                b(Halt),
            ],
            Trapped,
            Some(MemoryOutOfBounds),
        ),
        case(
            "OutputWriteStep after InputRead reads memory from the input offset",
            vec![k(0), k(2), k(3), b(InputRead), b(OutputWriteStep), b(Halt)],
            Halted,
            None,
        ),
        // ---- locals, globals and segments are whole trees ------------------------------------
        case(
            "LocalSet, LocalGet and LocalTee past n_locals",
            vec![
                k(7),
                i(LocalSet, 70),
                i(LocalGet, 70),
                i(LocalTee, 65535),
                i(LocalGet, 3),
                b(Halt),
            ],
            Halted,
            None,
        ),
        case(
            "LocalGet past the locals tree",
            vec![i(LocalGet, 1 << 16), b(Halt)],
            Trapped,
            Some(IndexOutOfRange),
        ),
        case(
            "LocalSet far past the locals tree",
            vec![k(1), i(LocalSet, 1 << 40), b(Halt)],
            Trapped,
            Some(IndexOutOfRange),
        ),
        case(
            "GlobalSet and GlobalGet past the mutable globals",
            vec![
                k(9),
                i(GlobalSet, 300),
                i(GlobalGet, 300),
                i(GlobalGet, 2),
                b(Halt),
            ],
            Halted,
            None,
        ),
        case(
            "GlobalGet past the globals tree",
            vec![i(GlobalGet, 1 << 16), b(Halt)],
            Trapped,
            Some(IndexOutOfRange),
        ),
        case(
            "DataDrop of an unused slot, then past the tree",
            vec![i(DataDrop, 9), i(DataDrop, 1 << 16), b(Halt)],
            Trapped,
            Some(IndexOutOfRange),
        ),
        case(
            "MemoryInit past the segments tree",
            vec![k(0), k(0), k(0), i(MemoryInit, 1 << 16), b(Halt)],
            Trapped,
            Some(IndexOutOfRange),
        ),
        // ---- stacks ---------------------------------------------------------------------------
        case(
            "MoveFromAux on an empty aux stack",
            vec![k(1), b(MoveToAux), b(MoveFromAux), b(MoveFromAux), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "Drop on an empty stack",
            vec![b(Drop), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "a binary op with one value",
            vec![k(1), b(I32Add), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "Select with two values",
            vec![k(1), k(2), b(Select), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "a store with one value",
            vec![k(1), i(I64Store, 0), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "MemoryFill with two values",
            vec![k(0), k(1), b(MemoryFill), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "a float op with one value",
            vec![k(0x3f80_0000), b(F32Add), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        case(
            "JumpIf on an empty stack",
            vec![i(JumpIf, 0), b(Halt)],
            Trapped,
            Some(StackUnderflow),
        ),
        // ---- pc, returns, trap codes ----------------------------------------------------------
        case(
            "a jump past the code tree",
            vec![i(Jump, 1 << 20), b(Halt)],
            Trapped,
            Some(Unreachable),
        ),
        case(
            "a call past the code tree",
            vec![i(Call, 1 << 31), b(Halt)],
            Trapped,
            Some(Unreachable),
        ),
        case(
            "BrTable past the code tree",
            vec![k(0x7fff_0000), i(BrTable, 0xffff_ffff), b(Halt)],
            Trapped,
            Some(Unreachable),
        ),
        case(
            "Return without a frame",
            vec![b(Return), b(Halt)],
            Trapped,
            Some(Unreachable),
        ),
        Case {
            name: "Trap keeps imm & 0xff, even 0",
            program: program(vec![i(Trap, 0x100)], vec![], vec![], DEFAULT_SEGMENT_DEPTH),
            input: Vec::new(),
            status: Trapped,
            trap_code: Some(0),
        },
        // ---- segments -------------------------------------------------------------------------
        case(
            "Yield at a boundary",
            // Resumed, it halts: a runner that resumes yielded machines terminates.
            vec![
                k(0),
                k(0),
                k(3),
                b(MemoryFill),
                b(FillStep),
                i(Yield, 6),
                b(Halt),
            ],
            Yielded,
            None,
        ),
        case(
            "Yield with a value on the stack",
            vec![k(1), i(Yield, 0)],
            Trapped,
            Some(YieldOutsideBoundary),
        ),
        case(
            "Yield with a value on the aux stack",
            vec![k(1), b(MoveToAux), i(Yield, 0)],
            Trapped,
            Some(YieldOutsideBoundary),
        ),
        case(
            "Yield inside a call",
            vec![i(Call, 2), b(Halt), i(Yield, 0)],
            Trapped,
            Some(YieldOutsideBoundary),
        ),
        with(
            "a segment longer than 2^segment_depth steps",
            program(vec![i(Jump, 0)], vec![], vec![], 3),
            Trapped,
            Some(SegmentTooLong),
        ),
        with(
            "Halt on the last step of a segment",
            program(
                vec![k(1), k(2), k(3), k(4), k(5), k(6), b(Halt)],
                vec![],
                vec![],
                3,
            ),
            Halted,
            None,
        ),
        with(
            "the step after the last of a segment traps whatever it is",
            program(
                vec![k(1), k(2), k(3), k(4), k(5), k(6), k(7), b(Halt)],
                vec![],
                vec![],
                3,
            ),
            Trapped,
            Some(SegmentTooLong),
        ),
    ]
}
