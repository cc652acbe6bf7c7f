//! One entry point for both engines: run a program with an input, get a [`Submission`].

use crate::fast::{FastEngine, Instantiated};
use crate::segments::{Boundaries, run_program};
use crate::{Engine, Entry, Limits, Result, RunStatus, Submission};

/// Bounds of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Memory, table and call-depth bounds (the VM's; the fast path applies the same memory and
    /// table bounds).
    pub limits: Limits,
    /// Step bound (VM steps; fuel on the fast path, which approximates them).
    pub max_steps: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_steps: 1 << 32,
        }
    }
}

/// Runs `wasm` on `engine` with `input`, calling `entry` (`main` for an inference program).
pub fn run(
    engine: Engine,
    wasm: &[u8],
    input: &[u8],
    entry: &Entry,
    opts: &RunOptions,
) -> Result<Submission> {
    match engine {
        Engine::Fast => run_fast(&FastEngine::new()?, wasm, input, entry, opts),
        Engine::Vm => crate::vm::run(wasm, input, entry, opts, None),
    }
}

/// As [`run`] on the fast path, with an engine built once by the caller. A program run
/// (`Entry::Main`) goes segment by segment and gives the final state hash when it halts
/// ([`run_program`] with [`Boundaries::Final`]), unless a segment may be too long for the VM
/// ([`crate::FastRun::near_bound`]).
pub fn run_fast(
    engine: &FastEngine,
    wasm: &[u8],
    input: &[u8],
    entry: &Entry,
    opts: &RunOptions,
) -> Result<Submission> {
    if *entry == Entry::Main {
        let run = run_program(engine, wasm, input, opts, Boundaries::Final)?;
        let mut sub = run.submission;
        if run.near_bound.is_some() {
            // A segment may be too long for the VM: only the VM can tell the final state.
            sub.state_hash = None;
        }
        return Ok(sub);
    }
    let module = engine.compile(wasm, opts.limits)?;
    let mut sub = Submission {
        engine: Engine::Fast,
        status: RunStatus::Halted,
        output: Vec::new(),
        results: Vec::new(),
        work: 0,
        segments: 1,
        state_hash: None,
        memory: None,
    };
    let mut instance = match module.instantiate(input, opts.limits, opts.max_steps)? {
        Instantiated::Ready(i) => i,
        Instantiated::Trapped {
            status,
            fuel,
            output,
        } => {
            return Ok(Submission {
                status,
                work: fuel,
                output,
                ..sub
            });
        }
    };
    let (name, args) = match entry {
        Entry::Invoke { export, args } => (Some(export.as_str()), &args[..]),
        Entry::Instantiate | Entry::Main => (None, &[][..]),
    };
    // Fuel used by instantiation is part of the bound, as the bootstrap's steps are.
    let spent = opts.max_steps - instance.fuel_left();
    sub.work = spent;
    if let Some(name) = name {
        let call = instance.invoke(name, args, opts.max_steps - spent)?;
        sub.status = call.status;
        sub.results = call.results;
        sub.work += call.fuel;
    }
    sub.output = instance.output().to_vec();
    sub.memory = instance.memory();
    Ok(sub)
}

/// The fuel a fast-path run gets where the VM has `max_steps` steps: fuel only approximates VM
/// steps, so it gets slack (four times as much), and a run the VM completes within
/// `max_steps` is not cut short. Near the bound the VM decides.
pub fn fuel_for_steps(max_steps: u64) -> u64 {
    max_steps.saturating_mul(4)
}

impl FastEngine {
    /// The output of the inference program `wasm` (its `main`, or its segments) on `input`, or
    /// `None` when it does not halt (it traps, or runs out of about `max_steps` VM steps' worth
    /// of fuel).
    /// What the roles ask the fast path; near the bound, the VM replay decides.
    /// The memory bound is the one the program declares, as for every role and `opml run`.
    pub fn output(&self, wasm: &[u8], input: &[u8], max_steps: u64) -> Result<Option<Vec<u8>>> {
        let opts = RunOptions {
            max_steps: fuel_for_steps(max_steps),
            ..crate::DeclaredBounds::of(wasm)?.options(RunOptions::default())
        };
        let sub = run_program(self, wasm, input, &opts, Boundaries::None)?.submission;
        Ok((sub.status == RunStatus::Halted).then_some(sub.output))
    }
}
