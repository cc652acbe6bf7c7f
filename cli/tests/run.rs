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
    opml_on(MODULE, args)
}

fn test_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("opml-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `opml run` on the module `src`, with the compiled-module cache in the test's directory.
fn opml_on(src: &str, args: &[&str]) -> Output {
    opml_cached(src, args, &test_dir().join("cache"))
}

/// `opml run` on the module `src` with `$OPML_CACHE_DIR` = `cache`.
fn opml_cached(src: &str, args: &[&str], cache: &std::path::Path) -> Output {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let module = test_dir().join(format!("m{n}.wat"));
    std::fs::write(&module, src).unwrap();
    Command::new(env!("CARGO_BIN_EXE_opml"))
        .env("OPML_CACHE_DIR", cache)
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
    let mut hashes = Vec::new();
    for engine in ["fast", "vm"] {
        let o = opml(&["--engine", engine, "--input-hex", "7b2261223a317d"]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{out}");
        assert!(out.contains("status: halted"), "{out}");
        assert!(out.contains("output (7 bytes): 7b2261223a317d"), "{out}");
        assert!(out.contains(r#"output (json): {"a":1}"#), "{out}");
        assert!(out.contains("\nsegments: 1\n"), "{out}");
        // The final halted state is a boundary: the fast path prints the VM's hash.
        let hash = out.lines().find_map(|l| l.strip_prefix("state hash: 0x01"));
        hashes.push(hash.map(str::to_string).unwrap_or_else(|| panic!("{out}")));
    }
    assert_eq!(hashes[0], hashes[1]);
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

/// 1,100 pages, more than the default bound of 1,024: `opml run` takes the bound from the
/// program's declared maximum.
const BIG: &str = r#"(module
  (import "opml" "output_write" (func $write (param i32 i32)))
  (memory 1100 1100)
  (data (i32.const 70000000) "ok")
  (func (export "main") (call $write (i32.const 70000000) (i32.const 2))))"#;

#[test]
fn bounds_come_from_the_program() {
    let o = opml_on(BIG, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("output (utf-8): ok"), "{}", stdout(&o));
    // A flag still overrides the program.
    let o = opml_on(BIG, &["--max-memory-pages", "1024"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // A step bound of 1,000 in the `opml.max_steps` section: the spinning export stops there,
    // on both engines, without --max-steps.
    let steps = MODULE.replace(
        "(memory 1)",
        r#"(memory 1) (@custom "opml.max_steps" "\e8\03\00\00\00\00\00\00")"#,
    );
    for engine in ["fast", "vm"] {
        let o = opml_on(&steps, &["--engine", engine, "--invoke", "spin"]);
        assert_eq!(o.status.code(), Some(4), "{engine}: {}", stdout(&o));
        assert!(
            stdout(&o).contains("out of steps after 1000 "),
            "{engine}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn fast_path_keeps_compiled_modules() {
    // A cache of this test's own (the other tests run in parallel).
    let dir = test_dir().join("cache-of-one-test");
    let _ = std::fs::remove_dir_all(&dir);
    let count = || {
        std::fs::read_dir(dir.join("modules"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let run = |src: &str, args: &[&str]| opml_cached(src, args, &dir).status.code();
    assert_eq!(run(MODULE, &["--input-hex", "01"]), Some(0));
    assert_eq!(count(), 1, "one entry for a new program");
    assert_eq!(run(MODULE, &["--input-hex", "02"]), Some(0));
    assert_eq!(count(), 1, "the same program reuses it");
    let other = MODULE.replace("(memory 1)", "(memory 2)");
    assert_eq!(run(&other, &["--no-cache"]), Some(0));
    assert_eq!(count(), 1, "--no-cache writes nothing");
    assert_eq!(run(&other, &[]), Some(0));
    assert_eq!(count(), 2, "another program, another entry");
}
