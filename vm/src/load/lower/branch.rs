//! Branches: the stack adjustment, `br`, `br_if`, `br_table`, `return` (docs/machine.md §2).

use super::{Frame, Kind, Lowerer};
use crate::isa::Opcode as Op;
use crate::load::error::{LoadError, Result};

impl Lowerer<'_, '_, '_> {
    pub(super) fn frame(&self, depth: u32, offset: usize) -> Result<&Frame> {
        let i = self.frames.len().checked_sub(1 + depth as usize);
        i.and_then(|i| self.frames.get(i))
            .ok_or_else(|| LoadError::invalid(offset, "bad branch depth"))
    }

    /// `k × MoveToAux, d × Drop, k × MoveFromAux`: drop `d` values below the top `k`.
    pub(super) fn adjust(&mut self, k: usize, d: usize, offset: usize) -> Result<()> {
        if d == 0 {
            return Ok(());
        }
        self.e.reserve(
            k.saturating_mul(2).saturating_add(d).saturating_add(2),
            offset,
        )?;
        for _ in 0..k {
            self.e.emit(Op::MoveToAux, 0);
        }
        for _ in 0..d {
            self.e.emit(Op::Drop, 0);
        }
        for _ in 0..k {
            self.e.emit(Op::MoveFromAux, 0);
        }
        Ok(())
    }

    /// `(kept, dropped)` for a branch to `depth` from height `h`.
    pub(super) fn branch_shape(
        &self,
        depth: u32,
        h: usize,
        offset: usize,
    ) -> Result<(usize, usize, bool)> {
        let f = self.frame(depth, offset)?;
        let k = f.label_arity();
        let d = h.saturating_sub(f.base).saturating_sub(k);
        Ok((k, d, f.kind == Kind::Func))
    }

    /// An unconditional jump to the label at `depth` (its pc or a fix-up).
    pub(super) fn jump_to(&mut self, op: Op, depth: u32, offset: usize) -> Result<()> {
        let at = self.e.emit(op, 0);
        let i = self.frames.len().checked_sub(1 + depth as usize);
        let f = i
            .and_then(|i| self.frames.get_mut(i))
            .ok_or_else(|| LoadError::invalid(offset, "bad depth"))?;
        if f.kind == Kind::Loop {
            let pc = f.loop_pc;
            self.e.patch(at, pc);
        } else {
            f.end_fixups.push(at);
        }
        Ok(())
    }

    pub(super) fn br(&mut self, depth: u32, h: usize, offset: usize) -> Result<()> {
        let (k, d, is_func) = self.branch_shape(depth, h, offset)?;
        self.adjust(k, d, offset)?;
        if is_func {
            self.e.emit(Op::Return, 0);
            Ok(())
        } else {
            self.jump_to(Op::Jump, depth, offset)
        }
    }

    pub(super) fn br_if(&mut self, depth: u32, h: usize, offset: usize) -> Result<()> {
        let (_, d, is_func) = self.branch_shape(depth, h, offset)?;
        if d == 0 && !is_func {
            return self.jump_to(Op::JumpIf, depth, offset);
        }
        let skip = self.e.emit(Op::JumpIfNot, 0);
        self.br(depth, h, offset)?;
        let pc = self.e.pc();
        self.e.patch(skip, pc);
        Ok(())
    }

    pub(super) fn br_table(&mut self, depths: &[u32], h: usize, offset: usize) -> Result<()> {
        self.e.reserve(depths.len().saturating_add(1), offset)?;
        self.e.emit(Op::BrTable, depths.len() as u64 - 1);
        let table = self.e.pc();
        let mut trampolines = Vec::new();
        for (i, &depth) in depths.iter().enumerate() {
            let (_, d, is_func) = self.branch_shape(depth, h, offset)?;
            if d == 0 && !is_func {
                self.jump_to(Op::Jump, depth, offset)?;
            } else {
                self.e.emit(Op::Jump, 0);
                trampolines.push((table + i, depth));
            }
        }
        for (at, depth) in trampolines {
            let pc = self.e.pc();
            self.e.patch(at, pc);
            self.br(depth, h, offset)?;
        }
        Ok(())
    }

    pub(super) fn ret(&mut self, h: usize, offset: usize) -> Result<()> {
        let f = self
            .frames
            .first()
            .ok_or_else(|| LoadError::invalid(offset, "no function frame"))?;
        self.ret_with(f.n_results, h, offset)
    }

    /// Keep the `k` results, drop the rest of the frame's stack, `Return`.
    pub(super) fn ret_with(&mut self, k: usize, h: usize, offset: usize) -> Result<()> {
        self.adjust(k, h.saturating_sub(k), offset)?;
        self.e.emit(Op::Return, 0);
        Ok(())
    }
}
