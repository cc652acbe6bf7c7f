//! Data derived from a program for speed only (never consensus), built on first use and shared
//! by every machine running the program.

use std::sync::OnceLock;

use super::fast::{Op, decode};
use crate::isa::Instr;

/// A program's lazily built caches; see [`crate::Program`]'s `derived` field.
#[derive(Default)]
pub(crate) struct Derived {
    ops: OnceLock<Box<[Op]>>,
}

impl Derived {
    /// The decoded ops for `code`, the program's code (decoded now on the first call).
    pub(crate) fn ops(&self, code: &[Instr]) -> &[Op] {
        self.ops.get_or_init(|| decode(code))
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
