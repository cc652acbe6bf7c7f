//! Why deploying, the devnet or the demo failed.

use std::path::PathBuf;

/// Why a deployment, the devnet or the demo failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A chain operation failed (transport, revert, bad key): the cause says which.
    #[error(transparent)]
    Service(#[from] opml_service::Error),
    /// The fast path failed on the model.
    #[error(transparent)]
    Engine(#[from] opml_executor::Error),
    /// anvil could not be found or started.
    #[error("{0}")]
    Anvil(String),
    /// A file could not be read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A setting out of range (an unknown profile, a depth too small for the run).
    #[error("{0}")]
    Config(String),
    /// The story did not end as it must (a wrong output delivered, no end in time).
    #[error("demo: {0}")]
    Demo(String),
}

impl Error {
    /// Whether trying again may succeed: as the cause says (a transport failure, an engine's
    /// host-side failure); never a revert, a bad setting or a demo that ended wrong.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.retryable(),
            Error::Engine(e) => e.retryable(),
            _ => false,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
