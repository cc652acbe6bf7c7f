//! End to end: WAT → `Program::load` (validation, lowering, soft-float linking,
//! instantiation) → `Machine::run`, checking results, traps and output.

use opml_vm::{Entry, Limits, Machine, Program, Status, TrapCode, Value};
use std::sync::Arc;

const STEPS: u64 = 50_000_000;

fn program(wat: &str, entry: Entry) -> Arc<Program> {
    let bytes = wat::parse_str(wat).expect("WAT parses");
    Arc::new(Program::load_with_entry(&bytes, Limits::default(), entry).expect("loads"))
}

/// Runs `export(args)` as the entry; the results, or the trap.
fn invoke(wat: &str, export: &str, args: &[Value]) -> Result<Vec<Value>, TrapCode> {
    let entry = Entry::Invoke {
        export: export.into(),
        args: args.to_vec(),
    };
    let p = program(wat, entry);
    let mut m = Machine::new(&p, &[]);
    m.run(STEPS);
    match m.status() {
        Status::Halted => Ok(m.results()),
        Status::Trapped => Err(m.trap_code().expect("trap code")),
        Status::Running | Status::Yielded => panic!("did not finish in {STEPS} steps"),
    }
}

const FAC: &str = r#"(module
  (func $rec (export "rec") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $rec (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "iter") (param i64) (result i64) (local i64)
    (local.set 1 (i64.const 1))
    (block $done
      (loop $l
        (br_if $done (i64.eqz (local.get 0)))
        (local.set 1 (i64.mul (local.get 0) (local.get 1)))
        (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
        (br $l)))
    (local.get 1)))"#;

#[test]
fn factorial_recursive_and_iterative() {
    let want = Ok(vec![Value::I64(2_432_902_008_176_640_000)]);
    assert_eq!(invoke(FAC, "rec", &[Value::I64(20)]), want);
    assert_eq!(invoke(FAC, "iter", &[Value::I64(20)]), want);
}

#[test]
fn br_table_and_multi_value() {
    let wat = r#"(module
      (func (export "switch") (param i32) (result i32)
        (block $d (result i32)
          (i32.const 100)
          (block $b (result i32)
            (i32.const 7)
            (block $a (result i32)
              (i32.const 5)
              (local.get 0)
              (br_table $a $b $d))
            (i32.add))
          (i32.add))
        (i32.add (i32.const 1000)))
      (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
      (func (export "pair") (result i32)
        (call $swap (i32.const 3) (i32.const 10))
        (block (param i32 i32) (result i32) (i32.sub) (i32.const 99) (br 0))))"#;
    // $a keeps 5: 100 + (7 + 5); $b keeps 5, drops 7: 100 + 5; $d keeps 5, drops 100 and 7.
    assert_eq!(
        invoke(wat, "switch", &[Value::I32(0)]),
        Ok(vec![Value::I32(1112)])
    );
    assert_eq!(
        invoke(wat, "switch", &[Value::I32(1)]),
        Ok(vec![Value::I32(1105)])
    );
    assert_eq!(
        invoke(wat, "switch", &[Value::I32(9)]),
        Ok(vec![Value::I32(1005)])
    );
    assert_eq!(invoke(wat, "pair", &[]), Ok(vec![Value::I32(99)]));
}

#[test]
fn memory_bulk_ops_and_grow() {
    let wat = r#"(module (memory 1 2)
      (data $p "hello, world")
      (func (export "f") (result i32 i32 i64)
        (memory.init $p (i32.const 100) (i32.const 0) (i32.const 12))
        (memory.copy (i32.const 103) (i32.const 100) (i32.const 9))
        (memory.fill (i32.const 0) (i32.const 0xab) (i32.const 40))
        (memory.grow (i32.const 1))
        (memory.grow (i32.const 1))
        (i32.add)
        (i32.load8_u (i32.const 39))
        (i64.load (i32.const 103))))"#;
    let got = invoke(wat, "f", &[]).unwrap();
    // grow 1 → old size 1; grow again past max → -1: 1 + -1 = 0.
    assert_eq!(got[0], Value::I32(0));
    assert_eq!(got[1], Value::I32(0xab));
    assert_eq!(got[2], Value::I64(i64::from_le_bytes(*b"hello, w")));
    let oob = r#"(module (memory 1) (func (export "f") (memory.fill (i32.const 65535) (i32.const 0) (i32.const 2))))"#;
    assert_eq!(invoke(oob, "f", &[]), Err(TrapCode::MemoryOutOfBounds));
}

#[test]
fn host_io_echo() {
    let wat = r#"(module
      (import "opml" "input_len" (func $len (result i32)))
      (import "opml" "input_read" (func $read (param i32 i32 i32)))
      (import "opml" "output_write" (func $write (param i32 i32)))
      (memory 1)
      (func (export "main")
        (call $read (i32.const 7) (i32.const 0) (call $len))
        (call $write (i32.const 7) (call $len))
        (call $write (i32.const 7) (i32.const 3))))"#;
    let p = program(wat, Entry::Main);
    let input: Vec<u8> = (0..100u8).collect();
    let mut m = Machine::new(&p, &input);
    m.run(STEPS);
    assert_eq!(m.status(), Status::Halted);
    let mut want = input.clone();
    want.extend_from_slice(&input[..3]);
    assert_eq!(m.output(), &want[..]);
}

#[test]
fn call_indirect_and_its_traps() {
    let wat = r#"(module
      (type $ii (func (param i32) (result i32)))
      (table 4 funcref)
      (elem (i32.const 0) $double $nop)
      (elem (i32.const 3) $double)
      (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
      (func $nop)
      (func (export "call") (param i32) (result i32)
        (call_indirect (type $ii) (i32.const 21) (local.get 0))))"#;
    assert_eq!(
        invoke(wat, "call", &[Value::I32(0)]),
        Ok(vec![Value::I32(42)])
    );
    assert_eq!(
        invoke(wat, "call", &[Value::I32(3)]),
        Ok(vec![Value::I32(42)])
    );
    assert_eq!(
        invoke(wat, "call", &[Value::I32(1)]),
        Err(TrapCode::IndirectCallTypeMismatch)
    );
    assert_eq!(
        invoke(wat, "call", &[Value::I32(2)]),
        Err(TrapCode::UninitializedElement)
    );
    assert_eq!(
        invoke(wat, "call", &[Value::I32(4)]),
        Err(TrapCode::UndefinedElement)
    );
}

#[test]
fn instantiate_then_invoke_keeps_state() {
    let wat = r#"(module
      (global $n (mut i32) (i32.const 10))
      (func $init (global.set $n (i32.const 40)))
      (start $init)
      (func (export "bump") (param i32) (result i32)
        (global.set $n (i32.add (global.get $n) (local.get 0)))
        (global.get $n)))"#;
    let p = program(wat, Entry::Instantiate);
    let mut m = Machine::new(&p, &[]);
    m.run(STEPS);
    assert_eq!(m.status(), Status::Halted);
    for (by, want) in [(1, 41), (2, 43), (3, 46)] {
        m.invoke_export("bump", &[Value::I32(by)]).unwrap();
        m.run(STEPS);
        assert_eq!(m.status(), Status::Halted);
        assert_eq!(m.results(), [Value::I32(want)]);
    }
}

#[test]
fn instantiation_trap_is_the_initial_state() {
    let wat = r#"(module (memory 1) (data (i32.const 65535) "ab") (func (export "main")))"#;
    let p = program(wat, Entry::Main);
    let m = Machine::new(&p, &[]);
    assert_eq!(m.status(), Status::Trapped);
    assert_eq!(m.trap_code(), Some(TrapCode::MemoryOutOfBounds));
}

#[test]
fn soft_float_matches_hardware_on_ordinary_values() {
    let wat = r#"(module
      (func (export "f32") (param f32 f32) (result f32 f32 f32 f32 f32 i32)
        (f32.add (local.get 0) (local.get 1))
        (f32.sub (local.get 0) (local.get 1))
        (f32.mul (local.get 0) (local.get 1))
        (f32.div (local.get 0) (local.get 1))
        (f32.sqrt (f32.abs (local.get 0)))
        (f32.lt (local.get 0) (local.get 1)))
      (func (export "f64") (param f64 f64) (result f64 f64 f64 i64 f32)
        (f64.add (local.get 0) (local.get 1))
        (f64.mul (local.get 0) (local.get 1))
        (f64.nearest (f64.div (local.get 0) (local.get 1)))
        (i64.trunc_sat_f64_s (f64.mul (local.get 0) (f64.const 1e6)))
        (f32.demote_f64 (f64.copysign (local.get 0) (local.get 1))))
      (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0))))"#;
    let pairs32 = [(1.5f32, 2.25f32), (-3.0, 7.0), (1e-3, 3e7), (123.456, -0.5)];
    for (a, b) in pairs32 {
        let got = invoke(
            wat,
            "f32",
            &[Value::F32(a.to_bits()), Value::F32(b.to_bits())],
        )
        .unwrap();
        let want = [a + b, a - b, a * b, a / b, a.abs().sqrt()].map(|x| Value::F32(x.to_bits()));
        assert_eq!(got[..5], want, "{a} {b}");
        assert_eq!(got[5], Value::I32((a < b) as i32));
    }
    let pairs64 = [(1.5f64, 2.25f64), (-3.0, 7.0), (1e-3, 3e7), (123.456, -0.5)];
    for (a, b) in pairs64 {
        let got = invoke(
            wat,
            "f64",
            &[Value::F64(a.to_bits()), Value::F64(b.to_bits())],
        )
        .unwrap();
        let nearest = (a / b).round_ties_even();
        let want = [
            Value::F64((a + b).to_bits()),
            Value::F64((a * b).to_bits()),
            Value::F64(nearest.to_bits()),
            Value::I64((a * 1e6) as i64),
            Value::F32((a.copysign(b) as f32).to_bits()),
        ];
        assert_eq!(got, want, "{a} {b}");
    }
    let nan = Value::F32(f32::NAN.to_bits());
    assert_eq!(
        invoke(wat, "trunc", &[nan]),
        Err(TrapCode::InvalidConversionToInteger)
    );
    assert_eq!(
        invoke(wat, "trunc", &[Value::F32(3e9f32.to_bits())]),
        Err(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        invoke(wat, "trunc", &[Value::F32((-7.9f32).to_bits())]),
        Ok(vec![Value::I32(-7)])
    );
}
