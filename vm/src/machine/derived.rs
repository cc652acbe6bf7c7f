//! Data derived from a program for speed only (never consensus), built on first use and shared
//! by every machine running the program.

use std::sync::OnceLock;

use super::fast::{Op, decode};
use super::hash::{SMALL_DEPTH, instr_leaf, table_leaf_bytes, table_slot_bytes, zeros};
use super::memory::nonzero_leaves;
use super::merkle::LevelTree;
use super::statics::{bytes_tree, code_depth};
use crate::isa::Instr;
use crate::{B256, Program};

/// Roots of a program's static trees, for boundary states built without a machine.
#[derive(Debug)]
pub(crate) struct ProgramRoots {
    pub(crate) code_root: B256,
    pub(crate) code_depth: u8,
    pub(crate) table_root: B256,
    /// Each data segment's bytes root (by index; active segments' are of empty bytes).
    pub(crate) segment_roots: Vec<B256>,
}

/// A program's lazily built caches; see [`crate::Program`]'s `derived` field.
#[derive(Default)]
pub(crate) struct Derived {
    ops: OnceLock<Box<[Op]>>,
    /// The initial memory's non-zero leaves: all `Machine::new` copies of it.
    mem_leaves: OnceLock<Box<[u32]>>,
    roots: OnceLock<ProgramRoots>,
}

impl Derived {
    /// The decoded ops for `code`, the program's code (decoded now on the first call).
    pub(crate) fn ops(&self, code: &[Instr]) -> &[Op] {
        self.ops.get_or_init(|| decode(code))
    }

    /// The roots of `p`'s code, table and segments (`p` is the program owning these caches).
    pub(crate) fn roots(&self, p: &Program) -> &ProgramRoots {
        self.roots.get_or_init(|| {
            let code: Vec<B256> = p.code.iter().map(instr_leaf).collect();
            let depth = code_depth(p.code.len());
            let table = p
                .table
                .iter()
                .map(|e| table_leaf_bytes(&table_slot_bytes(e.as_ref())))
                .collect();
            ProgramRoots {
                code_root: LevelTree::build(code, depth, &zeros().instr).root(),
                code_depth: depth as u8,
                table_root: LevelTree::build(table, SMALL_DEPTH, &zeros().table).root(),
                segment_roots: p.segments.iter().map(|s| bytes_tree(s).root()).collect(),
            }
        })
    }

    /// The non-zero leaves of `memory`, the program's initial memory.
    pub(crate) fn mem_leaves(&self, memory: &[u8]) -> &[u32] {
        self.mem_leaves
            .get_or_init(|| nonzero_leaves(memory).into())
    }
}

/// A clone starts empty: the clone's code may be edited (tests do), so it derives its own.
impl Clone for Derived {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}
