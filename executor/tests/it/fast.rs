//! The fast path: host interface, traps, bounds, determinism settings.

use opml_executor::fast::FastEngine;
use opml_executor::{Engine, Entry, Error, Limits, RunOptions, RunStatus, TrapCode, Value, run};

fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).expect("test wat parses")
}

fn fast(src: &str, input: &[u8], entry: &Entry) -> opml_executor::Submission {
    run(
        Engine::Fast,
        &wat(src),
        input,
        entry,
        &RunOptions::default(),
    )
    .expect("runs")
}

fn invoke(name: &str, args: Vec<Value>) -> Entry {
    Entry::Invoke {
        export: name.into(),
        args,
    }
}

const ECHO: &str = r#"(module
  (import "opml" "input_len" (func $len (result i32)))
  (import "opml" "input_read" (func $read (param i32 i32 i32)))
  (import "opml" "output_write" (func $write (param i32 i32)))
  (memory 1)
  (func (export "main")
    (call $read (i32.const 100) (i32.const 0) (call $len))
    (call $write (i32.const 100) (call $len))))"#;

#[test]
fn echo_through_host_interface() {
    let input: Vec<u8> = (0..200u8).collect();
    let sub = fast(ECHO, &input, &Entry::Main);
    assert_eq!(sub.status, RunStatus::Halted);
    assert_eq!(sub.output, input);
    assert!(sub.work > 0);
    // The final halted state is a canonical boundary: the fast path gives the VM's hash.
    let vm = run(
        Engine::Vm,
        &wat(ECHO),
        &input,
        &Entry::Main,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(sub.state_hash, vm.state_hash);
    assert!(sub.state_hash.is_some());
    let mem = sub.memory.expect("memory exported by the patch");
    assert_eq!(&mem[100..300], &input[..]);
}

#[test]
fn host_traps_match_the_vm() {
    let m = r#"(module
      (import "opml" "input_read" (func $read (param i32 i32 i32)))
      (import "opml" "output_write" (func $write (param i32 i32)))
      (memory 1)
      (func (export "read") (param i32 i32 i32) (call $read (local.get 0) (local.get 1) (local.get 2)))
      (func (export "write") (param i32 i32) (call $write (local.get 0) (local.get 1))))"#;
    let i = Value::I32;
    let cases = [
        (
            invoke("read", vec![i(0), i(3), i(2)]),
            RunStatus::Trapped(TrapCode::InputOutOfBounds),
        ),
        // Input bounds are checked before memory bounds.
        (
            invoke("read", vec![i(-1), i(4), i(1)]),
            RunStatus::Trapped(TrapCode::InputOutOfBounds),
        ),
        (
            invoke("read", vec![i(65535), i(0), i(2)]),
            RunStatus::Trapped(TrapCode::MemoryOutOfBounds),
        ),
        (
            invoke("read", vec![i(65536), i(4), i(0)]),
            RunStatus::Halted,
        ),
        (
            invoke("write", vec![i(65530), i(7)]),
            RunStatus::Trapped(TrapCode::MemoryOutOfBounds),
        ),
        (
            invoke("write", vec![i(-1), i(2)]),
            RunStatus::Trapped(TrapCode::MemoryOutOfBounds),
        ),
        (invoke("write", vec![i(65536), i(0)]), RunStatus::Halted),
    ];
    for (entry, want) in cases {
        assert_eq!(fast(m, b"abcd", &entry).status, want, "{entry:?}");
    }
}

#[test]
fn guest_traps_map_to_codes() {
    let m = r#"(module
      (type $t (func))
      (table 2 funcref) (elem (i32.const 0) $f)
      (memory 1)
      (func $f (param i32) (result i32) (local.get 0))
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "unreachable") unreachable)
      (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
      (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
      (func (export "call") (param i32) (call_indirect (type $t) (local.get 0)))
      (func $rec (export "rec") (call $rec)))"#;
    let i = Value::I32;
    let cases = [
        (
            invoke("div", vec![i(1), i(0)]),
            TrapCode::IntegerDivideByZero,
        ),
        (
            invoke("div", vec![i(i32::MIN), i(-1)]),
            TrapCode::IntegerOverflow,
        ),
        (invoke("unreachable", vec![]), TrapCode::Unreachable),
        (invoke("load", vec![i(65534)]), TrapCode::MemoryOutOfBounds),
        (
            invoke("trunc", vec![Value::F32(0x7fc0_0000)]),
            TrapCode::InvalidConversionToInteger,
        ),
        (
            invoke("call", vec![i(0)]),
            TrapCode::IndirectCallTypeMismatch,
        ),
        (invoke("call", vec![i(1)]), TrapCode::UninitializedElement),
        (invoke("call", vec![i(2)]), TrapCode::UndefinedElement),
        (invoke("rec", vec![]), TrapCode::CallStackExhausted),
    ];
    for (entry, want) in cases {
        assert_eq!(
            fast(m, b"", &entry).status,
            RunStatus::Trapped(want),
            "{entry:?}"
        );
    }
    let ok = fast(m, b"", &invoke("div", vec![i(-7), i(2)]));
    assert_eq!((ok.status, ok.results), (RunStatus::Halted, vec![i(-3)]));
}

#[test]
fn nans_are_canonical() {
    let m = r#"(module (func (export "f") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1))))"#;
    let sub = fast(m, b"", &invoke("f", vec![Value::F32(0), Value::F32(0)]));
    assert_eq!(sub.results, vec![Value::F32(0x7fc0_0000)]);
}

#[test]
fn fuel_bounds_the_run() {
    let m = r#"(module (func (export "main") (loop (br 0))))"#;
    let opts = RunOptions {
        max_steps: 10_000,
        ..RunOptions::default()
    };
    let sub = run(Engine::Fast, &wat(m), b"", &Entry::Main, &opts).unwrap();
    assert_eq!(sub.status, RunStatus::OutOfSteps);
    assert_eq!(sub.work, 10_000);
}

#[test]
fn bulk_bounds_trap_before_fuel_runs_out() {
    let m = r#"(module (memory 1) (func (export "copy") (param i32 i32 i32)
      (memory.copy (local.get 0) (local.get 1) (local.get 2))))"#;
    let opts = RunOptions {
        max_steps: 1000,
        ..RunOptions::default()
    };
    let entry = invoke(
        "copy",
        vec![Value::I32(0), Value::I32(0), Value::I32(-4096)],
    );
    let sub = run(Engine::Fast, &wat(m), b"", &entry, &opts).unwrap();
    assert_eq!(sub.status, RunStatus::Trapped(TrapCode::MemoryOutOfBounds));
}

#[test]
fn fuel_is_deterministic() {
    let input = vec![7u8; 1000];
    let a = fast(ECHO, &input, &Entry::Main);
    let b = fast(ECHO, &input, &Entry::Main);
    assert_eq!(a, b);
}

#[test]
fn memory_bounds_follow_limits() {
    let grow = r#"(module (memory 1) (func (export "g") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let opts = RunOptions {
        limits: Limits {
            max_memory_pages: 4,
            ..Limits::default()
        },
        ..Default::default()
    };
    let call = |n| {
        run(
            Engine::Fast,
            &wat(grow),
            b"",
            &invoke("g", vec![Value::I32(n)]),
            &opts,
        )
        .unwrap()
        .results
    };
    assert_eq!(call(3), vec![Value::I32(1)]);
    assert_eq!(call(4), vec![Value::I32(-1)]);
    let big = wat("(module (memory 5) (func (export \"main\")))");
    let checked = run(Engine::Fast, &big, b"", &Entry::Main, &opts);
    assert!(matches!(checked, Err(Error::Load(_))), "{checked:?}");
    // Without the VM's check, the limiter refuses the memory at instantiation.
    let unchecked = FastEngine::new().unwrap().compile_unchecked(&big).unwrap();
    let inst = unchecked.instantiate(b"", opts.limits, 1000);
    assert!(matches!(inst, Err(Error::Link(_))), "{inst:?}");
}

#[test]
fn outside_the_profile_is_rejected() {
    let engine = FastEngine::new().unwrap();
    for src in [
        "(module (func (result v128) (v128.const i64x2 0 0)))",
        "(module (memory i64 1))",
        "(module (memory 1 1 shared))",
        "(module (func (return_call 0)))",
    ] {
        let checked = engine.compile(&wat(src), Limits::default());
        assert!(matches!(checked, Err(Error::Load(_))), "{src}");
        let unchecked = engine.compile_unchecked(&wat(src));
        assert!(matches!(unchecked, Err(Error::Compile(_))), "{src}");
    }
    let refs = wat("(module (func (result funcref) (ref.null func)))");
    assert!(matches!(
        engine.compile(&refs, Limits::default()),
        Err(Error::Load(_))
    ));
    for src in [
        r#"(module (import "env" "f" (func)) (func (export "main")))"#,
        r#"(module (import "opml" "input_len" (func (result i64))) (func (export "main")))"#,
    ] {
        let o = RunOptions::default();
        let checked = run(Engine::Fast, &wat(src), b"", &Entry::Main, &o);
        assert!(matches!(checked, Err(Error::Load(_))), "{src}");
        let unchecked = engine.compile_unchecked(&wat(src)).unwrap();
        let inst = unchecked.instantiate(b"", o.limits, 1000);
        assert!(matches!(inst, Err(Error::Link(_))), "{src}");
    }
}

#[test]
fn start_function_traps_at_instantiation() {
    let m = r#"(module
      (import "opml" "output_write" (func $w (param i32 i32)))
      (memory 1) (data (i32.const 0) "x")
      (func $s (call $w (i32.const 0) (i32.const 1)) unreachable) (start $s)
      (func (export "main")))"#;
    let sub = fast(m, b"", &Entry::Main);
    assert_eq!(sub.status, RunStatus::Trapped(TrapCode::Unreachable));
    assert_eq!(sub.output, b"x");
    let table =
        "(module (table 1 funcref) (func $f) (elem (i32.const 1) $f) (func (export \"main\")))";
    assert_eq!(
        fast(table, b"", &Entry::Main).status,
        RunStatus::Trapped(TrapCode::TableOutOfBounds)
    );
    let start = "(module (table 1 funcref) (func $s (call_indirect (i32.const 1))) (start $s))";
    assert_eq!(
        fast(start, b"", &Entry::Instantiate).status,
        RunStatus::Trapped(TrapCode::UndefinedElement)
    );
    let oob = "(module (memory 1) (data (i32.const 65535) \"ab\") (func (export \"main\")))";
    assert_eq!(
        fast(oob, b"", &Entry::Main).status,
        RunStatus::Trapped(TrapCode::MemoryOutOfBounds)
    );
}

#[test]
fn entry_errors() {
    let m = wat("(module (func (export \"f\") (param i32)))");
    let o = RunOptions::default();
    assert!(matches!(
        run(Engine::Fast, &m, b"", &Entry::Main, &o),
        Err(Error::Entry(_))
    ));
    assert!(matches!(
        run(Engine::Fast, &m, b"", &invoke("g", vec![]), &o),
        Err(Error::Entry(_))
    ));
    assert!(matches!(
        run(Engine::Fast, &m, b"", &invoke("f", vec![]), &o),
        Err(Error::Args(_))
    ));
    let wrong_ty = invoke("f", vec![Value::I64(1)]);
    assert!(matches!(
        run(Engine::Fast, &m, b"", &wrong_ty, &o),
        Err(Error::Args(_))
    ));
    assert!(matches!(
        run(Engine::Fast, b"\0asm\x01\0\0\0\x01", b"", &Entry::Main, &o),
        Err(Error::Load(_))
    ));
}

#[test]
fn compiled_module_cache_is_used_and_survives_a_bad_entry() {
    use opml_executor::fast::ModuleCache;
    let dir = std::env::temp_dir().join(format!("opml-module-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = FastEngine::new()
        .unwrap()
        .with_cache(ModuleCache::new(&dir));
    let wasm = wat(ECHO);
    let opts = RunOptions::default();
    let run = |engine: &FastEngine| {
        opml_executor::run_fast(engine, &wasm, b"hello", &Entry::Main, &opts)
            .unwrap()
            .output
    };

    let first = engine.compile(&wasm, Limits::default()).unwrap();
    assert!(!first.from_cache(), "an empty cache");
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "one entry written");
    let entry = entries[0].as_ref().unwrap().path();
    assert!(
        engine
            .compile(&wasm, Limits::default())
            .unwrap()
            .from_cache()
    );
    assert_eq!(run(&engine), b"hello");

    // Another program is another entry.
    let other = wat(&ECHO.replace("i32.const 100", "i32.const 200"));
    assert!(
        !engine
            .compile(&other, Limits::default())
            .unwrap()
            .from_cache()
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);

    // A damaged entry is recompiled and replaced.
    std::fs::write(&entry, b"not a module").unwrap();
    assert!(
        !engine
            .compile(&wasm, Limits::default())
            .unwrap()
            .from_cache()
    );
    assert_eq!(run(&engine), b"hello");
    assert!(
        engine
            .compile(&wasm, Limits::default())
            .unwrap()
            .from_cache()
    );

    // An engine without a cache never reads one.
    let plain = FastEngine::new().unwrap();
    assert!(
        !plain
            .compile(&wasm, Limits::default())
            .unwrap()
            .from_cache()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A program declaring more memory than the default bound (MiniLM declares 1,595 pages) runs
/// with its own bound, as the roles load it.
#[test]
fn output_takes_the_memory_bound_the_program_declares() {
    let big = wat(r#"(module
        (import "opml" "output_write" (func $out (param i32 i32)))
        (memory 1100 1100)
        (data (i32.const 0) "ok")
        (func (export "main") (call $out (i32.const 0) (i32.const 2))))"#);
    let out = FastEngine::new()
        .expect("engine")
        .output(&big, &[], 1 << 20)
        .expect("runs with its declared bound");
    assert_eq!(out.as_deref(), Some(&b"ok"[..]));
}
