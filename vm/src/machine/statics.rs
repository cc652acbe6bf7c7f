//! Trees over data a machine never writes: code, table, data segments' bytes and the input.
//! Built on first use and shared (behind an `Arc`) by every clone and snapshot of a machine.

use std::sync::{Arc, OnceLock};

use super::hash::{
    BYTES_DEPTH, SMALL_DEPTH, bytes_leaf, instr_leaf, table_leaf_bytes, table_slot_bytes, zeros,
};
use super::merkle::LevelTree;
use crate::Program;

/// Lazily built static trees.
#[derive(Debug)]
pub(crate) struct Statics {
    input: Arc<[u8]>,
    input_tree: OnceLock<LevelTree>,
    code: OnceLock<LevelTree>,
    table: OnceLock<LevelTree>,
    segments: OnceLock<Vec<LevelTree>>,
}

/// The code tree's depth: the least `d ≥ 1` with `2^d ≥ len`.
pub(crate) fn code_depth(len: usize) -> u32 {
    len.max(2).next_power_of_two().trailing_zeros()
}

/// The tree over `bytes` in 32-byte leaves, zero-padded, depth 27.
pub(crate) fn bytes_tree(bytes: &[u8]) -> LevelTree {
    let leaves = bytes
        .chunks(32)
        .map(|c| {
            let mut l = [0u8; 32];
            l[..c.len()].copy_from_slice(c);
            bytes_leaf(&l)
        })
        .collect();
    LevelTree::build(leaves, BYTES_DEPTH, &zeros().bytes)
}

impl Statics {
    pub(crate) fn new(input: &[u8]) -> Self {
        Self {
            input: input.into(),
            input_tree: OnceLock::new(),
            code: OnceLock::new(),
            table: OnceLock::new(),
            segments: OnceLock::new(),
        }
    }

    pub(crate) fn input(&self) -> &[u8] {
        &self.input
    }

    pub(crate) fn input_tree(&self) -> &LevelTree {
        self.input_tree.get_or_init(|| bytes_tree(&self.input))
    }

    pub(crate) fn code(&self, p: &Program) -> &LevelTree {
        self.code.get_or_init(|| {
            let leaves = p.code.iter().map(instr_leaf).collect();
            LevelTree::build(leaves, code_depth(p.code.len()), &zeros().instr)
        })
    }

    pub(crate) fn table(&self, p: &Program) -> &LevelTree {
        self.table.get_or_init(|| {
            let leaves = p
                .table
                .iter()
                .map(|e| table_leaf_bytes(&table_slot_bytes(e.as_ref())))
                .collect();
            LevelTree::build(leaves, SMALL_DEPTH, &zeros().table)
        })
    }

    /// Each data segment's bytes tree, by index.
    pub(crate) fn segments(&self, p: &Program) -> &[LevelTree] {
        self.segments
            .get_or_init(|| p.segments.iter().map(|s| bytes_tree(s)).collect())
    }
}
