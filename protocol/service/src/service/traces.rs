//! Runs and traces: the fast path for outputs and final states, VM checkpoints for hashes and
//! proofs (only in a dispute, or where the fast path cannot vouch for a final state), cached
//! per (program, input) so every game on the same request shares one replay.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use alloy::primitives::{B256, keccak256};
use opml_bindings::oracle::IOpMLOracle;
use opml_executor::{Boundaries, RunStatus, VmTrace, fuel_for_steps};
use opml_vm::{Checkpoints, StateFields};

use super::compiled::Compiled;
use super::segments::{BoundaryRun, SegmentRun};
use crate::chain::{Chain, failed};
use crate::programs::{ProgramStore, StoredProgram};
use crate::progress::Progress;
use crate::{Error, Result};

/// An honest VM run of a request.
#[derive(Debug)]
pub struct Run {
    /// The trace, checkpointed.
    pub trace: Arc<VmTrace>,
    /// Where it stopped.
    pub halt: u64,
    /// Whether it halted (a result can be posted).
    pub halted: bool,
    /// Its output.
    pub output: Vec<u8>,
    /// Its final state fields.
    pub final_fields: StateFields,
    /// The final state hash `S_{2^D}`.
    pub final_hash: B256,
}

/// A fast-path run of a request, as the submitter prices it and posts it, and as a challenger
/// checks a result: no VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastWork {
    /// The output, `None` when the program did not halt (a trap, or out of fuel).
    pub output: Option<Vec<u8>>,
    /// The work it took: wasmtime fuel, which approximates VM steps (instantiation
    /// included).
    pub work: u64,
    /// Whether it stopped at the caller's work bound (not the program's own bound).
    pub out_of_work: bool,
    /// Segments run (`docs/machine.md` §9).
    pub segments: u64,
    /// The final state `B_{2^D1}` from the fast path alone: the final halted boundary's fields
    /// (`docs/machine.md` §9), when the fast path can vouch for them: the program halted within
    /// `2^D1` segments and no segment may reach `2^D2` VM steps
    /// (`opml_executor::FastProgram::segment_steps_bound`), so the VM ends every segment where
    /// wasmtime did.
    /// `None`: only a VM replay can tell the final state, or the caller did not want it
    /// (`Service::fast_work_if`).
    pub final_fields: Option<StateFields>,
}

pub(super) type Key = (B256, B256);
/// A program id resolved to a stored program and its trace depth (`None`: not ours).
type Resolved = Option<(Arc<StoredProgram>, u8)>;

pub(super) struct Traces {
    /// The programs held; programs fetched from their metadata URI join them.
    programs: Mutex<ProgramStore>,
    /// Whether to fetch a program not held from its metadata URI (`--fetch-programs`).
    fetch: bool,
    /// Each program compiled for the fast path once, not per request.
    pub(super) compiled: Arc<Compiled>,
    pub(super) interval: u64,
    pub(super) progress: Arc<dyn Progress>,
    resolved: Mutex<HashMap<B256, Resolved>>,
    runs: Mutex<HashMap<Key, Arc<Run>>>,
    /// Runs (fast path or VM) at once: one per core. A pass handles many items at once, but
    /// more runs than cores would only share the cores and hold more memory.
    pub(super) cpu: tokio::sync::Semaphore,
    /// Two-phase games' boundary hashes, per request (`segments.rs`).
    pub(super) boundary_runs: Mutex<HashMap<Key, Arc<BoundaryRun>>>,
    /// Two-phase games' segments replayed in the VM, per request and segment.
    pub(super) segment_runs: Mutex<HashMap<(B256, B256, u64), Arc<SegmentRun>>>,
    /// VM steps replayed so far: whole runs, and for two-phase games.
    pub(super) vm_steps: VmSteps,
}

/// VM steps a role replayed, by what for.
#[derive(Debug, Default)]
pub struct VmSteps {
    /// Whole runs (a result posted or checked, a single-phase game).
    pub runs: std::sync::atomic::AtomicU64,
    /// Two-phase games: segments opened, and segments that trapped.
    pub segments: std::sync::atomic::AtomicU64,
}

impl Traces {
    pub(super) fn new(
        programs: ProgramStore,
        fetch: bool,
        interval: u64,
        progress: Arc<dyn Progress>,
    ) -> Result<Self> {
        Ok(Self {
            programs: Mutex::new(programs),
            fetch,
            compiled: Arc::new(Compiled::new()?),
            interval,
            progress,
            resolved: Mutex::default(),
            runs: Mutex::default(),
            cpu: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            boundary_runs: Mutex::default(),
            segment_runs: Mutex::default(),
            vm_steps: VmSteps::default(),
        })
    }

    /// The stored program registered as `program_id`, with its trace depth; `None` if the
    /// role does not have it.
    pub(super) async fn resolve(
        &self,
        chain: &Chain,
        program_id: B256,
    ) -> Result<Option<(Arc<StoredProgram>, u8)>> {
        if let Some(r) = self
            .resolved
            .lock()
            .ok()
            .and_then(|m| m.get(&program_id).cloned())
        {
            return Ok(r);
        }
        let p: IOpMLOracle::Program = chain
            .oracle
            .program(program_id)
            .call()
            .await
            .map_err(failed("reading the program"))?;
        let r = if p.traceDepth == 0 {
            None
        } else {
            let fields = p.fields.into();
            let held = self
                .programs
                .lock()
                .ok()
                .and_then(|mut store| store.by_fields(&fields));
            match held {
                Some(s) => Some(s),
                None => self.fetched(chain, program_id).await,
            }
            .map(|s| (s, p.traceDepth))
        };
        // Remembered, failures included: a program is fetched (or reported missing) once per
        // run, not on every request or result that names it.
        if let Ok(mut m) = self.resolved.lock() {
            m.insert(program_id, r.clone());
        }
        Ok(r)
    }

    /// A registered program the role does not hold: fetched from its metadata URI and checked
    /// against its id when the role may (`--fetch-programs`); said loudly when it cannot be,
    /// since the role can then neither serve its requests nor dispute its results.
    async fn fetched(&self, chain: &Chain, program_id: B256) -> Option<Arc<StoredProgram>> {
        if !self.fetch {
            tracing::debug!(program = %program_id, "program not held (--fetch-programs is off)");
            return None;
        }
        match crate::fetch::fetch_program(chain, program_id).await {
            Ok(p) => {
                tracing::info!(
                    program = %program_id,
                    name = %p.name,
                    "program fetched from its metadata URI and checked against its id"
                );
                let fields = p.fields.clone();
                let mut store = self.programs.lock().ok()?;
                // Stored under the hash it was loaded with (the registration's).
                store.insert(p);
                store.by_fields(&fields)
            }
            Err(e) => {
                tracing::error!(
                    program = %program_id,
                    error = %e,
                    "cannot obtain the program: its requests cannot be served nor its results disputed (restart once it can be fetched)"
                );
                None
            }
        }
    }

    /// The fast path's run with at most `max_work` fuel (and never more than the program's
    /// own bound, `fuel_for_steps(2^D)`): its output, the work it took, and the final state
    /// when the fast path can vouch for it ([`FastWork::final_fields`]) and `wanted(work)`
    /// asks for it, once the program halted (a price policy that declines the request needs
    /// no final state).
    pub(super) async fn fast_work(
        &self,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
        max_work: Option<u64>,
        wanted: impl FnOnce(u64) -> bool + Send + 'static,
    ) -> Result<FastWork> {
        let (compiled, prog2, input) =
            (Arc::clone(&self.compiled), Arc::clone(prog), input.to_vec());
        let own = fuel_for_steps(1u64.checked_shl(u32::from(depth)).unwrap_or(u64::MAX));
        let fuel = max_work.map_or(own, |m| m.min(own));
        // `D2 = min(D, segment depth)`, `2^D1` segments (`docs/protocol.md` §1).
        let d2 = depth.min(prog.program.segment_depth());
        let max_segments = 1u64.checked_shl(u32::from(depth - d2)).unwrap_or(u64::MAX);
        let _core = self.cpu.acquire().await;
        let run = tokio::task::spawn_blocking(move || {
            let fp = compiled.program(&prog2)?;
            let t0 = std::time::Instant::now();
            // The registered program's own limits (part of every state hash) are `fp`'s.
            let run = fp.run_hashing_final_if(&input, fuel, Boundaries::Final, wanted)?;
            tracing::debug!(
                program = %prog2.name,
                segments = run.submission.segments,
                secs = t0.elapsed().as_secs_f64(),
                hashing_secs = run.hashing.as_secs_f64(),
                "fast path run (with the final boundary's hash, if wanted)"
            );
            Ok::<_, Error>(run)
        })
        .await??;
        let sub = run.submission;
        let halted = sub.status == RunStatus::Halted;
        let vouched = halted
            && sub.segments <= max_segments
            && run.max_segment_steps < 1u64.checked_shl(u32::from(d2)).unwrap_or(u64::MAX);
        Ok(FastWork {
            out_of_work: sub.status == RunStatus::OutOfSteps && fuel < own,
            output: halted.then_some(sub.output),
            work: sub.work,
            segments: sub.segments,
            final_fields: run.final_fields.filter(|_| vouched),
        })
    }

    /// The VM run of `prog` on `input` (recorded once, then cached).
    pub(super) async fn run(
        &self,
        program_id: B256,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
    ) -> Result<Arc<Run>> {
        let key = (program_id, keccak256(input));
        if let Some(r) = self.runs.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(r);
        }
        let (program, input, interval) = (Arc::clone(&prog.program), input.to_vec(), self.interval);
        let name = prog.name.clone();
        let _core = self.cpu.acquire().await;
        // Another item may have recorded it while this one waited for a core.
        if let Some(r) = self.runs.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(r);
        }
        // The run's length is unknown until it stops (2^D only bounds it).
        let mut progress = self.progress.start(&format!("VM replay of {name}"), None);
        let run = tokio::task::spawn_blocking(move || {
            let t0 = std::time::Instant::now();
            let max = 1u64.checked_shl(u32::from(depth)).unwrap_or(u64::MAX);
            let cps = Checkpoints::record_with_progress(&program, &input, interval, max, |n| {
                progress(n)
            });
            drop(progress);
            let trace = VmTrace::from_checkpoints(cps);
            let m = trace.final_machine();
            let halt = trace.steps();
            let halted = trace.halted();
            let mut m = m;
            let final_fields = m.state_fields();
            let final_hash = B256::from(trace.state_hash_at(max));
            tracing::info!(program = %name, steps = halt, halted, secs = t0.elapsed().as_secs_f64(), "VM replay recorded");
            Ok::<_, Error>(Run { output: m.output().to_vec(), trace: Arc::new(trace), halt, halted, final_fields, final_hash })
        })
        .await??;
        let run = Arc::new(run);
        self.vm_steps
            .runs
            .fetch_add(run.halt, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut m) = self.runs.lock() {
            m.insert(key, Arc::clone(&run));
        }
        Ok(run)
    }
}
