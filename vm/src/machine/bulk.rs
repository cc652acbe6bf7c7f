//! Bulk memory and host I/O: a start opcode checks bounds and loads the bulk registers, then a
//! step opcode moves at most one leaf's worth of bytes per step (`docs/machine.md` §5).

use super::Machine;
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

impl Machine {
    fn bulk_start(&mut self, pops: usize, dst: u64, src: u64, len: u64) -> bool {
        self.popn(pops);
        self.bulk_dst = dst;
        self.bulk_src = src;
        self.bulk_len = len;
        true
    }

    fn oob(&mut self, code: TrapCode) -> bool {
        self.trap(code);
        false
    }

    /// `MemoryFill`: pops `n`, `val`, `d`.
    pub(crate) fn memory_fill(&mut self) -> bool {
        let (n, val, d) = (self.peek(0), self.peek(1), self.peek(2));
        if d.saturating_add(n) > self.mem.size() {
            return self.oob(TrapCode::MemoryOutOfBounds);
        }
        self.bulk_start(3, d, val & 0xff, n)
    }

    /// `MemoryCopy`: pops `n`, `s`, `d`.
    pub(crate) fn memory_copy(&mut self) -> bool {
        let (n, s, d) = (self.peek(0), self.peek(1), self.peek(2));
        if d.saturating_add(n) > self.mem.size() || s.saturating_add(n) > self.mem.size() {
            return self.oob(TrapCode::MemoryOutOfBounds);
        }
        self.bulk_start(3, d, s, n)
    }

    /// `MemoryInit seg`: pops `n`, `s`, `d`.
    pub(crate) fn memory_init(&mut self, seg: u64) -> bool {
        let (n, s, d) = (self.peek(0), self.peek(1), self.peek(2));
        let seg_len = self.seg_len.get(seg as usize).copied().unwrap_or(0);
        if s.saturating_add(n) > seg_len || d.saturating_add(n) > self.mem.size() {
            return self.oob(TrapCode::MemoryOutOfBounds);
        }
        self.bulk_start(3, d, s, n)
    }

    /// `InputRead`: pops `len`, `offset`, `ptr`.
    pub(crate) fn input_read(&mut self) -> bool {
        let (len, off, ptr) = (self.peek(0), self.peek(1), self.peek(2));
        if off.saturating_add(len) > self.statics.input().len() as u64 {
            return self.oob(TrapCode::InputOutOfBounds);
        }
        if ptr.saturating_add(len) > self.mem.size() {
            return self.oob(TrapCode::MemoryOutOfBounds);
        }
        self.bulk_start(3, ptr, off, len)
    }

    /// `OutputWrite`: pops `len`, `ptr`.
    pub(crate) fn output_write(&mut self) -> bool {
        let (len, ptr) = (self.peek(0), self.peek(1));
        if ptr.saturating_add(len) > self.mem.size() {
            return self.oob(TrapCode::MemoryOutOfBounds);
        }
        self.bulk_start(2, 0, ptr, len)
    }

    /// Ends a bulk op (`len = 0`: `pc + 1`) and tells whether there is a chunk to move.
    #[inline(always)]
    fn bulk_more(&mut self) -> bool {
        if self.bulk_len == 0 {
            self.pc = self.pc.wrapping_add(1);
            return false;
        }
        true
    }

    /// Whether `[a, a + c)` is in memory; the start opcode guarantees it for lowered code, so a
    /// `false` (a step reached without its start) traps rather than panics.
    fn in_mem(&mut self, a: u64, c: u64) -> bool {
        if a.saturating_add(c) > self.mem.size() {
            self.trap(TrapCode::MemoryOutOfBounds);
            return false;
        }
        true
    }

    pub(crate) fn fill_step(&mut self) {
        if !self.bulk_more() {
            return;
        }
        let (d, len) = (self.bulk_dst, self.bulk_len);
        let c = len.min(to_leaf_end(d));
        if !self.in_mem(d, c) {
            return;
        }
        let bytes = [self.bulk_src as u8; 32];
        self.mem.write(d as usize, &bytes[..c as usize]);
        self.bulk_dst = d + c;
        self.bulk_len = len - c;
    }

    pub(crate) fn copy_step(&mut self) {
        if !self.bulk_more() {
            return;
        }
        let (d, s, len) = (self.bulk_dst, self.bulk_src, self.bulk_len);
        let (from, to, c) = if d <= s {
            let c = len.min(to_leaf_end(d)).min(to_leaf_end(s));
            (s, d, c)
        } else {
            let (ed, es) = (d + len, s + len);
            let c = len.min(r(ed)).min(r(es));
            (es - c, ed - c, c)
        };
        if !self.in_mem(from, c) || !self.in_mem(to, c) {
            return;
        }
        let (from, to, cu) = (from as usize, to as usize, c as usize);
        self.mem.bytes.copy_within(from..from + cu, to);
        self.mem.mark(to, cu);
        if d <= s {
            self.bulk_dst = d + c;
            self.bulk_src = s + c;
        }
        self.bulk_len = len - c;
    }

    /// Copies one forward chunk from `src_bytes` (a segment or the input) into memory.
    fn copy_in(&mut self, src_bytes: &[u8]) {
        let (d, s, len) = (self.bulk_dst, self.bulk_src, self.bulk_len);
        let c = len.min(to_leaf_end(d)).min(to_leaf_end(s));
        if s.saturating_add(c) > src_bytes.len() as u64 {
            self.trap(TrapCode::MemoryOutOfBounds);
            return;
        }
        if !self.in_mem(d, c) {
            return;
        }
        self.mem
            .write(d as usize, &src_bytes[s as usize..(s + c) as usize]);
        self.bulk_dst = d + c;
        self.bulk_src = s + c;
        self.bulk_len = len - c;
    }

    pub(crate) fn init_step(&mut self, prog: &Program, seg: u64) {
        if !self.bulk_more() {
            return;
        }
        let bytes = prog.segments.get(seg as usize).map_or(&[][..], |s| &s[..]);
        self.copy_in(bytes);
    }

    pub(crate) fn input_read_step(&mut self) {
        if !self.bulk_more() {
            return;
        }
        let statics = std::sync::Arc::clone(&self.statics);
        self.copy_in(statics.input());
    }

    pub(crate) fn output_write_step(&mut self) {
        if !self.bulk_more() {
            return;
        }
        let (s, len) = (self.bulk_src, self.bulk_len);
        let c = len
            .min(to_leaf_end(s))
            .min(to_leaf_end(self.output.len() as u64));
        if !self.in_mem(s, c) {
            return;
        }
        let (su, cu) = (s as usize, c as usize);
        self.output.extend_from_slice(&self.mem.bytes[su..su + cu]);
        self.bulk_src = s + c;
        self.bulk_len = len - c;
    }
}
