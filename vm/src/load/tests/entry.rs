//! Float opcodes and the bootstraps of `docs/machine.md` §2: `main`, `segment`, invoke.

use super::{b, call, i};
use crate::isa::Opcode::*;
use crate::{Entry, Limits, LoadError, Program};

fn main_program(wat: &str) -> Result<Program, LoadError> {
    Program::load(&wat::parse_str(wat).unwrap(), Limits::default())
}

#[test]
fn every_scalar_float_instruction_is_its_own_opcode() {
    let all = r#"(module (func (export "f") (param f32 f64 i32 i64)
        (drop (f32.sqrt (local.get 0))) (drop (f64.sqrt (local.get 1)))
        (drop (f32.ceil (local.get 0))) (drop (f64.floor (local.get 1)))
        (drop (f32.trunc (local.get 0))) (drop (f64.nearest (local.get 1)))
        (drop (f64.add (local.get 1) (local.get 1))) (drop (f64.div (local.get 1) (local.get 1)))
        (drop (f64.min (local.get 1) (local.get 1))) (drop (f64.ge (local.get 1) (local.get 1)))
        (drop (i32.trunc_f32_s (local.get 0))) (drop (i32.trunc_f64_u (local.get 1)))
        (drop (i64.trunc_f32_u (local.get 0))) (drop (i64.trunc_f64_s (local.get 1)))
        (drop (i32.trunc_sat_f32_s (local.get 0))) (drop (i64.trunc_sat_f64_u (local.get 1)))
        (drop (f32.convert_i32_s (local.get 2))) (drop (f32.convert_i64_u (local.get 3)))
        (drop (f64.convert_i32_u (local.get 2))) (drop (f64.convert_i64_s (local.get 3)))
        (drop (f32.demote_f64 (local.get 1))) (drop (f64.promote_f32 (local.get 0)))))"#;
    let p = super::load(all);
    let ops: Vec<_> = p
        .code
        .iter()
        .map(|x| x.op)
        .filter(|o| *o as u16 >= 0xb0)
        .collect();
    assert_eq!(
        ops,
        [
            F32Sqrt,
            F64Sqrt,
            F32Ceil,
            F64Floor,
            F32Trunc,
            F64Nearest,
            F64Add,
            F64Div,
            F64Min,
            F64Ge,
            I32TruncF32S,
            I32TruncF64U,
            I64TruncF32U,
            I64TruncF64S,
            I32TruncSatF32S,
            I64TruncSatF64U,
            F32ConvertI32S,
            F32ConvertI64U,
            F64ConvertI32U,
            F64ConvertI64S,
            F32DemoteF64,
            F64PromoteF32
        ]
    );
}

#[test]
fn main_bootstrap_calls_then_halts() {
    let p = main_program(r#"(module (func (export "main")))"#).unwrap();
    assert_eq!(p.code[..2], [call(2, 0), b(Halt)]);
    assert_eq!((p.halt_pc(), p.segment_pc()), (1, None));
}

#[test]
fn segment_bootstrap_yields_between_calls() {
    let p = main_program(
        r#"(module (func $s (export "segment") (result i32) (i32.const 0)) (start $init)
            (func $init))"#,
    )
    .unwrap();
    // 0: Call start; s = 1: Call segment; JumpIfNot s+3; Yield s; s+3: Halt
    assert_eq!(
        p.code[..5],
        [
            call(7, 0),
            call(5, 0),
            i(JumpIfNot, 4),
            i(Yield, 1),
            b(Halt)
        ]
    );
    assert_eq!((p.halt_pc(), p.segment_pc()), (4, Some(1)));
}

#[test]
fn segment_entry_is_exclusive_and_typed() {
    let both = r#"(module (func (export "segment") (result i32) (i32.const 0))
        (func (export "main")))"#;
    assert!(matches!(main_program(both), Err(LoadError::Entry { .. })));
    let mistyped = r#"(module (func (export "segment")))"#;
    assert!(matches!(
        main_program(mistyped),
        Err(LoadError::Entry { .. })
    ));
    // Other entries ignore `segment`.
    let bytes = wat::parse_str(both).unwrap();
    assert!(Program::load_with_entry(&bytes, Limits::default(), Entry::Instantiate).is_ok());
}

#[test]
fn segment_depth_is_bounded() {
    let bytes = wat::parse_str(r#"(module (func (export "main")))"#).unwrap();
    for (d, ok) in [(0, false), (1, true), (63, true), (64, false)] {
        let limits = Limits {
            segment_depth: d,
            ..Limits::default()
        };
        assert_eq!(Program::load(&bytes, limits).is_ok(), ok, "depth {d}");
    }
}
