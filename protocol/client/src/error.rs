//! Why a client operation failed: bad input (final), something missing on-chain (final), or
//! the chain (its cause says whether retrying may help).

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The chain: the transport (retryable) or a revert, with the oracle's decoded error.
    #[error(transparent)]
    Chain(#[from] opml_service::Error),
    /// No such program, request, result or game on this oracle.
    #[error("{0}")]
    NotFound(String),
    /// The arguments cannot work (a depth out of range, a callback gas limit above the
    /// maximum, an input too large, a fee below the minimum).
    #[error("{0}")]
    Input(String),
    /// The node did not answer in time.
    #[error("{op}: no answer from the node within {secs} s")]
    NoAnswer {
        /// What the client was doing.
        op: String,
        /// The limit.
        secs: u64,
    },
    /// A followed request ended without an output (cancelled, or never served).
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// Whether trying again later may succeed (the transport, a node that did not answer).
    pub fn retryable(&self) -> bool {
        match self {
            Error::Chain(e) => e.retryable(),
            Error::NoAnswer { .. } => true,
            Error::NotFound(_) | Error::Input(_) | Error::Failed(_) => false,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
