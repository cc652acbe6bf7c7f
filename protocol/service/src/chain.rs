//! The chain side of a role: a signing provider over any JSON-RPC endpoint, the oracle
//! instance, and sending with confirmations. Failures keep their cause: transport failures
//! come back as [`Error::Transport`], [`Error::Receipt`] or [`Error::NotConfirmed`] (retryable), reverts as
//! [`Error::Reverted`] with the oracle's error decoded (never retried).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256, Bytes};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::client::ClientBuilder;
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolInterface;
use alloy::transports::layers::RetryBackoffLayer;

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
    /// Held from picking a nonce to the node's acceptance of the transaction: the role's
    /// sends take turns for that (milliseconds), not for their receipts.
    sending: Arc<tokio::sync::Mutex<()>>,
}

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
        let provider = provider(url, signer)?;
        let oracle = OpMLOracle::new(oracle, provider.clone());
        Ok(Self {
            provider,
            oracle,
            me,
            confirmations,
            sending: Arc::default(),
        })
    }

    /// The latest block number.
    pub async fn head(&self) -> Result<u64> {
        self.provider
            .get_block_number()
            .await
            .map_err(failed("reading the head"))
    }

    /// The latest block's timestamp.
    pub async fn now(&self) -> Result<u64> {
        let b = self
            .provider
            .get_block_by_number(Default::default())
            .await
            .map_err(failed("reading the latest block"))?;
        b.map(|b| b.header.timestamp)
            .ok_or_else(|| Error::Unexpected {
                op: "reading the latest block".into(),
                detail: "the node has none".into(),
            })
    }

    /// Sends `call` and waits until its receipt is `confirmations` deep; a reverted receipt is
    /// an error. Many sends may run at once (one per item of a pass): the gas estimate and the
    /// wait for the receipt run side by side, but picking the nonce, signing and handing the
    /// transaction to the node take turns, so no two transactions get the same nonce and none
    /// waits for another's receipt.
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
        let call = call.gas(est.saturating_mul(13) / 10 + 20_000);
        let pending = {
            let _turn = self.sending.lock().await;
            call.send().await.map_err(failed(what))?
        };
        self.confirmed(what, *pending.tx_hash()).await
    }

    /// Waits until transaction `tx`'s receipt is `confirmations` deep, polling at the
    /// provider's interval. A transaction the node no longer knows, neither mined nor pending,
    /// on two polls in a row ends the wait at once ([`Error::NotConfirmed`], retryable): a
    /// reorg dropped it, and nodes (anvil among them) do not return such transactions to
    /// their pool, so waiting would only delay the pass that sends it again. A receipt that a
    /// reorg removes after it was seen is noticed the same way.
    async fn confirmed(&self, what: &str, tx: B256) -> Result<TransactionReceipt> {
        let poll = self.provider.client().poll_interval();
        let deadline = Instant::now() + RECEIPT_TIMEOUT;
        let not_confirmed = |why| Error::NotConfirmed {
            op: what.to_string(),
            tx,
            why,
        };
        let mut unknown = 0;
        loop {
            let receipt = self
                .provider
                .get_transaction_receipt(tx)
                .await
                .map_err(failed(what))?;
            if let Some(r) = receipt {
                unknown = 0;
                let head = self.head().await?;
                if r.block_number
                    .is_some_and(|b| b + self.confirmations.max(1) <= head + 1)
                {
                    if !r.status() {
                        return Err(Error::Failed {
                            op: what.to_string(),
                            tx,
                        });
                    }
                    return Ok(r);
                }
            } else if self
                .provider
                .get_transaction_by_hash(tx)
                .await
                .map_err(failed(what))?
                .is_none()
            {
                unknown += 1;
                if unknown == 2 {
                    return Err(not_confirmed(
                        "was dropped (a reorg?): the node no longer knows it",
                    ));
                }
            } else {
                unknown = 0;
            }
            if Instant::now() >= deadline {
                return Err(not_confirmed("was not confirmed in time"));
            }
            tokio::time::sleep(poll).await;
        }
    }
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
