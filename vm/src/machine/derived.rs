//! Data derived from a program for speed only (never consensus), built on first use and shared
//! by every machine running the program.

use std::sync::OnceLock;

use super::fast::{Op, decode};
use super::memory::nonzero_leaves;
use crate::isa::Instr;

/// A program's lazily built caches; see [`crate::Program`]'s `derived` field.
#[derive(Default)]
pub(crate) struct Derived {
    ops: OnceLock<Box<[Op]>>,
    /// The initial memory's non-zero leaves: all `Machine::new` copies of it.
    mem_leaves: OnceLock<Box<[u32]>>,
}

impl Derived {
    /// The decoded ops for `code`, the program's code (decoded now on the first call).
    pub(crate) fn ops(&self, code: &[Instr]) -> &[Op] {
        self.ops.get_or_init(|| decode(code))
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
