//! Commitments the fast path computes without the VM (`docs/machine.md` §9): the state of a
//! canonical boundary from memory, mutable globals, dropped data segments, input and output, and
//! the roots it needs. One implementation of the layout, so the executor never re-implements it.
//!
//! ```
//! use opml_vm::commit::{Boundary, MemoryTree, globals_root, input_commitment, output_commitment};
//! use opml_vm::{Limits, Machine, Program, Status};
//! use std::sync::Arc;
//!
//! let wasm = wat::parse_str(r#"(module (memory 1) (global (mut i32) (i32.const 5))
//!     (func (export "main") (global.set 0 (i32.const 7)) (i32.store (i32.const 64) (i32.const 9))))"#)?;
//! let program = Arc::new(Program::load(&wasm, Limits::default())?);
//! let mut m = Machine::new(&program, b"in");
//! m.run(1000);
//! assert_eq!(m.status(), Status::Halted);
//!
//! // What the fast path knows at the end: memory, globals, segments, input, output.
//! let mut mem = MemoryTree::default();
//! let (input_root, input_len) = input_commitment(b"in");
//! let (output_chain, output_pending, output_len) = output_commitment(m.output());
//! let b = Boundary {
//!     status: Status::Halted,
//!     memory_root: mem.update(m.memory()),
//!     memory_pages: (m.memory().len() / 65536) as u32,
//!     globals_root: globals_root(&[7]),
//!     segments_root: program.segments_root(|_| false),
//!     input_root,
//!     input_len,
//!     output_chain,
//!     output_pending,
//!     output_len,
//! };
//! assert_eq!(program.boundary_fields(&b).map(|f| f.hash()), Some(m.state_hash()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::machine::hash::{SMALL_DEPTH, output_fold, segment_leaf, value_leaf, zeros};
use crate::machine::memory::{CHUNK_BYTES, LEAF_BYTES, Memory, PAGE_BYTES};
use crate::machine::merkle::sparse_root;
use crate::machine::statics::bytes_tree;
use crate::{B256, Program, StateFields, Status, empty_locals};

/// What a canonical boundary's state depends on beyond the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boundary {
    /// [`Status::Yielded`] (at the program's segment `pc`) or [`Status::Halted`] (at its `Halt`).
    pub status: Status,
    /// The memory root ([`MemoryTree`]).
    pub memory_root: B256,
    /// Memory size in 64 KiB pages.
    pub memory_pages: u32,
    /// The root over the mutable globals ([`globals_root`]).
    pub globals_root: B256,
    /// The data segments root ([`Program::segments_root`]).
    pub segments_root: B256,
    /// The input root ([`input_commitment`]).
    pub input_root: B256,
    /// The input length.
    pub input_len: u32,
    /// The output chain ([`output_commitment`]).
    pub output_chain: B256,
    /// The pending output block.
    pub output_pending: B256,
    /// The output length.
    pub output_len: u64,
}

impl Program {
    /// The state fields of the canonical boundary `b` of this program (`docs/machine.md` §9):
    /// no frame, empty stacks, `EMPTY_LOCALS`, bulk registers and `segment_steps` zero. `None`
    /// when `b.status` is neither yielded nor halted, or yielded in a program without segments.
    /// `.hash()` is the boundary's state hash.
    pub fn boundary_fields(&self, b: &Boundary) -> Option<StateFields> {
        let pc = match b.status {
            Status::Yielded => self.segment_pc?,
            Status::Halted => self.halt_pc,
            Status::Running | Status::Trapped => return None,
        };
        let roots = self.derived.roots(self);
        Some(StateFields {
            status: b.status as u8,
            trap_code: 0,
            pc,
            call_depth: 0,
            max_call_depth: self.limits.max_call_depth,
            code_root: roots.code_root,
            code_depth: roots.code_depth,
            value_stack: [0; 32],
            aux_stack: [0; 32],
            frame_stack: [0; 32],
            locals: empty_locals(),
            globals: b.globals_root,
            table: roots.table_root,
            table_size: self.table.len() as u32,
            memory_root: b.memory_root,
            memory_pages: b.memory_pages,
            max_pages: self.max_pages,
            segments: b.segments_root,
            input_root: b.input_root,
            input_len: b.input_len,
            output_chain: b.output_chain,
            output_pending: b.output_pending,
            output_len: b.output_len,
            bulk_dst: 0,
            bulk_src: 0,
            bulk_len: 0,
            segment_steps: 0,
            segment_depth: self.limits.segment_depth,
            stack_depth: 0,
        })
    }

    /// The data segments root when the segments for which `dropped(i)` holds have been dropped
    /// (`data.drop`); active segments are dropped at instantiation whatever `dropped` says.
    pub fn segments_root(&self, dropped: impl Fn(usize) -> bool) -> B256 {
        let roots = self.derived.roots(self);
        let leaves = self
            .segments
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                if bytes.is_empty() || dropped(i) {
                    zeros().segment[0]
                } else {
                    segment_leaf(bytes.len() as u64, &roots.segment_roots[i])
                }
            })
            .collect();
        sparse_root(leaves, SMALL_DEPTH, &zeros().segment)
    }
}

/// The globals root over the mutable globals' values, in lowered order (an `i32` or `f32`
/// zero-extended, an `f64` as its bits).
pub fn globals_root(values: &[u64]) -> B256 {
    let leaves = values.iter().map(|&v| value_leaf(v)).collect();
    sparse_root(leaves, SMALL_DEPTH, &zeros().value)
}

/// `(input_root, input_len)` of an input (cut at `u32::MAX` bytes, as `Machine::new` does).
pub fn input_commitment(input: &[u8]) -> (B256, u32) {
    let input = &input[..input.len().min(u32::MAX as usize)];
    (bytes_tree(input).root(), input.len() as u32)
}

/// `(output_chain, output_pending, output_len)` of the output written so far.
pub fn output_commitment(output: &[u8]) -> (B256, B256, u64) {
    let mut chain = [0u8; 32];
    let mut blocks = output.chunks_exact(32);
    for b in &mut blocks {
        let mut block = [0u8; 32];
        block.copy_from_slice(b);
        chain = output_fold(&chain, &block);
    }
    let mut pending = [0u8; 32];
    let rest = blocks.remainder();
    pending[..rest.len()].copy_from_slice(rest);
    (chain, pending, output.len() as u64)
}

/// [`output_commitment`] kept up to date as the output grows: each call folds only the blocks
/// completed since the last one, so a run of many boundaries hashes its output once. The output
/// passed must extend the one passed before (output is append-only).
#[derive(Debug, Clone, Default)]
pub struct OutputTracker {
    chain: B256,
    folded: usize,
}

impl OutputTracker {
    /// `(output_chain, output_pending, output_len)` of `output`, which extends the last one.
    pub fn update(&mut self, output: &[u8]) -> (B256, B256, u64) {
        if output.len() < self.folded {
            // Not an extension: start again rather than return a wrong chain.
            *self = Self::default();
        }
        let full = output.len() / 32 * 32;
        for b in output[self.folded..full].chunks_exact(32) {
            let mut block = [0u8; 32];
            block.copy_from_slice(b);
            self.chain = output_fold(&self.chain, &block);
        }
        self.folded = full;
        let mut pending = [0u8; 32];
        pending[..output.len() - full].copy_from_slice(&output[full..]);
        (self.chain, pending, output.len() as u64)
    }
}

/// The memory tree of a linear memory, kept between calls: [`MemoryTree::update`] compares the
/// new bytes with the last ones and rehashes only the leaves that changed (the machine's own
/// chunked tree). For the fast path's boundary hashes.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    mem: Option<Memory>,
}

impl MemoryTree {
    /// The memory root of `bytes` (a whole number of 64 KiB pages; a partial page counts as
    /// zero-padded).
    pub fn update(&mut self, bytes: &[u8]) -> B256 {
        let len = bytes.len().div_ceil(PAGE_BYTES) * PAGE_BYTES;
        let mem = self
            .mem
            .get_or_insert_with(|| Memory::with_leaves(&[], 0, &[]));
        if (mem.size() as usize) < len {
            mem.resize_to(len);
        }
        for (c, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
            let at = c * CHUNK_BYTES;
            if mem.bytes[at..at + chunk.len()] == *chunk {
                continue;
            }
            for (l, leaf) in chunk.chunks(LEAF_BYTES).enumerate() {
                let a = at + l * LEAF_BYTES;
                if mem.bytes[a..a + leaf.len()] != *leaf {
                    mem.write(a, leaf);
                }
            }
        }
        mem.flush();
        mem.root()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_tracker_equals_the_whole_commitment_at_every_length() {
        let output: Vec<u8> = (0..200u32).map(|i| (i * 7 + 1) as u8).collect();
        let mut tracker = OutputTracker::default();
        // Growing by 0, 1, 31, 32, 33… bytes between updates, across block edges.
        let mut len = 0;
        for step in [0, 1, 31, 32, 33, 0, 5, 64, 34] {
            len += step;
            assert_eq!(
                tracker.update(&output[..len]),
                output_commitment(&output[..len]),
                "length {len}"
            );
        }
        assert_eq!(
            tracker.update(&output[..3]),
            output_commitment(&output[..3])
        );
    }
}
