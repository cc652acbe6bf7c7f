//! Results: serving requests (post output + final state with the bond), checking others'
//! results (challenge the wrong ones), finalizing the role's own results after the window.

use alloy::primitives::{B256, Bytes, U256};

use super::{Agent, Role, u64_of};
use crate::bindings::status::{REQUEST_OPEN, RESULT_FINALIZED, RESULT_PENDING, RESULT_REJECTED};
use crate::chain::rpc;
use crate::game;
use crate::state::final_state_with_output;
use crate::store::{ClaimRecord, GameRecord, MoveRecord, Phase, Side};
use crate::{Error, Result};

impl Agent {
    /// Posts a result for every open request the role serves. Returns whether any is open.
    pub(super) async fn serve_requests(&self) -> Result<bool> {
        let mut busy = false;
        for mut r in self.store.requests()? {
            if r.phase != Phase::Open {
                continue;
            }
            let q = self
                .chain
                .oracle
                .request(U256::from(r.request_id))
                .call()
                .await
                .map_err(rpc)?;
            if q.status != REQUEST_OPEN || q.resultId != U256::ZERO {
                r.phase = Phase::Closed;
                self.store.put_request(&r)?;
                continue;
            }
            busy = true;
            match self.post_result(r.request_id, r.program_id, &r.input).await {
                Ok(_) => {
                    r.phase = Phase::Closed;
                    self.store.put_request(&r)?;
                }
                Err(e @ Error::Program(_)) => {
                    tracing::warn!(request = r.request_id, error = %e, "cannot serve request");
                    r.phase = Phase::Closed;
                    self.store.put_request(&r)?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(busy)
    }

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
        let output = self
            .cfg
            .lies
            .output
            .clone()
            .unwrap_or_else(|| run.output.clone());
        if self.cfg.lies.output.is_some() {
            tracing::warn!(
                request = request_id,
                "TEST-ONLY LIE: posting a wrong output"
            );
        }
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
            .decoded_log::<crate::bindings::oracle::OpMLOracle::ResultSubmitted>()
            .ok_or_else(|| Error::Contract("submitResult: no ResultSubmitted event".into()))?;
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

    /// Challenger: re-runs a result; challenges it when its output or final state is wrong.
    pub(super) async fn check_result(
        &self,
        result_id: u64,
        request_id: u64,
        claim: B256,
        output: &[u8],
    ) -> Result<()> {
        let (program_id, input) = self.request_input(U256::from(request_id)).await?;
        let Some((prog, depth)) = self.traces.resolve(&self.chain, program_id).await? else {
            return Ok(());
        };
        let res = self
            .chain
            .oracle
            .result(U256::from(result_id))
            .call()
            .await
            .map_err(rpc)?;
        if res.status != RESULT_PENDING {
            return Ok(());
        }
        let lying = self.cfg.lies.from_step.is_some();
        let fast = self.traces.fast_output(&prog, depth, &input).await?;
        let wrong_output = fast.as_deref() != Some(output);
        if !wrong_output && !self.cfg.check_final_state && !lying {
            tracing::info!(result = result_id, "result checked: correct");
            return Ok(());
        }
        let run = self.traces.run(program_id, &prog, depth, &input).await?;
        if run.final_hash == claim && !lying {
            tracing::info!(result = result_id, "result checked: correct");
            return Ok(());
        }
        tracing::warn!(
            result = result_id,
            wrong_output,
            "wrong result: challenging"
        );
        if lying {
            tracing::warn!(
                result = result_id,
                "TEST-ONLY LIE: challenging with wrong hashes"
            );
        }
        let trace = super::games::LiveTrace::new(run, self.lie_for(None));
        let k_log = self.params.kLog;
        let t0 = std::time::Instant::now();
        let hashes =
            tokio::task::spawn_blocking(move || game::opening(&trace, depth, k_log, &claim))
                .await
                .map_err(|e| Error::Program(format!("opening task: {e}")))??;
        let Some(hashes) = hashes else { return Ok(()) };
        let compute_secs = t0.elapsed().as_secs_f64();
        let call = self
            .chain
            .oracle
            .challenge(U256::from(result_id), hashes)
            .value(self.params.challengeBond);
        let receipt = self.chain.send("challenge", call).await?;
        let ev = receipt
            .decoded_log::<crate::bindings::oracle::OpMLOracle::GameStarted>()
            .ok_or_else(|| Error::Contract("challenge: no GameStarted event".into()))?;
        let game_id = u64_of(ev.gameId)?;
        tracing::info!(
            game = game_id,
            result = result_id,
            gas = receipt.gas_used,
            "challenge opened"
        );
        self.store.put_game(&GameRecord {
            game_id,
            result_id,
            request_id,
            program_id,
            input,
            side: Side::Challenger,
            moves: vec![MoveRecord {
                kind: "challenge".into(),
                start: 0,
                len_log: depth,
                tx: receipt.transaction_hash,
                gas_used: receipt.gas_used,
                compute_secs,
            }],
            phase: Phase::Open,
        })
    }

    /// Finalizes the role's results whose window passed with no open game; records the
    /// outcome of each. Returns whether any is still pending.
    pub(super) async fn drive_claims(&self) -> Result<bool> {
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
                .map_err(rpc)?;
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
                        let r = self.chain.send("finalize", call).await?;
                        tracing::info!(request = c.request_id, gas = r.gas_used, "finalized");
                        c.phase = Phase::Won;
                    }
                }
            }
            self.store.put_claim(&c)?;
        }
        if self.cfg.role == Role::Challenger && self.cfg.submit_after_win {
            for g in self.store.games()? {
                if g.side == Side::Challenger
                    && g.phase == Phase::Won
                    && self.store.meta(&format!("resubmitted:{}", g.game_id))? == 0
                {
                    let q = self
                        .chain
                        .oracle
                        .request(U256::from(g.request_id))
                        .call()
                        .await
                        .map_err(rpc)?;
                    if q.status == REQUEST_OPEN && q.resultId.is_zero() {
                        tracing::info!(
                            request = g.request_id,
                            "submitting the correct result after winning"
                        );
                        self.post_result(g.request_id, g.program_id, &g.input)
                            .await?;
                        busy = true;
                    }
                    self.store
                        .set_meta(&format!("resubmitted:{}", g.game_id), 1)?;
                }
            }
        }
        Ok(busy)
    }
}
