//! VM replay through the executor: same output and status as the fast path.

use opml_executor::{Engine, Entry, RunOptions, RunStatus, TrapCode, Value, run};

const PROGRAM: &str = r#"(module
  (import "opml" "input_len" (func $len (result i32)))
  (import "opml" "input_read" (func $read (param i32 i32 i32)))
  (import "opml" "output_write" (func $write (param i32 i32)))
  (memory 1)
  (func (export "main") (local $i i32) (local $n i32)
    (local.set $n (call $len))
    (call $read (i32.const 0) (i32.const 0) (local.get $n))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (local.get $i) (i32.add (i32.load8_u (local.get $i)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $write (i32.const 0) (local.get $n)))
  (func (export "div") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1))))"#;

fn both(input: &[u8], entry: &Entry) -> (opml_executor::Submission, opml_executor::Submission) {
    let wasm = wat::parse_str(PROGRAM).unwrap();
    let o = RunOptions::default();
    (
        run(Engine::Fast, &wasm, input, entry, &o).unwrap(),
        run(Engine::Vm, &wasm, input, entry, &o).unwrap(),
    )
}

#[test]
fn engines_agree_on_a_program() {
    let (f, v) = both(b"HAL", &Entry::Main);
    assert_eq!((f.status, &f.output), (RunStatus::Halted, &b"IBM".to_vec()));
    assert_eq!((v.status, &v.output), (f.status, &f.output));
    assert_eq!(f.memory.as_ref().map(|m| &m[..3]), Some(&b"IBM"[..]));
    assert_eq!(v.memory.as_ref().map(|m| &m[..3]), Some(&b"IBM"[..]));
    let hash = v.state_hash.expect("the VM gives a state hash");
    assert_eq!(hash[0], 1, "halted is readable from the hash");
    assert!(v.work >= f.work, "steps {} vs fuel {}", v.work, f.work);
}

#[test]
fn engines_agree_on_invoke_and_traps() {
    let args = |a, b| Entry::Invoke {
        export: "div".into(),
        args: vec![Value::I64(a), Value::I64(b)],
    };
    let (f, v) = both(b"", &args(-1, 2));
    assert_eq!(f.results, vec![Value::I64(i64::MAX)]);
    assert_eq!(v.results, f.results);
    let (f, v) = both(b"", &args(1, 0));
    assert_eq!(f.status, RunStatus::Trapped(TrapCode::IntegerDivideByZero));
    assert_eq!(v.status, f.status);
    assert_eq!(v.state_hash.map(|h| h[0]), Some(2));
}

#[test]
fn vm_step_bound_and_progress() {
    let wasm = wat::parse_str(r#"(module (func (export "main") (loop (br 0))))"#).unwrap();
    let o = RunOptions {
        max_steps: 10_000_000,
        ..RunOptions::default()
    };
    let mut reports = 0;
    let mut on = |_steps: u64| reports += 1;
    let sub = opml_executor::vm::run(&wasm, b"", &Entry::Main, &o, Some(&mut on)).unwrap();
    assert_eq!((sub.status, sub.work), (RunStatus::OutOfSteps, 10_000_000));
    assert!(reports >= 2);
}
