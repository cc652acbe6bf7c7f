//! The machine: state, step, hashing (`docs/machine.md` §3–§5, §7–§8).
//!
//! The step loop touches only plain vectors (`Vec<u64>` stacks, a locals arena, a byte memory with
//! dirty bits); every hash is computed lazily by [`Machine::state_hash`], reusing what did not
//! change since the last call.

mod boundary;
pub(crate) mod bulk;
mod cache;
mod checkpoint;
pub(crate) mod control;
mod derived;
mod error;
mod exec;
mod fast;
pub(crate) mod float;
pub(crate) mod hash;
mod invoke;
pub(crate) mod memory;
mod memtree;
pub(crate) mod merkle;
pub(crate) mod numeric;
pub(crate) mod state;
pub(crate) mod statics;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
pub(crate) mod testutil;

use std::sync::Arc;

pub use boundary::BoundaryParts;
pub use checkpoint::{Checkpoints, SNAPSHOT_BUDGET};
pub use error::MachineError;
pub use hash::empty_locals;
pub use state::{FieldSpec, StateFields};

pub(crate) use derived::Derived;

use cache::HashCache;
use memory::{Memory, PAGE_BYTES};
use statics::Statics;

use crate::{B256, Program, Status, TrapCode, ValType, Value};

/// A saved caller frame: where to return and where its locals live in the arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    pub(crate) return_pc: u32,
    pub(crate) base: u32,
    pub(crate) n_locals: u32,
}

/// What differs between the states a machine can start from: the initial state (§4) and a
/// canonical boundary (§9). Everything else starts empty or zero.
struct Standing {
    status: Status,
    pc: u32,
    globals: Vec<u64>,
    mem: Memory,
    pages: u32,
    /// Current length of each data segment (0 once dropped).
    seg_len: Vec<u64>,
    output: Vec<u8>,
}

/// A running program: one deterministic step at a time, hashable at any step.
#[derive(Debug, Clone)]
pub struct Machine {
    pub(crate) prog: Arc<Program>,
    /// Trees of data that never changes (code, table, segments, input), shared by clones.
    pub(crate) statics: Arc<Statics>,
    pub(crate) status: Status,
    pub(crate) trap_code: u8,
    pub(crate) pc: u32,
    pub(crate) steps: u64,
    pub(crate) stack: Vec<u64>,
    pub(crate) aux: Vec<u64>,
    /// All frames' locals, the current frame's last.
    pub(crate) locals: Vec<u64>,
    pub(crate) locals_base: usize,
    pub(crate) n_locals: u32,
    pub(crate) frames: Vec<Frame>,
    pub(crate) globals: Vec<u64>,
    pub(crate) mem: Memory,
    pub(crate) pages: u32,
    /// Current length of each data segment (0 once dropped).
    pub(crate) seg_len: Vec<u64>,
    pub(crate) output: Vec<u8>,
    pub(crate) bulk_dst: u64,
    pub(crate) bulk_src: u64,
    pub(crate) bulk_len: u64,
    /// Steps taken in the current segment (§4: the segment counter).
    pub(crate) segment_steps: u64,
    /// Types of the values left on the stack at halt (the entry's or the invoked export's).
    pub(crate) result_types: Vec<ValType>,
    pub(crate) hc: HashCache,
}

impl Machine {
    /// The initial state of `program` on `input` (§4): running at `pc = 0`, or trapped when
    /// instantiation trapped. An input longer than `u32::MAX` bytes is cut there.
    pub fn new(program: &Arc<Program>, input: &[u8]) -> Machine {
        let p = program;
        let mem = Memory::with_leaves(
            &p.memory,
            p.memory_pages as usize * PAGE_BYTES,
            p.derived.mem_leaves(&p.memory),
        );
        let seg_len = p.segments.iter().map(|s| s.len() as u64).collect();
        let mut m = Machine::standing(
            p,
            input,
            Standing {
                status: Status::Running,
                pc: 0,
                globals: p.globals.clone(),
                mem,
                pages: p.memory_pages,
                seg_len,
                output: Vec::new(),
            },
        );
        if let Some(t) = p.init_trap {
            m.status = Status::Trapped;
            m.trap_code = t as u8;
        }
        m
    }

    /// A machine of `program` on `input` between two instructions of no frame: empty stacks and
    /// locals, bulk registers and counters zero, empty hash caches; the rest from `at`. Both
    /// ways to start a machine go through here ([`Machine::new`], [`Machine::at_boundary`]).
    /// The input is cut at `u32::MAX` bytes.
    fn standing(program: &Arc<Program>, input: &[u8], at: Standing) -> Machine {
        let input = &input[..input.len().min(u32::MAX as usize)];
        Machine {
            prog: Arc::clone(program),
            statics: Arc::new(Statics::new(input)),
            status: at.status,
            trap_code: 0,
            pc: at.pc,
            steps: 0,
            stack: Vec::with_capacity(256),
            aux: Vec::new(),
            locals: Vec::with_capacity(256),
            locals_base: 0,
            n_locals: 0,
            frames: Vec::new(),
            globals: at.globals,
            mem: at.mem,
            pages: at.pages,
            seg_len: at.seg_len,
            output: at.output,
            bulk_dst: 0,
            bulk_src: 0,
            bulk_len: 0,
            segment_steps: 0,
            result_types: program.results.clone(),
            hc: HashCache::default(),
        }
    }

    /// The program this machine runs.
    pub fn program(&self) -> &Arc<Program> {
        &self.prog
    }

    /// Running, halted, trapped or yielded.
    pub fn status(&self) -> Status {
        self.status
    }

    /// `resume` of `docs/machine.md` §9: a yielded machine runs on (from `pc`, the bootstrap's
    /// `Call segment`); any other status is left as it is. Returns whether it resumed. Not a
    /// step: phase 2 of a dispute starts from the resumed boundary.
    pub fn resume(&mut self) -> bool {
        if self.status != Status::Yielded {
            return false;
        }
        self.status = Status::Running;
        self.hc.state = None;
        true
    }

    /// Steps taken in the current segment (`segment_steps`).
    pub fn segment_steps(&self) -> u64 {
        self.segment_steps
    }

    /// Why the machine trapped, if it did.
    pub fn trap_code(&self) -> Option<TrapCode> {
        if self.status == Status::Trapped {
            TrapCode::from_u8(self.trap_code)
        } else {
            None
        }
    }

    /// Steps taken since the start, identity steps of a stopped machine included.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The next instruction's index.
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// Every byte the guest wrote through `opml.output_write`.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// The linear memory.
    pub fn memory(&self) -> &[u8] {
        self.mem.bytes()
    }

    /// The mutable globals' values, in lowered order (the globals tree's leaves).
    pub fn globals(&self) -> &[u64] {
        &self.globals
    }

    /// The input the machine was started with.
    pub fn input(&self) -> &[u8] {
        self.statics.input()
    }

    /// The value stack, bottom first, in the machine's `u64` representation.
    pub fn stack(&self) -> &[u64] {
        &self.stack
    }

    /// The values on the stack typed by the result types (`program.result_types()`, or the
    /// invoked export's): the results once halted. Missing values read as zero.
    pub fn results(&self) -> Vec<Value> {
        let n = self.result_types.len();
        let start = self.stack.len().saturating_sub(n);
        let vals = &self.stack[start..];
        let pad = n - vals.len();
        self.result_types
            .iter()
            .enumerate()
            .map(|(i, &ty)| {
                let bits = if i < pad { 0 } else { vals[i - pad] };
                Value::from_bits(ty, bits)
            })
            .collect()
    }

    /// Sets the trapped status; a trapping step changes nothing else.
    #[cold]
    pub(crate) fn trap(&mut self, code: TrapCode) {
        self.status = Status::Trapped;
        self.trap_code = code as u8;
    }
}

/// The program identity (§7): the hash of its input-independent initial state fields.
pub fn program_hash(program: &Program) -> B256 {
    Machine::new(&Arc::new(program.clone()), &[])
        .state_fields()
        .program_hash()
}

/// The state hash `S_0` of `program` started on `input`.
pub fn initial_state_hash(program: &Program, input: &[u8]) -> B256 {
    Machine::new(&Arc::new(program.clone()), input).state_hash()
}

/// A memory holding `bytes` with no cached hashes (tests compare it with the lazy tree).
#[cfg(test)]
pub(crate) fn fresh_memory(bytes: &[u8]) -> Memory {
    Memory::new(bytes.to_vec())
}
