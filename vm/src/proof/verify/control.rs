//! Control group (0x00–0x1f): branches, calls, stacks, locals, globals, constants.

use super::{Ctx, Flow};
use crate::TrapCode;
use crate::isa::Opcode::*;
use crate::machine::hash::{
    SMALL_DEPTH, empty_locals, frame_push, stack_push, table_leaf_bytes, value_leaf,
};
use crate::machine::merkle::root_from_path;
use crate::proof::{ProofError, Result};

impl Ctx<'_> {
    pub(super) fn control(&mut self) -> Result<Flow> {
        let imm = self.imm;
        Ok(match self.op {
            Unreachable => Flow::trap(TrapCode::Unreachable),
            Halt => {
                self.s.status = crate::Status::Halted as u8;
                Flow::Stay
            }
            Trap => Flow::Trap(imm as u8),
            Jump => self.goto(imm as u32),
            JumpIf | JumpIfNot => {
                let taken = (self.arg(0) as u32 != 0) == (self.op == JumpIf);
                if taken {
                    self.goto(imm as u32)
                } else {
                    Flow::Next
                }
            }
            BrTable => {
                let i = (self.arg(0) as u32 as u64).min(imm) as u32;
                self.goto(self.s.pc.wrapping_add(1).wrapping_add(i))
            }
            Call => self.call(imm as u32),
            CallIndirect => return self.call_indirect(),
            Return => return self.ret(),
            Drop => Flow::Next,
            Select => {
                let (c, b, a) = (self.arg(0), self.arg(1), self.arg(2));
                self.push(if c as u32 != 0 { a } else { b });
                Flow::Next
            }
            MoveToAux => {
                self.s.aux_stack = stack_push(&self.s.aux_stack, self.arg(0));
                Flow::Next
            }
            MoveFromAux => {
                let v = self.u64("aux top")?;
                let below = self.b256("aux below")?;
                if stack_push(&below, v) != self.s.aux_stack {
                    return Err(ProofError::BadWitness("aux stack"));
                }
                self.s.aux_stack = below;
                self.push(v);
                Flow::Next
            }
            LocalGet | GlobalGet => {
                let root = if self.op == LocalGet {
                    self.s.locals
                } else {
                    self.s.globals
                };
                let (v, _) = self.value_leaf(imm, &root, "local or global")?;
                self.push(v);
                Flow::Next
            }
            LocalSet | LocalTee | GlobalSet => {
                let local = self.op != GlobalSet;
                let root = if local { self.s.locals } else { self.s.globals };
                let (_, path) = self.value_leaf(imm, &root, "local or global")?;
                let v = self.arg(0);
                let new = root_from_path(value_leaf(v), imm, &path);
                if local {
                    self.s.locals = new
                } else {
                    self.s.globals = new
                }
                if self.op == LocalTee {
                    self.push(v);
                }
                Flow::Next
            }
            Const => {
                self.push(imm);
                Flow::Next
            }
            _ => return Err(ProofError::UnknownOpcode(self.op as u16)),
        })
    }

    fn goto(&mut self, pc: u32) -> Flow {
        self.s.pc = pc;
        Flow::Stay
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

    fn call_indirect(&mut self) -> Result<Flow> {
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

    fn ret(&mut self) -> Result<Flow> {
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
}
