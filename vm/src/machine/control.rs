//! Calls, returns, locals and `memory.grow`: the ops that reshape frames or memory.

use super::memory::PAGE_BYTES;
use super::{Frame, Machine};
use crate::{Program, TrapCode};

/// Locals a frame can have: the locals tree has 2^16 leaves.
const MAX_LOCALS: u32 = 1 << 16;

impl Machine {
    /// Enters a function at `target` with `n_locals` zeroed locals, or traps
    /// `CallStackExhausted` at the depth limit.
    #[inline(always)]
    pub(crate) fn call(&mut self, target: u32, n_locals: u32) {
        if self.frames.len() as u64 >= self.prog.limits.max_call_depth as u64 {
            return self.trap(TrapCode::CallStackExhausted);
        }
        self.enter(self.pc.wrapping_add(1), target, n_locals);
    }

    /// Pushes the frame `(return_pc, locals)` and starts `target` with fresh locals.
    #[inline(always)]
    pub(crate) fn enter(&mut self, return_pc: u32, target: u32, n_locals: u32) {
        self.frames.push(Frame {
            return_pc,
            base: self.locals_base as u32,
            n_locals: self.n_locals,
        });
        let n = n_locals.min(MAX_LOCALS);
        self.locals_base = self.locals.len();
        self.locals.resize(self.locals_base + n as usize, 0);
        self.n_locals = n;
        self.pc = target;
    }

    /// `CallIndirect type_id`: checks in the order of §5, then calls.
    pub(crate) fn call_indirect(&mut self, prog: &Program, type_id: u64) {
        let i = self.peek(0) as u32 as usize;
        let Some(slot) = prog.table.get(i) else {
            return self.trap(TrapCode::UndefinedElement);
        };
        let Some(e) = slot else {
            return self.trap(TrapCode::UninitializedElement);
        };
        if e.type_id as u64 != type_id {
            return self.trap(TrapCode::IndirectCallTypeMismatch);
        }
        if self.frames.len() as u64 >= prog.limits.max_call_depth as u64 {
            return self.trap(TrapCode::CallStackExhausted);
        }
        self.popn(1);
        self.enter(self.pc.wrapping_add(1), e.pc, e.n_locals);
    }

    /// Pops the caller's frame. With no frame (never, for lowered code) it traps `Unreachable`.
    #[inline(always)]
    pub(crate) fn ret(&mut self) {
        let Some(f) = self.frames.pop() else {
            return self.trap(TrapCode::Unreachable);
        };
        self.locals.truncate(self.locals_base);
        self.locals_base = f.base as usize;
        self.n_locals = f.n_locals;
        self.pc = f.return_pc;
    }

    #[inline(always)]
    pub(crate) fn set_local(&mut self, i: u64, v: u64) {
        if let Some(l) = self.locals.get_mut(self.locals_base + i as usize) {
            *l = v;
        }
    }

    /// `MemoryGrow`: pushes the old size and grows, or pushes `0xffff_ffff` past the limit.
    pub(crate) fn memory_grow(&mut self, prog: &Program) {
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
        if let Some(t) = self.stack.last_mut() {
            *t = r;
        }
    }
}
