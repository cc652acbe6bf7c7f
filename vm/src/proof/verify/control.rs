//! Control group (0x00–0x1f): branches, calls, stacks, locals, globals, constants, halt, yield.
//! One handler per `ctl` row of the opcode table, named as the machine's.

use super::{Ctx, Flow};
use crate::consensus::SMALL_DEPTH;
use crate::machine::hash::{empty_locals, frame_push, stack_push, table_leaf_bytes, value_leaf};
use crate::machine::merkle::root_from_path;
use crate::proof::{ProofError, Result};
use crate::{Status, TrapCode};

impl Ctx<'_> {
    pub(super) fn op_unreachable(&mut self) -> Result<Flow> {
        Ok(Flow::trap(TrapCode::Unreachable))
    }

    pub(super) fn op_halt(&mut self) -> Result<Flow> {
        self.s.status = Status::Halted as u8;
        self.s.segment_steps = 0;
        Ok(Flow::Stay)
    }

    pub(super) fn op_trap(&mut self) -> Result<Flow> {
        Ok(Flow::Trap(self.imm as u8))
    }

    pub(super) fn op_yield(&mut self) -> Result<Flow> {
        if self.s.call_depth != 0 || self.s.stack_depth != 0 || self.s.aux_stack != [0; 32] {
            return Ok(Flow::trap(TrapCode::YieldOutsideBoundary));
        }
        self.s.status = Status::Yielded as u8;
        self.s.locals = empty_locals();
        self.s.bulk_dst = 0;
        self.s.bulk_src = 0;
        self.s.bulk_len = 0;
        self.s.segment_steps = 0;
        Ok(self.goto(self.imm as u32))
    }

    pub(super) fn op_jump(&mut self) -> Result<Flow> {
        Ok(self.goto(self.imm as u32))
    }

    pub(super) fn op_jump_if(&mut self) -> Result<Flow> {
        Ok(self.branch(self.arg(0) as u32 != 0))
    }

    pub(super) fn op_jump_if_not(&mut self) -> Result<Flow> {
        Ok(self.branch(self.arg(0) as u32 == 0))
    }

    pub(super) fn op_br_table(&mut self) -> Result<Flow> {
        let i = (self.arg(0) as u32 as u64).min(self.imm) as u32;
        Ok(self.goto(self.s.pc.wrapping_add(1).wrapping_add(i)))
    }

    pub(super) fn op_call(&mut self) -> Result<Flow> {
        Ok(self.call(self.imm as u32))
    }

    pub(super) fn op_call_indirect(&mut self) -> Result<Flow> {
        let i = self.arg(0) as u32;
        if i >= self.s.table_size {
            return Ok(Flow::trap(TrapCode::UndefinedElement));
        }
        let slot: [u8; 13] = self
            .r
            .take(13)
            .ok_or(ProofError::Truncated("table slot"))?
            .try_into()
            .unwrap_or([0; 13]);
        let path = self.path(SMALL_DEPTH, "table path")?;
        if i as u64 >> SMALL_DEPTH != 0
            || root_from_path(table_leaf_bytes(&slot), i as u64, &path) != self.s.table
        {
            return Err(ProofError::BadWitness("table slot"));
        }
        let be = |k: usize| u32::from_be_bytes([slot[k], slot[k + 1], slot[k + 2], slot[k + 3]]);
        if slot[0] == 0 {
            return Ok(Flow::trap(TrapCode::UninitializedElement));
        }
        if be(1) as u64 != self.imm {
            return Ok(Flow::trap(TrapCode::IndirectCallTypeMismatch));
        }
        Ok(self.call(be(5)))
    }

    pub(super) fn op_return(&mut self) -> Result<Flow> {
        if self.s.call_depth == 0 {
            return Ok(Flow::trap(TrapCode::Unreachable));
        }
        let rpc = self.r.u32().ok_or(ProofError::Truncated("frame"))?;
        let locals = self.b256("frame locals")?;
        let below = self.b256("frame below")?;
        if frame_push(&below, rpc, &locals) != self.s.frame_stack {
            return Err(ProofError::BadWitness("frame stack"));
        }
        self.s.frame_stack = below;
        self.s.locals = locals;
        self.s.call_depth -= 1;
        Ok(self.goto(rpc))
    }

    pub(super) fn op_drop(&mut self) -> Result<Flow> {
        Ok(Flow::Next)
    }

    pub(super) fn op_select(&mut self) -> Result<Flow> {
        let (c, b, a) = (self.arg(0), self.arg(1), self.arg(2));
        self.push(if c as u32 != 0 { a } else { b });
        Ok(Flow::Next)
    }

    pub(super) fn op_move_to_aux(&mut self) -> Result<Flow> {
        self.s.aux_stack = stack_push(&self.s.aux_stack, self.arg(0));
        Ok(Flow::Next)
    }

    pub(super) fn op_move_from_aux(&mut self) -> Result<Flow> {
        if self.s.aux_stack == [0; 32] {
            return Ok(Flow::trap(TrapCode::StackUnderflow));
        }
        let v = self.u64("aux top")?;
        let below = self.b256("aux below")?;
        if stack_push(&below, v) != self.s.aux_stack {
            return Err(ProofError::BadWitness("aux stack"));
        }
        self.s.aux_stack = below;
        self.push(v);
        Ok(Flow::Next)
    }

    pub(super) fn op_local_get(&mut self) -> Result<Flow> {
        self.get(true)
    }

    pub(super) fn op_global_get(&mut self) -> Result<Flow> {
        self.get(false)
    }

    pub(super) fn op_local_set(&mut self) -> Result<Flow> {
        self.set(true, false)
    }

    pub(super) fn op_local_tee(&mut self) -> Result<Flow> {
        self.set(true, true)
    }

    pub(super) fn op_global_set(&mut self) -> Result<Flow> {
        self.set(false, false)
    }

    pub(super) fn op_const(&mut self) -> Result<Flow> {
        self.push(self.imm);
        Ok(Flow::Next)
    }

    // ---- helpers -------------------------------------------------------------------------------

    fn goto(&mut self, pc: u32) -> Flow {
        self.s.pc = pc;
        Flow::Stay
    }

    fn branch(&mut self, taken: bool) -> Flow {
        if taken {
            self.goto(self.imm as u32)
        } else {
            Flow::Next
        }
    }

    /// Enters `target`: traps `CallStackExhausted` at the limit.
    fn call(&mut self, target: u32) -> Flow {
        if self.s.call_depth >= self.s.max_call_depth {
            return Flow::trap(TrapCode::CallStackExhausted);
        }
        self.s.frame_stack = frame_push(
            &self.s.frame_stack,
            self.s.pc.wrapping_add(1),
            &self.s.locals,
        );
        self.s.call_depth += 1;
        self.s.locals = empty_locals();
        self.goto(target)
    }

    /// `LocalGet` / `GlobalGet imm`: leaf `imm` of the tree, or `IndexOutOfRange` past it.
    fn get(&mut self, local: bool) -> Result<Flow> {
        if self.imm >> SMALL_DEPTH != 0 {
            return Ok(Flow::trap(TrapCode::IndexOutOfRange));
        }
        let root = if local { self.s.locals } else { self.s.globals };
        let (v, _) = self.value_leaf(self.imm, &root, "local or global")?;
        self.push(v);
        Ok(Flow::Next)
    }

    /// `LocalSet`/`LocalTee`/`GlobalSet imm`: writes leaf `imm`, or `IndexOutOfRange` past it.
    fn set(&mut self, local: bool, tee: bool) -> Result<Flow> {
        if self.imm >> SMALL_DEPTH != 0 {
            return Ok(Flow::trap(TrapCode::IndexOutOfRange));
        }
        let root = if local { self.s.locals } else { self.s.globals };
        let (_, path) = self.value_leaf(self.imm, &root, "local or global")?;
        let v = self.arg(0);
        let new = root_from_path(value_leaf(v), self.imm, &path);
        if local {
            self.s.locals = new;
        } else {
            self.s.globals = new;
        }
        if tee {
            self.push(v);
        }
        Ok(Flow::Next)
    }
}
