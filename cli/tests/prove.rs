//! `opml prove` end to end: consecutive proofs chain (post of step n = pre of step n + 1) up to
//! the halted state `opml run --engine vm` reports, which then steps to itself.

use std::process::Command;

const ECHO: &str = r#"(module
  (import "opml" "input_len" (func $len (result i32)))
  (import "opml" "input_read" (func $read (param i32 i32 i32)))
  (import "opml" "output_write" (func $write (param i32 i32)))
  (memory 1)
  (func (export "main")
    (call $read (i32.const 0) (i32.const 0) (call $len))
    (call $write (i32.const 0) (call $len))))"#;

fn opml(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_opml"))
        .args(args)
        .output()
        .expect("opml runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn proofs_chain_to_the_final_state() {
    let dir = std::env::temp_dir().join(format!("opml-prove-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("echo.wat");
    std::fs::write(&module, ECHO).unwrap();
    let module = module.to_str().unwrap();

    let run = opml(&["run", module, "--engine", "vm", "--input-hex", "0102030405"]);
    let final_hash = run
        .lines()
        .find_map(|l| l.strip_prefix("state hash: "))
        .expect("state hash line")
        .to_string();
    let steps: u64 = run
        .lines()
        .find_map(|l| l.strip_prefix("steps: "))
        .expect("steps line")
        .parse()
        .unwrap();

    let mut prev_post: Option<String> = None;
    for n in 0..=steps {
        let out = opml(&[
            "prove",
            module,
            "--input-hex",
            "0102030405",
            "--step",
            &n.to_string(),
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let (pre, post) = (v["pre"].as_str().unwrap(), v["post"].as_str().unwrap());
        if let Some(p) = &prev_post {
            assert_eq!(p, pre, "step {n}: pre is not the previous post");
        }
        if n < steps {
            assert_ne!(pre, post, "step {n} of a running machine changed nothing");
            assert!(
                v["proof"].as_str().unwrap().len() > 2,
                "step {n}: empty proof"
            );
        } else {
            assert_eq!(pre, final_hash, "the run's final state");
            assert_eq!(post, final_hash, "a halted machine steps to itself");
            assert_eq!(v["status_after"], "halted");
        }
        prev_post = Some(post.to_string());
    }
}
