//! What a run produced, the same shape for both engines.

use opml_vm::{B256, TrapCode, Value};

/// Which engine runs a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// wasmtime with determinism settings: fast; state hashes only at boundaries (between
    /// segments and at the final halt). Its bound is fuel, an approximation of the VM's step
    /// count.
    #[default]
    Fast,
    /// The provable machine (`opml-vm`): slow, gives the step count and the state hash that
    /// disputes are about.
    Vm,
}

impl Engine {
    /// The engine's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Fast => "fast",
            Engine::Vm => "vm",
        }
    }
}

impl std::str::FromStr for Engine {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fast" | "wasmtime" => Ok(Engine::Fast),
            "vm" => Ok(Engine::Vm),
            _ => Err(format!("unknown engine `{s}` (expected `fast` or `vm`)")),
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// The entry function returned.
    Halted,
    /// A guest fault, with its consensus code.
    Trapped(TrapCode),
    /// The step (VM) or fuel (fast) bound was reached first: no verdict.
    OutOfSteps,
}

impl RunStatus {
    /// A one-word description (`halted`, `trapped`, `out-of-steps`).
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Halted => "halted",
            RunStatus::Trapped(_) => "trapped",
            RunStatus::OutOfSteps => "out-of-steps",
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunStatus::Trapped(code) => {
                write!(f, "trapped ({}: {})", *code as u8, code.spec_message())
            }
            other => f.write_str(other.name()),
        }
    }
}

/// The result of running a program on one engine: what a submitter would submit, plus the
/// engine-specific figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The engine that ran it.
    pub engine: Engine,
    /// How the run ended.
    pub status: RunStatus,
    /// The bytes the guest wrote through `opml.output_write`.
    pub output: Vec<u8>,
    /// The entry function's results (empty for `main`).
    pub results: Vec<Value>,
    /// Work done: VM steps, or wasmtime fuel (approximate; the VM's step count is the semantics).
    pub work: u64,
    /// Segments run: 1 for a program without segments, else the `segment` calls made
    /// (`docs/machine.md` §9).
    pub segments: u64,
    /// The final state hash: the VM's always; the fast path's when a program (`Entry::Main`)
    /// halted, its final state being a canonical boundary, and no segment may have been too
    /// long for the VM (`docs/machine.md` §9, "Fuel and the segment bound").
    pub state_hash: Option<B256>,
    /// Final linear memory: the VM's always, the fast path's when the module exports its memory.
    pub memory: Option<Vec<u8>>,
}
