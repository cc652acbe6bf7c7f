//! The phase-2 machine (`FastProgram::machine_at_boundary`, `docs/machine.md` §9): at every
//! boundary of the committed examples and of seeded random segmented programs, the VM machine
//! built from the fast path has the VM's state hash, and once resumed it steps to the VM's next
//! boundary. Where the fast path cannot tell how a segment ends (a trap, a segment whose fuel
//! comes near `2^D2` VM steps), the VM's end of it stands.

use crate::differ::hex;
use crate::examples::{self, wat};
use crate::segmod;
use opml_executor::fast::{FastEngine, Instantiated};
use opml_executor::{Boundaries, Entry, FastProgram, RunOptions, RunStatus, Value, run_fast};
use opml_vm::{B256, Limits, Machine, Status, TrapCode};

/// Fuel for every fast-path run here.
const FUEL: u64 = 1 << 40;

/// The VM's boundaries as the protocol defines them: `B_0 = S_0`, `B_{i+1}` the state `2^D2`
/// steps after `resume(B_i)`, up to the first that is not yielded (every later one equals it);
/// and each segment's VM steps.
fn vm_boundaries(
    program: &std::sync::Arc<opml_vm::Program>,
    input: &[u8],
) -> (Vec<B256>, Vec<u64>) {
    let steps = 1u64 << program.segment_depth();
    let mut m = Machine::new(program, input);
    let (mut hashes, mut lengths) = (vec![m.state_hash()], Vec::new());
    while matches!(m.status(), Status::Running | Status::Yielded) {
        m.resume();
        let before = m.steps();
        m.run(steps);
        lengths.push(m.steps() - before);
        hashes.push(m.state_hash());
    }
    (hashes, lengths)
}

/// Checks the machine at boundaries `js` (all of them, and one past the last, when `None`);
/// returns the number of VM boundaries, or the first difference.
fn compare(
    engine: &FastEngine,
    wasm: &[u8],
    limits: Limits,
    input: &[u8],
    js: Option<&[u64]>,
) -> Result<usize, String> {
    let fp = FastProgram::new(engine, wasm, limits).map_err(|e| format!("load: {e}"))?;
    let (vm, _) = vm_boundaries(fp.program(), input);
    let at = |j: u64| vm[(j as usize).min(vm.len() - 1)];
    let all: Vec<u64> = (0..=vm.len() as u64).collect();
    let steps = 1u64 << fp.program().segment_depth();
    for &j in js.unwrap_or(&all) {
        let mut m = fp
            .machine_at_boundary(input, j, FUEL)
            .map_err(|e| format!("B_{j}: {e}"))?;
        if m.state_hash() != at(j) {
            return Err(format!(
                "B_{j} of {}: built {}, VM {}",
                vm.len(),
                hex(&m.state_hash()),
                hex(&at(j))
            ));
        }
        m.resume();
        m.run(steps);
        if m.state_hash() != at(j + 1) {
            return Err(format!(
                "B_{} stepped from the built B_{j}: {} ({:?}), VM {}",
                j + 1,
                hex(&m.state_hash()),
                m.status(),
                hex(&at(j + 1))
            ));
        }
    }
    Ok(vm.len())
}

fn check(engine: &FastEngine, what: &str, wasm: &[u8], input: &[u8], js: Option<&[u64]>) -> usize {
    compare(engine, wasm, Limits::default(), input, js).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Every boundary of each example but `segments` (they have two or three) and of a 40-segment
/// run of `segments`; of its default 1,024-segment run, the first and last few and a seeded
/// sample (each machine there is built by a fast run from the start and a whole memory tree:
/// the 1,025 of them took most of this binary's time). That every one of its boundaries has
/// the VM's hash on the fast path is `boundaries.rs`'s check.
#[test]
fn the_phase2_machine_is_the_vms_at_every_boundary_of_every_example() {
    let engine = FastEngine::new().unwrap();
    for ex in examples::committed() {
        if ex.name == "segments" {
            let n = check(
                &engine,
                "segments (40)",
                &ex.wasm,
                &40u32.to_le_bytes(),
                None,
            );
            assert_eq!(n, 41);
            let js = sampled(1025, 24, 0x5e9);
            assert_eq!(check(&engine, "segments", &ex.wasm, &[], Some(&js)), 1025);
            eprintln!(
                "segments: the machine at each of 41 boundaries, and at {} of 1,025, equal",
                js.len()
            );
            continue;
        }
        let n = check(&engine, &ex.name, &ex.wasm, &ex.input, None);
        eprintln!("{}: the machine at each of {n} boundaries equal", ex.name);
    }
}

/// Of boundaries `0..n`: the first three, the last three, one past the last, and `k` seeded
/// others.
fn sampled(n: u64, k: usize, seed: u64) -> Vec<u64> {
    let mut rng = segmod::Rng::new(seed);
    let mut js: Vec<u64> = [0, 1, 2, n - 3, n - 2, n - 1, n].into();
    while js.len() < 7 + k {
        let j = rng.below(n);
        if !js.contains(&j) {
            js.push(j);
        }
    }
    js.sort_unstable();
    js
}

#[test]
fn the_phase2_machine_is_the_vms_on_random_segmented_programs() {
    let engine = FastEngine::new().unwrap();
    let mut boundaries = 0;
    for seed in 0..40 {
        let case = segmod::case(seed);
        let wasm = wat(&case.wat);
        boundaries += compare(&engine, &wasm, Limits::default(), &case.input, None)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{}", case.wat));
    }
    assert!(boundaries > 40 * 2, "{boundaries} boundaries");
}

/// Segment `n` loops `5 · n²` times, about 15 VM steps each: with `D2 = 10` (1,024 steps) the
/// third fits (about 680 steps), the fourth (about 1,200) traps on the VM.
const GROWING: &str = r#"(module (memory 1) (global $n (mut i32) (i32.const 0))
  (func (export "segment") (result i32) (local $i i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (loop $l
      (i32.store (i32.const 64) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i)
        (i32.mul (i32.const 5) (i32.mul (global.get $n) (global.get $n))))))
    (i32.lt_u (global.get $n) (i32.const 6))))"#;

/// A segment the VM traps `SegmentTooLong` while wasmtime runs it to its end: the fast path
/// flags it, and the machine at its boundary (and every later one) is the VM's trapped state.
#[test]
fn a_segment_too_long_for_the_vm_is_the_vms_to_decide() {
    let engine = FastEngine::new().unwrap();
    let limits = Limits {
        segment_depth: 10,
        ..Limits::default()
    };
    let wasm = wat(GROWING);
    let fp = FastProgram::new(&engine, &wasm, limits).unwrap();
    let (vm, lengths) = vm_boundaries(fp.program(), &[]);
    // The VM: three segments, then a trap.
    assert_eq!(vm.len(), 5, "{lengths:?}");
    assert_eq!(vm[4][0], Status::Trapped as u8);
    // wasmtime runs all six.
    let run = fp.run(&[], FUEL, Boundaries::Every).unwrap();
    assert_eq!(
        (run.submission.status, run.submission.segments),
        (RunStatus::Halted, 6)
    );
    let near = run
        .near_bound
        .expect("the fast path flags a segment near the bound");
    assert!(near <= 4, "flagged at segment {near}");
    assert_eq!(
        compare(&engine, &wasm, limits, &[], Some(&[0, 1, 2, 3, 4, 5, 9])),
        Ok(5)
    );
    let mut m = fp.machine_at_boundary(&[], 4, FUEL).unwrap();
    assert_eq!(m.trap_code(), Some(TrapCode::SegmentTooLong));
    assert_eq!(m.state_hash(), vm[4]);
    // `opml run` on the fast path prints no final state it cannot vouch for.
    let opts = RunOptions {
        limits,
        max_steps: FUEL,
    };
    let sub = run_fast(&engine, &wasm, &[], &Entry::Main, &opts).unwrap();
    assert_eq!((sub.status, sub.state_hash), (RunStatus::Halted, None));
    // With room, no segment is near and every boundary is the fast path's own.
    let roomy = Limits {
        segment_depth: 20,
        ..limits
    };
    let fp = FastProgram::new(&engine, &wasm, roomy).unwrap();
    let run = fp.run(&[], FUEL, Boundaries::Every).unwrap();
    assert_eq!(run.near_bound, None);
    assert_eq!(compare(&engine, &wasm, roomy, &[], None), Ok(7));
}

/// Fuel and bulk bytes per segment on the fast path (the first one's include instantiation).
fn segment_work(
    engine: &FastEngine,
    wasm: &[u8],
    input: &[u8],
    segmented: bool,
) -> Vec<(u64, u64)> {
    let module = engine.compile(wasm, Limits::default()).unwrap();
    let Instantiated::Ready(mut i) = module.instantiate(input, Limits::default(), FUEL).unwrap()
    else {
        return vec![];
    };
    let entry = if segmented { "segment" } else { "main" };
    let (mut out, mut fuel, mut bulk) = (Vec::new(), FUEL - i.fuel_left(), 0);
    loop {
        let call = i.invoke(entry, &[], FUEL).unwrap();
        let now = i.bulk_bytes().unwrap();
        out.push((fuel + call.fuel, now - bulk));
        (fuel, bulk) = (0, now);
        if call.status != RunStatus::Halted || !segmented || call.results == [Value::I32(0)] {
            return out;
        }
    }
}

/// Code where one unit of fuel stands for many VM steps: bulk operations over long ranges (a
/// step per leaf, one unit of fuel each) and branches that keep many values above a dropped
/// one (two steps per kept value).
const STEEP: &str = r#"(module (memory 2) (global $n (mut i32) (i32.const 0))
  (type $w (func (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32 i32 i32 i32 i32 i32 i32 i32)))
  (data $d "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
  (func $keep (type $w)
    (local.get 0) (local.get 1) (local.get 2) (local.get 3)
    (local.get 4) (local.get 5) (local.get 6) (local.get 7) (i32.const 0)
    (br 0))
  (func (export "segment") (result i32) (local $i i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (memory.fill (i32.const 3) (global.get $n) (i32.const 100000))
    (memory.copy (i32.const 17) (i32.const 70001) (i32.const 60000))
    (memory.init $d (i32.const 5) (i32.const 1) (i32.const 60))
    (loop $l
      (call $keep (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
                  (i32.const 5) (i32.const 6) (i32.const 7) (local.get $i))
      (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (i32.lt_u (global.get $n) (i32.const 3))))"#;

/// VM steps never exceed the guard's bound (`FastProgram::segment_steps_bound`, from fuel and
/// bulk bytes), segment by segment, on every example, on random programs and on code built to
/// make fuel stand for many steps (`docs/machine.md` §9, "Fuel and the segment bound"). Prints
/// the largest steps per fuel and steps per bound seen.
#[test]
fn vm_steps_stay_under_the_guards_bound() {
    let engine = FastEngine::new().unwrap();
    let mut cases: Vec<(String, Vec<u8>, Vec<u8>)> = examples::committed()
        .into_iter()
        .map(|ex| (ex.name, ex.wasm, ex.input))
        .collect();
    for seed in 0..40 {
        let case = segmod::case(seed);
        cases.push((format!("seed {seed}"), wat(&case.wat), case.input));
    }
    cases.push(("steep".into(), wat(STEEP), vec![]));
    let (mut per_fuel, mut of_bound) = ((0.0f64, String::new()), (0.0f64, String::new()));
    for (name, wasm, input) in &cases {
        let fp = FastProgram::new(&engine, wasm, Limits::default()).unwrap();
        let (_, steps) = vm_boundaries(fp.program(), input);
        let work = segment_work(&engine, wasm, input, fp.program().segment_pc().is_some());
        assert_eq!(steps.len(), work.len(), "{name}: segments");
        for (k, (&s, &(f, b))) in steps.iter().zip(&work).enumerate() {
            let bound = fp.segment_steps_bound(f, b);
            let at = format!(
                "{name}, segment {k}: {s} VM steps, {f} fuel, {b} bulk bytes, bound {bound}"
            );
            assert!(s <= bound, "{at}");
            let r = s as f64 / f.max(1) as f64;
            if r > per_fuel.0 && name != "steep" {
                per_fuel = (r, at.clone());
            }
            let r = s as f64 / bound as f64;
            if r > of_bound.0 {
                of_bound = (r, at);
            }
        }
    }
    eprintln!(
        "examples and random programs, largest VM steps per fuel: {:.2} ({})",
        per_fuel.0, per_fuel.1
    );
    eprintln!(
        "largest VM steps / bound: {:.3} ({})",
        of_bound.0, of_bound.1
    );
    // The steep code does stand for many steps per unit of fuel: fuel alone (at the ratio the
    // other programs show, or any fixed one) would not do as a guard.
    let fp = FastProgram::new(&engine, &wat(STEEP), Limits::default()).unwrap();
    let (_, steps) = vm_boundaries(fp.program(), &[]);
    let work = segment_work(&engine, &wat(STEEP), &[], true);
    let steep = steps[0] as f64 / work[0].0 as f64;
    eprintln!(
        "steep code: {steep:.1} VM steps per fuel ({} steps, {} fuel)",
        steps[0], work[0].0
    );
    assert!(steep > 4.0 * per_fuel.0.max(4.0), "{steep}");
}
