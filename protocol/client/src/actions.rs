//! What a registrant, a requester or a player sends: register a program, request an
//! inference (paying the fee), cancel a stale request, finalize a result, withdraw credit.
//! Arguments are checked against the oracle's parameters first, so a mistake is reported
//! before any transaction; a revert comes back with the oracle's decoded error.

use alloy::primitives::{Address, B256, Bytes, U256};
use opml_bindings::oracle::OpMLOracle::{self, ProgramFields};
use opml_bindings::oracle::RequestStatus;
use opml_bindings::state::program_id;
use opml_service::chain::{failed, u64_of};

use crate::{Client, Error, Result};

/// A request to make.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    /// The program to run.
    pub program_id: B256,
    /// Its input.
    pub input: Vec<u8>,
    /// The consumer to call back on finality (zero: none).
    pub callback: Address,
    /// The callback's gas limit.
    pub callback_gas: u64,
    /// The fee to pay; `None` pays `requestFee(callback_gas)`, the minimum.
    pub fee: Option<U256>,
}

impl Client {
    /// Registers a program with registration fields `fields`, trace depth `depth` and
    /// metadata URI `uri`. Returns its id and whether this call registered it (`false`: it
    /// already was, and nothing was sent).
    pub async fn register(
        &self,
        fields: &ProgramFields,
        depth: u8,
        uri: &str,
    ) -> Result<(B256, bool)> {
        if !(1..=63).contains(&depth) {
            return Err(Error::Input(format!("trace depth {depth} outside 1..=63")));
        }
        self.config().await?;
        let id = program_id(fields, depth, uri);
        let existing = self
            .oracle
            .program(id)
            .call()
            .await
            .map_err(failed("reading the program"))?;
        if existing.traceDepth != 0 {
            return Ok((id, false));
        }
        let call = self
            .oracle
            .registerProgram(fields.clone(), depth, uri.to_string());
        self.chain()?.send("registerProgram", call).await?;
        Ok((id, true))
    }

    /// Requests an inference, paying the fee. Returns the request id.
    pub async fn request_inference(&self, req: &NewRequest) -> Result<u64> {
        let cfg = self.config().await?;
        let p = self
            .oracle
            .program(req.program_id)
            .call()
            .await
            .map_err(failed("reading the program"))?;
        if p.traceDepth == 0 {
            return Err(Error::NotFound(format!(
                "no program {} on this oracle (register it first: opml register)",
                req.program_id
            )));
        }
        if req.callback_gas > cfg.maxCallbackGas {
            return Err(Error::Input(format!(
                "callback gas {} above the oracle's maximum {}",
                req.callback_gas, cfg.maxCallbackGas
            )));
        }
        if req.input.len() > cfg.maxInputBytes as usize {
            return Err(Error::Input(format!(
                "input of {} bytes above the oracle's maximum {}",
                req.input.len(),
                cfg.maxInputBytes
            )));
        }
        let min = self
            .oracle
            .requestFee(req.callback_gas)
            .call()
            .await
            .map_err(failed("reading the fee"))?;
        let fee = req.fee.unwrap_or(min);
        if fee < min {
            return Err(Error::Input(format!(
                "fee {fee} wei below the oracle's minimum {min} wei for {} callback gas",
                req.callback_gas
            )));
        }
        let call = self
            .oracle
            .requestInference(
                req.program_id,
                Bytes::from(req.input.clone()),
                req.callback,
                req.callback_gas,
            )
            .value(fee);
        let receipt = self.chain()?.send("requestInference", call).await?;
        let ev = receipt
            .decoded_log::<OpMLOracle::InferenceRequested>()
            .ok_or_else(|| opml_service::Error::Unexpected {
                op: "requestInference".into(),
                detail: "no InferenceRequested event in the receipt".into(),
            })?;
        Ok(u64_of(ev.requestId)?)
    }

    /// Cancels request `id`: it must be open, have no revealed result and be older than the
    /// request timeout. The fee is credited back to its requester.
    pub async fn cancel(&self, id: u64) -> Result<()> {
        let cfg = self.config().await?;
        let q = self.request_raw(id).await?;
        if q.status != RequestStatus::Open as u8 {
            return Err(Error::Input(format!("request {id} is not open")));
        }
        if q.resultId != 0 {
            return Err(Error::Input(format!(
                "request {id} has a revealed result ({}): only a request nobody served can be cancelled",
                q.resultId
            )));
        }
        let from = q.createdAt + cfg.requestTimeout;
        let now = self.now().await?;
        if now < from {
            return Err(Error::Input(format!(
                "request {id} can be cancelled in {} s (the request timeout is {} s)",
                from - now,
                cfg.requestTimeout
            )));
        }
        let call = self.oracle.cancelRequest(U256::from(id));
        self.chain()?.send("cancelRequest", call).await?;
        Ok(())
    }

    /// Finalizes the pending result of request `id` with its `output` (after its window,
    /// with no undecided game): settles it and delivers the callback.
    pub async fn finalize(&self, id: u64, output: Bytes) -> Result<()> {
        let call = self.oracle.finalize(U256::from(id), output);
        self.chain()?.send("finalize", call).await?;
        Ok(())
    }

    /// The credit of `account` in the oracle (bonds won, fees, refunds), withdrawable.
    pub async fn balance_of(&self, account: Address) -> Result<U256> {
        self.config().await?;
        Ok(self
            .oracle
            .balanceOf(account)
            .call()
            .await
            .map_err(failed("reading the balance"))?)
    }

    /// Withdraws the signer's whole credit to `to` (default: the signer). Returns the amount;
    /// zero when there was nothing to withdraw (and nothing was sent).
    pub async fn withdraw(&self, to: Option<Address>) -> Result<U256> {
        let chain = self.chain()?;
        let bal = self.balance_of(chain.me).await?;
        if bal.is_zero() {
            return Ok(bal);
        }
        let call = self.oracle.withdraw(to.unwrap_or(chain.me));
        chain.send("withdraw", call).await?;
        Ok(bal)
    }
}
