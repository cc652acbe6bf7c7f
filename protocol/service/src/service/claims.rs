//! The role's own results: posting one (output and final state, with the bond), and
//! finalizing it after the window or recording how it ended.

use alloy::primitives::{B256, Bytes, U256};
use opml_bindings::state::final_state_with_output;
use opml_bindings::status::{RESULT_FINALIZED, RESULT_REJECTED};

use super::{Service, isolate};
use crate::chain::{failed, u64_of};
use crate::store::{ClaimRecord, Phase};
use crate::{Error, Result};

impl Service {
    /// Runs the request (fast path for the output, VM for the final state) and posts the
    /// result with the bond.
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
        let fast = self.traces.fast_output(&prog, depth, input).await?;
        let fast_secs = t0.elapsed().as_secs_f64();
        let run = self.traces.run(program_id, &prog, depth, input).await?;
        if !run.halted {
            return Err(Error::Program(format!(
                "request {request_id}: the program does not halt within 2^{depth} steps"
            )));
        }
        if fast.as_deref() != Some(run.output.as_slice()) {
            return Err(Error::Program(format!(
                "request {request_id}: fast path and VM disagree on the output"
            )));
        }
        let output = self.behaviour.output(&run.output);
        let fields = final_state_with_output(&run.final_fields, &output);
        let call = self
            .chain
            .oracle
            .submitResult(
                U256::from(request_id),
                Bytes::from(output.clone()),
                Bytes::from(fields.encode()),
            )
            .value(self.params.resultBond);
        let receipt = self.chain.send("submitResult", call).await?;
        let ev = receipt
            .decoded_log::<opml_bindings::oracle::OpMLOracle::ResultSubmitted>()
            .ok_or_else(|| Error::Unexpected {
                op: "submitResult".into(),
                detail: "no ResultSubmitted event in the receipt".into(),
            })?;
        let claim = ClaimRecord {
            request_id,
            result_id: u64_of(ev.resultId)?,
            program_id,
            input: Bytes::copy_from_slice(input),
            output: Bytes::from(output),
            final_state: ev.finalState,
            tx: receipt.transaction_hash,
            phase: Phase::Open,
        };
        self.store.put_claim(&claim)?;
        tracing::info!(
            request = request_id,
            result = claim.result_id,
            fast_secs,
            gas = receipt.gas_used,
            "result posted"
        );
        Ok(claim)
    }

    /// Finalizes the role's results whose window passed with no open game; records the
    /// outcome of each. Returns whether any is still pending.
    pub async fn drive_claims(&self) -> Result<bool> {
        let mut busy = false;
        let now = self.chain.now().await?;
        for mut c in self.store.claims()? {
            if c.phase != Phase::Open {
                continue;
            }
            let res = self
                .chain
                .oracle
                .result(U256::from(c.result_id))
                .call()
                .await
                .map_err(failed("reading the result"))?;
            match res.status {
                RESULT_FINALIZED => {
                    tracing::info!(
                        request = c.request_id,
                        result = c.result_id,
                        "result finalized"
                    );
                    c.phase = Phase::Won;
                }
                RESULT_REJECTED => {
                    tracing::warn!(
                        request = c.request_id,
                        result = c.result_id,
                        "result rejected"
                    );
                    c.phase = Phase::Lost;
                }
                _ => {
                    busy = true;
                    if now >= res.submittedAt + self.params.challengeWindow
                        && res.openGames.is_zero()
                    {
                        let call = self
                            .chain
                            .oracle
                            .finalize(U256::from(c.request_id), c.output.clone());
                        // A revert leaves the claim open: the next pass reads the result again.
                        match isolate(self.chain.send("finalize", call).await)? {
                            Ok(r) => {
                                tracing::info!(
                                    request = c.request_id,
                                    gas = r.gas_used,
                                    "finalized"
                                );
                                c.phase = Phase::Won;
                            }
                            Err(e) => {
                                tracing::warn!(request = c.request_id, error = %e, "cannot finalize");
                            }
                        }
                    }
                }
            }
            self.store.put_claim(&c)?;
        }
        Ok(busy)
    }
}
