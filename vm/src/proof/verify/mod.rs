//! The reference step verifier: decodes `state ‖ instr ‖ code_path ‖ stack_reveal`, then runs
//! the opcode's row of the table (`isa::for_each_op!`): `ctl` rows by their handler in the file
//! of their group (files mirror the Solidity split), the others by the machine's own pure
//! functions.

mod bulk;
mod control;
mod memory;

use super::{ProofError, Result};
use crate::B256;
use crate::isa::{Instr, Opcode, for_each_op};
use crate::machine::float::*;
use crate::machine::hash::{
    BYTES_DEPTH, SMALL_DEPTH, bytes_leaf, instr_leaf_bytes, stack_push, value_leaf,
};
use crate::machine::memory::{
    ld_i8_32, ld_i8_64, ld_i16_32, ld_i16_64, ld_i32_64, ld_u8, ld_u16, ld_u32, ld_u64, to_le,
};
use crate::machine::merkle::root_from_path;
use crate::machine::numeric::*;
use crate::machine::state::{Reader, StateFields};
use crate::{Status, TrapCode};

/// Verifies one step: the post-state hash that `proof` proves from `pre`. A halted, trapped or
/// yielded `pre` steps to itself whatever the proof.
pub fn verify_step(pre: B256, proof: &[u8]) -> Result<B256> {
    if pre[0] != Status::Running as u8 {
        return Ok(pre);
    }
    let mut r = Reader(proof);
    let state = StateFields::read(&mut r).ok_or(ProofError::Truncated("state"))?;
    if state.hash() != pre {
        return Err(ProofError::StateMismatch);
    }
    // Decided by the state alone: the proof ends here.
    let limit = (1u64 << state.segment_depth.min(63)) - 1;
    let pc_out = (state.pc as u64)
        .checked_shr(state.code_depth as u32)
        .unwrap_or(0)
        != 0;
    if state.segment_steps >= limit || pc_out {
        let code = if state.segment_steps >= limit {
            TrapCode::SegmentTooLong
        } else {
            TrapCode::Unreachable
        };
        return finish(r, &state, state, Flow::trap(code));
    }
    let enc: [u8; Instr::ENCODED_LEN] = r
        .take(Instr::ENCODED_LEN)
        .ok_or(ProofError::Truncated("instr"))?
        .try_into()
        .unwrap_or([0; 10]);
    let opnum = u16::from_be_bytes([enc[0], enc[1]]);
    let instr = Instr::decode(&enc).ok_or(ProofError::UnknownOpcode(opnum))?;
    let path = r
        .hashes(state.code_depth as usize)
        .ok_or(ProofError::Truncated("code path"))?;
    if root_from_path(instr_leaf_bytes(&enc), state.pc as u64, &path) != state.code_root {
        return Err(ProofError::BadWitness("instruction"));
    }
    let n = instr.op.pops() as usize;
    if state.stack_depth < n as u64 {
        return finish(r, &state, state, Flow::trap(TrapCode::StackUnderflow));
    }
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
        post.stack_depth -= n as u64;
    }
    let mut cx = Ctx {
        s: post,
        r,
        op: instr.op,
        imm: instr.imm,
        popped,
    };
    let flow = cx.dispatch()?;
    finish(cx.r, &state, cx.s, flow)
}

/// The post-state hash once the step is decided (the whole proof must have been read): `post`
/// with `pc` advanced as `flow` says and the segment counter counted, or for a trap the
/// pre-state with the trapped status and the code (a trap changes nothing else).
fn finish(r: Reader<'_>, pre: &StateFields, post: StateFields, flow: Flow) -> Result<B256> {
    if !r.0.is_empty() {
        return Err(ProofError::Trailing(r.0.len()));
    }
    let mut s = post;
    match flow {
        Flow::Next => s.pc = s.pc.wrapping_add(1),
        Flow::Stay => {}
        Flow::Trap(code) => {
            s = *pre;
            s.status = Status::Trapped as u8;
            s.trap_code = code;
            return Ok(s.hash());
        }
    }
    if s.status == Status::Running as u8 {
        s.segment_steps += 1;
    }
    Ok(s.hash())
}

/// What happens to `pc` after a row executed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Flow {
    /// `pc + 1`.
    Next,
    /// `pc` already set (jumps, calls, bulk steps, halt, yield).
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
    /// The post-state being built; its value stack starts below the popped values.
    s: StateFields,
    r: Reader<'a>,
    op: Opcode,
    imm: u64,
    /// Popped values, top first.
    popped: Vec<u64>,
}

/// One arm of the verifier's dispatch, by the row's kind.
macro_rules! verify_arm {
    ($cx:ident, ctl $h:ident) => {
        $cx.$h()?
    };
    ($cx:ident, un $h:ident) => {
        $cx.finish_value(Ok($h($cx.arg(0))))
    };
    ($cx:ident, bin $h:ident) => {
        $cx.finish_value(Ok($h($cx.arg(1), $cx.arg(0))))
    };
    ($cx:ident, un_trap $h:ident) => {
        $cx.finish_value($h($cx.arg(0)))
    };
    ($cx:ident, bin_trap $h:ident) => {
        $cx.finish_value($h($cx.arg(1), $cx.arg(0)))
    };
    ($cx:ident, load $w:literal $h:ident) => {
        $cx.load::<$w>($h)?
    };
    ($cx:ident, store $w:literal $h:ident) => {
        $cx.store::<$w>($h::<$w>)?
    };
}

macro_rules! define_dispatch {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $num:literal, pops $pops:literal, pushes $pushes:literal,
        $kind:ident $($w:literal)? $h:ident
        $(fuse_bin($($fb:ident)*))? $(fuse_jump($($fj:ident)*))? $(fuse_load($($fl:ident)*))?;
    )*) => {
        impl Ctx<'_> {
            /// Runs the opcode's row on the revealed operands and the rest of the proof.
            fn dispatch(&mut self) -> Result<Flow> {
                let cx = self;
                Ok(match cx.op {
                    $( Opcode::$name => verify_arm!(cx, $kind $($w)? $h), )*
                })
            }
        }
    };
}

for_each_op!(define_dispatch);

impl Ctx<'_> {
    /// Popped value `k` (0 = the former top).
    fn arg(&self, k: usize) -> u64 {
        self.popped[k]
    }

    fn push(&mut self, v: u64) {
        self.s.value_stack = stack_push(&self.s.value_stack, v);
        self.s.stack_depth += 1;
    }

    /// Pushes a result, or traps.
    fn finish_value(&mut self, r: Trapping) -> Flow {
        match r {
            Ok(v) => {
                self.push(v);
                Flow::Next
            }
            Err(t) => Flow::trap(t),
        }
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

    /// A value leaf `i < 2^16` of a depth-16 tree checked against `root`: `(value, siblings)`.
    fn value_leaf(&mut self, i: u64, root: &B256, what: &'static str) -> Result<(u64, Vec<B256>)> {
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
