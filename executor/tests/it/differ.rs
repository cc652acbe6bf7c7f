//! The fast path's boundary hashes against the VM's on one program, and the campaign over
//! seeded random segmented programs built on it (`docs/machine.md` §9). Shared by the `it`
//! tests (a bounded set of seeds) and the `boundary-campaign` binary (the full campaign).

use crate::segmod;
use opml_executor::fast::FastEngine;
use opml_executor::{Boundaries, RunOptions, RunStatus, run_program};
use opml_vm::{B256, Limits, Machine, Program, Status};
use std::sync::Arc;

/// The VM steps any one compared program may take.
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

/// Runs `wasm` on both engines and checks every boundary, the status, the output, the final
/// state hash and the segment count; returns the boundary count, or the first difference.
pub(crate) fn compare(engine: &FastEngine, wasm: &[u8], input: &[u8]) -> Result<usize, String> {
    compare_ends(engine, wasm, input).map(|(n, _)| n)
}

/// [`compare`], and whether the run ended in a trap.
fn compare_ends(engine: &FastEngine, wasm: &[u8], input: &[u8]) -> Result<(usize, bool), String> {
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
    Ok((vm.len(), status == Status::Trapped))
}

pub(crate) fn hex(h: &B256) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a campaign compared.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Programs compared.
    pub(crate) cases: u64,
    /// Boundaries compared, over all programs.
    pub(crate) boundaries: u64,
    /// Programs whose boundaries ended in a trap (no canonical boundary after it).
    pub(crate) trapped: u64,
    /// Each mismatch: its seed, the difference and the program.
    pub(crate) mismatches: Vec<String>,
}

/// Compares the random programs of `seeds` (`segmod::case`), calling `each` after every one.
pub(crate) fn campaign(
    engine: &FastEngine,
    seeds: std::ops::Range<u64>,
    mut each: impl FnMut(&Tally),
) -> Tally {
    let mut t = Tally::default();
    for seed in seeds {
        let case = segmod::case(seed);
        let result = wat::parse_str(&case.wat)
            .map_err(|e| format!("the generator's module does not parse: {e}"))
            .and_then(|wasm| compare_ends(engine, &wasm, &case.input));
        match result {
            Ok((n, trapped)) => {
                t.boundaries += n as u64;
                t.trapped += u64::from(trapped);
            }
            Err(e) => t.mismatches.push(format!("seed {seed}: {e}\n{}", case.wat)),
        }
        t.cases += 1;
        each(&t);
    }
    t
}
