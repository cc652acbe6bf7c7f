//! A program's whole run on the fast path, segment by segment (`docs/machine.md` §9): `main`
//! once, or `segment` until it returns zero, with the boundary hashes asked for.

use crate::fast::{BoundaryHasher, FastEngine, FastModule, Instantiated};
use crate::{Engine, Error, Limits, Result, RunOptions, RunStatus, Submission};
use opml_vm::{B256, Entry, Program, Status, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which boundary hashes a fast-path run computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Boundaries {
    /// None: the plain fast path.
    #[default]
    None,
    /// The final state's, when the program halts (`Submission::state_hash`).
    Final,
    /// Every boundary: `B_0 = S_0`, each yield, and the final halt.
    Every,
}

/// A program's run on the fast path.
#[derive(Debug, Clone)]
pub struct FastRun {
    /// What it produced; `state_hash` is the final boundary's when it halted and hashes were
    /// asked for.
    pub submission: Submission,
    /// With [`Boundaries::Every`], the boundary hashes `B_0 … B_n` (`B_0 = S_0`, then one per
    /// segment that ended by yielding or halting; a trapped or unfinished segment has none).
    /// With [`Boundaries::Final`], the final hash alone if the program halted.
    pub boundaries: Vec<B256>,
    /// Time spent computing boundary hashes (reading the state included), within the run.
    pub hashing: Duration,
}

/// Runs the program `wasm` (its `main`, or its `segment` export until it returns zero) on the
/// fast path with `input`, computing the boundary hashes `boundaries` asks for. To run one
/// program on many inputs, build a [`FastProgram`] once.
pub fn run_program(
    engine: &FastEngine,
    wasm: &[u8],
    input: &[u8],
    opts: &RunOptions,
    boundaries: Boundaries,
) -> Result<FastRun> {
    FastProgram::new(engine, wasm, opts.limits)?.run(input, opts.max_steps, boundaries)
}

/// A program loaded for the fast path: checked and lowered by the VM's loader (which gives the
/// code, segment `pc` and `Halt` a boundary stands at) and compiled by wasmtime.
#[derive(Debug, Clone)]
pub struct FastProgram {
    program: Arc<Program>,
    module: FastModule,
    limits: Limits,
}

impl FastProgram {
    /// Loads `wasm` with `limits`. The VM's own loader checks the profile and the entry, so
    /// both engines accept exactly the same programs.
    pub fn new(engine: &FastEngine, wasm: &[u8], limits: Limits) -> Result<Self> {
        let program = Program::load_with_entry(wasm, limits, Entry::Main).map_err(|e| match e {
            opml_vm::LoadError::Entry { reason } => Error::Entry(reason),
            e => Error::Load(e),
        })?;
        Ok(Self {
            program: Arc::new(program),
            module: engine.compile_unchecked(wasm)?,
            limits,
        })
    }

    /// The program as the VM loaded it.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// Runs the program on `input` with at most `max_steps` fuel.
    pub fn run(&self, input: &[u8], max_steps: u64, boundaries: Boundaries) -> Result<FastRun> {
        let program = &self.program;
        let mut run = FastRun {
            submission: Submission {
                engine: Engine::Fast,
                status: RunStatus::Halted,
                output: Vec::new(),
                results: Vec::new(),
                work: 0,
                segments: 1,
                state_hash: None,
                memory: None,
            },
            boundaries: Vec::new(),
            hashing: Duration::ZERO,
        };
        if boundaries == Boundaries::Every {
            let t = Instant::now();
            // The program's own `Arc`: its cached roots (code, table, segments) are reused.
            let s0 = opml_vm::Machine::new(program, input).state_hash();
            run.boundaries.push(s0);
            run.hashing += t.elapsed();
        }
        let mut instance = match self.module.instantiate(input, self.limits, max_steps)? {
            Instantiated::Ready(i) => i,
            Instantiated::Trapped {
                status,
                fuel,
                output,
            } => {
                run.submission.status = status;
                run.submission.work = fuel;
                run.submission.output = output;
                return Ok(run);
            }
        };
        let entry = match program.segment_pc() {
            Some(_) => "segment",
            None if program.export("main").is_some() => "main",
            None => "_start",
        };
        let mut hasher = (boundaries != Boundaries::None)
            .then(|| BoundaryHasher::new(Arc::clone(program), input));
        // Fuel used by instantiation is part of the bound, as the bootstrap's steps are.
        let mut left = instance.fuel_left();
        let sub = &mut run.submission;
        sub.work = max_steps - left;
        loop {
            let call = instance.invoke(entry, &[], left)?;
            sub.work += call.fuel;
            left -= call.fuel;
            sub.status = call.status;
            if call.status != RunStatus::Halted {
                break;
            }
            let yielded = entry == "segment" && call.results != [Value::I32(0)];
            let hash_now = match boundaries {
                Boundaries::None => false,
                Boundaries::Final => !yielded,
                Boundaries::Every => true,
            };
            if let (Some(h), true) = (hasher.as_mut(), hash_now) {
                let t = Instant::now();
                let status = if yielded {
                    Status::Yielded
                } else {
                    Status::Halted
                };
                let hash = h.hash(&mut instance, status)?;
                run.boundaries.push(hash);
                run.hashing += t.elapsed();
                if !yielded {
                    sub.state_hash = Some(hash);
                }
            }
            if !yielded {
                break;
            }
            if left == 0 {
                // Out of steps right at a boundary, as the VM is.
                sub.status = RunStatus::OutOfSteps;
                break;
            }
            sub.segments += 1;
        }
        sub.output = instance.output().to_vec();
        sub.memory = instance.memory();
        Ok(run)
    }
}
