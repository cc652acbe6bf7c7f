//! Bulk memory and host I/O (`ctl` rows `0x40–0x4b`): a start opcode checks bounds and loads the
//! bulk registers, then a step opcode moves at most one leaf's worth of bytes per step,
//! re-checking the bounds of what it moves, and zeroes the registers when done
//! (`docs/machine.md` §5.3).

use super::Machine;
use super::control::TREE_LEAVES;
use crate::{Program, TrapCode};

/// Bytes from `x` to the end of its leaf.
#[inline(always)]
fn to_leaf_end(x: u64) -> u64 {
    32 - x % 32
}

/// Bytes from the start of the leaf holding `x - 1` up to `x`.
#[inline(always)]
fn r(x: u64) -> u64 {
    if x.is_multiple_of(32) { 32 } else { x % 32 }
}

/// Whether `[a, a + n)` leaves a space of `size` bytes (no wrap-around).
#[inline(always)]
fn out(a: u64, n: u64, size: u64) -> bool {
    a.saturating_add(n) > size
}

impl Machine {
    /// Sets the bulk registers and pops the start opcode's operands.
    fn bulk_start(&mut self, pops: usize, dst: u64, src: u64, len: u64, pc: u32) -> u32 {
        self.popn(pops);
        self.bulk_dst = dst;
        self.bulk_src = src;
        self.bulk_len = len;
        pc.wrapping_add(1)
    }

    fn fault(&mut self, code: TrapCode, pc: u32) -> u32 {
        self.trap(code);
        pc
    }

    /// `MemoryFill`: pops `n`, `val`, `d`.
    pub(crate) fn op_memory_fill(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let (n, val, d) = (self.peek(0), self.peek(1), self.peek(2));
        if out(d, n, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        self.bulk_start(3, d, val & 0xff, n, pc)
    }

    /// `MemoryCopy`: pops `n`, `s`, `d`.
    pub(crate) fn op_memory_copy(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let (n, s, d) = (self.peek(0), self.peek(1), self.peek(2));
        if out(d, n, self.mem.size()) || out(s, n, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        self.bulk_start(3, d, s, n, pc)
    }

    /// `MemoryInit seg`: pops `n`, `s`, `d`.
    pub(crate) fn op_memory_init(&mut self, _: &Program, seg: u64, pc: u32) -> u32 {
        if seg >= TREE_LEAVES {
            return self.fault(TrapCode::IndexOutOfRange, pc);
        }
        let (n, s, d) = (self.peek(0), self.peek(1), self.peek(2));
        if out(s, n, self.seg_len(seg)) || out(d, n, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        self.bulk_start(3, d, s, n, pc)
    }

    /// `DataDrop seg`: its length becomes 0 (a slot past the module's segments already is).
    pub(crate) fn op_data_drop(&mut self, _: &Program, seg: u64, pc: u32) -> u32 {
        if seg >= TREE_LEAVES {
            return self.fault(TrapCode::IndexOutOfRange, pc);
        }
        if let Some(l) = self.seg_len.get_mut(seg as usize) {
            *l = 0;
        }
        pc.wrapping_add(1)
    }

    pub(crate) fn op_input_len(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        self.push(self.statics.input().len() as u64);
        pc.wrapping_add(1)
    }

    /// `InputRead`: pops `len`, `offset`, `ptr`.
    pub(crate) fn op_input_read(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let (len, off, ptr) = (self.peek(0), self.peek(1), self.peek(2));
        if out(off, len, self.statics.input().len() as u64) {
            return self.fault(TrapCode::InputOutOfBounds, pc);
        }
        if out(ptr, len, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        self.bulk_start(3, ptr, off, len, pc)
    }

    /// `OutputWrite`: pops `len`, `ptr`.
    pub(crate) fn op_output_write(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        let (len, ptr) = (self.peek(0), self.peek(1));
        if out(ptr, len, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        self.bulk_start(2, 0, ptr, len, pc)
    }

    /// The current length of data segment `seg` (0 past the module's segments, or dropped).
    pub(crate) fn seg_len(&self, seg: u64) -> u64 {
        self.seg_len.get(seg as usize).copied().unwrap_or(0)
    }

    /// Ends a bulk op when nothing is left (`len = 0`): registers back to zero, `pc + 1`.
    /// `None` when there is a chunk to move.
    #[inline(always)]
    fn bulk_done(&mut self, pc: u32) -> Option<u32> {
        if self.bulk_len != 0 {
            return None;
        }
        self.bulk_dst = 0;
        self.bulk_src = 0;
        Some(pc.wrapping_add(1))
    }

    pub(crate) fn op_fill_step(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        if let Some(next) = self.bulk_done(pc) {
            return next;
        }
        let (d, len) = (self.bulk_dst, self.bulk_len);
        let c = len.min(to_leaf_end(d));
        if out(d, c, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        let bytes = [self.bulk_src as u8; 32];
        self.mem.write(d as usize, &bytes[..c as usize]);
        self.bulk_dst = d + c;
        self.bulk_len = len - c;
        pc
    }

    pub(crate) fn op_copy_step(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        if let Some(next) = self.bulk_done(pc) {
            return next;
        }
        let (d, s, len) = (self.bulk_dst, self.bulk_src, self.bulk_len);
        let (from, to, c) = copy_chunk(d, s, len);
        if out(from, c, self.mem.size()) || out(to, c, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        let (from, to, cu) = (from as usize, to as usize, c as usize);
        self.mem.bytes.copy_within(from..from + cu, to);
        self.mem.mark(to, cu);
        if d <= s {
            self.bulk_dst = d + c;
            self.bulk_src = s + c;
        }
        self.bulk_len = len - c;
        pc
    }

    /// Copies one forward chunk from `src_bytes` (`avail` of them readable: a segment's current
    /// length, or the input) into memory; `src_trap` when the chunk leaves the source.
    fn copy_in(&mut self, src_bytes: &[u8], avail: u64, src_trap: TrapCode, pc: u32) -> u32 {
        let (d, s, len) = (self.bulk_dst, self.bulk_src, self.bulk_len);
        let c = len.min(to_leaf_end(d)).min(to_leaf_end(s));
        if out(s, c, avail) {
            return self.fault(src_trap, pc);
        }
        if out(d, c, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        self.mem
            .write(d as usize, &src_bytes[s as usize..(s + c) as usize]);
        self.bulk_dst = d + c;
        self.bulk_src = s + c;
        self.bulk_len = len - c;
        pc
    }

    pub(crate) fn op_init_step(&mut self, prog: &Program, seg: u64, pc: u32) -> u32 {
        if let Some(next) = self.bulk_done(pc) {
            return next;
        }
        if seg >= TREE_LEAVES {
            return self.fault(TrapCode::IndexOutOfRange, pc);
        }
        let bytes = prog.segments.get(seg as usize).map_or(&[][..], |s| &s[..]);
        // A dropped segment keeps its bytes in the program but has length 0 in the state.
        let avail = self.seg_len(seg).min(bytes.len() as u64);
        self.copy_in(bytes, avail, TrapCode::MemoryOutOfBounds, pc)
    }

    pub(crate) fn op_input_read_step(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        if let Some(next) = self.bulk_done(pc) {
            return next;
        }
        let statics = std::sync::Arc::clone(&self.statics);
        let input = statics.input();
        self.copy_in(input, input.len() as u64, TrapCode::InputOutOfBounds, pc)
    }

    pub(crate) fn op_output_write_step(&mut self, _: &Program, _: u64, pc: u32) -> u32 {
        if let Some(next) = self.bulk_done(pc) {
            return next;
        }
        let (s, len) = (self.bulk_src, self.bulk_len);
        let c = len
            .min(to_leaf_end(s))
            .min(to_leaf_end(self.output.len() as u64));
        if out(s, c, self.mem.size()) {
            return self.fault(TrapCode::MemoryOutOfBounds, pc);
        }
        let (su, cu) = (s as usize, c as usize);
        self.output.extend_from_slice(&self.mem.bytes[su..su + cu]);
        self.bulk_src = s + c;
        self.bulk_len = len - c;
        pc
    }
}

/// A `CopyStep` chunk `(from, to, c)`: forward when `dst ≤ src`, else backward from the ends.
pub(crate) fn copy_chunk(d: u64, s: u64, len: u64) -> (u64, u64, u64) {
    if d <= s {
        let c = len.min(to_leaf_end(d)).min(to_leaf_end(s));
        (s, d, c)
    } else {
        let (ed, es) = (d.saturating_add(len), s.saturating_add(len));
        let c = len.min(r(ed)).min(r(es));
        (es - c, ed - c, c)
    }
}
