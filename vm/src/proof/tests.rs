//! Every step of many programs: `verify_step(state_hash(), prove_step()) == next state_hash()`.

use std::sync::Arc;

use proptest::prelude::*;

use crate::isa::{
    Instr,
    Opcode::{self, *},
};
use crate::machine::tests::workload::workload;
use crate::machine::testutil::{ProgramBuilder, b, call, i};
use crate::program::TableEntry;
use crate::{Machine, Program, ProofError, Status, verify_step};

/// Proves and verifies every step until the machine stops (plus two identity steps).
fn check_all_steps(p: &Arc<Program>, input: &[u8]) -> Machine {
    let mut m = Machine::new(p, input);
    for _ in 0..100_000 {
        let stopped = m.status() != Status::Running;
        let pre = m.state_hash();
        let proof = m.prove_step();
        let post = m.state_hash();
        assert_eq!(
            verify_step(pre, &proof),
            Ok(post),
            "step {} ({:?})",
            m.steps(),
            proof.get(464..466)
        );
        if stopped {
            assert_eq!(post, pre);
            break;
        }
    }
    m
}

fn run1(code: Vec<Instr>) -> Machine {
    check_all_steps(
        &ProgramBuilder::new(code)
            .pages(1, 2)
            .globals(vec![5, 6])
            .build(),
        &[],
    )
}

#[test]
fn workload_steps_verify() {
    for input in [&b""[..], b"a", b"hello world, this is opml", &[0xff; 70]] {
        let m = check_all_steps(&workload(), input);
        assert_eq!(m.status(), Status::Halted);
    }
}

#[test]
fn every_numeric_opcode_verifies_including_traps() {
    for &op in Opcode::ALL.iter().filter(|op| **op as u16 >= 0x50) {
        for args in [
            [7u64, 3],
            [0x8000_0000, 0xffff_ffff],
            [1 << 63, u64::MAX],
            [5, 0],
        ] {
            let mut code: Vec<Instr> = args[..op.pops() as usize]
                .iter()
                .map(|&v| i(Const, v))
                .collect();
            code.extend([b(op), b(Halt)]);
            run1(code);
        }
    }
}

#[test]
fn memory_accesses_verify_including_straddles_and_traps() {
    let loads = [
        I32Load, I64Load, I32Load8S, I32Load8U, I32Load16S, I32Load16U, I64Load8S, I64Load8U,
        I64Load16S, I64Load16U, I64Load32S, I64Load32U,
    ];
    let stores = [
        I32Store, I64Store, I32Store8, I32Store16, I64Store8, I64Store16, I64Store32,
    ];
    for base in [
        0u64,
        27,
        29,
        31,
        32,
        63,
        65536 - 8,
        65536 - 3,
        65536,
        0xffff_ffff,
    ] {
        for &op in &stores {
            run1(vec![
                i(Const, base),
                i(Const, 0x1122_3344_5566_7788),
                i(op, 1),
                b(Halt),
            ]);
        }
        for &op in &loads {
            run1(vec![
                i(Const, 60),
                i(Const, u64::MAX - 2),
                i(I64Store, 0),
                i(Const, base),
                i(op, 1),
                b(Halt),
            ]);
        }
    }
    run1(vec![
        b(MemorySize),
        i(Const, 1),
        b(MemoryGrow),
        i(Const, 5),
        b(MemoryGrow),
        b(Halt),
    ]);
}

#[test]
fn control_ops_verify() {
    let m = run1(vec![
        i(Const, 1),
        i(Const, 2),
        i(Const, 0),
        b(Select),
        i(Const, 7),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        i(GlobalGet, 1),
        i(GlobalSet, 0),
        i(Const, 3),
        i(BrTable, 1),
        i(Jump, 14),
        i(Jump, 14),
        b(Halt),
    ]);
    assert_eq!((m.status(), m.stack()), (Status::Halted, &[7u64][..]));
    run1(vec![
        i(Const, 9),
        call(4, 3),
        i(Const, 1),
        b(Halt),
        i(LocalSet, 2),
        i(LocalGet, 2),
        i(LocalTee, 0),
        i(JumpIfNot, 9),
        b(Return),
        b(Unreachable),
    ]);
    run1(vec![b(Return)]);
    run1(vec![i(Trap, 4)]);
    // a pc inside the code tree past the code reads the zero leaf, Unreachable
    run1(vec![i(Jump, 1)]);
    // past the code tree: the zero instruction too, proved by the packed state alone
    let mut m = Machine::new(&ProgramBuilder::new(vec![i(Jump, 100)]).build(), &[]);
    m.step();
    let pre = m.state_hash();
    let proof = m.prove_step();
    assert_eq!(m.trap_code(), Some(crate::TrapCode::Unreachable));
    assert_eq!(proof.len(), crate::StateFields::ENCODED_LEN);
    assert_eq!(verify_step(pre, &proof), Ok(m.state_hash()));
    let p = ProgramBuilder::new(vec![call(2, 1), b(Halt), call(2, 1)])
        .call_depth(3)
        .build();
    check_all_steps(&p, &[]);
    let t = |ty, pc| {
        Some(TableEntry {
            type_id: ty,
            pc,
            n_locals: 1,
        })
    };
    for idx in [0u64, 1, 2, 3] {
        let p = ProgramBuilder::new(vec![i(Const, idx), i(CallIndirect, 4), b(Halt), b(Return)])
            .table(vec![t(4, 3), None, t(5, 3)])
            .build();
        check_all_steps(&p, &[]);
    }
}

#[test]
fn bulk_and_host_ops_verify() {
    let init: Vec<u8> = (0..200u8).collect();
    let mk = |code: Vec<Instr>| {
        ProgramBuilder::new(code)
            .pages(1, 1)
            .data(0, &init)
            .segments(vec![(100..170).collect(), vec![]])
            .build()
    };
    for (d, s, n) in [
        (10u64, 40u64, 70u64),
        (40, 10, 70),
        (33, 33, 5),
        (0, 1, 64),
        (65530, 0, 7),
    ] {
        check_all_steps(
            &mk(vec![
                i(Const, d),
                i(Const, s),
                i(Const, n),
                b(MemoryCopy),
                b(CopyStep),
                b(Halt),
            ]),
            &[],
        );
        check_all_steps(
            &mk(vec![
                i(Const, d),
                i(Const, s),
                i(Const, n),
                b(MemoryFill),
                b(FillStep),
                b(Halt),
            ]),
            &[],
        );
        check_all_steps(
            &mk(vec![
                i(Const, d),
                i(Const, s % 60),
                i(Const, n % 11),
                i(MemoryInit, 0),
                i(InitStep, 0),
                i(DataDrop, 0),
                i(DataDrop, 1),
                b(Halt),
            ]),
            &[],
        );
        let input: Vec<u8> = (0..90).collect();
        check_all_steps(
            &mk(vec![
                b(InputLen),
                i(Const, d),
                i(Const, s % 50),
                i(Const, n % 45),
                b(InputRead),
                b(InputReadStep),
                b(Halt),
            ]),
            &input,
        );
        check_all_steps(
            &mk(vec![
                i(Const, s),
                i(Const, n),
                b(OutputWrite),
                b(OutputWriteStep),
                i(Const, d),
                i(Const, 40),
                b(OutputWrite),
                b(OutputWriteStep),
                b(Halt),
            ]),
            &[],
        );
    }
}

#[test]
fn tampered_proofs_are_rejected() {
    let mut m = Machine::new(&workload(), b"xyz");
    m.run(57);
    for _ in 0..60 {
        let pre = m.state_hash();
        let proof = m.prove_step();
        let post = m.state_hash();
        for k in [0, 100, 446, 447, 450, 500, proof.len() - 1] {
            let mut bad = proof.clone();
            bad[k] ^= 1;
            assert_ne!(verify_step(pre, &bad), Ok(post), "byte {k}");
        }
        assert!(verify_step(pre, &proof[..proof.len() - 1]).is_err());
        let mut long = proof.clone();
        long.push(0);
        assert_eq!(verify_step(pre, &long), Err(ProofError::Trailing(1)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn workload_steps_verify_on_random_inputs(input in proptest::collection::vec(any::<u8>(), 0..40)) {
        check_all_steps(&workload(), &input);
    }
}
