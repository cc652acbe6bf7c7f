//! The control group's handlers (`ctl` rows of the opcode table) and `memory.size`/`grow`: each
//! takes the instruction's `imm` and `pc` and returns the next `pc`. `exec` has already checked
//! that the stack holds the values the opcode pops.

use super::memory::PAGE_BYTES;
use super::{Frame, Machine};
use crate::consensus::SMALL_DEPTH;
use crate::{Program, Status, TrapCode};

/// Locals a frame has, and globals and data segments a program has: their trees' leaves.
pub(crate) const TREE_LEAVES: u64 = 1 << SMALL_DEPTH;

impl Machine {
    /// Enters a function at `target` with `n_locals` zeroed locals, or traps
    /// `CallStackExhausted` at the depth limit; returns the next `pc`.
    #[inline(always)]
    pub(crate) fn call(&mut self, pc: u32, target: u32, n_locals: u32) -> u32 {
        if self.frames.len() as u64 >= self.prog.limits.max_call_depth as u64 {
            self.trap(TrapCode::CallStackExhausted);
            return pc;
        }
        self.enter(pc.wrapping_add(1), n_locals);
        target
    }

    /// Pushes the frame `(return_pc, locals)` and starts fresh locals (`n_locals` of them
    /// allocated; the tree has `2^16`, all zero).
    #[inline(always)]
    pub(crate) fn enter(&mut self, return_pc: u32, n_locals: u32) {
        self.frames.push(Frame {
            return_pc,
            base: self.locals_base as u32,
            n_locals: self.n_locals,
        });
        let n = (n_locals as u64).min(TREE_LEAVES) as u32;
        self.locals_base = self.locals.len();
        self.locals.resize(self.locals_base + n as usize, 0);
        self.n_locals = n;
    }

    /// Pops the caller's frame and returns its `return_pc`; `None` without a frame.
    #[inline(always)]
    pub(crate) fn ret(&mut self) -> Option<u32> {
        let f = self.frames.pop()?;
        self.locals.truncate(self.locals_base);
        self.locals_base = f.base as usize;
        self.n_locals = f.n_locals;
        Some(f.return_pc)
    }

    /// Local `i` (`i < 2^16`) of the current frame: zero where never written.
    #[inline(always)]
    pub(crate) fn local(&self, i: u64) -> u64 {
        self.locals
            .get(self.locals_base + i as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Writes local `i` (`i < 2^16`), growing the frame's allocation past `n_locals` if needed:
    /// the frame's locals are a whole tree (`docs/machine.md` §5.5).
    #[inline(always)]
    pub(crate) fn set_local(&mut self, i: u64, v: u64) {
        let at = self.locals_base + i as usize;
        match self.locals.get_mut(at) {
            Some(l) => *l = v,
            None => self.grow_locals(i, v),
        }
    }

    #[cold]
    fn grow_locals(&mut self, i: u64, v: u64) {
        let at = self.locals_base + i as usize;
        self.locals.resize(at + 1, 0);
        self.locals[at] = v;
        self.n_locals = i as u32 + 1;
    }

    /// Global `i` (`i < 2^16`): zero past the mutable globals.
    #[inline(always)]
    pub(crate) fn global(&self, i: u64) -> u64 {
        self.globals.get(i as usize).copied().unwrap_or(0)
    }

    /// Writes global `i` (`i < 2^16`); the globals are a whole tree, like locals.
    #[inline(always)]
    pub(crate) fn set_global(&mut self, i: u64, v: u64) {
        let i = i as usize;
        if i >= self.globals.len() {
            self.globals.resize(i + 1, 0);
        }
        self.globals[i] = v;
    }

    /// Traps `IndexOutOfRange` for an index past a depth-16 tree; returns whether it did.
    #[inline(always)]
    fn out_of_tree(&mut self, i: u64) -> bool {
        if i >= TREE_LEAVES {
            self.trap(TrapCode::IndexOutOfRange);
            return true;
        }
        false
    }

    // ---- handlers ------------------------------------------------------------------------------

    pub(crate) fn op_unreachable(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        self.trap(TrapCode::Unreachable);
        pc
    }

    pub(crate) fn op_halt(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        self.status = Status::Halted;
        self.segment_steps = 0;
        pc
    }

    pub(crate) fn op_trap(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        self.status = Status::Trapped;
        self.trap_code = imm as u8;
        pc
    }

    /// `Yield imm`: a boundary (no frame, empty stacks) or `YieldOutsideBoundary`.
    pub(crate) fn op_yield(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if !self.frames.is_empty() || !self.stack.is_empty() || !self.aux.is_empty() {
            self.trap(TrapCode::YieldOutsideBoundary);
            return pc;
        }
        self.status = Status::Yielded;
        self.locals.clear();
        self.locals_base = 0;
        self.n_locals = 0;
        self.bulk_dst = 0;
        self.bulk_src = 0;
        self.bulk_len = 0;
        self.segment_steps = 0;
        imm as u32
    }

    #[inline(always)]
    pub(crate) fn op_jump(&mut self, _: &Program, imm: u64, _: u32) -> u32 {
        imm as u32
    }

    #[inline(always)]
    pub(crate) fn op_jump_if(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.pop() as u32 != 0 {
            imm as u32
        } else {
            pc.wrapping_add(1)
        }
    }

    #[inline(always)]
    pub(crate) fn op_jump_if_not(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.pop() as u32 == 0 {
            imm as u32
        } else {
            pc.wrapping_add(1)
        }
    }

    #[inline(always)]
    pub(crate) fn op_br_table(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        let i = self.pop() as u32 as u64;
        pc.wrapping_add(1).wrapping_add(i.min(imm) as u32)
    }

    #[inline(always)]
    pub(crate) fn op_call(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        self.call(pc, imm as u32, (imm >> 32) as u32)
    }

    /// `CallIndirect type_id`: checks in the order of §5.2, then calls.
    pub(crate) fn op_call_indirect(&mut self, prog: &Program, type_id: u64, pc: u32) -> u32 {
        let i = self.peek(0) as u32 as usize;
        let Some(slot) = prog.table.get(i) else {
            self.trap(TrapCode::UndefinedElement);
            return pc;
        };
        let Some(e) = slot else {
            self.trap(TrapCode::UninitializedElement);
            return pc;
        };
        if e.type_id as u64 != type_id {
            self.trap(TrapCode::IndirectCallTypeMismatch);
            return pc;
        }
        if self.frames.len() as u64 >= prog.limits.max_call_depth as u64 {
            self.trap(TrapCode::CallStackExhausted);
            return pc;
        }
        self.popn(1);
        self.enter(pc.wrapping_add(1), e.n_locals);
        e.pc
    }

    /// Pops the caller's frame. With no frame (never, for lowered code) it traps `Unreachable`.
    #[inline(always)]
    pub(crate) fn op_return(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        match self.ret() {
            Some(to) => to,
            None => {
                self.trap(TrapCode::Unreachable);
                pc
            }
        }
    }

    #[inline(always)]
    pub(crate) fn op_drop(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        self.popn(1);
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_select(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let c = self.pop() as u32;
        let v = self.pop();
        if c == 0 {
            self.un(|_| v);
        }
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_move_to_aux(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let v = self.pop();
        self.aux.push(v);
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_move_from_aux(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let Some(v) = self.aux.pop() else {
            self.trap(TrapCode::StackUnderflow);
            return pc;
        };
        self.push(v);
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_local_get(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.out_of_tree(imm) {
            return pc;
        }
        self.push(self.local(imm));
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_local_set(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.out_of_tree(imm) {
            return pc;
        }
        let v = self.pop();
        self.set_local(imm, v);
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_local_tee(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.out_of_tree(imm) {
            return pc;
        }
        self.set_local(imm, self.peek(0));
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_global_get(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.out_of_tree(imm) {
            return pc;
        }
        self.push(self.global(imm));
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_global_set(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        if self.out_of_tree(imm) {
            return pc;
        }
        let v = self.pop();
        self.set_global(imm, v);
        pc.wrapping_add(1)
    }

    #[inline(always)]
    pub(crate) fn op_const(&mut self, _: &Program, imm: u64, pc: u32) -> u32 {
        self.push(imm);
        pc.wrapping_add(1)
    }

    pub(crate) fn op_memory_size(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        self.push(self.pages as u64);
        pc.wrapping_add(1)
    }

    /// `MemoryGrow`: pushes the old size and grows, or pushes `0xffff_ffff` past the limit.
    pub(crate) fn op_memory_grow(&mut self, prog: &Program, _: u64, pc: u32) -> u32 {
        let n = self.peek(0) as u32 as u64;
        let new = self.pages as u64 + n;
        let r = if new > prog.max_pages as u64 {
            0xffff_ffff
        } else {
            let old = self.pages as u64;
            self.pages = new as u32;
            self.mem.resize_to(new as usize * PAGE_BYTES);
            old
        };
        self.un(|_| r);
        pc.wrapping_add(1)
    }
}
