#![doc = include_str!("../README.md")]

pub mod artifacts;
pub mod diff;
mod error;
pub mod evm;
pub mod float;
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
