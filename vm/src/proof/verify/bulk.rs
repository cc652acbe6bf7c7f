//! Bulk and host group (0x40–0x4f): start opcodes check bounds and load the bulk registers;
//! step opcodes move one chunk within one source and one destination leaf.

use super::{Ctx, Flow};
use crate::TrapCode;
use crate::isa::Opcode::*;
use crate::machine::hash::{SMALL_DEPTH, output_fold, segment_leaf, zeros};
use crate::machine::merkle::root_from_path;
use crate::proof::{ProofError, Result};

/// Bytes from `x` to the end of its leaf.
fn to_leaf_end(x: u64) -> u64 {
    32 - x % 32
}

/// Bytes from the start of the leaf holding `x - 1` up to `x`.
fn r(x: u64) -> u64 {
    if x.is_multiple_of(32) { 32 } else { x % 32 }
}

impl Ctx<'_> {
    pub(super) fn bulk(&mut self) -> Result<Flow> {
        let size = self.mem_size();
        let oob = |x: u64, n: u64, lim: u64| x.saturating_add(n) > lim;
        Ok(match self.op {
            MemoryFill | MemoryCopy => {
                let (n, v, d) = (self.arg(0), self.arg(1), self.arg(2));
                if oob(d, n, size) || (self.op == MemoryCopy && oob(v, n, size)) {
                    return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
                }
                self.set_bulk(d, if self.op == MemoryFill { v & 0xff } else { v }, n)
            }
            MemoryInit => {
                let (len, _, _) = self.segment()?;
                let (n, s, d) = (self.arg(0), self.arg(1), self.arg(2));
                if oob(s, n, len) || oob(d, n, size) {
                    return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
                }
                self.set_bulk(d, s, n)
            }
            DataDrop => {
                let (_, _, path) = self.segment()?;
                self.s.segments = root_from_path(zeros().segment[0], self.imm, &path);
                Flow::Next
            }
            InputLen => {
                self.push(self.s.input_len as u64);
                Flow::Next
            }
            InputRead => {
                let (len, off, ptr) = (self.arg(0), self.arg(1), self.arg(2));
                if oob(off, len, self.s.input_len as u64) {
                    return Ok(Flow::trap(TrapCode::InputOutOfBounds));
                }
                if oob(ptr, len, size) {
                    return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
                }
                self.set_bulk(ptr, off, len)
            }
            OutputWrite => {
                let (len, ptr) = (self.arg(0), self.arg(1));
                if oob(ptr, len, size) {
                    return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
                }
                self.set_bulk(0, ptr, len)
            }
            _ if self.s.bulk_len == 0 => Flow::Next,
            FillStep => {
                let (d, len) = (self.s.bulk_dst, self.s.bulk_len);
                let c = len.min(to_leaf_end(d));
                let (mut leaf, path) = self.mem_leaf(d / 32)?;
                let o = (d % 32) as usize;
                leaf[o..o + c as usize].fill(self.s.bulk_src as u8);
                self.set_mem_leaf(d / 32, &leaf, &path);
                self.s.bulk_dst = d + c;
                self.s.bulk_len = len - c;
                Flow::Stay
            }
            CopyStep => {
                let (d, s, len) = (self.s.bulk_dst, self.s.bulk_src, self.s.bulk_len);
                let forward = d <= s;
                let (from, to, c) = if forward {
                    (s, d, len.min(to_leaf_end(d)).min(to_leaf_end(s)))
                } else {
                    let (ed, es) = (d + len, s + len);
                    let c = len.min(r(ed)).min(r(es));
                    (es - c, ed - c, c)
                };
                let (src, _) = self.mem_leaf(from / 32)?;
                self.copy_into_mem(&src, from, to, c)?;
                if forward {
                    self.s.bulk_dst = d + c;
                    self.s.bulk_src = s + c;
                }
                self.s.bulk_len = len - c;
                Flow::Stay
            }
            InitStep | InputReadStep => {
                let root = if self.op == InitStep {
                    self.segment()?.1
                } else {
                    self.s.input_root
                };
                let (d, s, len) = (self.s.bulk_dst, self.s.bulk_src, self.s.bulk_len);
                let c = len.min(to_leaf_end(d)).min(to_leaf_end(s));
                let (src, _) = self.bytes_leaf(s / 32, &root, "source leaf")?;
                self.copy_into_mem(&src, s, d, c)?;
                self.s.bulk_dst = d + c;
                self.s.bulk_src = s + c;
                self.s.bulk_len = len - c;
                Flow::Stay
            }
            OutputWriteStep => {
                let (s, len, out) = (self.s.bulk_src, self.s.bulk_len, self.s.output_len);
                let c = len.min(to_leaf_end(s)).min(to_leaf_end(out));
                let (src, _) = self.mem_leaf(s / 32)?;
                let (so, po, cu) = ((s % 32) as usize, (out % 32) as usize, c as usize);
                self.s.output_pending[po..po + cu].copy_from_slice(&src[so..so + cu]);
                self.s.bulk_src = s + c;
                self.s.bulk_len = len - c;
                self.s.output_len = out + c;
                if self.s.output_len.is_multiple_of(32) {
                    self.s.output_chain = output_fold(&self.s.output_chain, &self.s.output_pending);
                    self.s.output_pending = [0; 32];
                }
                Flow::Stay
            }
            _ => return Err(ProofError::UnknownOpcode(self.op as u16)),
        })
    }

    fn set_bulk(&mut self, dst: u64, src: u64, len: u64) -> Flow {
        self.s.bulk_dst = dst;
        self.s.bulk_src = src;
        self.s.bulk_len = len;
        Flow::Next
    }

    /// Segment `imm`'s leaf `len ‖ bytes_root` checked against the segments root:
    /// `(len, bytes_root, siblings)`.
    fn segment(&mut self) -> Result<(u64, [u8; 32], Vec<[u8; 32]>)> {
        if self.imm >> SMALL_DEPTH != 0 {
            return Err(ProofError::Unprovable("segment index past the tree"));
        }
        let len = self.u64("segment length")?;
        let root = self.b256("segment root")?;
        let path = self.path(SMALL_DEPTH, "segment path")?;
        if root_from_path(segment_leaf(len, &root), self.imm, &path) != self.s.segments {
            return Err(ProofError::BadWitness("segment"));
        }
        Ok((len, root, path))
    }

    /// Reads the destination leaf (against the current root) and writes `c` bytes of `src`
    /// (a leaf holding address `from`) at address `to`.
    fn copy_into_mem(&mut self, src: &[u8; 32], from: u64, to: u64, c: u64) -> Result<()> {
        let (mut dst, path) = self.mem_leaf(to / 32)?;
        let (fo, to_o, cu) = ((from % 32) as usize, (to % 32) as usize, c as usize);
        dst[to_o..to_o + cu].copy_from_slice(&src[fo..fo + cu]);
        self.set_mem_leaf(to / 32, &dst, &path);
        Ok(())
    }
}
