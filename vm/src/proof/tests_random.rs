//! Random programs: every step proves and verifies, and every lazy hash equals one recomputed
//! from scratch. Programs are built from (selector, argument) pairs keeping the stack valid.

use proptest::prelude::*;

use crate::Machine;
use crate::isa::{Instr, Opcode};
use crate::machine::testutil::{ProgramBuilder, b, call, i};
use crate::program::TableEntry;

/// Interesting operands: small, boundary and leaf-straddling values.
fn operand(x: u64) -> u64 {
    const POOL: [u64; 12] = [
        0,
        1,
        2,
        7,
        31,
        33,
        0xffff_ffff,
        0x8000_0000,
        1 << 63,
        u64::MAX,
        65530,
        4096,
    ];
    if x.is_multiple_of(3) {
        POOL[(x / 3 % 12) as usize]
    } else {
        x % 70_000
    }
}

/// Builds `[Call f] Halt f: body Return`; `f` has 4 locals.
fn program(ops: &[(u8, u64)]) -> Vec<Instr> {
    use Opcode::*;
    let mut code = vec![call(2, 4), b(Halt)];
    let (mut depth, mut aux) = (0usize, 0usize);
    for &(sel, x) in ops {
        let numeric: Vec<Opcode> = Opcode::ALL
            .iter()
            .copied()
            .filter(|o| *o as u16 >= 0x50)
            .collect();
        let op = match sel % 16 {
            0..=3 => {
                code.push(i(Const, operand(x)));
                depth += 1;
                continue;
            }
            4..=6 => numeric[(x % numeric.len() as u64) as usize],
            7 => [I32Load, I64Load, I32Load8S, I64Load16U, I64Load32S][(x % 5) as usize],
            8 => [I32Store, I64Store, I32Store8, I64Store16, I64Store32][(x % 5) as usize],
            9 => [LocalGet, LocalSet, LocalTee][(x % 3) as usize],
            10 => [GlobalGet, GlobalSet][(x % 2) as usize],
            11 => [MoveToAux, MoveFromAux, Select, Drop][(x % 4) as usize],
            12 => [MemorySize, MemoryGrow, InputLen][(x % 3) as usize],
            13 => [MemoryFill, MemoryCopy, MemoryInit][(x % 3) as usize],
            14 => [InputRead, OutputWrite, DataDrop][(x % 3) as usize],
            _ => CallIndirect,
        };
        let pops = op.pops() as usize;
        if depth < pops || (op == MoveFromAux && aux == 0) {
            continue;
        }
        let imm = match op {
            LocalGet | LocalSet | LocalTee => x % 4,
            GlobalGet | GlobalSet => x % 2,
            MemoryInit | DataDrop => x % 2,
            CallIndirect => x % 2,
            I32Load | I64Load | I32Load8S | I64Load16U | I64Load32S => x % 40,
            I32Store | I64Store | I32Store8 | I64Store16 | I64Store32 => x % 40,
            _ => 0,
        };
        code.push(i(op, imm));
        depth = depth - pops + op.pushes() as usize;
        match op {
            MoveToAux => aux += 1,
            MoveFromAux => aux -= 1,
            MemoryFill => code.push(b(FillStep)),
            MemoryCopy => code.push(b(CopyStep)),
            MemoryInit => code.push(i(InitStep, imm)),
            InputRead => code.push(b(InputReadStep)),
            OutputWrite => code.push(b(OutputWriteStep)),
            _ => {}
        }
    }
    code.extend(std::iter::repeat_n(b(Opcode::Drop), depth));
    code.push(b(Opcode::Return));
    // the indirect-call target: returns at once
    code.push(b(Opcode::Return));
    code
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_programs_prove_every_step(
        ops in proptest::collection::vec((any::<u8>(), any::<u64>()), 1..80),
        input in proptest::collection::vec(any::<u8>(), 0..70),
    ) {
        let code = program(&ops);
        let target = code.len() as u32 - 1;
        let p = ProgramBuilder::new(code)
            .pages(1, 3)
            .data(0, &(0..=255u8).collect::<Vec<_>>())
            .globals(vec![3, 1 << 40])
            .table(vec![Some(TableEntry { type_id: 0, pc: target, n_locals: 1 }), None])
            .segments(vec![(1..90).collect(), vec![5; 3]])
            .build();
        let mut m = Machine::new(&p, &input);
        for _ in 0..5_000 {
            let stopped = m.status() != crate::Status::Running;
            let pre = m.state_hash();
            let mut fresh = m.clone();
            fresh.hc = Default::default();
            fresh.mem = crate::machine::fresh_memory(m.memory());
            prop_assert_eq!(fresh.state_hash(), pre);
            let proof = m.prove_step();
            prop_assert_eq!(crate::verify_step(pre, &proof), Ok(m.state_hash()), "step {}", m.steps());
            if stopped {
                break;
            }
        }
    }
}
