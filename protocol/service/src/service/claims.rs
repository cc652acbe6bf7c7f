//! The role's own results: committing to one (with the bond), revealing it (output and final
//! state) once the commitment is confirmed, and settling it after the window or recording how
//! it ended.

use alloy::primitives::{B256, Bytes, U256};
use opml_bindings::oracle::OpMLOracle;
use opml_bindings::state::final_state_with_output;
use opml_bindings::status::{
    RESULT_COMMITTED, RESULT_FINALIZED, RESULT_FORFEITED, RESULT_REFUNDED, RESULT_REJECTED,
    RESULT_REVEALED,
};

use super::segments::FinalState;
use super::{FastWork, Service, isolate};
use crate::chain::{failed, u64_of};
use crate::store::{ClaimRecord, Phase};
use crate::{Error, Result};

impl Service {
    /// Runs the request on the fast path (output and final state), commits to the result with
    /// the bond and reveals it (now, or in a later pass once the commitment is `confirmations`
    /// deep).
    pub async fn post_result(
        &self,
        request_id: u64,
        program_id: B256,
        input: &[u8],
    ) -> Result<ClaimRecord> {
        let Some((prog, depth)) = self.traces.resolve(&self.chain, program_id).await? else {
            return Err(Error::Program(format!(
                "program {program_id} not in the store"
            )));
        };
        let t0 = std::time::Instant::now();
        let fast = self
            .traces
            .fast_work(&prog, depth, input, None, |_| true)
            .await?;
        let fast_secs = t0.elapsed().as_secs_f64();
        self.post_result_with(request_id, program_id, input, fast, fast_secs)
            .await
    }

    /// [`Service::post_result`] with the fast path's run already done (`fast`, in `fast_secs`,
    /// its final boundary's hash included). The happy path runs no VM: the final halted state
    /// is a canonical boundary, posted from the fast path (`docs/machine.md` §9). Only where the
    /// fast path cannot vouch for it ([`FastWork::final_fields`]: a segment whose fuel came near
    /// `2^D2` VM steps, more segments than the trace holds) does the VM replay decide, and the
    /// result is posted only if both engines agree on the output.
    pub async fn post_result_with(
        &self,
        request_id: u64,
        program_id: B256,
        input: &[u8],
        fast: FastWork,
        fast_secs: f64,
    ) -> Result<ClaimRecord> {
        let (truth, final_fields) = match fast {
            FastWork {
                output: Some(output),
                final_fields: Some(fields),
                segments,
                ..
            } => {
                tracing::info!(
                    request = request_id,
                    segments,
                    fast_secs,
                    "result from the fast path and its final boundary hash (no VM replay)"
                );
                (output, fields)
            }
            fast => {
                let end = self.vm_result(request_id, program_id, input, fast).await?;
                (end.output, end.fields)
            }
        };
        let output = self.behaviour.output(&truth);
        // `revealResult` would revert `OutputTooLarge`: refuse before the bond is committed.
        let max_output = self.params.maxOutputBytes;
        if u64::try_from(output.len()).map_or(true, |n| n > u64::from(max_output)) {
            return Err(Error::Program(format!(
                "request {request_id}: the output is {} bytes, above the oracle's {max_output}",
                output.len()
            )));
        }
        let fields = final_state_with_output(&final_fields, &output);
        let final_state = B256::from(fields.hash());
        let o = &self.chain.oracle;
        // The commitment binds this sender to the final state: a copier of the reveal in the
        // mempool can neither reuse it nor commit earlier than this.
        let commitment = o
            .commitmentHash(U256::from(request_id), self.chain.me, final_state)
            .call()
            .await
            .map_err(failed("computing the commitment"))?;
        // Committed already but not recorded (a kill, a lost answer): taken up, not sent again.
        let (result_id, commit_block, tx) =
            match self.own_commitment(request_id, commitment).await? {
                Some((id, block)) => {
                    tracing::info!(
                        request = request_id,
                        result = id,
                        "own unrecorded commitment found on-chain: taken up"
                    );
                    (id, block, B256::ZERO)
                }
                None => {
                    let call = o
                        .commitResult(U256::from(request_id), commitment)
                        .value(self.params.resultBond);
                    let receipt = self.chain.send("commitResult", call).await?;
                    let ev = receipt
                        .decoded_log::<OpMLOracle::ResultCommitted>()
                        .ok_or_else(|| Error::Unexpected {
                            op: "commitResult".into(),
                            detail: "no ResultCommitted event in the receipt".into(),
                        })?;
                    tracing::info!(
                        request = request_id,
                        result = %ev.resultId,
                        fast_secs,
                        gas = receipt.gas_used,
                        "result committed"
                    );
                    let block = receipt.block_number.unwrap_or_default();
                    (u64_of(ev.resultId)?, block, receipt.transaction_hash)
                }
            };
        let mut claim = ClaimRecord {
            request_id,
            result_id,
            program_id,
            input: Bytes::copy_from_slice(input),
            output: Bytes::from(output),
            final_state,
            final_fields: Bytes::from(fields.encode()),
            revealed: false,
            commit_block,
            tx,
            phase: Phase::Open,
        };
        self.store.put_claim(&claim)?;
        // Revealed here if the commitment is already deep enough, else by `drive_claims`.
        self.reveal(&mut claim).await?;
        Ok(claim)
    }

    /// The final state of a request the fast path cannot vouch for (`fast`), as the VM decides
    /// it (`Traces::final_state`: the whole run, or for a two-phase program the machine at its
    /// final boundary): it must halt within `2^D` steps and give the fast path's output.
    async fn vm_result(
        &self,
        request_id: u64,
        program_id: B256,
        input: &[u8],
        fast: FastWork,
    ) -> Result<FinalState> {
        let Some((prog, depth)) = self.traces.resolve(&self.chain, program_id).await? else {
            return Err(Error::Program(format!(
                "program {program_id} not in the store"
            )));
        };
        tracing::info!(
            request = request_id,
            segments = fast.segments,
            "the fast path cannot vouch for the final state: the VM decides"
        );
        let run = self
            .traces
            .final_state(program_id, &prog, depth, input)
            .await?;
        if !run.halted {
            return Err(Error::Program(format!(
                "request {request_id}: the program does not halt within 2^{depth} steps"
            )));
        }
        if fast.output.as_deref() != Some(run.output.as_slice()) {
            return Err(Error::Program(format!(
                "request {request_id}: fast path and VM disagree on the output"
            )));
        }
        Ok(run)
    }

    /// Reveals the claim's commitment once it is `confirmations` deep (so that a reorg cannot
    /// drop the commitment while the reveal, which shows the output, stays). Returns whether
    /// it was revealed; a revert is returned as an error, the claim left unrevealed.
    async fn reveal(&self, c: &mut ClaimRecord) -> Result<bool> {
        let head = self.chain.head().await?;
        if c.commit_block + self.chain.confirmations > head + 1 {
            return Ok(false);
        }
        let call = self.chain.oracle.revealResult(
            U256::from(c.result_id),
            c.output.clone(),
            c.final_fields.clone(),
        );
        let receipt = self.chain.send("revealResult", call).await?;
        c.revealed = true;
        c.tx = receipt.transaction_hash;
        self.store.put_claim(c)?;
        tracing::info!(
            request = c.request_id,
            result = c.result_id,
            gas = receipt.gas_used,
            "result revealed"
        );
        Ok(true)
    }

    /// Reveals the role's commitments, settles its results whose window passed with no open
    /// game (then delivers the callback), settles commitments that lost their turn; records
    /// the outcome of each, up to `concurrency` at a time. Returns whether any is still
    /// pending.
    pub async fn drive_claims(&self) -> Result<bool> {
        let open = self
            .store
            .claims()?
            .into_iter()
            .filter(|c| c.phase == Phase::Open);
        crate::bounded::each(open, self.cfg.concurrency, |mut c| async move {
            // A revert leaves the claim open: the next pass reads the result again.
            if let Err(e) = isolate(self.drive_claim(&mut c).await)? {
                tracing::warn!(result = c.result_id, error = %e, "claim: no valid move; waiting");
            }
            self.store.put_claim(&c)?;
            Ok(c.phase == Phase::Open)
        })
        .await
    }

    async fn drive_claim(&self, c: &mut ClaimRecord) -> Result<()> {
        let o = &self.chain.oracle;
        let res = o
            .result(U256::from(c.result_id))
            .call()
            .await
            .map_err(failed("reading the result"))?;
        let (request, result) = (c.request_id, c.result_id);
        match res.status {
            RESULT_FINALIZED => {
                tracing::info!(request, result, "result finalized");
                c.phase = Phase::Won;
            }
            RESULT_REJECTED => {
                tracing::warn!(request, result, "result rejected");
                c.phase = Phase::Lost;
            }
            RESULT_REFUNDED => {
                tracing::info!(
                    request,
                    result,
                    "an earlier commitment served the request; bond refunded"
                );
                c.phase = Phase::Closed;
            }
            RESULT_FORFEITED => {
                tracing::warn!(
                    request,
                    result,
                    "commitment not revealed in time; bond forfeited"
                );
                c.phase = Phase::Lost;
                // A forfeit bars nobody and the request may still be open: serve it again,
                // once. A second forfeit on the same request says the reveal keeps failing
                // (the node, the confirmations against the reveal window): another bond
                // would be lost the same way.
                let forfeits = self
                    .store
                    .claims()?
                    .iter()
                    .filter(|o| o.request_id == request && o.phase == Phase::Lost)
                    .count();
                if forfeits == 0 {
                    self.reopen_request(request)?;
                } else {
                    tracing::warn!(
                        request,
                        "a second forfeit on this request: not serving it again"
                    );
                }
            }
            RESULT_COMMITTED => {
                let now = self.chain.now().await?;
                let deadline = o
                    .revealDeadline(U256::from(result))
                    .call()
                    .await
                    .map_err(failed("reading the reveal deadline"))?;
                let mut revealed = false;
                if !c.revealed && now <= deadline {
                    match isolate(self.reveal(c).await)? {
                        Ok(r) => revealed = r,
                        Err(e) => tracing::warn!(request, result, error = %e, "cannot reveal"),
                    }
                }
                if !revealed && (c.revealed || now > deadline) {
                    // Displaced, never had its turn, or past its deadline: settle the bond
                    // (refunded or burned); `NotSettleable` while it may still get a turn.
                    let r = self
                        .chain
                        .send("settleCommitment", o.settleCommitment(U256::from(result)))
                        .await?;
                    tracing::info!(request, result, gas = r.gas_used, "commitment settled");
                }
            }
            RESULT_REVEALED => {
                let now = self.chain.now().await?;
                if now >= res.windowStart + self.params.challengeWindow && res.openGames == 0 {
                    // `settle` pays the bond and fee whatever the callback costs; the callback
                    // follows in its own transaction, so its failure never holds the bond.
                    let r = self
                        .chain
                        .send("settle", o.settle(U256::from(request)))
                        .await?;
                    tracing::info!(request, gas = r.gas_used, "settled");
                    c.phase = Phase::Won;
                    self.deliver(request, &c.output).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Serves request `id` again in the next pass, if this role recorded it (a submitter does)
    /// and closed it: a result on it was rejected, or the role's own commitment forfeited. The
    /// pass reads the request first, and serves it only if it is open with no result.
    pub fn reopen_request(&self, id: u64) -> Result<()> {
        if let Some(mut r) = self.store.request(id)?
            && r.phase != Phase::Open
        {
            tracing::info!(request = id, "request open again; serving it");
            r.phase = Phase::Open;
            self.store.put_request(&r)?;
        }
        Ok(())
    }

    /// Delivers the callback of a finalized request (once; its gas part of the fee is paid to
    /// the deliverer). A revert is only logged: anyone may deliver later.
    async fn deliver(&self, request: u64, output: &Bytes) -> Result<()> {
        let o = &self.chain.oracle;
        // `settle` marks a request without a callback delivered: nothing to send.
        let q = o
            .request(U256::from(request))
            .call()
            .await
            .map_err(failed("reading the request"))?;
        if q.delivered {
            return Ok(());
        }
        let call = o.deliver(U256::from(request), output.clone());
        match isolate(self.chain.send("deliver", call).await)? {
            Ok(r) => tracing::info!(request, gas = r.gas_used, "callback delivered"),
            Err(e) => tracing::warn!(request, error = %e, "cannot deliver the callback"),
        }
        Ok(())
    }
}
