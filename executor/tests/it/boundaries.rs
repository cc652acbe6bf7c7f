//! The fast path's boundary hashes equal the VM's at every boundary (`docs/machine.md` §9): on
//! every committed example with its sample input, on hand-written edge cases, and on random
//! segmented programs (a bounded, seeded set here; the full campaign is the `boundary-campaign`
//! binary: `cargo run --release -p opml-executor --bin boundary-campaign`).
//! A wrong fast-path hash would cost an honest submitter its bond.

use crate::differ::{self, compare};
use crate::examples::{self, wat};
use opml_executor::fast::FastEngine;
use opml_executor::{Engine, Entry, RunOptions, RunStatus, TrapCode, run};

fn check(engine: &FastEngine, what: &str, wasm: &[u8], input: &[u8]) -> usize {
    compare(engine, wasm, input).unwrap_or_else(|e| panic!("{what}: {e}"))
}

#[test]
fn every_committed_example_matches_the_vm_at_every_boundary() {
    let engine = FastEngine::new().unwrap();
    for ex in examples::committed() {
        let n = check(&engine, &ex.name, &ex.wasm, &ex.input);
        eprintln!("{}: {n} boundaries equal", ex.name);
        if ex.name == "segments" {
            // 1,024 segments by default: S_0 and one boundary per segment.
            assert_eq!(n, 1025);
            let n = check(&engine, "segments (3)", &ex.wasm, &3u32.to_le_bytes());
            assert_eq!(n, 4);
            // Rounds per segment given: 3 segments of 1,000 rounds.
            let long = [3u32.to_le_bytes(), 1000u32.to_le_bytes()].concat();
            assert_eq!(check(&engine, "segments (3 x 1000)", &ex.wasm, &long), 4);
        }
    }
}

/// Every part of a boundary changes between boundaries: memory written past a `memory.grow`,
/// a passive segment initialised then dropped (and an active one dropped again), globals of
/// every type among immutable ones (a canonical NaN, a NaN payload, -0, a negative i32), output
/// spread over blocks and segments, the input read.
const EDGES: &str = r#"(module
  (import "opml" "input_len" (func $len (result i32)))
  (import "opml" "input_read" (func $read (param i32 i32 i32)))
  (import "opml" "output_write" (func $out (param i32 i32)))
  (memory 1 4)
  (global $c i32 (i32.const 3))
  (global $f32 (mut f32) (f32.const 1))
  (global $n (mut i32) (i32.const 0))
  (global $i64 (mut i64) (i64.const -1))
  (global $f64 (mut f64) (f64.const -0))
  (global $neg (mut i32) (i32.const -2))
  (data $p "passive segment bytes, more than thirty-two of them")
  (data $a (i32.const 16) "active")
  (type $v (func))
  (table 5 funcref)
  (elem (i32.const 0) func $s0 $s1 $s2 $s3 $s4)
  (func (export "segment") (result i32)
    (if (i32.lt_u (global.get $n) (i32.const 5))
      (then (call_indirect (type $v) (global.get $n))))
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (i32.lt_u (global.get $n) (i32.const 6)))
  (func $s0 (call $read (i32.const 1000) (i32.const 0) (call $len))
    (call $out (i32.const 1000) (i32.const 5)))
  (func $s1
    (drop (memory.grow (i32.const 2)))
    (i64.store (i32.const 196600) (i64.const 0x0102030405060708))
    (global.set $f32 (f32.div (f32.const 0) (f32.const 0)))
    (call $out (i32.const 16) (i32.const 40)))
  (func $s2
    (memory.init $p (i32.const 70000) (i32.const 3) (i32.const 40))
    (data.drop $p) (data.drop $a)
    (global.set $f64 (f64.reinterpret_i64 (i64.const 0x7ff0000000000abc)))
    (global.set $i64 (i64.mul (global.get $i64) (i64.const 3))))
  (func $s3 (memory.fill (i32.const 100) (i32.const 0xab) (i32.const 300))
    (memory.copy (i32.const 150) (i32.const 100) (i32.const 200))
    (call $out (i32.const 70000) (i32.const 27)))
  (func $s4 (drop (memory.grow (i32.const 5))) (i32.store (global.get $c) (i32.const 9))))"#;

#[test]
fn edge_cases_match_the_vm_at_every_boundary() {
    let engine = FastEngine::new().unwrap();
    let n = check(&engine, "edges", &wat(EDGES), b"some input bytes");
    assert_eq!(n, 7, "S_0, five yields, the halt");
    // What `opml run` prints, on both engines.
    let o = RunOptions::default();
    let both = [Engine::Fast, Engine::Vm].map(|e| {
        let sub = run(e, &wat(EDGES), b"some input bytes", &Entry::Main, &o).unwrap();
        (sub.status, sub.segments, sub.state_hash, sub.output)
    });
    assert_eq!(both[0], both[1]);
    assert_eq!(both[0].1, 6);
}

#[test]
fn a_program_without_segments_is_one_segment() {
    let engine = FastEngine::new().unwrap();
    let src = r#"(module
      (import "opml" "output_write" (func $out (param i32 i32)))
      (memory 1) (global $g (mut i64) (i64.const 1)) (data $d "xy")
      (func (export "main")
        (global.set $g (i64.const 42)) (data.drop $d)
        (i32.store (i32.const 64) (i32.const 7)) (call $out (i32.const 64) (i32.const 33))))"#;
    assert_eq!(
        check(&engine, "main", &wat(src), b""),
        2,
        "S_0 and the halt"
    );
    let sub = run(
        Engine::Fast,
        &wat(src),
        b"",
        &Entry::Main,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(sub.segments, 1);
    assert_eq!(sub.state_hash.map(|h| h[0]), Some(1), "halted");
    // No memory, no globals: the emptiest state.
    assert_eq!(
        check(
            &engine,
            "empty",
            &wat(r#"(module (func (export "main")))"#),
            b""
        ),
        2
    );
}

#[test]
fn a_trap_ends_the_boundaries_before_it() {
    let engine = FastEngine::new().unwrap();
    let src = r#"(module (memory 1) (global $n (mut i32) (i32.const 0))
      (func (export "segment") (result i32)
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (i32.store (i32.const 0) (global.get $n))
        (if (i32.eq (global.get $n) (i32.const 3)) (then unreachable))
        (i32.const 1)))"#;
    // S_0 and two yields; the third segment traps: no hash for it, none final.
    assert_eq!(check(&engine, "trap", &wat(src), b""), 3);
    let vm = run(
        Engine::Vm,
        &wat(src),
        b"",
        &Entry::Main,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (vm.status, vm.segments),
        (RunStatus::Trapped(TrapCode::Unreachable), 3)
    );
}

/// A bounded, seeded part of the `boundary-campaign` binary's campaign.
#[test]
fn random_segmented_programs_match_the_vm() {
    let engine = FastEngine::new().unwrap();
    let t = differ::campaign(&engine, 0..48, |_| {});
    assert!(
        t.mismatches.is_empty(),
        "{} mismatches of {}:\n{}",
        t.mismatches.len(),
        t.cases,
        t.mismatches.join("\n")
    );
    assert_eq!(t.cases, 48);
    assert!(t.boundaries > 48 * 2, "{} boundaries", t.boundaries);
    // Some programs end in a trap: their boundaries stop before it on both engines.
    assert!(t.trapped > 0 && t.trapped < 48, "{} trapped", t.trapped);
}
