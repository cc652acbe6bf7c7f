//! Two-phase traces (`docs/protocol.md` §5.3): a request's boundary hashes from the fast path
//! (phase 1: no VM), and one segment's steps replayed in the VM from its boundary (phase 2).
//! Each is computed once and cached, like [`super::traces::Traces::run`].

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use alloy::primitives::{B256, keccak256};
use opml_executor::{Boundaries, FastProgram, RunStatus, VmTrace};
use opml_game::{BoundaryTrace, Trace};
use opml_vm::{Checkpoints, Machine, Program, StateFields, Status};

use super::traces::Traces;
use crate::programs::StoredProgram;
use crate::{Error, Result};

/// The boundary hashes of a request, as phase 1 plays them.
#[derive(Debug)]
pub struct BoundaryRun {
    /// `B_0 … B_n`, cut at `B_{2^D1}`.
    pub trace: Arc<BoundaryTrace>,
    /// Whether the last boundary is the halted final state (a result can be posted).
    pub halted: bool,
    /// `D1`: the trace has `2^D1` segments.
    pub segments_log: u8,
    /// `D2`: a segment has `2^D2` steps.
    pub segment_depth: u8,
    /// VM steps replayed to get them: none, unless a segment trapped (its boundary is not
    /// canonical, so the VM computes it).
    pub vm_steps: u64,
}

impl BoundaryRun {
    /// `B_{2^D1}`: the final state a correct result claims.
    pub fn final_hash(&self) -> B256 {
        let hashes = self.trace.hashes();
        hashes[hashes.len() - 1]
    }
}

/// One segment's steps, as phase 2 plays them.
pub struct SegmentRun {
    /// `j`: the segment from `B_j` to `B_{j+1}`.
    pub index: u64,
    /// The packed `B_j` the transition reveals (`StateFields::encode()`).
    pub packed_boundary: Vec<u8>,
    /// `T^j_s`: the state `s` steps after `resume(B_j)`, with step proofs.
    pub trace: Arc<dyn Trace>,
    /// Steps until the segment stopped (yielded, halted or trapped), or `2^D2`.
    pub stop: u64,
    /// How it ended.
    pub end: Status,
    /// VM steps replayed to build it (reaching `B_j`, then the segment itself).
    pub vm_steps: u64,
    /// `n`, the last boundary of the run it belongs to (`B_n`).
    pub last_boundary: u64,
}

impl SegmentRun {
    /// Whether the segment ends halted (the program's last).
    pub fn halted(&self) -> bool {
        self.end == Status::Halted
    }
}

impl std::fmt::Debug for SegmentRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SegmentRun")
            .field("index", &self.index)
            .field("stop", &self.stop)
            .field("end", &self.end)
            .field("vm_steps", &self.vm_steps)
            .finish_non_exhaustive()
    }
}

/// The final state of a request, as a result posts it.
#[derive(Debug, Clone)]
pub(super) struct FinalState {
    /// Whether it halted within the trace.
    pub(super) halted: bool,
    /// Its output.
    pub(super) output: Vec<u8>,
    /// Its fields (packed by the reveal).
    pub(super) fields: StateFields,
}

/// `(D1, D2)` of `prog` registered at trace depth `depth`: `D2 = min(D, segmentDepth)`.
pub fn phase_depths(prog: &StoredProgram, depth: u8) -> (u8, u8) {
    let d2 = prog.program.segment_depth().min(depth);
    (depth - d2, d2)
}

impl Traces {
    /// The final state of `prog` on `input` at trace depth `depth`: the whole run's in the VM
    /// for a single-phase program; for a two-phase one, the machine at the fast path's final
    /// boundary, checked against it.
    pub(super) async fn final_state(
        &self,
        program_id: B256,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
    ) -> Result<FinalState> {
        if phase_depths(prog, depth).0 == 0 {
            let run = self.run(program_id, prog, depth, input).await?;
            return Ok(FinalState {
                halted: run.halted,
                output: run.output.clone(),
                fields: run.final_fields,
            });
        }
        let bounds = self.boundaries(program_id, prog, depth, input).await?;
        let (program, input) = (Arc::clone(&prog.program), input.to_vec());
        let (last, want, halted) = (bounds.trace.segments(), bounds.final_hash(), bounds.halted);
        let (end, steps) = tokio::task::spawn_blocking(move || {
            let (mut m, steps) = machine_at_boundary(&program, &input, last);
            if B256::from(m.state_hash()) != want {
                return Err(Error::Program(
                    "the VM's final boundary differs from the fast path's".into(),
                ));
            }
            let end = FinalState {
                halted,
                output: m.output().to_vec(),
                fields: m.state_fields(),
            };
            Ok((end, steps))
        })
        .await??;
        self.vm_steps.runs.fetch_add(steps, Relaxed);
        Ok(end)
    }

    /// The boundary hashes of `prog` on `input` at trace depth `depth`, from the fast path
    /// (computed once, then cached).
    pub(super) async fn boundaries(
        &self,
        program_id: B256,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
    ) -> Result<Arc<BoundaryRun>> {
        let key = (program_id, keccak256(input));
        if let Some(b) = self
            .boundary_runs
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(b);
        }
        let (fast, prog2, input) = (self.fast.clone(), Arc::clone(prog), input.to_vec());
        let _core = self.cpu.acquire().await;
        let run = tokio::task::spawn_blocking(move || {
            let t0 = std::time::Instant::now();
            let run = boundary_run(&fast, &prog2, depth, &input)?;
            tracing::info!(
                program = %prog2.name,
                boundaries = run.trace.hashes().len(),
                halted = run.halted,
                vm_steps = run.vm_steps,
                secs = t0.elapsed().as_secs_f64(),
                "boundary hashes computed on the fast path"
            );
            Ok::<_, Error>(run)
        })
        .await??;
        let run = Arc::new(run);
        self.vm_steps.segments.fetch_add(run.vm_steps, Relaxed);
        if let Ok(mut m) = self.boundary_runs.lock() {
            m.insert(key, Arc::clone(&run));
        }
        Ok(run)
    }

    /// Segment `j` of `prog` on `input`, replayed in the VM from `B_j` (computed once, then
    /// cached). `boundaries` are the role's own: the VM's `B_j` must be the fast path's.
    pub(super) async fn segment(
        &self,
        program_id: B256,
        prog: &Arc<StoredProgram>,
        input: &[u8],
        j: u64,
        boundaries: &BoundaryRun,
    ) -> Result<Arc<SegmentRun>> {
        let key = (program_id, keccak256(input), j);
        if let Some(s) = self
            .segment_runs
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(s);
        }
        let want = boundaries.trace.state_hash_at(j)?;
        let last_boundary = boundaries.trace.segments();
        let (program, input, interval) = (Arc::clone(&prog.program), input.to_vec(), self.interval);
        let name = prog.name.clone();
        let mut progress = self
            .progress
            .start(&format!("VM replay of segment {j} of {name}"), None);
        let _core = self.cpu.acquire().await;
        let seg = tokio::task::spawn_blocking(move || {
            let t0 = std::time::Instant::now();
            let (m, reached) = machine_at_boundary(&program, &input, j);
            progress(reached);
            let mut m = m;
            if B256::from(m.state_hash()) != want {
                return Err(Error::Program(format!(
                    "{name}: the VM's boundary {j} differs from the fast path's"
                )));
            }
            let packed_boundary = m.state_fields().encode();
            let mut seg = replay_segment(m, interval, program.segment_depth(), j, packed_boundary);
            seg.last_boundary = last_boundary;
            drop(progress);
            tracing::info!(
                program = %name,
                segment = j,
                steps = seg.stop,
                end = seg.end.name(),
                vm_steps = seg.vm_steps,
                secs = t0.elapsed().as_secs_f64(),
                "segment replayed in the VM"
            );
            Ok(seg)
        })
        .await??;
        let seg = Arc::new(seg);
        self.vm_steps.segments.fetch_add(seg.vm_steps, Relaxed);
        if let Ok(mut m) = self.segment_runs.lock() {
            m.insert(key, Arc::clone(&seg));
        }
        Ok(seg)
    }
}

/// The fast path's boundaries, cut at `B_{2^D1}`; a segment that trapped has its (not
/// canonical) boundary from the VM.
fn boundary_run(
    fast: &opml_executor::fast::FastEngine,
    prog: &StoredProgram,
    depth: u8,
    input: &[u8],
) -> Result<BoundaryRun> {
    let (d1, d2) = phase_depths(prog, depth);
    let fp = FastProgram::new(fast, &prog.wasm, *prog.program.limits())?;
    // Fuel only approximates VM steps: slack, as for the plain fast path.
    let fuel = 1u64
        .checked_shl(u32::from(depth))
        .unwrap_or(u64::MAX)
        .saturating_mul(4);
    let run = fp.run(input, fuel, Boundaries::Every)?;
    let mut hashes: Vec<B256> = run.boundaries.into_iter().map(B256::from).collect();
    let wanted = (1usize << d1.min(62)) + 1;
    let mut vm_steps = 0;
    let status = run.submission.status;
    let halted = status == RunStatus::Halted && hashes.len() <= wanted;
    if hashes.len() < wanted {
        match status {
            RunStatus::Halted => {}
            RunStatus::Trapped(_) => {
                // The segment after the last boundary trapped: its end is the trapped state,
                // which only the VM gives (one segment's replay).
                let last = hashes.len() as u64 - 1;
                let (mut m, reached) = machine_at_boundary(&prog.program, input, last);
                m.resume();
                let ran = m.run(1u64 << d2.min(63));
                vm_steps = reached + ran;
                hashes.push(m.state_hash().into());
            }
            RunStatus::OutOfSteps => {
                return Err(Error::Program(format!(
                    "{}: the fast path ran out of fuel after {} of 2^{d1} segments",
                    prog.name,
                    hashes.len() - 1
                )));
            }
        }
    }
    hashes.truncate(wanted);
    Ok(BoundaryRun {
        trace: Arc::new(BoundaryTrace::new(hashes)?),
        halted,
        segments_log: d1,
        segment_depth: d2,
        vm_steps,
    })
}

/// The VM machine standing at boundary `B_j`, and the VM steps it took.
///
/// Stand-in until the executor builds this machine from the fast path: it replays segments
/// `0 … j-1` in the VM (correct, but the cost grows with `j`). Swapping it changes nothing
/// else here.
fn machine_at_boundary(program: &Arc<Program>, input: &[u8], j: u64) -> (Machine, u64) {
    let segment = 1u64 << program.segment_depth().min(63);
    let mut m = Machine::new(program, input);
    for _ in 0..j {
        m.resume();
        if m.run(segment) == 0 {
            break; // halted or trapped: every later boundary is this one
        }
    }
    let steps = m.steps();
    (m, steps)
}

/// Segment `j`'s trace from the machine at `B_j` (packed as `packed_boundary`): resumed, then
/// run for at most `2^D2` steps with a snapshot every `interval`.
fn replay_segment(
    mut m: Machine,
    interval: u64,
    segment_depth: u8,
    j: u64,
    packed_boundary: Vec<u8>,
) -> SegmentRun {
    let reached = m.steps();
    m.resume();
    let max = 1u64 << segment_depth.min(63);
    let (trace, stop, end): (Arc<dyn Trace>, u64, Status) = if reached == 0 {
        let cps = Checkpoints::record_from(m, interval, max);
        let (stop, end) = (cps.steps(), cps.final_status());
        (Arc::new(VmTrace::from_checkpoints(cps)), stop, end)
    } else {
        let t = SegmentSteps::record(m, interval, max);
        let (stop, end) = (t.stop, t.end);
        (Arc::new(t), stop, end)
    };
    SegmentRun {
        index: j,
        packed_boundary,
        trace,
        stop,
        end,
        vm_steps: reached + stop,
        last_boundary: j + 1,
    }
}

/// A segment's trace from a machine whose step count does not start at zero (the stand-in's
/// machine at `B_j` counts the segments before it), so [`Checkpoints`], which indexes from
/// step 0, cannot hold it: whole-machine snapshots every `interval` steps, indexed from the
/// resumed boundary.
struct SegmentSteps {
    snapshots: Vec<Machine>,
    interval: u64,
    base: u64,
    stop: u64,
    end: Status,
    end_hash: B256,
}

impl SegmentSteps {
    fn record(mut m: Machine, interval: u64, max: u64) -> Self {
        let interval = interval.max(1);
        let base = m.steps();
        let mut snapshots = Vec::new();
        loop {
            m.state_hash();
            snapshots.push(m.clone());
            let left = max - (m.steps() - base);
            if m.status() != Status::Running || left == 0 {
                break;
            }
            m.run(interval.min(left));
        }
        Self {
            interval,
            base,
            stop: m.steps() - base,
            end: m.status(),
            end_hash: m.state_hash().into(),
            snapshots,
        }
    }

    /// The machine `n` steps after the resumed boundary (`n` at most the stop).
    fn machine_at(&self, n: u64) -> Machine {
        let i = usize::try_from(n / self.interval)
            .unwrap_or(usize::MAX)
            .min(self.snapshots.len() - 1);
        let mut m = self.snapshots[i].clone();
        let at = m.steps() - self.base;
        if n > at {
            m.run(n - at);
        }
        m
    }
}

impl Trace for SegmentSteps {
    fn state_hash_at(&self, n: u64) -> opml_game::Result<B256> {
        if n >= self.stop && self.end != Status::Running {
            return Ok(self.end_hash);
        }
        Ok(self.machine_at(n).state_hash().into())
    }

    fn step_proof(&self, n: u64) -> opml_game::Result<Vec<u8>> {
        if n >= self.stop {
            return Ok(Vec::new()); // a stopped state steps to itself
        }
        Ok(self.machine_at(n).prove_step())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three segments of a few steps each, then a halt.
    const THREE: &str = r#"(module (global $n (mut i32) (i32.const 0))
        (func (export "segment") (result i32)
            global.get $n i32.const 1 i32.add global.set $n
            global.get $n i32.const 3 i32.lt_u))"#;

    fn program() -> StoredProgram {
        StoredProgram::with_segment_depth("three", wat::parse_str(THREE).unwrap(), 8).unwrap()
    }

    #[test]
    fn boundaries_are_the_vms_and_each_segment_replays_from_its_own() {
        let prog = program();
        let fast = opml_executor::fast::FastEngine::new().unwrap();
        // D = 10, D2 = 8: four segments; the program halts in the third.
        let b = boundary_run(&fast, &prog, 10, &[]).unwrap();
        assert_eq!((b.segments_log, b.segment_depth, b.vm_steps), (2, 8, 0));
        assert!(b.halted);
        assert_eq!(b.trace.hashes().len(), 4, "B_0, two yields and the halt");
        for j in 0..4u64 {
            let (mut m, _) = machine_at_boundary(&prog.program, &[], j);
            assert_eq!(
                B256::from(m.state_hash()),
                b.trace.state_hash_at(j).unwrap(),
                "B_{j}"
            );
            let packed = m.state_fields().encode();
            let seg = replay_segment(m, 2, 8, j, packed);
            // The segment ends at the next boundary, whichever way its trace was kept.
            assert_eq!(
                seg.trace.state_hash_at(1 << 8).unwrap(),
                b.trace.state_hash_at(j + 1).unwrap(),
                "segment {j}"
            );
            // Every step's proof takes its state to the next one.
            for s in 0..=seg.stop.min(12) {
                let pre = seg.trace.state_hash_at(s).unwrap();
                let proof = seg.trace.step_proof(s).unwrap();
                let post = if proof.is_empty() {
                    pre
                } else {
                    B256::from(opml_vm::verify_step(pre.into(), &proof).unwrap())
                };
                assert_eq!(post, seg.trace.state_hash_at(s + 1).unwrap(), "step {s}");
            }
        }
    }
}
