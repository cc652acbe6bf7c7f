//! Memory group (0x20–0x3f): loads, stores, size, grow. A straddling store checks its second
//! leaf against the root after the first leaf's write.

use super::{Ctx, Flow};
use crate::TrapCode;
use crate::isa::Opcode::{self, *};
use crate::proof::{ProofError, Result};

/// Width in bytes of a load or store.
pub(crate) fn access_width(op: Opcode) -> Option<u64> {
    Some(match op {
        I32Load8S | I32Load8U | I64Load8S | I64Load8U | I32Store8 | I64Store8 => 1,
        I32Load16S | I32Load16U | I64Load16S | I64Load16U | I32Store16 | I64Store16 => 2,
        I32Load | I64Load32S | I64Load32U | I32Store | I64Store32 => 4,
        I64Load | I64Store => 8,
        _ => return None,
    })
}

/// The loaded value of `op` from its little-endian bytes `b` (`b.len()` = width).
pub(crate) fn extend_loaded(op: Opcode, b: &[u8]) -> u64 {
    let mut x = [0u8; 8];
    x[..b.len()].copy_from_slice(b);
    let u = u64::from_le_bytes(x);
    match op {
        I32Load8S => u as u8 as i8 as i32 as u32 as u64,
        I32Load16S => u as u16 as i16 as i32 as u32 as u64,
        I64Load8S => u as u8 as i8 as i64 as u64,
        I64Load16S => u as u16 as i16 as i64 as u64,
        I64Load32S => u as u32 as i32 as i64 as u64,
        _ => u,
    }
}

impl Ctx<'_> {
    pub(super) fn memory(&mut self) -> Result<Flow> {
        match self.op {
            MemorySize => {
                self.push(self.s.memory_pages as u64);
                return Ok(Flow::Next);
            }
            MemoryGrow => {
                let n = self.arg(0) as u32 as u64;
                let new = self.s.memory_pages as u64 + n;
                if new > self.s.max_pages as u64 {
                    self.push(0xffff_ffff);
                } else {
                    self.push(self.s.memory_pages as u64);
                    self.s.memory_pages = new as u32;
                }
                return Ok(Flow::Next);
            }
            _ => {}
        }
        let w = access_width(self.op).ok_or(ProofError::UnknownOpcode(self.op as u16))?;
        let store = self.op.pops() == 2;
        let base = if store { self.arg(1) } else { self.arg(0) };
        let a = base.saturating_add(self.imm);
        if a.saturating_add(w) > self.mem_size() {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        let (l0, off) = (a / 32, (a % 32) as usize);
        let n0 = (32 - off).min(w as usize);
        let (mut leaf0, path0) = self.mem_leaf(l0)?;
        if store {
            let bytes = self.arg(0).to_le_bytes();
            leaf0[off..off + n0].copy_from_slice(&bytes[..n0]);
            self.set_mem_leaf(l0, &leaf0, &path0);
            if n0 < w as usize {
                let (mut leaf1, path1) = self.mem_leaf(l0 + 1)?;
                leaf1[..w as usize - n0].copy_from_slice(&bytes[n0..w as usize]);
                self.set_mem_leaf(l0 + 1, &leaf1, &path1);
            }
        } else {
            let mut b = [0u8; 8];
            b[..n0].copy_from_slice(&leaf0[off..off + n0]);
            if n0 < w as usize {
                let (leaf1, _) = self.mem_leaf(l0 + 1)?;
                b[n0..w as usize].copy_from_slice(&leaf1[..w as usize - n0]);
            }
            let v = extend_loaded(self.op, &b[..w as usize]);
            self.push(v);
        }
        Ok(Flow::Next)
    }
}
