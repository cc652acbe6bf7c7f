//! The crate's errors, split into what may succeed on retry and what never will.

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The JSON-RPC transport failed (dropped connection, timeout): retry with backoff.
    #[error("rpc: {0}")]
    Rpc(String),
    /// A contract call reverted or a transaction failed on-chain.
    #[error("contract: {0}")]
    Contract(String),
    /// No move can be computed from the role's trace.
    #[error("game: {0}")]
    Game(#[from] opml_game::Error),
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
