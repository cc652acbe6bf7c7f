//! Instantiation edge cases: segments in and out of bounds, the table, memory limits.

use super::load;
use crate::{Entry, Limits, Program, TableEntry, TrapCode, ValType};

#[test]
fn active_data_applied_in_order_passive_kept() {
    let p = load(
        r#"(module (memory 1 3)
            (data (i32.const 2) "abc")
            (data "passive")
            (data (i32.const 3) "XY"))"#,
    );
    assert_eq!(p.memory.len(), 65536);
    assert_eq!(&p.memory[..6], b"\0\0aXY\0");
    assert_eq!(
        p.segments,
        [b"".to_vec(), b"passive".to_vec(), b"".to_vec()]
    );
    assert_eq!((p.memory_pages, p.max_pages), (1, 3));
    assert_eq!(p.init_trap, None);
}

#[test]
fn data_out_of_bounds_traps_at_instantiation_keeping_earlier_writes() {
    let p = load(
        r#"(module (memory 1)
            (data (i32.const 0) "ok")
            (data (i32.const 65535) "no")
            (data (i32.const 4) "late"))"#,
    );
    assert_eq!(p.init_trap, Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(&p.memory[..8], b"ok\0\0\0\0\0\0");
    // A segment ending exactly at the end is in bounds; an empty one at the end too.
    let p =
        load(r#"(module (memory 1) (data (i32.const 65534) "ab") (data (i32.const 65536) ""))"#);
    assert_eq!(p.init_trap, None);
    assert_eq!(&p.memory[65534..], b"ab");
}

#[test]
fn max_pages_is_the_declared_max_capped_by_the_limit() {
    let limits = Limits {
        max_memory_pages: 4,
        ..Limits::default()
    };
    let bytes = wat::parse_str("(module (memory 2 100))").unwrap();
    let p = Program::load_with_entry(&bytes, limits, Entry::Instantiate).unwrap();
    assert_eq!((p.memory_pages, p.max_pages), (2, 4));
    let bytes = wat::parse_str("(module (memory 1))").unwrap();
    let p = Program::load_with_entry(&bytes, limits, Entry::Instantiate).unwrap();
    assert_eq!((p.memory_pages, p.max_pages), (1, 4));
    let p = load("(module)");
    assert_eq!((p.memory_pages, p.max_pages, p.memory.len()), (0, 0, 0));
}

#[test]
fn element_segments_fill_the_table() {
    let p = load(
        r#"(module (table 4 funcref)
            (func $a) (func $b (param i32) (local i64))
            (elem (i32.const 1) $b $a)
            (elem (i32.const 3) funcref (ref.func $a))
            (elem (i32.const 0) funcref (ref.null func)))"#,
    );
    let a = TableEntry {
        type_id: 0,
        pc: 1,
        n_locals: 0,
    };
    let b = TableEntry {
        type_id: 1,
        pc: 2,
        n_locals: 2,
    };
    assert_eq!(p.table, [None, Some(b), Some(a), Some(a)]);
    assert_eq!(p.init_trap, None);
}

#[test]
fn element_out_of_bounds_traps_before_data() {
    let p = load(
        r#"(module (table 2 funcref) (memory 1) (func $a)
            (elem (i32.const 0) $a)
            (elem (i32.const 1) $a $a)
            (data (i32.const 0) "x"))"#,
    );
    assert_eq!(p.init_trap, Some(TrapCode::TableOutOfBounds));
    assert_eq!(p.table[0].map(|e| e.pc), Some(1));
    assert_eq!(p.table[1], None);
    assert_eq!(p.memory[0], 0);
}

#[test]
fn exports_and_results() {
    let wat = r#"(module
        (func (export "a") (param i64 f32) (result f64 i32) (f64.const 0) (i32.const 0))
        (memory (export "mem") 1)
        (func (export "main")))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let p = Program::load(&bytes, Limits::default()).unwrap();
    assert_eq!(p.exports.len(), 2);
    let a = p.export("a").unwrap();
    assert_eq!(a.params, [ValType::I64, ValType::F32]);
    assert_eq!(a.results, [ValType::F64, ValType::I32]);
    assert_eq!(a.n_locals, 2);
    assert!(p.results.is_empty());
    let entry = Entry::Invoke {
        export: "a".into(),
        args: vec![crate::Value::I64(1), crate::Value::F32(0)],
    };
    let p = Program::load_with_entry(&bytes, Limits::default(), entry).unwrap();
    assert_eq!(p.results, [ValType::F64, ValType::I32]);
}
