//! Memory group (0x20–0x3f): loads, stores, size, grow. A straddling store checks its second
//! leaf against the root after the first leaf's write.

use super::{Ctx, Flow};
use crate::TrapCode;
use crate::proof::Result;

impl Ctx<'_> {
    pub(super) fn op_memory_size(&mut self) -> Result<Flow> {
        self.push(self.s.memory_pages as u64);
        Ok(Flow::Next)
    }

    pub(super) fn op_memory_grow(&mut self) -> Result<Flow> {
        let n = self.arg(0) as u32 as u64;
        let new = self.s.memory_pages as u64 + n;
        if new > self.s.max_pages as u64 {
            self.push(0xffff_ffff);
        } else {
            self.push(self.s.memory_pages as u64);
            self.s.memory_pages = new as u32;
        }
        Ok(Flow::Next)
    }

    /// The first byte of a `W`-byte access at `base + imm`, or `None` out of bounds.
    fn addr<const W: usize>(&self, base: u64) -> Option<u64> {
        let a = base.saturating_add(self.imm);
        (a.saturating_add(W as u64) <= self.mem_size()).then_some(a)
    }

    /// A `W`-byte load at `top + imm`: its leaf (two when it straddles), mapped by `f`.
    pub(super) fn load<const W: usize>(&mut self, f: fn([u8; W]) -> u64) -> Result<Flow> {
        let Some(a) = self.addr::<W>(self.arg(0)) else {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        };
        let (l0, off) = (a / 32, (a % 32) as usize);
        let n0 = (32 - off).min(W);
        let (leaf0, _) = self.mem_leaf(l0)?;
        let mut b = [0u8; W];
        b[..n0].copy_from_slice(&leaf0[off..off + n0]);
        if n0 < W {
            let (leaf1, _) = self.mem_leaf(l0 + 1)?;
            b[n0..].copy_from_slice(&leaf1[..W - n0]);
        }
        self.push(f(b));
        Ok(Flow::Next)
    }

    /// A `W`-byte store of `f(top)` at `below + imm`.
    pub(super) fn store<const W: usize>(&mut self, f: fn(u64) -> [u8; W]) -> Result<Flow> {
        let Some(a) = self.addr::<W>(self.arg(1)) else {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        };
        let bytes = f(self.arg(0));
        let (l0, off) = (a / 32, (a % 32) as usize);
        let n0 = (32 - off).min(W);
        let (mut leaf0, path0) = self.mem_leaf(l0)?;
        leaf0[off..off + n0].copy_from_slice(&bytes[..n0]);
        self.set_mem_leaf(l0, &leaf0, &path0);
        if n0 < W {
            let (mut leaf1, path1) = self.mem_leaf(l0 + 1)?;
            leaf1[..W - n0].copy_from_slice(&bytes[n0..]);
            self.set_mem_leaf(l0 + 1, &leaf1, &path1);
        }
        Ok(Flow::Next)
    }
}
