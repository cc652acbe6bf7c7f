//! The crate's errors. Each keeps its cause as a value (the transport's error, the oracle's
//! decoded revert, the engine's error), and whether trying again may help follows from the
//! cause: [`Error::retryable`].
//!
//! A message includes its cause, so the cause is kept in the variant but not chained as a
//! `source` (anyhow's `{:#}` would print it twice).

use alloy::primitives::{B256, Bytes};
use alloy::providers::PendingTransactionError;
use alloy::transports::TransportError;
use opml_bindings::oracle::OpMLOracle::OpMLOracleErrors;

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The node was not reached or did not answer (a dropped connection, a timeout, a reply
    /// that does not parse), or it refused a transaction for a reason other than a revert (a
    /// nonce, a balance, a fee).
    #[error("{op}: {cause}")]
    Transport {
        /// What the role was doing.
        op: String,
        /// The transport's error.
        cause: TransportError,
    },
    /// A transaction was sent, but waiting for its receipt failed (a timeout, the transport).
    #[error("{op}: waiting for the receipt: {cause}")]
    Receipt {
        /// What the role was doing.
        op: String,
        /// The provider's error.
        cause: PendingTransactionError,
    },
    /// A sent transaction did not get `confirmations` deep: the node no longer knows it (a
    /// reorg dropped it, or the pool evicted it), or the wait timed out. The next pass reads
    /// the chain again and sends what it then calls for.
    #[error("{op}: transaction {tx} {why}")]
    NotConfirmed {
        /// What the role was doing.
        op: String,
        /// The transaction's hash.
        tx: alloy::primitives::B256,
        /// What happened to it.
        why: &'static str,
    },
    /// A call or a transaction reverted with one of the oracle's errors.
    #[error("{op} reverted: {error:?}")]
    Reverted {
        /// What the role was doing.
        op: String,
        /// The oracle's error, decoded.
        error: OpMLOracleErrors,
    },
    /// A call or a transaction reverted with data that is none of the oracle's errors (a
    /// library's error, a bare `revert()`, another contract's).
    #[error("{op} reverted (data {data})")]
    RevertedRaw {
        /// What the role was doing.
        op: String,
        /// The revert data.
        data: Bytes,
    },
    /// A transaction was mined and failed.
    #[error("{op}: transaction {tx} reverted")]
    Failed {
        /// What the role was doing.
        op: String,
        /// The transaction.
        tx: B256,
    },
    /// The chain's answer cannot be used: return data that does not decode, an event missing
    /// from a receipt, an id beyond `u64`.
    #[error("{op}: {detail}")]
    Unexpected {
        /// What the role was doing.
        op: String,
        /// What was wrong.
        detail: String,
    },
    /// An engine failed to run the program.
    #[error("engine: {0}")]
    Engine(opml_executor::Error),
    /// No move can be computed from the role's trace.
    #[error("game: {0}")]
    Game(opml_game::Error),
    /// The role cannot serve this program: not in its store, it does not halt in the
    /// registered depth, or the two engines disagree.
    #[error("program: {0}")]
    Program(String),
    /// A worker task (a VM run, a move) panicked or was cancelled.
    #[error("worker task: {0}")]
    Task(tokio::task::JoinError),
    /// The embedded database failed.
    #[error("database: {0}")]
    Db(redb::Error),
    /// A database record does not encode or decode.
    #[error("database record: {0}")]
    Record(serde_json::Error),
    /// Bad configuration (key, address, file).
    #[error("config: {0}")]
    Config(String),
}

impl Error {
    /// Whether trying the same thing again later may succeed. A transport failure may (the
    /// connection comes back, the node catches up), as may an engine's host-side failure;
    /// a revert does not (the contract gives the same answer to the same call), nor does
    /// anything about the program, the trace, the database or the configuration.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Receipt { .. } | Error::NotConfirmed { .. } => true,
            Error::Engine(e) => e.retryable(),
            Error::Reverted { .. }
            | Error::RevertedRaw { .. }
            | Error::Failed { .. }
            | Error::Unexpected { .. }
            | Error::Game(_)
            | Error::Program(_)
            | Error::Task(_)
            | Error::Db(_)
            | Error::Record(_)
            | Error::Config(_) => false,
        }
    }

    /// The oracle's error, when a call or transaction reverted with one.
    pub fn revert(&self) -> Option<&OpMLOracleErrors> {
        match self {
            Error::Reverted { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<opml_executor::Error> for Error {
    fn from(e: opml_executor::Error) -> Self {
        Error::Engine(e)
    }
}

impl From<opml_game::Error> for Error {
    fn from(e: opml_game::Error) -> Self {
        Error::Game(e)
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::Task(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Record(e)
    }
}

/// Every redb error type converts into `redb::Error`.
macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Db(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
