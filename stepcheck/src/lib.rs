//! Differential checking of the compiled Solidity step verifier against the Rust machine.
//!
//! The forge artifacts of `contracts/src/verifier/` are deployed into revm ([`evm::StepEvm`]);
//! every step of a program is proved by `opml-vm` and replayed there, and the post-state hashes
//! must agree.

pub mod artifacts;
pub mod diff;
mod error;
pub mod evm;
pub mod opcodes;
pub mod programs;
pub mod suite;
pub mod tamper;
pub mod vectors;

pub use error::{Error, Result};

use std::path::PathBuf;

/// The repository root (the parent of this crate).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".."))
}
