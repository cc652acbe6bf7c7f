//! Every feature outside the profile is rejected with its name and a byte offset.

use super::{load_err, try_load};
use crate::{Entry, Limits, LoadError, Program};

#[track_caller]
fn unsupported(wat: &str, feature: &str) {
    match load_err(wat) {
        LoadError::Unsupported {
            feature: f, offset, ..
        } => {
            assert_eq!(f, feature, "wrong feature for {wat}");
            assert!(offset > 0, "no offset for {wat}");
        }
        other => panic!("expected Unsupported({feature}) for {wat}, got {other:?}"),
    }
}

#[test]
fn excluded_proposals_are_named() {
    unsupported("(module (func (drop (v128.const i64x2 0 0))))", "simd");
    unsupported("(module (memory 1 1 shared))", "threads");
    unsupported(
        "(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))",
        "threads",
    );
    unsupported("(module (memory i64 1))", "memory64");
    unsupported("(module (memory 1) (memory 1))", "multi-memory");
    unsupported("(module (func (drop (ref.null func))))", "reference-types");
    unsupported("(module (table 1 externref))", "reference-types");
    unsupported(
        "(module (table 1 funcref) (table 1 funcref))",
        "reference-types",
    );
    unsupported("(module (func (param externref)))", "reference-types");
    unsupported(
        "(module (table 1 funcref) (func (drop (table.size 0))))",
        "reference-types",
    );
    unsupported("(module (func (return_call 0)))", "tail-call");
    unsupported("(module (tag))", "exceptions");
    unsupported(
        "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
        "extended-const",
    );
    unsupported("(module (type (struct)))", "gc");
    unsupported(
        "(module (table 1 funcref) (elem func 0) (func (table.init 0 (i32.const 0) (i32.const 0) (i32.const 0))))",
        "bulk-memory table operations",
    );
    unsupported(
        "(module (table 1 funcref) (elem func 0) (func (elem.drop 0)))",
        "bulk-memory table operations",
    );
    unsupported(
        "(module (table 1 funcref) (func (table.copy (i32.const 0) (i32.const 0) (i32.const 0))))",
        "bulk-memory table operations",
    );
}

#[test]
fn imports_other_than_the_host_interface_are_rejected() {
    let cases = [
        (r#"(module (import "env" "f" (func)))"#, "f"),
        (
            r#"(module (import "opml" "input_len" (func (result i64))))"#,
            "input_len",
        ),
        (
            r#"(module (import "opml" "output_write" (func (param i32))))"#,
            "output_write",
        ),
        (r#"(module (import "opml" "mem" (memory 1)))"#, "mem"),
        (r#"(module (import "opml" "g" (global i32)))"#, "g"),
        (r#"(module (import "opml" "t" (table 1 funcref)))"#, "t"),
    ];
    for (wat, want) in cases {
        match load_err(wat) {
            LoadError::Import { name, offset, .. } => {
                assert_eq!(name, want);
                assert!(offset > 0);
            }
            other => panic!("expected an import error for {wat}, got {other:?}"),
        }
    }
}

#[test]
fn host_imports_may_not_be_referenced_as_values() {
    unsupported(
        r#"(module (import "opml" "input_len" (func $l (result i32))) (export "l" (func $l)))"#,
        "host-import-reference",
    );
    unsupported(
        r#"(module (import "opml" "input_len" (func $l (result i32))) (table 1 funcref) (elem (i32.const 0) $l))"#,
        "host-import-reference",
    );
}

#[track_caller]
fn limit(wat: &str, limits: Limits) {
    let bytes = wat::parse_str(wat).unwrap();
    match Program::load_with_entry(&bytes, limits, Entry::Instantiate) {
        Err(LoadError::Limit { .. }) => {}
        other => panic!("expected a limit error for {wat}, got {other:?}"),
    }
}

#[test]
fn limits_are_enforced() {
    let small = Limits {
        max_memory_pages: 2,
        max_table_size: 4,
        max_code_len: 8,
        ..Limits::default()
    };
    limit("(module (memory 3))", small);
    limit("(module (table 5 funcref))", small);
    limit(
        "(module (func (drop (i32.const 1)) (drop (i32.const 1)) (drop (i32.const 1)) (drop (i32.const 1))))",
        small,
    );
    // A branch whose adjustment alone would pass the bound.
    let deep = format!(
        "(module (func (block {} (br 0))))",
        "(i32.const 0) ".repeat(20)
    );
    limit(
        &deep,
        Limits {
            max_code_len: 30,
            ..small
        },
    );
}

#[test]
fn too_many_locals_are_rejected() {
    // wasmparser caps locals at 50 000, below the tree's 2^16; both bounds hold.
    let wat = "(module (func (local i32 i32) (local i64)))";
    assert!(try_load(wat).is_ok());
    let bytes = body_with_locals(70_000);
    assert!(Program::load_with_entry(&bytes, Limits::default(), Entry::Instantiate).is_err());
}

/// A module with one function declaring `n` i32 locals in one group.
fn body_with_locals(n: u32) -> Vec<u8> {
    let mut body = vec![1u8];
    leb(&mut body, n);
    body.extend([0x7f, 0x0b]);
    let mut code = vec![1u8];
    leb(&mut code, body.len() as u32);
    code.extend(body);
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend([1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10]);
    leb(&mut m, code.len() as u32);
    m.extend(code);
    m
}

fn leb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        out.push(if v == 0 { byte } else { byte | 0x80 });
        if v == 0 {
            break;
        }
    }
}

#[test]
fn entry_errors() {
    let bytes = wat::parse_str(r#"(module (func (export "main") (param i32)))"#).unwrap();
    assert!(matches!(
        Program::load(&bytes, Limits::default()),
        Err(LoadError::Entry { .. })
    ));
    let bytes = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    assert!(matches!(
        Program::load(&bytes, Limits::default()),
        Err(LoadError::Entry { .. })
    ));
    let bytes = wat::parse_str(r#"(module (func (export "_start")))"#).unwrap();
    assert!(Program::load(&bytes, Limits::default()).is_ok());
    let entry = Entry::Invoke {
        export: "_start".into(),
        args: vec![crate::Value::I32(1)],
    };
    assert!(matches!(
        Program::load_with_entry(&bytes, Limits::default(), entry),
        Err(LoadError::Entry { .. })
    ));
}

#[test]
fn garbage_is_invalid_not_a_panic() {
    for bytes in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x01",
        b"hello world",
        b"\0asm\x0d\0\x01\0",
    ] {
        let err = Program::load(bytes, Limits::default()).unwrap_err();
        assert!(!err.to_string().is_empty());
    }
}
