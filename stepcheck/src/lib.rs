//! Differential checking of the compiled Solidity step verifier against the Rust machine.

pub mod opcodes;

use std::path::PathBuf;

/// The repository root (the parent of this crate).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".."))
}
