//! Bulk and host group (0x40–0x4f): start opcodes check bounds and load the bulk registers;
//! step opcodes re-check the chunk they move, move it within one source and one destination
//! leaf, and zero the registers when done.

use super::{Ctx, Flow};
use crate::TrapCode;
use crate::consensus::SMALL_DEPTH;
use crate::machine::bulk::copy_chunk;
use crate::machine::hash::{output_fold, segment_leaf, zeros};
use crate::machine::merkle::root_from_path;
use crate::proof::{ProofError, Result};

/// Bytes from `x` to the end of its leaf.
fn to_leaf_end(x: u64) -> u64 {
    32 - x % 32
}

/// Whether `[x, x + n)` leaves a space of `lim` bytes.
fn out(x: u64, n: u64, lim: u64) -> bool {
    x.saturating_add(n) > lim
}

impl Ctx<'_> {
    pub(super) fn op_memory_fill(&mut self) -> Result<Flow> {
        let (n, v, d) = (self.arg(0), self.arg(1), self.arg(2));
        if out(d, n, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        Ok(self.set_bulk(d, v & 0xff, n))
    }

    pub(super) fn op_memory_copy(&mut self) -> Result<Flow> {
        let (n, s, d) = (self.arg(0), self.arg(1), self.arg(2));
        if out(d, n, self.mem_size()) || out(s, n, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        Ok(self.set_bulk(d, s, n))
    }

    pub(super) fn op_memory_init(&mut self) -> Result<Flow> {
        if self.imm >> SMALL_DEPTH != 0 {
            return Ok(Flow::trap(TrapCode::IndexOutOfRange));
        }
        let (len, _, _) = self.segment()?;
        let (n, s, d) = (self.arg(0), self.arg(1), self.arg(2));
        if out(s, n, len) || out(d, n, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        Ok(self.set_bulk(d, s, n))
    }

    pub(super) fn op_data_drop(&mut self) -> Result<Flow> {
        if self.imm >> SMALL_DEPTH != 0 {
            return Ok(Flow::trap(TrapCode::IndexOutOfRange));
        }
        let (_, _, path) = self.segment()?;
        self.s.segments = root_from_path(zeros().segment[0], self.imm, &path);
        Ok(Flow::Next)
    }

    pub(super) fn op_input_len(&mut self) -> Result<Flow> {
        self.push(self.s.input_len as u64);
        Ok(Flow::Next)
    }

    pub(super) fn op_input_read(&mut self) -> Result<Flow> {
        let (len, off, ptr) = (self.arg(0), self.arg(1), self.arg(2));
        if out(off, len, self.s.input_len as u64) {
            return Ok(Flow::trap(TrapCode::InputOutOfBounds));
        }
        if out(ptr, len, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        Ok(self.set_bulk(ptr, off, len))
    }

    pub(super) fn op_output_write(&mut self) -> Result<Flow> {
        let (len, ptr) = (self.arg(0), self.arg(1));
        if out(ptr, len, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        Ok(self.set_bulk(0, ptr, len))
    }

    pub(super) fn op_fill_step(&mut self) -> Result<Flow> {
        if let Some(done) = self.bulk_done() {
            return Ok(done);
        }
        let (d, len) = (self.s.bulk_dst, self.s.bulk_len);
        let c = len.min(to_leaf_end(d));
        if out(d, c, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        let (mut leaf, path) = self.mem_leaf(d / 32)?;
        let o = (d % 32) as usize;
        leaf[o..o + c as usize].fill(self.s.bulk_src as u8);
        self.set_mem_leaf(d / 32, &leaf, &path);
        self.s.bulk_dst = d + c;
        self.s.bulk_len = len - c;
        Ok(Flow::Stay)
    }

    pub(super) fn op_copy_step(&mut self) -> Result<Flow> {
        if let Some(done) = self.bulk_done() {
            return Ok(done);
        }
        let (d, s, len) = (self.s.bulk_dst, self.s.bulk_src, self.s.bulk_len);
        let (from, to, c) = copy_chunk(d, s, len);
        if out(from, c, self.mem_size()) || out(to, c, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        let (src, _) = self.mem_leaf(from / 32)?;
        self.copy_into_mem(&src, from, to, c)?;
        if d <= s {
            self.s.bulk_dst = d + c;
            self.s.bulk_src = s + c;
        }
        self.s.bulk_len = len - c;
        Ok(Flow::Stay)
    }

    pub(super) fn op_init_step(&mut self) -> Result<Flow> {
        if let Some(done) = self.bulk_done() {
            return Ok(done);
        }
        if self.imm >> SMALL_DEPTH != 0 {
            return Ok(Flow::trap(TrapCode::IndexOutOfRange));
        }
        let (len, root, _) = self.segment()?;
        self.copy_in(root, len, TrapCode::MemoryOutOfBounds)
    }

    pub(super) fn op_input_read_step(&mut self) -> Result<Flow> {
        if let Some(done) = self.bulk_done() {
            return Ok(done);
        }
        let (root, len) = (self.s.input_root, self.s.input_len as u64);
        self.copy_in(root, len, TrapCode::InputOutOfBounds)
    }

    pub(super) fn op_output_write_step(&mut self) -> Result<Flow> {
        if let Some(done) = self.bulk_done() {
            return Ok(done);
        }
        let (s, len, out_len) = (self.s.bulk_src, self.s.bulk_len, self.s.output_len);
        let c = len.min(to_leaf_end(s)).min(to_leaf_end(out_len));
        if out(s, c, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        let (src, _) = self.mem_leaf(s / 32)?;
        let (so, po, cu) = ((s % 32) as usize, (out_len % 32) as usize, c as usize);
        self.s.output_pending[po..po + cu].copy_from_slice(&src[so..so + cu]);
        self.s.bulk_src = s + c;
        self.s.bulk_len = len - c;
        self.s.output_len = out_len + c;
        if self.s.output_len.is_multiple_of(32) {
            self.s.output_chain = output_fold(&self.s.output_chain, &self.s.output_pending);
            self.s.output_pending = [0; 32];
        }
        Ok(Flow::Stay)
    }

    // ---- helpers -------------------------------------------------------------------------------

    fn set_bulk(&mut self, dst: u64, src: u64, len: u64) -> Flow {
        self.s.bulk_dst = dst;
        self.s.bulk_src = src;
        self.s.bulk_len = len;
        Flow::Next
    }

    /// With nothing left: registers back to zero and `pc + 1`; `None` when a chunk remains.
    fn bulk_done(&mut self) -> Option<Flow> {
        if self.s.bulk_len != 0 {
            return None;
        }
        self.s.bulk_dst = 0;
        self.s.bulk_src = 0;
        Some(Flow::Next)
    }

    /// One forward chunk from a bytes tree (`avail` bytes of it readable) into memory;
    /// `src_trap` when the chunk leaves the source, `MemoryOutOfBounds` when it leaves memory.
    fn copy_in(&mut self, root: [u8; 32], avail: u64, src_trap: TrapCode) -> Result<Flow> {
        let (d, s, len) = (self.s.bulk_dst, self.s.bulk_src, self.s.bulk_len);
        let c = len.min(to_leaf_end(d)).min(to_leaf_end(s));
        if out(s, c, avail) {
            return Ok(Flow::trap(src_trap));
        }
        if out(d, c, self.mem_size()) {
            return Ok(Flow::trap(TrapCode::MemoryOutOfBounds));
        }
        let (src, _) = self.bytes_leaf(s / 32, &root, "source leaf")?;
        self.copy_into_mem(&src, s, d, c)?;
        self.s.bulk_dst = d + c;
        self.s.bulk_src = s + c;
        self.s.bulk_len = len - c;
        Ok(Flow::Stay)
    }

    /// Segment `imm`'s leaf `len ‖ bytes_root` (`imm < 2^16`) checked against the segments
    /// root: `(len, bytes_root, siblings)`.
    fn segment(&mut self) -> Result<(u64, [u8; 32], Vec<[u8; 32]>)> {
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
