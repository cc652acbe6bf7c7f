//! Handing a role's transactions to the node, one at a time, so that none is sent twice.
//!
//! Many items of a pass send at once ([`crate::bounded`]), but the part of a send that picks
//! the nonce (the node's pending count, as before: a reorg's gap is never cached), signs and
//! hands the bytes to the node takes turns; the gas estimate and the fee estimate before (the
//! fee read once per head for every send) and the wait for the receipt after run side by
//! side. The transaction is signed here, so its hash is known before the node answers: an
//! answer lost on the way (a reset connection, a timeout, an error from a proxy) is settled by
//! asking the node whether it has that hash, and if not by handing it the same bytes again.
//! The same bytes carry the same nonce, so at most one of them is ever mined: a send the node
//! may have taken is never re-signed as a second transaction.

use std::time::Duration;

use alloy::eips::eip1559::Eip1559Estimation;
use alloy::eips::eip2718::Encodable2718;
use alloy::network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder};
use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;

use crate::chain::failed;
use crate::{Error, Result};

/// Times the same bytes are handed to the node before the send is given up (retryable).
const HANDOVER_TRIES: u32 = 6;
/// The first wait between two handovers; doubled each time.
const HANDOVER_BACKOFF: Duration = Duration::from_millis(250);

/// A role's signer and its turn to send.
#[derive(Debug)]
pub(crate) struct Sender {
    wallet: EthereumWallet,
    me: Address,
    chain_id: tokio::sync::OnceCell<u64>,
    /// The node's fee estimate and the head it was made at: one estimate per block serves
    /// every send made while that block is the head.
    fees: tokio::sync::Mutex<Option<(u64, Eip1559Estimation)>>,
    turn: tokio::sync::Mutex<()>,
}

impl Sender {
    pub(crate) fn new(signer: PrivateKeySigner) -> Self {
        Self {
            me: signer.address(),
            wallet: EthereumWallet::from(signer),
            chain_id: tokio::sync::OnceCell::new(),
            fees: tokio::sync::Mutex::new(None),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// The node's fee estimate with the chain at `head` (asked once per head).
    async fn fees(&self, p: &DynProvider, what: &str, head: u64) -> Result<Eip1559Estimation> {
        let mut last = self.fees.lock().await;
        if let Some((at, fees)) = *last
            && at == head
        {
            return Ok(fees);
        }
        let fees = p.estimate_eip1559_fees().await.map_err(failed(what))?;
        *last = Some((head, fees));
        Ok(fees)
    }

    /// Signs `tx` (its gas limit set) with the next nonce and the node's fee estimate with the
    /// chain at `head`, hands it to the node and returns its hash once the node has it.
    pub(crate) async fn submit(
        &self,
        p: &DynProvider,
        what: &str,
        mut tx: TransactionRequest,
        head: u64,
    ) -> Result<B256> {
        let chain_id = *self
            .chain_id
            .get_or_try_init(|| async { p.get_chain_id().await.map_err(failed(what)) })
            .await?;
        let fees = self.fees(p, what, head).await?;
        let _turn = self.turn.lock().await;
        let nonce = p
            .get_transaction_count(self.me)
            .pending()
            .await
            .map_err(failed(what))?;
        tx.set_from(self.me);
        tx.set_chain_id(chain_id);
        tx.set_nonce(nonce);
        tx.set_max_fee_per_gas(fees.max_fee_per_gas);
        tx.set_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        let envelope = tx
            .build(&self.wallet)
            .await
            .map_err(|e| Error::Unexpected {
                op: what.to_string(),
                detail: format!("signing: {e}"),
            })?;
        let hash = *envelope.tx_hash();
        let raw = alloy::hex::encode_prefixed(envelope.encoded_2718());
        let mut wait = HANDOVER_BACKOFF;
        let mut tries = 0;
        loop {
            let sent = p
                .client()
                .request::<_, B256>("eth_sendRawTransaction", (&raw,))
                .await;
            let e = match sent {
                Ok(_) => return Ok(hash),
                Err(e) => e,
            };
            // The node may have it even so: the answer, not the request, may be what was lost,
            // or these bytes were handed over before ("already known", "nonce too low").
            if matches!(p.get_transaction_by_hash(hash).await, Ok(Some(_))) {
                return Ok(hash);
            }
            tries += 1;
            // A revert found while the node checks the transaction is final: not tried again.
            let refused = e
                .as_error_resp()
                .is_some_and(|r| r.message.contains("revert"));
            if refused || tries >= HANDOVER_TRIES {
                return Err(failed(what)(e));
            }
            tracing::warn!(op = what, tx = %hash, error = %e, retry_in = ?wait, "the node did not take the transaction: handing it over again");
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}
