//! The reference step verifier: decodes `state ‖ instr ‖ code_path ‖ stack_reveal`, then
//! hands the rest of the proof to the group of the opcode (files mirror the Solidity split).

mod bulk;
mod control;
mod memory;
pub(crate) use memory::access_width;
mod numeric;

use super::{ProofError, Result};
use crate::B256;
use crate::isa::{Instr, Opcode};
use crate::machine::hash::{
    BYTES_DEPTH, SMALL_DEPTH, bytes_leaf, instr_leaf_bytes, stack_push, value_leaf,
};
use crate::machine::merkle::root_from_path;
use crate::machine::state::{Reader, StateFields};
use crate::{Status, TrapCode};

/// Verifies one step: the post-state hash that `proof` proves from `pre`. A halted or trapped
/// `pre` steps to itself whatever the proof.
pub fn verify_step(pre: B256, proof: &[u8]) -> Result<B256> {
    if pre[0] != Status::Running as u8 {
        return Ok(pre);
    }
    let mut r = Reader(proof);
    let state = StateFields::read(&mut r).ok_or(ProofError::Truncated("state"))?;
    if state.hash() != pre {
        return Err(ProofError::StateMismatch);
    }
    let enc: [u8; Instr::ENCODED_LEN] = r
        .take(Instr::ENCODED_LEN)
        .ok_or(ProofError::Truncated("instr"))?
        .try_into()
        .unwrap_or([0; 10]);
    let opnum = u16::from_be_bytes([enc[0], enc[1]]);
    let instr = Instr::decode(&enc).ok_or(ProofError::UnknownOpcode(opnum))?;
    let depth = state.code_depth as usize;
    if depth > 32 || (state.pc as u64) >> depth != 0 {
        return Err(ProofError::Unprovable("pc past the code tree"));
    }
    let path = r.hashes(depth).ok_or(ProofError::Truncated("code path"))?;
    if root_from_path(instr_leaf_bytes(&enc), state.pc as u64, &path) != state.code_root {
        return Err(ProofError::BadWitness("instruction"));
    }
    let n = instr.op.pops() as usize;
    let mut popped = Vec::with_capacity(n);
    for _ in 0..n {
        popped.push(r.u64().ok_or(ProofError::Truncated("stack values"))?);
    }
    let mut post = state;
    if n > 0 {
        let below = r.b256().ok_or(ProofError::Truncated("stack below"))?;
        let h = popped.iter().rev().fold(below, |h, &v| stack_push(&h, v));
        if h != state.value_stack {
            return Err(ProofError::BadWitness("value stack"));
        }
        post.value_stack = below;
    }
    let mut cx = Ctx {
        pre: state,
        s: post,
        r,
        op: instr.op,
        imm: instr.imm,
        popped,
    };
    let flow = match instr.op as u16 {
        0x00..=0x1f => cx.control()?,
        0x20..=0x3f => cx.memory()?,
        0x40..=0x4f => cx.bulk()?,
        _ => cx.numeric()?,
    };
    if !cx.r.0.is_empty() {
        return Err(ProofError::Trailing(cx.r.0.len()));
    }
    let mut s = cx.s;
    match flow {
        Flow::Next => s.pc = s.pc.wrapping_add(1),
        Flow::Stay => {}
        Flow::Trap(code) => {
            s = cx.pre;
            s.status = Status::Trapped as u8;
            s.trap_code = code;
        }
    }
    Ok(s.hash())
}

/// What happens to `pc` after a group executed.
pub(super) enum Flow {
    /// `pc + 1`.
    Next,
    /// `pc` already set (jumps, calls, bulk steps, halt).
    Stay,
    /// The step traps with this code: the post-state is the pre-state with the trap status.
    Trap(u8),
}

impl Flow {
    fn trap(c: TrapCode) -> Self {
        Flow::Trap(c as u8)
    }
}

/// The step being verified.
pub(super) struct Ctx<'a> {
    /// The pre-state (for traps).
    pre: StateFields,
    /// The post-state being built; its value stack starts below the popped values.
    s: StateFields,
    r: Reader<'a>,
    op: Opcode,
    imm: u64,
    /// Popped values, top first.
    popped: Vec<u64>,
}

impl Ctx<'_> {
    /// Popped value `k` (0 = the former top).
    fn arg(&self, k: usize) -> u64 {
        self.popped[k]
    }

    fn push(&mut self, v: u64) {
        self.s.value_stack = stack_push(&self.s.value_stack, v);
    }

    fn mem_size(&self) -> u64 {
        self.s.memory_pages as u64 * 65536
    }

    fn u64(&mut self, what: &'static str) -> Result<u64> {
        self.r.u64().ok_or(ProofError::Truncated(what))
    }

    fn b256(&mut self, what: &'static str) -> Result<B256> {
        self.r.b256().ok_or(ProofError::Truncated(what))
    }

    fn path(&mut self, depth: u32, what: &'static str) -> Result<Vec<B256>> {
        self.r
            .hashes(depth as usize)
            .ok_or(ProofError::Truncated(what))
    }

    /// A value leaf `i` of a depth-16 tree checked against `root`: `(value, siblings)`.
    fn value_leaf(&mut self, i: u64, root: &B256, what: &'static str) -> Result<(u64, Vec<B256>)> {
        if i >> SMALL_DEPTH != 0 {
            return Err(ProofError::Unprovable("index past a depth-16 tree"));
        }
        let v = self.u64(what)?;
        let path = self.path(SMALL_DEPTH, what)?;
        if root_from_path(value_leaf(v), i, &path) != *root {
            return Err(ProofError::BadWitness(what));
        }
        Ok((v, path))
    }

    /// A 32-byte leaf `i` of a depth-27 tree checked against `root`: `(bytes, siblings)`.
    fn bytes_leaf(
        &mut self,
        i: u64,
        root: &B256,
        what: &'static str,
    ) -> Result<([u8; 32], Vec<B256>)> {
        let leaf = self.b256(what)?;
        let path = self.path(BYTES_DEPTH, what)?;
        if i >> BYTES_DEPTH != 0 || root_from_path(bytes_leaf(&leaf), i, &path) != *root {
            return Err(ProofError::BadWitness(what));
        }
        Ok((leaf, path))
    }

    /// Memory leaf `i` against the current memory root.
    fn mem_leaf(&mut self, i: u64) -> Result<([u8; 32], Vec<B256>)> {
        let root = self.s.memory_root;
        self.bytes_leaf(i, &root, "memory leaf")
    }

    /// Writes memory leaf `i` (whose siblings are `path`) with `bytes`.
    fn set_mem_leaf(&mut self, i: u64, bytes: &[u8; 32], path: &[B256]) {
        self.s.memory_root = root_from_path(bytes_leaf(bytes), i, path);
    }
}
