//! The crate's errors, split into what may succeed on retry and what never will.

/// Why a protocol operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JSON-RPC transport failed (dropped connection, timeout): retry with backoff.
    #[error("rpc: {0}")]
    Rpc(String),
    /// A contract call reverted or a transaction failed on-chain.
    #[error("contract: {0}")]
    Contract(String),
    /// The game cannot be played from this trace (the player disagrees with the agreed start,
    /// or agrees with every hash of the opponent).
    #[error("game: {0}")]
    Game(String),
    /// A running step cannot be proved: `opml-vm` has no one-step prover yet.
    #[error("the VM has no one-step prover yet (Machine::prove_step)")]
    NoProver,
    /// The program could not be loaded or run.
    #[error("program: {0}")]
    Program(String),
    /// The embedded database failed.
    #[error("database: {0}")]
    Db(String),
    /// Bad configuration (key, address, file).
    #[error("config: {0}")]
    Config(String),
}

impl Error {
    /// Whether trying again later may succeed (transport failures only).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Rpc(_))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
