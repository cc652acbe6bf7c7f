//! Exact lowered sequences for control flow, calls, globals, host imports and bitwise floats.

use super::{b, call, i, load};
use crate::isa::Opcode::*;

/// Code of a one-function module loaded with `Entry::Instantiate`: `[Halt]` then the function.
fn code(wat: &str) -> Vec<crate::isa::Instr> {
    let p = load(wat);
    assert_eq!(p.code[0], b(Halt));
    assert_eq!(p.halt_pc, 0);
    p.code[1..].to_vec()
}

#[test]
fn br_if_keeping_the_value_is_one_jump() {
    let got = code(
        r#"(module (func (export "f") (param i32) (result i32)
            (block (result i32)
              (i32.const 7) (local.get 0) (br_if 0)
              (drop) (i32.const 9))))"#,
    );
    let want = [
        i(LocalSet, 0),
        i(Const, 7),
        i(LocalGet, 0),
        i(JumpIf, 7),
        b(Drop),
        i(Const, 9),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn br_dropping_values_moves_the_kept_ones_through_aux() {
    let got = code(
        r#"(module (func (export "f") (result i32)
            (i32.const 1)
            (block (result i32) (i32.const 2) (i32.const 3) (br 0))
            (i32.add)))"#,
    );
    let want = [
        i(Const, 1),
        i(Const, 2),
        i(Const, 3),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        i(Jump, 8),
        b(I32Add),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn br_if_with_drops_jumps_over_the_adjustment() {
    let got = code(
        r#"(module (func (export "f") (param i32) (result i32)
            (block (result i32)
              (i32.const 1) (i32.const 2) (local.get 0) (br_if 0)
              (drop))))"#,
    );
    let want = [
        i(LocalSet, 0),
        i(Const, 1),
        i(Const, 2),
        i(LocalGet, 0),
        i(JumpIfNot, 10),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        i(Jump, 11),
        b(Drop),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn loop_branches_backward() {
    let got = code(
        r#"(module (func (export "f") (param i32) (result i32)
            (loop $l
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_if $l (local.get 0)))
            (local.get 0)))"#,
    );
    let want = [
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(Const, 1),
        b(I32Sub),
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(JumpIf, 2),
        i(LocalGet, 0),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn if_else_and_if_without_else() {
    let got = code(
        r#"(module (func (export "f") (param i32) (result i32)
            (if (local.get 0) (then (nop)))
            (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))"#,
    );
    let want = [
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(JumpIfNot, 4),
        i(LocalGet, 0),
        i(JumpIfNot, 8),
        i(Const, 1),
        i(Jump, 9),
        i(Const, 2),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn br_table_with_direct_jumps_and_trampolines() {
    let got = code(
        r#"(module (func (export "f") (param i32) (result i32)
            (block $a (result i32)
              (i32.const 5)
              (block $b (result i32)
                (i32.const 6) (local.get 0)
                (br_table $a $b $a))
              (i32.add))))"#,
    );
    let want = [
        i(LocalSet, 0),
        i(Const, 5),
        i(Const, 6),
        i(LocalGet, 0),
        i(BrTable, 2),
        i(Jump, 9),
        i(Jump, 17),
        i(Jump, 13),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        i(Jump, 18),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        i(Jump, 18),
        b(I32Add),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn multi_value_block_params_and_branch() {
    let got = code(
        r#"(module (func (export "f") (result i32 i32)
            (i32.const 1) (i32.const 2)
            (block (param i32 i32) (result i32 i32) (i32.const 3) (br 0))))"#,
    );
    let want = [
        i(Const, 1),
        i(Const, 2),
        i(Const, 3),
        b(MoveToAux),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        b(MoveFromAux),
        i(Jump, 10),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn return_adjusts_and_dead_code_is_skipped() {
    let got = code(
        r#"(module (func (export "f") (result i32)
            (i32.const 1) (i32.const 2) (return)
            (i32.add) (block (result i64) (unreachable)) (drop)))"#,
    );
    let want = [
        i(Const, 1),
        i(Const, 2),
        b(MoveToAux),
        b(Drop),
        b(MoveFromAux),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn branch_to_the_function_label_returns() {
    let got = code(
        r#"(module (func (export "f") (param i32) (result i32)
            (i32.const 4) (local.get 0) (br_if 0) (drop) (i32.const 5)))"#,
    );
    let want = [
        i(LocalSet, 0),
        i(Const, 4),
        i(LocalGet, 0),
        i(JumpIfNot, 6),
        b(Return),
        b(Drop),
        i(Const, 5),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn dead_if_inside_unreachable_code_emits_nothing() {
    let got = code(
        r#"(module (func (export "f") (result i32)
            (block (result i32)
              (i32.const 1) (br 0)
              (if (result i32) (i32.const 0) (then (i32.const 1)) (else (i32.const 2))))))"#,
    );
    let want = [i(Const, 1), i(Jump, 3), b(Return)];
    assert_eq!(got, want);
}

#[test]
fn calls_resolve_forward_with_locals_count() {
    let p = load(
        r#"(module
            (func (export "f") (result i32) (call $g (i32.const 2) (i32.const 3)))
            (func $g (param i32 i32) (result i32) (local i64) (i32.add (local.get 0) (local.get 1))))"#,
    );
    let want = [
        b(Halt),
        i(Const, 2),
        i(Const, 3),
        call(5, 3),
        b(Return),
        i(LocalSet, 1),
        i(LocalSet, 0),
        i(LocalGet, 0),
        i(LocalGet, 1),
        b(I32Add),
        b(Return),
    ];
    assert_eq!(p.code, want);
    assert_eq!(p.export("f").map(|e| (e.pc, e.n_locals)), Some((1, 0)));
}

#[test]
fn globals_immutable_become_consts_mutable_are_renumbered() {
    let got = code(
        r#"(module
            (global $c i32 (i32.const -1))
            (global $m i64 (i64.const 5))
            (global $n (mut i32) (i32.const 9))
            (func (export "f") (result i32)
              (global.set $n (i32.const 3)) (global.get $c) (drop) (global.get $n)))"#,
    );
    let want = [
        i(Const, 3),
        i(GlobalSet, 0),
        i(Const, 0xffff_ffff),
        b(Drop),
        i(GlobalGet, 0),
        b(Return),
    ];
    assert_eq!(got, want);
    let p = load(r#"(module (global i32 (i32.const 7)) (global (mut i64) (i64.const -1)))"#);
    assert_eq!(p.globals, [u64::MAX]);
}

#[test]
fn host_imports_and_bulk_ops_lower_to_start_and_step() {
    let got = code(
        r#"(module
            (import "opml" "input_len" (func $len (result i32)))
            (import "opml" "input_read" (func $read (param i32 i32 i32)))
            (import "opml" "output_write" (func $write (param i32 i32)))
            (memory 1) (data "ab")
            (func (export "f")
              (call $read (i32.const 0) (i32.const 0) (call $len))
              (call $write (i32.const 0) (i32.const 4))
              (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))
              (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))
              (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))
              (data.drop 0)))"#,
    );
    let want = [
        i(Const, 0),
        i(Const, 0),
        b(InputLen),
        b(InputRead),
        b(InputReadStep),
        i(Const, 0),
        i(Const, 4),
        b(OutputWrite),
        b(OutputWriteStep),
        i(Const, 0),
        i(Const, 1),
        i(Const, 2),
        b(MemoryFill),
        b(FillStep),
        i(Const, 0),
        i(Const, 1),
        i(Const, 2),
        b(MemoryCopy),
        b(CopyStep),
        i(Const, 0),
        i(Const, 0),
        i(Const, 1),
        i(MemoryInit, 0),
        i(InitStep, 0),
        i(DataDrop, 0),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn float_instructions_are_one_opcode_and_reinterpretations_none() {
    let got = code(
        r#"(module (memory 1) (func (export "f") (param f32 f64) (result i32)
            (f64.store offset=8 (i32.const 0) (f64.neg (f64.load offset=16 (i32.const 0))))
            (i32.reinterpret_f32 (f32.copysign (f32.abs (local.get 0)) (f32.const -1)))))"#,
    );
    let want = [
        i(LocalSet, 1),
        i(LocalSet, 0),
        i(Const, 0),
        i(Const, 0),
        i(I64Load, 16),
        b(F64Neg),
        i(I64Store, 8),
        i(LocalGet, 0),
        b(F32Abs),
        i(Const, 0xbf80_0000),
        b(F32Copysign),
        b(Return),
    ];
    assert_eq!(got, want);
}

#[test]
fn call_indirect_uses_signature_ids_in_first_appearance_order() {
    let p = load(
        r#"(module
            (type $a (func (param i32)))
            (type $b (func (result i32)))
            (type $a2 (func (param i32)))
            (table 2 funcref)
            (elem (i32.const 1) $g)
            (func $g (type $b) (i32.const 1))
            (func (export "f") (result i32) (call_indirect (type $b) (i32.const 1)))
            (func (export "h") (call_indirect (type $a2) (i32.const 0) (i32.const 0))))"#,
    );
    let f = p.export("f").map(|e| e.pc as usize).unwrap();
    assert_eq!(
        p.code[f..f + 3],
        [i(Const, 1), i(CallIndirect, 1), b(Return)]
    );
    let h = p.export("h").map(|e| e.pc as usize).unwrap();
    assert_eq!(p.code[h + 2], i(CallIndirect, 0));
    assert_eq!(
        p.table[1],
        Some(crate::TableEntry {
            type_id: 1,
            pc: 1,
            n_locals: 0
        })
    );
    assert_eq!(p.table[0], None);
}

#[test]
fn bootstraps_for_each_entry() {
    let wat = r#"(module
        (func $s) (start $s)
        (func (export "main"))
        (func (export "add") (param i32 i64) (result i64) (i64.const 0)))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let limits = crate::Limits::default();
    let main = crate::Program::load(&bytes, limits).unwrap();
    assert_eq!(main.code[..3], [call(3, 0), call(4, 0), b(Halt)]);
    assert_eq!(main.halt_pc, 2);
    let args = vec![crate::Value::I32(-1), crate::Value::I64(-2)];
    let entry = crate::Entry::Invoke {
        export: "add".into(),
        args,
    };
    let inv = crate::Program::load_with_entry(&bytes, limits, entry).unwrap();
    let want = [
        call(5, 0),
        i(Const, 0xffff_ffff),
        i(Const, (-2i64) as u64),
        call(7, 2),
        b(Halt),
    ];
    assert_eq!(inv.code[..5], want);
    assert_eq!(inv.halt_pc, 4);
    assert_eq!(inv.results, [crate::ValType::I64]);
    let inst = crate::Program::load_with_entry(&bytes, limits, crate::Entry::Instantiate).unwrap();
    assert_eq!(inst.code[..2], [call(2, 0), b(Halt)]);
}
