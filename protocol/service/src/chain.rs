//! The chain side of a role: a signing provider over any JSON-RPC endpoint, the oracle
//! instance, and sending with confirmations. Failures keep their cause: transport failures
//! come back as [`Error::Transport`], [`Error::Receipt`] or [`Error::NotConfirmed`] (retryable), reverts as
//! [`Error::Reverted`] with the oracle's error decoded (never retried).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::eips::BlockNumberOrTag;
use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256, Bytes};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::client::ClientBuilder;
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolInterface;
use alloy::transports::layers::RetryBackoffLayer;

use crate::sender::Sender;
use crate::{Error, Result};
use opml_bindings::oracle::OpMLOracle::{self, OpMLOracleErrors, OpMLOracleInstance};

/// A signer from a hex private key (`0x` optional).
pub fn signer_from_key(key: &str) -> Result<PrivateKeySigner> {
    key.trim()
        .parse()
        .map_err(|e| Error::Config(format!("private key: {e}")))
}

/// A signer from an encrypted JSON keystore.
pub fn signer_from_keystore(path: &Path, password: &str) -> Result<PrivateKeySigner> {
    PrivateKeySigner::decrypt_keystore(path, password)
        .map_err(|e| Error::Config(format!("keystore {}: {e}", path.display())))
}

/// A connection with a signer: what a role acts through.
#[derive(Clone, Debug)]
pub struct Chain {
    /// The signing provider.
    pub provider: DynProvider,
    /// The oracle.
    pub oracle: OpMLOracleInstance<DynProvider>,
    /// The signer's address.
    pub me: Address,
    /// Blocks an event or a transaction must be deep before the role acts on it.
    pub confirmations: u64,
    /// Signs and hands over the role's transactions, one at a time ([`Sender`]).
    sender: Arc<Sender>,
    /// The latest block, read once for every caller within [`HEAD_TTL`].
    latest: Arc<Latest>,
    /// The newest block holding a transaction of the role's counted as confirmed: a reorg
    /// that replaces it undid an action the role took as final ([`Chain::acted_on`]).
    acted_on: Arc<std::sync::Mutex<Option<(u64, B256)>>>,
}

/// How long a read of the latest block serves every caller. Under a burst hundreds of items
/// wait on the head at once (a receipt, a reveal's turn, a window): each reading it from the
/// node on its own would load the node with reads of one number, and slow every answer.
const HEAD_TTL: Duration = Duration::from_millis(100);

/// The latest block's number and timestamp, as last read, and when.
#[derive(Debug, Default)]
struct Latest(tokio::sync::Mutex<Option<(Instant, u64, u64)>>);

/// How long [`Chain::send`] waits for a transaction's confirmations.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Times a node's request is tried again when the node says it is overloaded (HTTP 429 or
/// 503, a rate-limit error), [`RATE_LIMIT_BACKOFF_MS`] apart or as long as the node asks.
const RATE_LIMIT_RETRIES: u32 = 8;
/// See [`RATE_LIMIT_RETRIES`].
const RATE_LIMIT_BACKOFF_MS: u64 = 500;

/// A signing provider for `url`. Nonces come from the node's pending count at each send,
/// not from a cache: a transaction that a reorg drops would leave a cached nonce one ahead,
/// and every later send queued behind the gap for good (`tests/tests/e2e/reorg.rs`). A
/// request the node turns away as overloaded (HTTP 429/503, a rate-limit error) is sent again
/// after a back-off (alloy's `RetryBackoffLayer`): the same bytes, so a transaction sent twice
/// is still one transaction.
pub fn provider(url: &str, signer: PrivateKeySigner) -> Result<DynProvider> {
    let url = url
        .parse()
        .map_err(|e| Error::Config(format!("rpc url `{url}`: {e}")))?;
    let client = ClientBuilder::default()
        .layer(RetryBackoffLayer::new(
            RATE_LIMIT_RETRIES,
            RATE_LIMIT_BACKOFF_MS,
            // No client-side budget: back off only when the node says so.
            u64::MAX,
        ))
        .http(url);
    Ok(ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(signer))
        .connect_client(client)
        .erased())
}

impl Chain {
    /// Connects to `url` as `signer`, acting on the oracle at `oracle`.
    pub fn connect(
        url: &str,
        signer: PrivateKeySigner,
        oracle: Address,
        confirmations: u64,
    ) -> Result<Self> {
        let me = signer.address();
        let provider = provider(url, signer.clone())?;
        let oracle = OpMLOracle::new(oracle, provider.clone());
        Ok(Self {
            provider,
            oracle,
            me,
            confirmations,
            sender: Arc::new(Sender::new(signer)),
            latest: Arc::default(),
            acted_on: Arc::default(),
        })
    }

    /// The number and hash of the newest block holding a transaction of the role's that
    /// [`Chain::send`] counted as confirmed, if any since the last [`Chain::forget_acted_on`].
    /// The scan's cursor may stand a block or two behind such a block (it moves once a pass),
    /// so a reorg deeper than the confirmations can miss the cursor and still undo a move.
    pub fn acted_on(&self) -> Option<(u64, B256)> {
        *self.acted_on.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets [`Chain::acted_on`], once a reorg that replaced it was dealt with.
    pub fn forget_acted_on(&self) {
        *self.acted_on.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Records a confirmed receipt's block as acted on, if newer than the one recorded.
    fn note_acted_on(&self, r: &TransactionReceipt) {
        if let (Some(n), Some(hash)) = (r.block_number, r.block_hash) {
            let mut acted = self.acted_on.lock().unwrap_or_else(|e| e.into_inner());
            if acted.is_none_or(|(m, _)| n >= m) {
                *acted = Some((n, hash));
            }
        }
    }

    /// The latest block number (read at most [`HEAD_TTL`] ago).
    pub async fn head(&self) -> Result<u64> {
        Ok(self.latest().await?.0)
    }

    /// The latest block's timestamp (read at most [`HEAD_TTL`] ago).
    pub async fn now(&self) -> Result<u64> {
        Ok(self.latest().await?.1)
    }

    /// The latest block's number and timestamp: read from the node by one caller at a time,
    /// and served to every caller from that read for [`HEAD_TTL`].
    async fn latest(&self) -> Result<(u64, u64)> {
        let mut last = self.latest.0.lock().await;
        if let Some((at, number, time)) = *last
            && at.elapsed() < HEAD_TTL
        {
            return Ok((number, time));
        }
        let b = self
            .provider
            .get_block_by_number(Default::default())
            .await
            .map_err(failed("reading the latest block"))?
            .ok_or_else(|| Error::Unexpected {
                op: "reading the latest block".into(),
                detail: "the node has none".into(),
            })?;
        let (number, time) = (b.header.number, b.header.timestamp);
        *last = Some((Instant::now(), number, time));
        Ok((number, time))
    }

    /// Waits until none of the role's transactions is pending in the node's pool (at most as
    /// long as a receipt is waited for). A pass reads the chain to decide what to send: a
    /// transaction still in flight from before (a pass that ended on a failure, a process
    /// killed after sending) would be read as not done and its action sent a second time.
    pub async fn await_in_flight(&self) -> Result<()> {
        let deadline = Instant::now() + RECEIPT_TIMEOUT;
        let mut said = false;
        loop {
            let count = |tag: BlockNumberOrTag| async move {
                self.provider
                    .get_transaction_count(self.me)
                    .block_id(tag.into())
                    .await
                    .map_err(failed("reading the nonce"))
            };
            let (pending, mined) = (
                count(BlockNumberOrTag::Pending).await?,
                count(BlockNumberOrTag::Latest).await?,
            );
            if pending <= mined {
                return Ok(());
            }
            if Instant::now() >= deadline {
                tracing::warn!(
                    in_flight = pending - mined,
                    "transactions sent before are still pending; going on"
                );
                return Ok(());
            }
            if !said {
                tracing::info!(
                    in_flight = pending - mined,
                    "waiting for transactions sent before to be mined"
                );
                said = true;
            }
            tokio::time::sleep(self.provider.client().poll_interval()).await;
        }
    }

    /// Sends `call` and waits until its receipt is `confirmations` deep; a reverted receipt is
    /// an error. Many sends may run at once (one per item of a pass): the gas estimate and the
    /// wait for the receipt run side by side, but picking the nonce, signing and handing the
    /// transaction to the node take turns ([`Sender`]), so no two transactions get the same
    /// nonce, none waits for another's receipt, and one the node may have taken is never
    /// signed again as a second.
    pub async fn send<P, D>(
        &self,
        what: &str,
        call: CallBuilder<P, D>,
    ) -> Result<TransactionReceipt>
    where
        P: Provider,
        D: CallDecoder,
    {
        // A margin over the estimate: the estimate runs against the pending block, which may
        // differ (warm slots, another move) from the one the transaction lands in.
        let est = call.estimate_gas().await.map_err(failed(what))?;
        let head = self.head().await?;
        let tx = call
            .gas(est.saturating_mul(13) / 10 + 20_000)
            .into_transaction_request();
        let hash = self.sender.submit(&self.provider, what, tx, head).await?;
        self.confirmed(what, hash).await
    }

    /// Waits until transaction `tx`'s receipt is `confirmations` deep, looking at it once per
    /// new head (checked at the provider's poll interval): a receipt changes only with a block,
    /// and hundreds of transactions in flight each polling the node several times a block
    /// would slow the node for all of them. A transaction the node no longer knows, neither
    /// mined nor pending, at two heads in a row ends the wait at once ([`Error::NotConfirmed`],
    /// retryable): a reorg dropped it, and nodes (anvil among them) do not return such
    /// transactions to their pool, so waiting would only delay the pass that sends it again. A
    /// receipt that a reorg removes after it was seen is noticed the same way. A poll the
    /// transport fails is only polled again: the transaction is out there, and a pass ended now
    /// would read the chain before it is mined and may send the same action a second time.
    async fn confirmed(&self, what: &str, tx: B256) -> Result<TransactionReceipt> {
        let poll = self.provider.client().poll_interval();
        let deadline = Instant::now() + RECEIPT_TIMEOUT;
        let not_confirmed = |why| Error::NotConfirmed {
            op: what.to_string(),
            tx,
            why,
        };
        let mut unknown = 0;
        let mut looked_at = None;
        loop {
            let look = match self.head().await {
                Ok(head) if looked_at != Some(head) => {
                    looked_at = Some(head);
                    Some(self.poll_receipt(what, tx, head).await)
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            };
            match look {
                None => {}
                Some(Ok(Poll::Confirmed(r))) => {
                    self.note_acted_on(&r);
                    return Ok(*r);
                }
                Some(Ok(Poll::Failed)) => {
                    return Err(Error::Failed {
                        op: what.to_string(),
                        tx,
                    });
                }
                Some(Ok(Poll::Unknown)) => {
                    unknown += 1;
                    if unknown == 2 {
                        return Err(not_confirmed(
                            "was dropped (a reorg?): the node no longer knows it",
                        ));
                    }
                }
                Some(Ok(Poll::Waiting)) => unknown = 0,
                Some(Err(e)) if e.retryable() => {
                    // Looked at again at the next poll, whatever the head.
                    looked_at = None;
                    tracing::debug!(op = what, %tx, error = %e, "polling the receipt failed; polling again");
                }
                Some(Err(e)) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Err(not_confirmed("was not confirmed in time"));
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// One look at transaction `tx` with the chain at `head`: confirmed, mined and failed,
    /// still waiting (pending, or not deep enough), or unknown to the node.
    async fn poll_receipt(&self, what: &str, tx: B256, head: u64) -> Result<Poll> {
        let receipt = self
            .provider
            .get_transaction_receipt(tx)
            .await
            .map_err(failed(what))?;
        if let Some(r) = receipt {
            if r.block_number
                .is_none_or(|b| b + self.confirmations.max(1) > head + 1)
            {
                return Ok(Poll::Waiting);
            }
            return Ok(if r.status() {
                Poll::Confirmed(Box::new(r))
            } else {
                Poll::Failed
            });
        }
        let known = self
            .provider
            .get_transaction_by_hash(tx)
            .await
            .map_err(failed(what))?;
        Ok(if known.is_some() {
            Poll::Waiting
        } else {
            Poll::Unknown
        })
    }
}

/// What one poll of a sent transaction saw.
enum Poll {
    Confirmed(Box<TransactionReceipt>),
    Failed,
    Waiting,
    Unknown,
}

/// A failed node request, contract call, event query or transaction of `op` (for
/// `map_err`): the oracle's error when it reverted with one, the raw revert data when it
/// reverted with another, else the transport's error or the answer that does not decode.
pub fn failed<E: Into<alloy::contract::Error>>(op: &str) -> impl FnOnce(E) -> Error + '_ {
    move |e| contract_error(op, e.into())
}

/// [`failed`], as a function.
pub fn contract_error(op: &str, e: alloy::contract::Error) -> Error {
    let op = op.to_string();
    if let Some(data) = e.as_revert_data() {
        return match OpMLOracleErrors::abi_decode(&data) {
            Ok(error) => Error::Reverted { op, error },
            Err(_) => Error::RevertedRaw { op, data },
        };
    }
    match e {
        // A revert the node reports without data is still a revert.
        alloy::contract::Error::TransportError(cause)
            if cause
                .as_error_resp()
                .is_some_and(|r| r.message.contains("revert")) =>
        {
            Error::RevertedRaw {
                op,
                data: Bytes::new(),
            }
        }
        alloy::contract::Error::TransportError(cause) => Error::Transport { op, cause },
        alloy::contract::Error::PendingTransactionError(cause) => Error::Receipt { op, cause },
        other => Error::Unexpected {
            op,
            detail: other.to_string(),
        },
    }
}

/// An on-chain id as `u64`.
pub fn u64_of(x: alloy::primitives::U256) -> Result<u64> {
    u64::try_from(x).map_err(|_| Error::Unexpected {
        op: "reading an id".into(),
        detail: format!("{x} does not fit u64"),
    })
}
