//! Linking the soft-float library: only needed routines, traps lowered, impure ones rejected.

use super::{b, call, i};
use crate::isa::Opcode::*;
use crate::{Entry, Limits, LoadError, Program};

const LIB: &str = r#"(module
    (import "opml_softfloat" "trap_invalid_conversion" (func $trap))
    (memory 1)
    (global $sp (mut i32) (i32.const 1024))
    (func $helper (param i32) (result i32) (local.get 0))
    (func (export "f32_add") (param i32 i32) (result i32)
      (call $helper (i32.add (local.get 0) (local.get 1))))
    (func (export "i32_trunc_f32_s") (param i32) (result i32) (call $trap) (local.get 0))
    (func (export "f32_sub") (param i32 i32) (result i32) (i32.load (i32.const 0)))
    (func (export "f32_mul") (param i32) (result i32) (local.get 0))
    (func (export "f32_div") (param i32 i32) (result i32) (global.get $sp))
    (func (export "f64_add") (param i64 i64) (result i64) (local.get 0)))"#;

fn link(program: &str) -> Result<Program, LoadError> {
    let lib = wat::parse_str(LIB).unwrap();
    let bytes = wat::parse_str(program).unwrap();
    Program::load_with_softfloat(&bytes, Limits::default(), Entry::Instantiate, Some(&lib))
}

fn binary(op: &str) -> String {
    format!(
        r#"(module (func (export "f") (param f32 f32) (result f32)
            ({op} (local.get 0) (local.get 1))))"#
    )
}

#[test]
fn only_needed_routines_and_callees_are_linked_in_index_order() {
    let p = link(&binary("f32.add")).unwrap();
    let want = [
        b(Halt),
        i(LocalSet, 1),
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(LocalGet, 1),
        call(10, 2),
        b(Return),
        // $helper (library function 1), then f32_add (2).
        i(LocalSet, 0),
        i(LocalGet, 0),
        b(Return),
        i(LocalSet, 1),
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(LocalGet, 1),
        b(I32Add),
        call(7, 1),
        b(Return),
    ];
    assert_eq!(p.code, want);
}

#[test]
fn trap_imports_lower_to_trap() {
    let p = link(
        r#"(module (func (export "f") (param f32) (result i32) (i32.trunc_f32_s (local.get 0))))"#,
    )
    .unwrap();
    assert_eq!(
        p.code[5..],
        [i(LocalSet, 0), i(Trap, 5), i(LocalGet, 0), b(Return)]
    );
}

#[track_caller]
fn soft_float_error(program: &str, routine: &str, reason: &str) {
    match link(program) {
        Err(LoadError::SoftFloat {
            routine: r,
            reason: why,
            ..
        }) => {
            assert_eq!(r, routine);
            assert!(why.contains(reason), "{why}");
        }
        other => panic!("expected a soft-float error, got {other:?}"),
    }
}

#[test]
fn impure_missing_or_mistyped_routines_are_rejected() {
    soft_float_error(&binary("f32.sub"), "f32_sub", "touches memory");
    soft_float_error(&binary("f32.div"), "f32_div", "uses a global");
    soft_float_error(&binary("f32.mul"), "f32_mul", "wrong signature");
    soft_float_error(&binary("f32.min"), "f32_min", "does not export");
}

#[test]
fn no_library_means_a_clear_error() {
    let bytes = wat::parse_str(binary("f32.max")).unwrap();
    let err = Program::load_with_softfloat(&bytes, Limits::default(), Entry::Instantiate, None)
        .unwrap_err();
    assert!(
        matches!(&err, LoadError::SoftFloat { routine, .. } if routine == "f32_max"),
        "{err}"
    );
}

#[test]
fn the_built_in_library_links_every_routine() {
    let ops = [
        "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.eq", "f32.lt",
    ];
    for op in ops {
        let wat = format!(
            r#"(module (func (export "f") (param f32 f32) (drop ({op} (local.get 0) (local.get 1)))))"#
        );
        let p = super::load(&wat);
        let end = 8;
        let callee = (p.code[5].imm & 0xffff_ffff) as usize;
        assert_eq!(p.code[5].op, Call, "{op}");
        assert!(callee >= end && callee < p.code.len(), "{op}");
    }
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
    super::load(all);
}
