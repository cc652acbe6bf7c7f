//! Loading: validation against the deterministic profile, lowering, instantiation.
//! (Owned by the loading work; see docs/machine.md §2.)

use crate::{Entry, Limits, Program};

/// Why a wasm binary cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Not implemented yet.
    #[error("loading is not implemented yet")]
    Unimplemented,
}

impl Program {
    /// Validates, lowers and instantiates `bytes` with the entry `main`.
    pub fn load(bytes: &[u8], limits: Limits) -> Result<Program, LoadError> {
        Self::load_with_entry(bytes, limits, Entry::Main)
    }

    /// As [`Program::load`], with another entry.
    pub fn load_with_entry(
        _bytes: &[u8],
        _limits: Limits,
        _entry: Entry,
    ) -> Result<Program, LoadError> {
        Err(LoadError::Unimplemented)
    }
}
