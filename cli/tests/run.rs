//! `opml run` end to end: output format, result lines, exit statuses.

use std::process::{Command, Output};

const MODULE: &str = r#"(module
  (import "opml" "input_len" (func $len (result i32)))
  (import "opml" "input_read" (func $read (param i32 i32 i32)))
  (import "opml" "output_write" (func $write (param i32 i32)))
  (memory 1)
  (func (export "main")
    (call $read (i32.const 0) (i32.const 0) (call $len))
    (call $write (i32.const 0) (call $len)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "four") (param i64 f64) (result i32 i64 f32 f64)
    (i32.const -5) (local.get 0) (f32.const 1) (local.get 1))
  (func (export "spin") (loop (br 0))))"#;

fn opml(args: &[&str]) -> Output {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("opml-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join(format!("m{n}.wat"));
    std::fs::write(&module, MODULE).unwrap();
    Command::new(env!("CARGO_BIN_EXE_opml"))
        .arg("run")
        .arg(&module)
        .args(args)
        .output()
        .expect("opml runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn program_output_on_both_engines() {
    for engine in ["fast", "vm"] {
        let o = opml(&["--engine", engine, "--input-hex", "7b2261223a317d"]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{out}");
        assert!(out.contains("status: halted"), "{out}");
        assert!(out.contains("output (7 bytes): 7b2261223a317d"), "{out}");
        assert!(out.contains(r#"output (json): {"a":1}"#), "{out}");
        assert_eq!(out.contains("state hash: 0x01"), engine == "vm", "{out}");
    }
}

#[test]
fn invoke_prints_results_and_traps() {
    for engine in ["fast", "vm"] {
        let o = opml(&[
            "--engine",
            engine,
            "--invoke",
            "four",
            "i64:7",
            "f64:0x3ff0000000000000",
        ]);
        assert_eq!(
            stdout(&o),
            "i32:-5\ni64:7\nf32:0x3f800000\nf64:0x3ff0000000000000\n"
        );
        assert_eq!(o.status.code(), Some(0));
        let o = opml(&["--engine", engine, "--invoke", "div", "i32:1", "i32:0"]);
        assert_eq!(stdout(&o), "trap: integer divide by zero\n");
        assert_eq!(o.status.code(), Some(3));
        let o = opml(&[
            "--engine",
            engine,
            "--invoke",
            "spin",
            "--max-steps",
            "1000",
        ]);
        assert_eq!(o.status.code(), Some(4), "{}", stdout(&o));
    }
}

#[test]
fn failures_exit_non_zero_without_panicking() {
    for args in [
        &["--invoke", "nope"][..],
        &["--invoke", "div", "i32:x", "i32:1"],
        &["--invoke", "div", "i32:1"],
        &["--engine", "vm", "--invoke", "div", "i64:1", "i64:1"],
        &["--input", "/nonexistent/input"],
        &["i32:1"],
        &["--engine", "wasmer"],
    ] {
        let o = opml(args);
        let code = o.status.code();
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?}");
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("panicked"),
            "{args:?}"
        );
    }
}
