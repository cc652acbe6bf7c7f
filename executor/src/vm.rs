//! VM replay: the same runs on the provable machine, with step counts and state hashes.

use crate::{Engine, Entry, Error, Limits, Result, RunOptions, RunStatus, Submission};
use opml_vm::{Machine, Program, Status, Value};
use std::sync::Arc;

/// Steps between progress reports.
const PROGRESS_CHUNK: u64 = 1 << 22;

/// Runs `wasm` on the VM. `progress`, if given, is called with the step count now and then.
pub fn run(
    wasm: &[u8],
    input: &[u8],
    entry: &Entry,
    opts: &RunOptions,
    progress: Option<&mut dyn FnMut(u64)>,
) -> Result<Submission> {
    check_input(input)?;
    let program =
        Program::load_with_entry(wasm, opts.limits, entry.clone()).map_err(|e| match e {
            opml_vm::LoadError::Entry { reason } => Error::Entry(reason),
            e => Error::Load(e),
        })?;
    let program = Arc::new(program);
    let mut m = Machine::new(&program, input);
    let segments = run_machine(&mut m, opts.max_steps, progress);
    Ok(Submission {
        segments,
        ..submission(&mut m)
    })
}

/// Runs `m` for at most `max_steps` more steps, reporting progress in chunks. A segmented program
/// yields between segments: it is resumed and runs on (`docs/machine.md` §9). Returns the
/// segments run (1 + the resumes).
fn run_machine(m: &mut Machine, max_steps: u64, mut progress: Option<&mut dyn FnMut(u64)>) -> u64 {
    let mut left = max_steps;
    let mut segments = 1;
    while left > 0 {
        if m.status() != Status::Running {
            if !m.resume() {
                break;
            }
            segments += 1;
        }
        left -= m.run(left.min(PROGRESS_CHUNK));
        if let Some(p) = progress.as_mut() {
            p(m.steps());
        }
    }
    segments
}

fn status(m: &Machine) -> RunStatus {
    match m.status() {
        Status::Halted => RunStatus::Halted,
        // A trapped machine always has a code; `Unreachable` keeps this total.
        Status::Trapped => {
            RunStatus::Trapped(m.trap_code().unwrap_or(opml_vm::TrapCode::Unreachable))
        }
        // Yielded: out of steps right at a boundary.
        Status::Running | Status::Yielded => RunStatus::OutOfSteps,
    }
}

fn submission(m: &mut Machine) -> Submission {
    let status = status(m);
    Submission {
        engine: Engine::Vm,
        status,
        output: m.output().to_vec(),
        results: if status == RunStatus::Halted {
            m.results()
        } else {
            Vec::new()
        },
        work: m.steps(),
        segments: 1,
        state_hash: Some(m.state_hash()),
        memory: Some(m.memory().to_vec()),
    }
}

fn check_input(input: &[u8]) -> Result<()> {
    if u32::try_from(input.len()).is_err() {
        return Err(Error::Args("input longer than 2^32 - 1 bytes".into()));
    }
    Ok(())
}

/// The same entry checks as the fast path, with the same error kinds.
fn check_args(program: &Program, export: &str, args: &[Value]) -> Result<()> {
    let f = program
        .export(export)
        .ok_or_else(|| Error::Entry(format!("no exported function `{export}`")))?;
    let got: Vec<_> = args.iter().map(|a| a.ty()).collect();
    if got != f.params {
        return Err(Error::Args(format!(
            "`{export}` takes {:?}, given {got:?}",
            f.params
        )));
    }
    Ok(())
}

/// A VM instance kept across calls (the spec runner's model): instantiated once, then exports
/// called with `Machine::invoke_export`.
#[derive(Debug)]
pub struct VmInstance {
    machine: Machine,
}

/// The outcome of instantiating on the VM.
#[derive(Debug)]
pub enum VmInstantiated {
    /// Ready for calls.
    Ready(Box<VmInstance>),
    /// The start function or an active segment trapped (or the step bound was hit).
    Trapped {
        /// How it ended.
        status: RunStatus,
        /// Steps taken.
        steps: u64,
    },
}

/// The result of one call on a [`VmInstance`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmInvocation {
    /// How the call ended.
    pub status: RunStatus,
    /// Its results (empty unless halted).
    pub results: Vec<Value>,
    /// Steps the call took.
    pub steps: u64,
}

impl VmInstance {
    /// Loads `wasm` with [`Entry::Instantiate`] and runs the start function.
    pub fn instantiate(
        wasm: &[u8],
        input: &[u8],
        limits: Limits,
        max_steps: u64,
    ) -> Result<VmInstantiated> {
        let program = Arc::new(Program::load_with_entry(wasm, limits, Entry::Instantiate)?);
        Self::instantiate_program(&program, input, max_steps)
    }

    /// Instantiates an already loaded program (loaded with [`Entry::Instantiate`]), so one
    /// load serves many fresh instances.
    pub fn instantiate_program(
        program: &Arc<Program>,
        input: &[u8],
        max_steps: u64,
    ) -> Result<VmInstantiated> {
        check_input(input)?;
        let mut machine = Machine::new(program, input);
        run_machine(&mut machine, max_steps, None);
        Ok(match status(&machine) {
            RunStatus::Halted => VmInstantiated::Ready(Box::new(VmInstance { machine })),
            status => VmInstantiated::Trapped {
                status,
                steps: machine.steps(),
            },
        })
    }

    /// Calls the export `name` with `args` and at most `max_steps` steps.
    pub fn invoke(&mut self, name: &str, args: &[Value], max_steps: u64) -> Result<VmInvocation> {
        check_args(self.machine.program(), name, args)?;
        self.machine
            .invoke_export(name, args)
            .map_err(|e| Error::Args(e.to_string()))?;
        let before = self.machine.steps();
        run_machine(&mut self.machine, max_steps, None);
        let status = status(&self.machine);
        let results = if status == RunStatus::Halted {
            self.machine.results()
        } else {
            Vec::new()
        };
        Ok(VmInvocation {
            status,
            results,
            steps: self.machine.steps() - before,
        })
    }

    /// Whether the program exports a function `name` of type `[] -> []`.
    pub fn has_nullary_func(&self, name: &str) -> bool {
        self.machine
            .program()
            .export(name)
            .is_some_and(|f| f.params.is_empty() && f.results.is_empty())
    }

    /// The bytes written through `opml.output_write` so far.
    pub fn output(&self) -> &[u8] {
        self.machine.output()
    }

    /// Linear memory now.
    pub fn memory(&self) -> &[u8] {
        self.machine.memory()
    }

    /// The state hash now.
    pub fn state_hash(&mut self) -> opml_vm::B256 {
        self.machine.state_hash()
    }
}
