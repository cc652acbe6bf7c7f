//! Two-phase traces (`docs/protocol.md` §5.3): a request's boundary hashes from the fast path
//! (phase 1: no VM), and one segment's steps replayed in the VM from its boundary (phase 2).
//! Each is computed once and cached, like [`super::traces::Traces::run`].

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use alloy::primitives::{B256, keccak256};
use opml_executor::{Boundaries, FastProgram, RunStatus, VmTrace, fuel_for_steps};
use opml_game::{BoundaryTrace, Trace};
use opml_vm::{Checkpoints, Machine, StateFields, Status};

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
    /// VM steps replayed to get them: none, unless the fast path could not vouch for a
    /// segment's end (a trap, or VM steps that may reach `2^D2`), which the VM then decides.
    pub vm_steps: u64,
    /// The program on the fast path, and its fuel: the machine at any boundary comes from it.
    fast: Arc<FastProgram>,
    fuel: u64,
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
        let (fast, fuel, input) = (Arc::clone(&bounds.fast), bounds.fuel, input.to_vec());
        let (last, want, halted) = (bounds.trace.segments(), bounds.final_hash(), bounds.halted);
        let _core = self.cpu.acquire().await;
        let (end, steps) = tokio::task::spawn_blocking(move || {
            let mut m = fast.machine_at_boundary(&input, last, fuel)?;
            let steps = m.steps();
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
        let (compiled, prog2, input) =
            (Arc::clone(&self.compiled), Arc::clone(prog), input.to_vec());
        let _core = self.cpu.acquire().await;
        let run = tokio::task::spawn_blocking(move || {
            let fp = compiled.program(&prog2)?;
            let t0 = std::time::Instant::now();
            let run = boundary_run(fp, &prog2, depth, &input)?;
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
        let (fast, fuel) = (Arc::clone(&boundaries.fast), boundaries.fuel);
        let (program, input, interval) = (Arc::clone(&prog.program), input.to_vec(), self.interval);
        let name = prog.name.clone();
        let mut progress = self
            .progress
            .start(&format!("VM replay of segment {j} of {name}"), None);
        let _core = self.cpu.acquire().await;
        let seg = tokio::task::spawn_blocking(move || {
            let t0 = std::time::Instant::now();
            let mut m = fast.machine_at_boundary(&input, j, fuel)?;
            progress(m.steps());
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

/// The fast path's boundaries, cut at `B_{2^D1}`. Where the fast path cannot vouch for a
/// segment's end (it trapped, or its VM steps may reach `2^D2`), the VM decides that
/// boundary and every later one, from the last boundary the fast path vouches for.
fn boundary_run(
    fp: Arc<FastProgram>,
    prog: &StoredProgram,
    depth: u8,
    input: &[u8],
) -> Result<BoundaryRun> {
    let (d1, d2) = phase_depths(prog, depth);
    let fuel = fuel_for_steps(1u64.checked_shl(u32::from(depth)).unwrap_or(u64::MAX));
    let run = fp.run(input, fuel, Boundaries::Every)?;
    let mut hashes: Vec<B256> = run.boundaries.into_iter().map(B256::from).collect();
    let wanted = (1usize << d1.min(62)) + 1;
    if let Some(i) = run.near_bound {
        // The segment ending at `B_i` may reach `2^D2` VM steps: `B_i` on are the VM's.
        hashes.truncate(usize::try_from(i).unwrap_or(usize::MAX).max(1));
    }
    let status = run.submission.status;
    let mut halted = status == RunStatus::Halted && hashes.len() <= wanted;
    let mut vm_steps = 0;
    let vouched_to_the_end = status == RunStatus::Halted && run.near_bound.is_none();
    if !vouched_to_the_end && hashes.len() < wanted {
        if status == RunStatus::OutOfSteps && run.near_bound.is_none() {
            return Err(Error::Program(format!(
                "{}: the fast path ran out of fuel after {} of 2^{d1} segments",
                prog.name,
                hashes.len() - 1
            )));
        }
        let from = hashes.len() as u64 - 1;
        let mut m = fp.machine_at_boundary(input, from, fuel)?;
        let segment = 1u64 << d2.min(63);
        while hashes.len() < wanted && matches!(m.status(), Status::Running | Status::Yielded) {
            m.resume();
            m.run(segment);
            hashes.push(m.state_hash().into());
        }
        vm_steps = m.steps();
        halted = m.status() == Status::Halted;
    }
    hashes.truncate(wanted);
    Ok(BoundaryRun {
        trace: Arc::new(BoundaryTrace::new(hashes)?),
        halted,
        segments_log: d1,
        segment_depth: d2,
        vm_steps,
        fast: fp,
        fuel,
    })
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

/// A segment's trace from a machine whose step count does not start at zero (a machine at
/// `B_j` the VM decided counts the steps it took), so [`Checkpoints`], which indexes from step
/// 0, cannot hold it: whole-machine snapshots every `interval` steps, indexed from the resumed
/// boundary.
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

    fn fast_program(prog: &StoredProgram) -> Arc<FastProgram> {
        let engine = opml_executor::fast::FastEngine::new().unwrap();
        Arc::new(FastProgram::with_program(&engine, &prog.wasm, Arc::clone(&prog.program)).unwrap())
    }

    /// The machine at `B_j` the slow way: every segment before it replayed in the VM.
    fn replayed_to(prog: &StoredProgram, j: u64) -> Machine {
        let mut m = Machine::new(&prog.program, &[]);
        for _ in 0..j {
            m.resume();
            m.run(1 << 8);
        }
        m
    }

    #[test]
    fn boundaries_are_the_vms_and_each_segment_replays_from_its_own() {
        let prog = program();
        // D = 10, D2 = 8: four segments; the program halts in the third.
        let b = boundary_run(fast_program(&prog), &prog, 10, &[]).unwrap();
        assert_eq!((b.segments_log, b.segment_depth, b.vm_steps), (2, 8, 0));
        assert!(b.halted);
        assert_eq!(b.trace.hashes().len(), 4, "B_0, two yields and the halt");
        for j in 0..4u64 {
            let mut slow = replayed_to(&prog, j);
            let mut m = b.fast.machine_at_boundary(&[], j, b.fuel).unwrap();
            assert_eq!(m.steps(), 0, "built from the fast path");
            assert_eq!(
                B256::from(m.state_hash()),
                b.trace.state_hash_at(j).unwrap(),
                "B_{j}"
            );
            assert_eq!(m.state_hash(), slow.state_hash(), "the VM's B_{j}");
            // Checkpoints (from the fast path's machine) and whole-machine snapshots (from the
            // replayed one, whose step count is not zero) give the same segment.
            let packed = m.state_fields().encode();
            assert_eq!(packed, slow.state_fields().encode());
            let seg = replay_segment(m, 2, 8, j, packed.clone());
            let other = replay_segment(slow, 2, 8, j, packed);
            assert_eq!((seg.stop, seg.end), (other.stop, other.end));
            // The segment ends at the next boundary.
            assert_eq!(
                seg.trace.state_hash_at(1 << 8).unwrap(),
                b.trace.state_hash_at(j + 1).unwrap(),
                "segment {j}"
            );
            // Every step's proof takes its state to the next one.
            for s in 0..=seg.stop.min(12) {
                let pre = seg.trace.state_hash_at(s).unwrap();
                assert_eq!(pre, other.trace.state_hash_at(s).unwrap(), "step {s}");
                let proof = seg.trace.step_proof(s).unwrap();
                assert_eq!(proof, other.trace.step_proof(s).unwrap());
                let post = if proof.is_empty() {
                    pre
                } else {
                    B256::from(opml_vm::verify_step(pre.into(), &proof).unwrap())
                };
                assert_eq!(post, seg.trace.state_hash_at(s + 1).unwrap(), "step {s}");
            }
        }
    }

    /// A segment that traps: the fast path has no boundary for it; the VM's trapped state is
    /// the last boundary, repeated.
    #[test]
    fn a_trapped_segment_ends_at_the_vms_trapped_state() {
        let wat = r#"(module (global $n (mut i32) (i32.const 0))
            (func (export "segment") (result i32)
                global.get $n i32.const 1 i32.add global.set $n
                global.get $n i32.const 2 i32.eq if unreachable end
                i32.const 1))"#;
        let prog =
            StoredProgram::with_segment_depth("trap", wat::parse_str(wat).unwrap(), 8).unwrap();
        let b = boundary_run(fast_program(&prog), &prog, 10, &[]).unwrap();
        assert!(!b.halted);
        assert!(b.vm_steps > 0, "the VM decided the trapped segment");
        let hashes = b.trace.hashes();
        assert_eq!(hashes.len(), 3, "B_0, one yield, the trapped end");
        let mut trapped = replayed_to(&prog, 2);
        assert_eq!(trapped.status(), Status::Trapped);
        assert_eq!(hashes[2], B256::from(trapped.state_hash()));
    }
}
