//! Why no move can be computed.

/// Why the game cannot be played from this trace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The opponent's move is malformed (wrong number of hashes, a depth out of range).
    #[error("malformed move: {0}")]
    Malformed(String),
    /// The player's trace is not the one the game started from: it disagrees with the hash
    /// both sides agreed at `step`.
    #[error("own trace disagrees with the agreed start at step {step}")]
    StartDisagrees {
        /// The agreed step.
        step: u64,
    },
    /// The player agrees with every hash of the opponent's move: nothing to dispute.
    #[error("own trace agrees with every hash of the opponent's move")]
    NothingToDispute,
    /// The trace itself failed (a trace backed by something that can fail).
    #[error("trace: {0}")]
    Trace(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
