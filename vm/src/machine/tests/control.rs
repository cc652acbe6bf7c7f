//! Control flow, locals, globals, calls and the host-only `invoke_export`.

use super::{apply, assert_code_traps, assert_traps, run_code, run_prog};
use crate::isa::Opcode::*;
use crate::machine::testutil::{ProgramBuilder, b, call, i};
use crate::program::{ExportFunc, TableEntry};
use crate::{Machine, MachineError, Status, TrapCode, ValType, Value};

#[test]
fn jumps_and_br_table() {
    // JumpIf taken skips the Const 1.
    let m = run_code(vec![
        i(Const, 1),
        i(JumpIf, 3),
        i(Const, 1),
        i(Const, 2),
        b(Halt),
    ]);
    assert_eq!(m.stack(), &[2]);
    let m = run_code(vec![
        i(Const, 0),
        i(JumpIfNot, 3),
        i(Const, 1),
        i(Const, 2),
        b(Halt),
    ]);
    assert_eq!(m.stack(), &[2]);
    // Only the low 32 bits of the condition count.
    let m = run_code(vec![i(Const, 1 << 32), i(JumpIf, 3), i(Const, 1), b(Halt)]);
    assert_eq!(m.stack(), &[1]);
    for (idx, want) in [(0u64, 10u64), (1, 11), (2, 12), (7, 12), (0xffff_ffff, 12)] {
        let m = run_code(vec![
            i(Const, idx),
            i(BrTable, 2),
            i(Jump, 5),
            i(Jump, 7),
            i(Jump, 9),
            i(Const, 10),
            b(Halt),
            i(Const, 11),
            b(Halt),
            i(Const, 12),
            b(Halt),
        ]);
        assert_eq!(m.stack(), &[want], "index {idx}");
    }
}

#[test]
fn stack_ops() {
    assert_eq!(run_code(apply(&[1, 2, 1], Select, 0)).stack(), &[1]);
    assert_eq!(run_code(apply(&[1, 2, 0], Select, 0)).stack(), &[2]);
    assert_eq!(run_code(apply(&[1, 2], Drop, 0)).stack(), &[1]);
    let m = run_code(vec![
        i(Const, 1),
        i(Const, 2),
        i(Const, 3),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        b(Halt),
    ]);
    assert_eq!(m.stack(), &[1, 3]);
}

#[test]
fn locals_globals_calls_and_returns() {
    // main: push 5, call f(x) = x * 2 + g0, then g0 = result; f has 2 locals.
    let code = vec![
        i(Const, 5),
        call(4, 2),
        i(GlobalSet, 0),
        b(Halt),
        i(LocalSet, 0), // f: param
        i(LocalGet, 0),
        i(Const, 2),
        b(I32Mul),
        i(LocalTee, 1),
        i(GlobalGet, 0),
        b(I32Add),
        b(Return),
    ];
    let p = ProgramBuilder::new(code).globals(vec![100]).build();
    let m = run_prog(&p, &[]);
    assert_eq!(m.status(), Status::Halted);
    assert_eq!(m.globals, vec![110]);
    assert!(m.stack().is_empty());
    assert_eq!(m.frames.len(), 0);
    assert_eq!(m.locals.len(), 0);
}

#[test]
fn call_depth_exhaustion() {
    // f calls itself forever: the 4th nested call traps.
    let p = ProgramBuilder::new(vec![call(2, 1), b(Halt), call(2, 1)])
        .call_depth(4)
        .build();
    let m = assert_traps(&p, &[], TrapCode::CallStackExhausted);
    assert_eq!(m.frames.len(), 4);
    assert_eq!(m.steps(), 5);
}

#[test]
fn call_indirect_checks_in_order() {
    let entry = |type_id, pc| {
        Some(TableEntry {
            type_id,
            pc,
            n_locals: 0,
        })
    };
    let table = vec![entry(7, 4), None, entry(8, 4)];
    let prog = |idx: u64, depth: u32| {
        ProgramBuilder::new(vec![
            i(Const, idx),
            i(CallIndirect, 7),
            b(Halt),
            b(Halt),
            i(Const, 42),
            b(Return),
        ])
        .table(table.clone())
        .call_depth(depth)
        .build()
    };
    let m = run_prog(&prog(0, 10), &[]);
    assert_eq!((m.status(), m.stack()), (Status::Halted, &[42u64][..]));
    assert_traps(&prog(3, 10), &[], TrapCode::UndefinedElement);
    assert_traps(&prog(1 << 32 | 3, 10), &[], TrapCode::UndefinedElement);
    assert_traps(&prog(1, 10), &[], TrapCode::UninitializedElement);
    assert_traps(&prog(2, 10), &[], TrapCode::IndirectCallTypeMismatch);
    assert_traps(&prog(0, 0), &[], TrapCode::CallStackExhausted);
    assert_traps(&prog(2, 0), &[], TrapCode::IndirectCallTypeMismatch);
}

#[test]
fn halted_and_trapped_machines_step_to_themselves() {
    for code in [vec![b(Halt)], vec![b(Unreachable)], vec![]] {
        let mut m = run_code(code);
        assert_ne!(m.status(), Status::Running);
        let h = m.state_hash();
        let steps = m.steps();
        m.step();
        m.step();
        assert_eq!(m.state_hash(), h);
        assert_eq!(m.steps(), steps + 2);
        assert_eq!(m.run(10), 0);
    }
}

#[test]
fn init_trap_starts_trapped() {
    let mut p = ProgramBuilder::new(vec![b(Halt)]);
    p.p.init_trap = Some(TrapCode::MemoryOutOfBounds);
    let mut m = Machine::new(&p.build(), &[]);
    assert_eq!(m.status(), Status::Trapped);
    assert_eq!(m.trap_code(), Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(m.state_hash()[0], 2);
}

#[test]
fn memory_size_and_grow() {
    let m = run_code(vec![
        b(MemorySize),
        i(Const, 2),
        b(MemoryGrow),
        i(Const, 2),
        b(MemoryGrow),
        b(MemorySize),
        b(Halt),
    ]);
    assert_eq!(m.stack(), &[1, 1, 0xffff_ffff, 3]);
    assert_eq!(m.memory().len(), 3 * 65536);
}

#[test]
fn invoke_export_runs_on_the_same_instance() {
    let export = ExportFunc {
        name: "add".into(),
        pc: 2,
        n_locals: 2,
        params: vec![ValType::I32, ValType::I32],
        results: vec![ValType::I32],
    };
    let code = vec![
        b(Halt), // bootstrap of Entry::Instantiate
        b(Halt),
        i(LocalSet, 1),
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(LocalGet, 1),
        b(I32Add),
        b(Return),
    ];
    let p = ProgramBuilder::new(code).export(export, 1).build();
    let mut m = Machine::new(&p, &[]);
    m.run(10);
    m.invoke_export("add", &[Value::I32(-3), Value::I32(10)])
        .unwrap();
    m.run(100);
    assert_eq!(m.status(), Status::Halted);
    assert_eq!(m.results(), vec![Value::I32(7)]);
    m.invoke_export("add", &[Value::I32(1), Value::I32(2)])
        .unwrap();
    m.run(100);
    assert_eq!(m.results(), vec![Value::I32(3)]);
    assert_eq!(
        m.invoke_export("nope", &[]),
        Err(MachineError::UnknownExport("nope".into()))
    );
    assert!(matches!(
        m.invoke_export("add", &[Value::I64(1), Value::I32(2)]),
        Err(MachineError::ArgumentMismatch { .. })
    ));
}

#[test]
fn results_are_typed_by_the_entry() {
    let p = ProgramBuilder::new(vec![i(Const, 0xffff_ffff), i(Const, 5), b(Halt)])
        .results(vec![ValType::I32, ValType::F64])
        .build();
    assert_eq!(
        run_prog(&p, &[]).results(),
        vec![Value::I32(-1), Value::F64(5)]
    );
}

#[test]
fn pc_past_the_code_is_unreachable() {
    assert_code_traps(vec![i(Jump, 100)], TrapCode::Unreachable);
}
