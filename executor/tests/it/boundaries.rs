//! The fast path's boundary hashes equal the VM's at every boundary (`docs/machine.md` §9): on
//! every committed example with its sample input, on hand-written edge cases, and on random
//! segmented programs (a bounded, seeded set here; the full campaign is
//! `cargo test -p opml-executor --test it boundary_campaign -- --ignored --nocapture`).
//! A wrong fast-path hash would cost an honest submitter its bond.

use crate::segmod;
use opml_executor::fast::FastEngine;
use opml_executor::{Boundaries, Engine, Entry, RunOptions, RunStatus, TrapCode, run, run_program};
use opml_vm::{B256, Limits, Machine, Program, Status};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The VM steps any one test program may take.
const VM_STEPS: u64 = 1 << 31;

/// The VM's boundaries: `S_0`, then the state at each yield and at the halt (a trapped end has
/// no canonical boundary and is left out); its status, output and segment count.
fn vm_boundaries(wasm: &[u8], input: &[u8]) -> (Vec<B256>, Status, Vec<u8>, u64) {
    let program = Arc::new(Program::load(wasm, Limits::default()).expect("the VM loads it"));
    let mut m = Machine::new(&program, input);
    let mut hashes = vec![m.state_hash()];
    let mut segments = 1;
    loop {
        if m.status() == Status::Running {
            m.run(VM_STEPS);
        }
        match m.status() {
            Status::Yielded => {
                hashes.push(m.state_hash());
                m.resume();
                segments += 1;
            }
            Status::Halted => {
                hashes.push(m.state_hash());
                break;
            }
            Status::Trapped => break,
            Status::Running => panic!("over {VM_STEPS} VM steps"),
        }
    }
    (hashes, m.status(), m.output().to_vec(), segments)
}

/// Runs `wasm` on both engines and checks every boundary; returns the boundary count, or the
/// first difference.
fn compare(engine: &FastEngine, wasm: &[u8], input: &[u8]) -> Result<usize, String> {
    let opts = RunOptions::default();
    let fast = run_program(engine, wasm, input, &opts, Boundaries::Every)
        .map_err(|e| format!("fast path: {e}"))?;
    let (vm, status, output, segments) = vm_boundaries(wasm, input);
    let sub = &fast.submission;
    let want = match status {
        Status::Halted => RunStatus::Halted,
        Status::Trapped => match sub.status {
            RunStatus::Trapped(_) => sub.status,
            _ => return Err(format!("VM trapped, fast path {}", sub.status)),
        },
        s => return Err(format!("VM ended {s:?}")),
    };
    if sub.status != want || sub.output != output {
        return Err(format!(
            "status or output: fast {} ({} bytes), VM {want} ({} bytes)",
            sub.status,
            sub.output.len(),
            output.len()
        ));
    }
    if let Some(i) =
        (0..vm.len().max(fast.boundaries.len())).find(|&i| vm.get(i) != fast.boundaries.get(i))
    {
        return Err(format!(
            "boundary {i} of {} (VM) / {} (fast): VM {:?}, fast {:?}",
            vm.len(),
            fast.boundaries.len(),
            vm.get(i).map(hex),
            fast.boundaries.get(i).map(hex)
        ));
    }
    // The final state hash and the segment count are the VM's too.
    let final_hash = (status == Status::Halted)
        .then(|| vm.last().copied())
        .flatten();
    if sub.state_hash != final_hash || sub.segments != segments {
        return Err(format!(
            "final: fast {:?} in {} segments, VM {:?} in {segments}",
            sub.state_hash.as_ref().map(hex),
            sub.segments,
            final_hash.as_ref().map(hex),
        ));
    }
    Ok(vm.len())
}

pub(crate) fn hex(h: &B256) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn check(engine: &FastEngine, what: &str, wasm: &[u8], input: &[u8]) -> usize {
    compare(engine, wasm, input).unwrap_or_else(|e| panic!("{what}: {e}"))
}

pub(crate) fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).expect("test wat parses")
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A committed example's sample input (`guests/<name>/testdata/…`), else empty.
pub(crate) fn sample_input(name: &str) -> Vec<u8> {
    let g = root().join("guests");
    let dir = if name == "digits-f32" { "digits" } else { name };
    ["input.bin", "sample.bin", "input_7", "texts.json"]
        .iter()
        .find_map(|f| std::fs::read(g.join(dir).join("testdata").join(f)).ok())
        .unwrap_or_default()
}

#[test]
fn every_committed_example_matches_the_vm_at_every_boundary() {
    let engine = FastEngine::new().unwrap();
    let mut paths = Vec::new();
    for e in std::fs::read_dir(root().join("guests/wasm")).expect("committed guests") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "wasm") {
            paths.push(p);
        }
    }
    paths.sort();
    assert!(paths.len() >= 7, "committed examples: {paths:?}");
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let wasm = std::fs::read(path).unwrap();
        let input = sample_input(&name);
        let n = check(&engine, &name, &wasm, &input);
        eprintln!("{name}: {n} boundaries equal");
        if name == "segments" {
            // 1,024 segments by default: S_0 and one boundary per segment.
            assert_eq!(n, 1025);
            let n = check(&engine, "segments (3)", &wasm, &3u32.to_le_bytes());
            assert_eq!(n, 4);
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

#[test]
fn random_segmented_programs_match_the_vm() {
    let engine = FastEngine::new().unwrap();
    let (cases, boundaries) = campaign(&engine, 0..48);
    assert_eq!(cases, 48);
    assert!(boundaries > 48 * 2, "{boundaries} boundaries");
}

/// The full differential: `OPML_BOUNDARY_CASES` random programs (default 10,000), from seed
/// `OPML_BOUNDARY_SEED` (default 0).
#[test]
#[ignore = "long: the full boundary campaign, run on its own"]
fn boundary_campaign() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let n = env("OPML_BOUNDARY_CASES", 10_000);
    let seed = env("OPML_BOUNDARY_SEED", 0);
    let engine = FastEngine::new().unwrap();
    let t = std::time::Instant::now();
    let (cases, boundaries) = campaign(&engine, seed..seed + n);
    println!(
        "boundary campaign: {cases} random programs (seeds {seed}..{}), {boundaries} boundaries, \
         0 mismatches, {:.1} s",
        seed + n,
        t.elapsed().as_secs_f64()
    );
}

/// Compares the programs of `seeds`; panics listing every mismatch. Returns the programs and
/// boundaries compared.
fn campaign(engine: &FastEngine, seeds: std::ops::Range<u64>) -> (u64, usize) {
    let (mut cases, mut boundaries) = (0, 0);
    let mut mismatches = Vec::new();
    for seed in seeds {
        let case = segmod::case(seed);
        let wasm =
            wat::parse_str(&case.wat).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{}", case.wat));
        match compare(engine, &wasm, &case.input) {
            Ok(n) => boundaries += n,
            Err(e) => mismatches.push(format!("seed {seed}: {e}\n{}", case.wat)),
        }
        cases += 1;
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches of {cases}:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    (cases, boundaries)
}
