//! The fast loop (decoded, fused ops) against the reference step: `run(n)` must leave exactly the
//! machine that `n` single steps leave, for every `n`, on random code, well-formed or not.

use std::sync::Arc;

use proptest::prelude::*;

use super::workload::workload;
use crate::isa::{Instr, Opcode::*};
use crate::machine::Machine;
use crate::machine::fast::{Op, decode};
use crate::machine::testutil::{ProgramBuilder, call, i};
use crate::{Program, Status};

/// Everything a step can change, compared field by field (cheaper than hashing every step).
fn snapshot(m: &Machine) -> impl PartialEq + std::fmt::Debug {
    (
        (m.status, m.trap_code, m.pc, m.steps),
        (
            m.stack.clone(),
            m.aux.clone(),
            m.locals.clone(),
            m.locals_base,
        ),
        (m.n_locals, m.frames.clone(), m.globals.clone(), m.pages),
        (
            m.mem.bytes().to_vec(),
            m.mem.dirty.clone(),
            m.output.clone(),
        ),
        (m.bulk_dst, m.bulk_src, m.bulk_len, m.seg_len.clone()),
    )
}

/// Checks `run(n)` against `n` steps for every `n` up to `max`, and chunked runs.
fn check(p: &Arc<Program>, input: &[u8], max: u64) -> Result<(), TestCaseError> {
    let mut stepped = Machine::new(p, input);
    // The step count at which the stepped machine stopped running, if it has.
    let mut stopped_at = (stepped.status != Status::Running).then_some(0);
    for n in 0..=max {
        let mut ran = Machine::new(p, input);
        let took = ran.run(n);
        prop_assert_eq!(
            took,
            stopped_at.map_or(n, |s| s.min(n)),
            "steps taken by run({})",
            n
        );
        // `run` stops once stopped; the stepped machine also counts identity steps.
        let mut want = stepped.clone();
        want.steps = took;
        prop_assert_eq!(snapshot(&ran), snapshot(&want), "after run({})", n);
        stepped.step();
        if stopped_at.is_none() && stepped.status != Status::Running {
            stopped_at = Some(stepped.steps);
        }
    }
    for chunk in [1, 2, 3, 5, 7] {
        let mut a = Machine::new(p, input);
        let mut b = Machine::new(p, input);
        for _ in 0..max / chunk + 1 {
            a.run(chunk);
            for _ in 0..chunk {
                if b.status == Status::Running {
                    b.step();
                }
            }
            prop_assert_eq!(a.state_hash(), b.state_hash(), "chunks of {}", chunk);
        }
    }
    Ok(())
}

/// One instruction from a pool that hits every fused pattern and its trapping edges.
fn instr(len: u64) -> impl Strategy<Value = Instr> {
    let ops = [
        LocalGet,
        LocalGet,
        LocalGet,
        LocalSet,
        LocalTee,
        Const,
        Const,
        Const,
        I32Add,
        I32Add,
        I32Mul,
        I32Sub,
        I32ShrS,
        I32LtU,
        I64Add,
        I64Mul,
        I64ShrU,
        I64LtS,
        I32Eqz,
        I64Eqz,
        I32Load,
        I32Load8S,
        I32Load8U,
        I64Load,
        I64Load32S,
        I32Load16U,
        I32Store,
        I64Store8,
        I32Store16,
        I64Store32,
        I64Store,
        Drop,
        Select,
        JumpIf,
        JumpIfNot,
        Jump,
        BrTable,
        Call,
        Return,
        GlobalGet,
        GlobalSet,
        MoveToAux,
        MoveFromAux,
        I32DivU,
        Halt,
    ];
    (
        prop::sample::select(ops.to_vec()),
        prop_oneof![
            0u64..4,
            0u64..len,
            65_500u64..65_540,
            Just(u64::MAX),
            any::<u64>()
        ],
        0u64..4,
    )
        .prop_map(move |(op, imm, hi)| match op {
            Jump | JumpIf | JumpIfNot | Call => i(op, (hi << 32) | (imm % len)),
            LocalGet | LocalSet | LocalTee | GlobalGet | GlobalSet => i(op, imm % 5),
            BrTable => i(op, imm % 3),
            _ => i(op, imm),
        })
}

/// A fused pattern with random immediates, or one random instruction.
fn snippet(len: u64) -> impl Strategy<Value = Vec<Instr>> {
    let loads = [I32Load, I64Load, I32Load8S, I32Load16U, I64Load32S];
    let bins = [I32Add, I32Mul, I32ShrU, I32GeS, I64Sub, I64Shl, I64Eq];
    let imm = || prop_oneof![0u64..4, 65_500u64..65_540, any::<u64>()];
    let cmps = [I32Eq, I32LtS, I32GeU, I32GtU];
    let c = move || prop::sample::select(cmps.to_vec());
    let (l, b) = (
        move || prop::sample::select(loads.to_vec()),
        move || prop::sample::select(bins.to_vec()),
    );
    prop_oneof![
        3 => instr(len).prop_map(|x| vec![x]),
        1 => (0u64..5, imm(), l(), imm()).prop_map(|(a, k, op, off)| {
            vec![i(LocalGet, a), i(Const, k), i(I32Add, 0), i(op, off)]
        }),
        1 => (0u64..5, imm()).prop_map(|(a, k)| vec![i(LocalGet, a), i(Const, k), i(I32Add, 0)]),
        1 => (0u64..5, l(), imm()).prop_map(|(a, op, off)| vec![i(LocalGet, a), i(op, off)]),
        1 => (l(), imm()).prop_map(|(op, off)| vec![i(I32Add, 0), i(op, off)]),
        1 => (0u64..5, b()).prop_map(|(a, op)| vec![i(LocalGet, a), i(op, 0)]),
        1 => (imm(), b()).prop_map(|(k, op)| vec![i(Const, k), i(op, 0)]),
        1 => (0u64..5, imm(), b()).prop_map(|(a, k, op)| {
            vec![i(LocalGet, a), i(Const, k), i(op, 0)]
        }),
        1 => (0u64..5, 0u64..5).prop_map(|(a, c)| vec![i(LocalGet, a), i(LocalGet, c)]),
        1 => (0u64..5, 0u64..5).prop_map(|(a, c)| vec![i(LocalSet, a), i(LocalGet, c)]),
        1 => (0u64..5, 0..len).prop_map(|(a, t)| vec![i(LocalTee, a), i(JumpIf, t)]),
        1 => (0u64..5, 0..len).prop_map(|(a, t)| vec![i(LocalGet, a), i(JumpIf, t)]),
        1 => (imm(), c(), 0..len).prop_map(|(k, op, t)| vec![i(Const, k), i(op, 0), i(JumpIf, t)]),
        1 => (1usize..10).prop_map(|n| vec![i(I32Add, 0); n]),
        1 => (0u64..5, 0u64..5).prop_map(|(a, c)| {
            vec![i(LocalGet, a), i(LocalGet, c), i(I32Add, 0)]
        }),
        1 => (0u64..5, imm(), l(), imm()).prop_map(|(a, k, op, off)| {
            vec![i(LocalTee, a), i(Const, k), i(I32Add, 0), i(op, off)]
        }),
        1 => (imm(), l(), imm()).prop_map(|(k, op, off)| vec![i(Const, k), i(I32Add, 0), i(op, off)]),
        1 => (0u64..5, imm(), l(), imm(), 0u64..5).prop_map(|(a, k, op, off, b)| {
            let mut v = vec![i(LocalGet, a), i(Const, k), i(I32Add, 0), i(op, off)];
            if b < 4 {
                v.push(i(LocalGet, b));
            }
            v.push(i(I32Mul, 0));
            v
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn run_equals_steps_on_random_code(
        body in proptest::collection::vec(snippet(30), 1..12),
        depth in 1u32..5,
    ) {
        let mut code = vec![call(2, 3), i(Halt, 0)];
        code.extend(body.into_iter().flatten());
        let p = ProgramBuilder::new(code)
            .pages(1, 2)
            .globals(vec![7, 65_530])
            .call_depth(depth)
            .build();
        check(&p, &[], 80)?;
    }

    #[test]
    fn run_equals_steps_on_the_workload(input in proptest::collection::vec(any::<u8>(), 0..6)) {
        check(&workload(), &input, 120)?;
    }
}

/// The loads trap midway through a fused `LocalGet; Const; I32Add; I32Load` and its shorter
/// forms; each trap lands on the load's step with the earlier steps done.
#[test]
fn fused_loads_trap_at_the_load() {
    for (load, off) in [(I32Load, 0), (I64Load, 3), (I32Load8U, 65_535)] {
        let code = vec![
            call(2, 2),
            i(Halt, 0),
            i(Const, 65_528),
            i(LocalSet, 0),
            i(LocalGet, 0),
            i(Const, 1),
            i(I32Add, 0),
            i(LocalTee, 0),
            i(LocalGet, 0),
            i(Const, 0),
            i(I32Add, 0),
            i(load, off),
            i(Drop, 0),
            i(LocalGet, 0),
            i(load, off),
            i(Drop, 0),
            i(LocalGet, 0),
            i(Const, 0),
            i(I32Add, 0),
            i(load, off),
            i(Drop, 0),
            i(Jump, 4),
        ];
        let p = ProgramBuilder::new(code).pages(1, 1).build();
        check(&p, &[], 200).expect("run equals steps");
        let mut m = Machine::new(&p, &[]);
        m.run(10_000);
        assert_eq!(m.status(), Status::Trapped, "{load:?}");
    }
}

#[test]
fn decoding_fuses_the_hot_patterns() {
    let code = [
        i(LocalGet, 5),
        i(Const, 64),
        i(I32Add, 0),
        i(I32Load8S, 2),
        i(LocalGet, 6),
        i(I32Mul, 0),
        i(Const, 4),
        i(I64Add, 0),
        i(LocalTee, 4),
        i(JumpIf, 0),
        i(LocalGet, u64::MAX),
        i(I32Add, 0),
        i(I32Load, 1 << 40),
    ];
    assert_eq!(std::mem::size_of::<Op>(), 16, "ops stay two words");
    assert_eq!(
        decode(&[i(I64Load8S, 0)])[0],
        Op::Ref,
        "narrow i64 loads take the reference path"
    );
    let ops = decode(&code);
    assert_eq!(ops.len(), code.len());
    assert_eq!(ops[0], Op::I32Load8SLkaML(5, 6, 64, 2));
    assert_eq!(ops[1], Op::I32Load8SK(64, 2));
    assert_eq!(ops[2], Op::I32Load8SA(2));
    assert_eq!(ops[4], Op::I32MulL(6));
    assert_eq!(ops[6], Op::I64AddK(4));
    assert_eq!(ops[8], Op::TeeJumpIf(4, 0));
    // a local index past u32 and a huge offset stay on the reference path's terms
    assert_eq!(ops[10], Op::Ref);
    assert_eq!(ops[11], Op::I32LoadA(1 << 40));
    let more = decode(&[
        i(LocalGet, 1),
        i(LocalGet, 2),
        i(I32Add, 0),
        i(LocalTee, 3),
        i(Const, 67),
        i(I32Add, 0),
        i(I64Load32U, 9),
    ]);
    assert_eq!(more[0], Op::LlAdd(1, 2));
    assert_eq!(
        decode(&[i(LocalGet, 7), i(Const, 3), i(I64ShrU, 0)])[0],
        Op::I64ShrULK(7, 3)
    );
    assert_eq!(more[3], Op::I64Load32UTk(3, 67, 9));
    let adds = decode(&[i(I32Add, 0); 11]);
    assert_eq!(adds[0], Op::AddN(8));
    assert_eq!(adds[8], Op::AddN(3));
    assert_eq!(adds[10], Op::I32Add);
}
