//! A program's whole run on the fast path, segment by segment (`docs/machine.md` §9): `main`
//! once, or `segment` until it returns zero, with the boundary hashes asked for.

use crate::fast::boundary_machine;
use crate::fast::{BoundaryHasher, FastEngine, FastModule, Instantiated};
use crate::{Engine, Error, Limits, Result, RunOptions, RunStatus, Submission};
use opml_vm::{B256, Entry, Machine, Program, StateFields, Status, Value};
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
    /// The final halted boundary's state fields (`.hash()` is `submission.state_hash`), when
    /// the program halted and hashes were asked for: what a submitter posts as the result's
    /// final state.
    pub final_fields: Option<StateFields>,
    /// An upper bound on the VM steps of the longest segment run
    /// ([`FastProgram::segment_steps_bound`] of its fuel and bulk bytes; the first segment's
    /// includes instantiation).
    pub max_segment_steps: u64,
    /// The first segment (counted from 1: the one ending at boundary `B_i`) whose bound reached
    /// `2^D2` VM steps: the VM may trap it `SegmentTooLong` where the fast path saw it end, so
    /// its end and every boundary after it are the VM's to decide. `None`: every segment was
    /// below the bound, and the boundaries are the VM's.
    pub near_bound: Option<u64>,
}

/// Steps of the bootstrap around a `segment` call (`Call`, `JumpIfNot`, `Yield` or `Halt`,
/// the start function's `Call`), with room to spare.
const BOOTSTRAP_STEPS: u64 = 8;

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

    /// `wasm` for the fast path with `program`, the VM's load of these same bytes with
    /// `Entry::Main` (a role holds it already): shares it, and its cached roots, instead of
    /// loading `wasm` again. Its limits are `program`'s.
    pub fn with_program(engine: &FastEngine, wasm: &[u8], program: Arc<Program>) -> Result<Self> {
        Ok(Self {
            limits: *program.limits(),
            module: engine.compile_unchecked(wasm)?,
            program,
        })
    }

    /// Whether the compiled code came from the engine's compiled-module cache.
    pub fn from_cache(&self) -> bool {
        self.module.from_cache()
    }

    /// The program as the VM loaded it.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// VM steps one unit of fuel may stand for in this program, at most (`docs/machine.md` §9,
    /// "Fuel and the segment bound"): a wasm operator costs one unit (or none: `drop`, `else`,
    /// `end`, `return`) where the VM takes a few lowered steps, more for a branch or a return
    /// that keeps values above dropped ones (two steps per kept value), so the bound grows
    /// with the widest function type. `None` when the module could not be instrumented.
    pub fn steps_per_fuel(&self) -> Option<u64> {
        Some(8 + 4 * self.module.max_arity()?)
    }

    /// An upper bound on the VM steps of a segment that used `fuel` and whose bulk memory
    /// operations (`memory.fill`, `memory.copy`, `memory.init`) were asked to move
    /// `bulk_bytes` bytes: the VM moves at most one leaf of source and of destination per step
    /// where wasmtime charges one unit of fuel for the whole operation. `u64::MAX` when the
    /// module could not be instrumented (the VM must decide).
    pub fn segment_steps_bound(&self, fuel: u64, bulk_bytes: u64) -> u64 {
        let Some(per_fuel) = self.steps_per_fuel() else {
            return u64::MAX;
        };
        fuel.saturating_mul(per_fuel)
            .saturating_add(bulk_bytes / 16)
            .saturating_add(BOOTSTRAP_STEPS)
    }

    /// The export the bootstrap calls: `segment`, else `main` (or `_start`).
    fn entry(&self) -> &'static str {
        match self.program.segment_pc() {
            Some(_) => "segment",
            None if self.program.export("main").is_some() => "main",
            None => "_start",
        }
    }

    /// The VM machine standing at boundary `B_j` of the run on `input` (`docs/machine.md` §9),
    /// built from the fast path: phase 2 of a dispute replays segment `j` from `resume(B_j)`
    /// without replaying segments `0..j` in the VM.
    ///
    /// - `j = 0`: `Machine::new` (`S_0`, running, or trapped by instantiation).
    /// - A boundary the fast path reaches, yielded or halted, is built from the instance's
    ///   memory, mutable globals, dropped data segments and output (`Machine::at_boundary`):
    ///   its `state_hash()` is the VM's `B_j`, and after `resume()` it steps as the VM would.
    ///   Past the last boundary (the program halted at `B_n`, `n < j`) it is the halted `B_n`,
    ///   as every later boundary is.
    /// - Where the fast path cannot tell how a segment ends — it traps, runs out of fuel, or its
    ///   VM steps may reach `2^D2` ([`FastProgram::segment_steps_bound`]) — that segment is replayed in
    ///   the VM from the boundary before it (built as above), and the VM's end of it stands:
    ///   a trapped `B_j` (then every later boundary) is the VM's trapped state. Only then does
    ///   the VM run, one segment at a time (`2^D2` steps at most each); a run that continues past
    ///   such a segment continues on the fast path when the VM's boundary equals the fast
    ///   path's, else on the VM to `B_j`.
    ///
    /// `max_steps` bounds the fast path's fuel (instantiation included), as in
    /// [`FastProgram::run`]. The machine's [`Machine::steps`] counts only the steps it took
    /// itself: it is not part of the state. Errors: an engine failure, or a module that could
    /// not be instrumented (no boundaries).
    pub fn machine_at_boundary(&self, input: &[u8], j: u64, max_steps: u64) -> Result<Machine> {
        let program = &self.program;
        if j == 0 {
            return Ok(Machine::new(program, input));
        }
        let mut instance = match self.module.instantiate(input, self.limits, max_steps)? {
            Instantiated::Ready(i) => i,
            Instantiated::Trapped { .. } => {
                return Ok(self.vm_segments(Machine::new(program, input), 0, j));
            }
        };
        let entry = self.entry();
        let depth = program.segment_depth();
        let limit = 1u64 << depth.min(63);
        let mut left = instance.fuel_left();
        let mut segment_fuel = max_steps - left;
        let mut bulk = 0;
        // The boundary the instance stands at: `B_i`.
        let mut i = 0;
        loop {
            let call = instance.invoke(entry, &[], left)?;
            left -= call.fuel;
            segment_fuel += call.fuel;
            let bulk_now = instance.bulk_bytes()?;
            let near =
                self.segment_steps_bound(segment_fuel, bulk_now.saturating_sub(bulk)) >= limit;
            (segment_fuel, bulk) = (0, bulk_now);
            let ended = call.status == RunStatus::Halted;
            let yielded = ended && entry == "segment" && call.results != [Value::I32(0)];
            let status = if yielded {
                Status::Yielded
            } else {
                Status::Halted
            };
            if !ended || near {
                // The VM decides how segment i + 1 ends, from `B_i` (whose segments were all
                // far below the bound: this recursion goes one level deep).
                let mut m = self.machine_at_boundary(input, i, max_steps)?;
                m.resume();
                m.run(1u64 << depth.min(63));
                i += 1;
                let agrees = ended && {
                    let mut fast = boundary_machine(&mut instance, program, input, status)?;
                    fast.state_hash() == m.state_hash()
                };
                if !(agrees && yielded && i < j && left > 0) {
                    return Ok(self.vm_segments(m, i, j));
                }
                continue;
            }
            i += 1;
            if !yielded || i == j {
                return boundary_machine(&mut instance, program, input, status);
            }
            if left == 0 {
                // Out of fuel at a boundary: the VM goes on from there.
                let m = boundary_machine(&mut instance, program, input, status)?;
                return Ok(self.vm_segments(m, i, j));
            }
        }
    }

    /// `m` standing at `B_i`, stepped on the VM segment by segment to `B_j` (a halted or
    /// trapped boundary is every later one).
    fn vm_segments(&self, mut m: Machine, mut i: u64, j: u64) -> Machine {
        let steps = 1u64 << self.program.segment_depth().min(63);
        while i < j && matches!(m.status(), Status::Running | Status::Yielded) {
            m.resume();
            m.run(steps);
            i += 1;
        }
        m
    }

    /// Runs the program on `input` with at most `max_steps` fuel.
    pub fn run(&self, input: &[u8], max_steps: u64, boundaries: Boundaries) -> Result<FastRun> {
        self.run_hashing_final_if(input, max_steps, boundaries, |_| true)
    }

    /// As [`FastProgram::run`], but a halted run's final boundary is hashed only if
    /// `wanted(work)` says so, asked once the program halted with `work` fuel used (a price
    /// policy that declines a request needs no final state: hashing it reads the whole
    /// memory). Boundaries before the final one are hashed as `boundaries` asks.
    pub fn run_hashing_final_if(
        &self,
        input: &[u8],
        max_steps: u64,
        boundaries: Boundaries,
        wanted: impl FnOnce(u64) -> bool,
    ) -> Result<FastRun> {
        let mut wanted = Some(wanted);
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
            final_fields: None,
            max_segment_steps: 0,
            near_bound: None,
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
                run.max_segment_steps = self.segment_steps_bound(fuel, 0);
                return Ok(run);
            }
        };
        let entry = self.entry();
        let limit = 1u64 << program.segment_depth().min(63);
        let mut hasher = (boundaries != Boundaries::None)
            .then(|| BoundaryHasher::new(Arc::clone(program), input));
        // Fuel used by instantiation is part of the bound, as the bootstrap's steps are.
        let mut left = instance.fuel_left();
        let sub = &mut run.submission;
        sub.work = max_steps - left;
        // The first segment runs the start function and instantiation too.
        let mut segment_fuel = sub.work;
        let mut bulk = 0;
        loop {
            let call = instance.invoke(entry, &[], left)?;
            sub.work += call.fuel;
            left -= call.fuel;
            segment_fuel += call.fuel;
            let bulk_now = instance.bulk_bytes()?;
            let bound = self.segment_steps_bound(segment_fuel, bulk_now.saturating_sub(bulk));
            run.max_segment_steps = run.max_segment_steps.max(bound);
            if run.near_bound.is_none() && bound >= limit {
                run.near_bound = Some(sub.segments);
            }
            (segment_fuel, bulk) = (0, bulk_now);
            sub.status = call.status;
            if call.status != RunStatus::Halted {
                break;
            }
            let yielded = entry == "segment" && call.results != [Value::I32(0)];
            let hash_now = match boundaries {
                Boundaries::None => false,
                Boundaries::Final => !yielded,
                Boundaries::Every => true,
            } && (yielded || wanted.take().is_some_and(|w| w(sub.work)));
            if let (Some(h), true) = (hasher.as_mut(), hash_now) {
                let t = Instant::now();
                let status = if yielded {
                    Status::Yielded
                } else {
                    Status::Halted
                };
                let fields = h.fields(&mut instance, status)?;
                let hash = fields.hash();
                run.boundaries.push(hash);
                run.hashing += t.elapsed();
                if !yielded {
                    sub.state_hash = Some(hash);
                    run.final_fields = Some(fields);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Three segments, then a halt that writes one byte of output.
    const THREE: &str = r#"(module
        (import "opml" "output_write" (func $out (param i32 i32)))
        (memory 1) (global $n (mut i32) (i32.const 0))
        (func (export "segment") (result i32)
            global.get $n i32.const 1 i32.add global.set $n
            global.get $n i32.const 3 i32.eq if i32.const 0 i32.const 1 call $out end
            global.get $n i32.const 3 i32.lt_u))"#;

    #[test]
    fn the_final_boundary_is_hashed_only_when_wanted_and_a_shared_load_runs_alike() {
        let wasm = wat::parse_str(THREE).unwrap();
        let engine = FastEngine::new().unwrap();
        let program = Arc::new(Program::load(&wasm, Limits::default()).unwrap());
        let fp = FastProgram::with_program(&engine, &wasm, Arc::clone(&program)).unwrap();
        assert!(
            Arc::ptr_eq(fp.program(), &program),
            "the caller's load, shared"
        );
        let fuel = 1 << 20;
        let plain = fp.run(&[], fuel, Boundaries::Final).unwrap();
        assert_eq!(plain.submission.segments, 3);
        assert!(plain.final_fields.is_some() && plain.submission.state_hash.is_some());

        let mut asked = None;
        let declined = fp
            .run_hashing_final_if(&[], fuel, Boundaries::Final, |work| {
                asked = Some(work);
                false
            })
            .unwrap();
        assert_eq!(
            asked,
            Some(plain.submission.work),
            "asked with the run's work"
        );
        assert!(declined.final_fields.is_none());
        assert_eq!(declined.submission.state_hash, None);
        assert!(declined.boundaries.is_empty());
        assert_eq!(declined.submission.output, plain.submission.output);

        // Every boundary but the final one still hashed; the same as a fresh load's.
        let every = FastProgram::new(&engine, &wasm, Limits::default())
            .unwrap()
            .run(&[], fuel, Boundaries::Every)
            .unwrap();
        assert_eq!(every.boundaries.len(), 4, "B_0, two yields, the halt");
        assert_eq!(
            every.boundaries.last(),
            plain.submission.state_hash.as_ref()
        );
        let no_final = fp
            .run_hashing_final_if(&[], fuel, Boundaries::Every, |_| false)
            .unwrap();
        assert_eq!(no_final.boundaries[..], every.boundaries[..3]);
    }
}
