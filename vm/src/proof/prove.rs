//! `Machine::prove_step`: the proof bytes of `docs/proof.md` for the next step, gathered from
//! the pre-state before the step runs.

use std::sync::Arc;

use crate::consensus::SMALL_DEPTH;
use crate::isa::{Instr, Opcode::*};
use crate::machine::bulk::copy_chunk;
use crate::machine::hash::bytes_leaf;
use crate::machine::merkle::path_nodes;
use crate::{B256, Machine, Program, Status};

/// Appends proof fields.
struct Out(Vec<u8>);

impl Out {
    fn b(&mut self, x: &[u8]) {
        self.0.extend_from_slice(x);
    }
    fn path(&mut self, p: &[B256]) {
        p.iter().for_each(|h| self.0.extend_from_slice(h));
    }
}

impl Machine {
    /// Proves the next step, then takes it: returns the StepProof bytes that
    /// [`verify_step`](crate::verify_step) (and the Solidity verifier) turn from this state's
    /// hash into the next one's. Empty for a halted, trapped or yielded machine (it steps to
    /// itself).
    pub fn prove_step(&mut self) -> Vec<u8> {
        if self.status != Status::Running {
            self.step();
            return Vec::new();
        }
        let p = Arc::clone(&self.prog);
        let fields = self.state_fields();
        let mut out = Out(fields.encode());
        let pc = self.pc;
        // Decided by the state alone: the segment counter, or `pc` past the code tree.
        let pc_out = (pc as u64) >> fields.code_depth != 0;
        if self.segment_steps >= self.segment_limit() || pc_out {
            self.step();
            return out.0;
        }
        let instr = p
            .code
            .get(pc as usize)
            .copied()
            .unwrap_or(Instr::bare(Unreachable));
        out.b(&instr.encode());
        out.path(&self.statics.code(&p).path(pc as u64));
        let n = instr.op.pops() as usize;
        if self.stack.len() < n {
            // `StackUnderflow`: nothing past the instruction.
            self.step();
            return out.0;
        }
        if n > 0 {
            for k in 0..n {
                out.b(&self.peek(k).to_be_bytes());
            }
            out.b(&self.value_chain_below(n));
        }
        self.prove_extra(&p, instr, &mut out);
        self.step();
        out.0
    }

    fn prove_extra(&mut self, p: &Program, Instr { op, imm }: Instr, out: &mut Out) {
        match op {
            LocalGet | LocalSet | LocalTee | GlobalGet | GlobalSet if imm >> SMALL_DEPTH != 0 => {}
            MemoryInit | DataDrop | InitStep if imm >> SMALL_DEPTH != 0 => {}
            LocalGet | LocalSet | LocalTee => {
                let v = self
                    .locals
                    .get(self.locals_base + imm as usize)
                    .copied()
                    .unwrap_or(0);
                out.b(&v.to_be_bytes());
                out.path(&self.locals_tree().path(imm));
            }
            GlobalGet | GlobalSet => {
                out.b(&self
                    .globals
                    .get(imm as usize)
                    .copied()
                    .unwrap_or(0)
                    .to_be_bytes());
                out.path(&self.globals_tree().path(imm));
            }
            Return if !self.frames.is_empty() => {
                let i = self.frames.len() - 1;
                out.b(&self.frames[i].return_pc.to_be_bytes());
                out.b(&self.saved_locals_root(i));
                out.b(&self.frame_chain_below(i));
            }
            MoveFromAux => {
                if let Some(&v) = self.aux.last() {
                    out.b(&v.to_be_bytes());
                    out.b(&self.aux_chain_below_top());
                }
            }
            CallIndirect => {
                let i = self.peek(0) as u32;
                if (i as usize) < p.table.len() {
                    let slot = crate::machine::hash::table_slot_bytes(p.table[i as usize].as_ref());
                    out.b(&slot);
                    out.path(&self.statics.table(p).path(i as u64));
                }
            }
            MemoryInit | DataDrop => self.prove_segment(imm, out),
            _ if op.access_width().is_some() => self.prove_access(op, imm, out),
            _ => self.prove_bulk_step(p, op, imm, out),
        }
    }

    /// The segment leaf `len ‖ bytes_root` and its path.
    fn prove_segment(&mut self, seg: u64, out: &mut Out) {
        let tree = self.segments_tree();
        let len = self.seg_len.get(seg as usize).copied().unwrap_or(0);
        let trees = self.statics.segments(&self.prog);
        let root = match trees.get(seg as usize) {
            Some(t) if len > 0 => t.root(),
            _ => crate::machine::hash::zeros().bytes[27],
        };
        out.b(&len.to_be_bytes());
        out.b(&root);
        out.path(&tree.path(seg));
    }

    /// A memory leaf and its path against the current root.
    fn prove_mem_leaf(&self, leaf: u64, out: &mut Out) {
        out.b(&self.mem.leaf_bytes(leaf));
        out.path(&self.mem.path(leaf));
    }

    /// Loads and stores: the touched leaves (none when out of bounds).
    fn prove_access(&mut self, op: crate::isa::Opcode, imm: u64, out: &mut Out) {
        let w = op.access_width().unwrap_or(0) as u64;
        let store = op.pops() == 2;
        let Some(a) = self.mem.addr(self.peek(store as usize), imm, w) else {
            return;
        };
        let (l0, off) = ((a / 32) as u64, a % 32);
        self.prove_mem_leaf(l0, out);
        if off + w as usize <= 32 {
            return;
        }
        let l1 = l0 + 1;
        let mut path1 = self.mem.path(l1);
        if store {
            // leaf 1's path against the root after leaf 0's write
            let mut new0 = self.mem.leaf_bytes(l0);
            let bytes = self.peek(0).to_le_bytes();
            new0[off..].copy_from_slice(&bytes[..32 - off]);
            let nodes = path_nodes(bytes_leaf(&new0), l0, &self.mem.path(l0));
            let k = (0..27)
                .find(|k| l0 >> (k + 1) == l1 >> (k + 1))
                .unwrap_or(0);
            path1[k] = nodes[k];
        }
        out.b(&self.mem.leaf_bytes(l1));
        out.path(&path1);
    }

    /// Bulk step opcodes with `len > 0`: the leaves they read and write, unless the chunk is
    /// out of bounds (the step traps; only what decided it is revealed).
    fn prove_bulk_step(&mut self, p: &Program, op: crate::isa::Opcode, imm: u64, out: &mut Out) {
        if self.bulk_len == 0 {
            return;
        }
        let (d, s, len) = (self.bulk_dst, self.bulk_src, self.bulk_len);
        let size = self.mem.size();
        let fits = |a: u64, c: u64, lim: u64| a.saturating_add(c) <= lim;
        let to_end = |x: u64| 32 - x % 32;
        let fwd = len.min(to_end(d)).min(to_end(s));
        match op {
            FillStep if fits(d, len.min(to_end(d)), size) => self.prove_mem_leaf(d / 32, out),
            OutputWriteStep => {
                let c = len.min(to_end(s)).min(to_end(self.output.len() as u64));
                if fits(s, c, size) {
                    self.prove_mem_leaf(s / 32, out);
                }
            }
            CopyStep => {
                let (from, to, c) = copy_chunk(d, s, len);
                if fits(from, c, size) && fits(to, c, size) {
                    self.prove_mem_leaf(from / 32, out);
                    self.prove_mem_leaf(to / 32, out);
                }
            }
            InitStep => {
                self.prove_segment(imm, out);
                if !fits(s, fwd, self.seg_len(imm)) || !fits(d, fwd, size) {
                    return;
                }
                let seg = p.segments.get(imm as usize).map_or(&[][..], |v| &v[..]);
                let mut leaf = [0u8; 32];
                let start = (s / 32 * 32) as usize;
                let end = (start + 32).min(seg.len());
                leaf[..end.saturating_sub(start)].copy_from_slice(&seg[start.min(end)..end]);
                out.b(&leaf);
                match self.statics.segments(p).get(imm as usize) {
                    Some(tree) => out.path(&tree.path(s / 32)),
                    None => out.path(&crate::machine::hash::zeros().bytes[..27]),
                }
                self.prove_mem_leaf(d / 32, out);
            }
            InputReadStep => {
                if !fits(s, fwd, self.statics.input().len() as u64) || !fits(d, fwd, size) {
                    return;
                }
                let input = self.statics.input();
                let mut leaf = [0u8; 32];
                let start = (s / 32 * 32) as usize;
                let end = (start + 32).min(input.len());
                leaf[..end.saturating_sub(start)].copy_from_slice(&input[start.min(end)..end]);
                out.b(&leaf);
                out.path(&self.statics.input_tree().path(s / 32));
                self.prove_mem_leaf(d / 32, out);
            }
            _ => {}
        }
    }
}
