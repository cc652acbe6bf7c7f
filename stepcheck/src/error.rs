//! The crate's error type: failures of the harness itself, never a step disagreement (those are
//! results, reported as [`crate::diff::Mismatch`]).

/// A failure of the differential harness.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A forge artifact could not be found, built or read.
    #[error("forge artifact: {0}")]
    Artifact(String),
    /// The in-process EVM failed (not a revert: a transaction that could not run).
    #[error("evm: {0}")]
    Evm(String),
    /// A verifier contract could not be deployed.
    #[error("deploying {0} failed: {1}")]
    Deploy(&'static str, String),
    /// A wasm program for the differential could not be built or loaded.
    #[error("program: {0}")]
    Program(String),
    /// Reading or writing a vector file.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// A malformed golden vector file.
    #[error("vector file {0}: {1}")]
    Vector(String, String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
