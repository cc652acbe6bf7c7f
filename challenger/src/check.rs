//! Checking a result: re-run it on the fast path, compare the claimed final state with the fast
//! path's final boundary (the VM's only where the fast path cannot vouch for it), and open a
//! game against a wrong one with the opening bisection: over the boundary hashes for a
//! two-phase program, from a VM replay otherwise.

use alloy::primitives::{B256, U256};
use opml_bindings::oracle::OpMLOracle;
use opml_bindings::status::RESULT_REVEALED;
use opml_game as game;
use opml_service::chain::{failed, u64_of};
use opml_service::store::{GameRecord, MoveRecord, Phase, Side};
use opml_service::{Error, Result, bounded, isolate, phase_depths};

use crate::Challenger;

/// Meta key of the number of deferred checks; `deferred:{i}` holds the i-th result id (0 once
/// checked).
const DEFERRED: &str = "deferred";

impl Challenger {
    /// Checks the results revealed by others in blocks `from..=to` (each once), up to
    /// `--concurrency` at a time; a result whose challenge window has not opened yet (an
    /// earlier commitment may still be revealed) is checked again by
    /// [`Self::recheck_deferred`] once it opens.
    pub(crate) async fn scan_results(&self, from: u64, to: u64) -> Result<()> {
        let evs = self
            .svc
            .chain
            .oracle
            .ResultRevealed_filter()
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .map_err(failed("reading ResultRevealed events"))?;
        let theirs = (evs.into_iter().map(|(ev, _)| ev)).filter(|ev| ev.submitter != self.svc.me());
        let later = std::sync::Mutex::new(Vec::new());
        let deferred = &later;
        bounded::each(theirs, self.svc.cfg.concurrency, move |ev| async move {
            if !self.check_once(&ev).await? {
                let id = u64_of(ev.resultId)?;
                deferred.lock().map_err(|_| poisoned())?.push(id);
            }
            Ok(false)
        })
        .await?;
        // Recorded once every check of the range ran (a failure re-reads the range, and
        // defers them again).
        let mut later = later.into_inner().map_err(|_| poisoned())?;
        later.sort_unstable();
        for result_id in later {
            let n = self.svc.store.meta(DEFERRED)?;
            self.svc
                .store
                .set_meta(&format!("{DEFERRED}:{n}"), result_id)?;
            self.svc.store.set_meta(DEFERRED, n + 1)?;
            tracing::info!(
                result = result_id,
                "challenge window not open yet: check deferred"
            );
        }
        Ok(())
    }

    /// Checks again the deferred results whose window may have opened since.
    pub(crate) async fn recheck_deferred(&self) -> Result<bool> {
        let mut busy = false;
        for i in 0..self.svc.store.meta(DEFERRED)? {
            let key = format!("{DEFERRED}:{i}");
            let result_id = self.svc.store.meta(&key)?;
            if result_id == 0 {
                continue;
            }
            let evs = self
                .svc
                .chain
                .oracle
                .ResultRevealed_filter()
                .topic1(B256::from(U256::from(result_id)))
                .from_block(self.svc.start_block())
                .query()
                .await
                .map_err(failed("reading the ResultRevealed event"))?;
            let done = match evs.into_iter().next() {
                Some((ev, _)) => self.check_once(&ev).await?,
                None => true,
            };
            if done {
                self.svc.store.set_meta(&key, 0)?;
            } else {
                busy = true;
            }
        }
        Ok(busy)
    }

    /// Checks a revealed result unless already checked. Returns false if its window has not
    /// opened yet (nothing recorded).
    async fn check_once(&self, ev: &OpMLOracle::ResultRevealed) -> Result<bool> {
        let result_id = u64_of(ev.resultId)?;
        let key = format!("checked:{result_id}");
        if self.svc.store.meta(&key)? != 0 {
            return Ok(true);
        }
        // A transport failure ends the pass and the range is read again after the back-off;
        // a challenge that reverts (another game, a closed window) is not sent again.
        let checked = self
            .check_result(result_id, u64_of(ev.requestId)?, ev.finalState, &ev.output)
            .await;
        match isolate(checked)? {
            Ok(false) => return Ok(false),
            Ok(true) => {}
            Err(e) => tracing::warn!(result = result_id, error = %e, "cannot check result"),
        }
        self.svc.store.set_meta(&key, 1)?;
        Ok(true)
    }

    /// Re-runs a result; challenges it when its output or final state is wrong. Returns false
    /// (and does nothing) while its challenge window has not opened.
    async fn check_result(
        &self,
        result_id: u64,
        request_id: u64,
        claim: B256,
        output: &[u8],
    ) -> Result<bool> {
        let svc = &self.svc;
        let (program_id, input) = svc.request_input(U256::from(request_id)).await?;
        let Some((prog, depth)) = svc.resolve(program_id).await? else {
            return Ok(true);
        };
        let res = svc
            .chain
            .oracle
            .result(U256::from(result_id))
            .call()
            .await
            .map_err(failed("reading the result"))?;
        if res.status != RESULT_REVEALED {
            return Ok(true); // displaced, settled or rejected: nothing to challenge
        }
        if svc.chain.now().await? < res.windowStart {
            return Ok(false);
        }
        let dispute_anyway = svc.behaviour().dispute_correct();
        let t0 = std::time::Instant::now();
        let fast = svc.fast_work(&prog, depth, &input, None).await?;
        let wrong_output = fast.output.as_deref() != Some(output);
        // The claimed final state, not only the output, is checked at fast-path cost: the
        // final halted state is a canonical boundary the fast path hashes.
        if let Some(fields) = &fast.final_fields
            && B256::from(fields.hash()) == claim
            && !dispute_anyway
        {
            tracing::info!(
                result = result_id,
                fast_secs = t0.elapsed().as_secs_f64(),
                "result checked on the fast path: correct"
            );
            return Ok(true);
        }
        let k_log = svc.params().kLog;
        let (d1, _) = phase_depths(&prog, depth);
        // A dispute, or a final state the fast path cannot vouch for (a segment near the
        // bound): a two-phase game opens from the boundary hashes (the VM deciding only the
        // segments the fast path cannot vouch for), a single-phase one from a VM replay.
        let (trace, opening_depth) = if d1 > 0 {
            let bounds = svc.boundaries(program_id, &prog, depth, &input).await?;
            if bounds.final_hash() == claim && !dispute_anyway {
                tracing::info!(
                    result = result_id,
                    "result checked on its boundaries: correct"
                );
                return Ok(true);
            }
            let trace = svc
                .behaviour()
                .boundary_trace(&bounds, Side::Challenger, &claim);
            (trace, d1)
        } else {
            let run = svc.replay(program_id, &prog, depth, &input).await?;
            if run.final_hash == claim && !dispute_anyway {
                tracing::info!(result = result_id, "result checked on the VM: correct");
                return Ok(true);
            }
            (svc.behaviour().trace(&run, Side::Challenger), depth)
        };
        tracing::warn!(
            result = result_id,
            wrong_output,
            two_phase = d1 > 0,
            "wrong result: challenging"
        );
        let t0 = std::time::Instant::now();
        let hashes = tokio::task::spawn_blocking(move || {
            game::opening(&*trace, opening_depth, k_log, &claim)
        })
        .await??;
        let Some(hashes) = hashes else {
            return Ok(true);
        };
        // Challenged already but not recorded (a kill, a lost answer): the game is recorded
        // from its event by `scan_games`; a second challenge would put up a second bond.
        let mine = svc
            .chain
            .oracle
            .GameStarted_filter()
            .topic2(B256::from(U256::from(result_id)))
            .topic3(svc.me().into_word())
            .from_block(svc.start_block())
            .query()
            .await
            .map_err(failed("reading GameStarted events"))?;
        if !mine.is_empty() {
            tracing::info!(
                result = result_id,
                "own unrecorded challenge found on-chain"
            );
            return Ok(true);
        }
        let compute_secs = t0.elapsed().as_secs_f64();
        let call = svc
            .chain
            .oracle
            .challenge(U256::from(result_id), hashes)
            .value(svc.params().challengeBond);
        let receipt = svc.chain.send("challenge", call).await?;
        let ev = receipt
            .decoded_log::<OpMLOracle::GameStarted>()
            .ok_or_else(|| Error::Unexpected {
                op: "challenge".into(),
                detail: "no GameStarted event in the receipt".into(),
            })?;
        let game_id = u64_of(ev.gameId)?;
        tracing::info!(
            game = game_id,
            result = result_id,
            gas = receipt.gas_used,
            "challenge opened"
        );
        svc.store.put_game(&GameRecord {
            game_id,
            result_id,
            request_id,
            program_id,
            input,
            side: Side::Challenger,
            moves: vec![MoveRecord {
                kind: "challenge".into(),
                start: 0,
                len_log: opening_depth,
                tx: receipt.transaction_hash,
                gas_used: receipt.gas_used,
                compute_secs,
            }],
            phase: Phase::Open,
            segment: None,
            boundary: None,
        })?;
        Ok(true)
    }
}

/// A lock whose holder panicked (a bug): reported, not unwrapped.
fn poisoned() -> Error {
    Error::Unexpected {
        op: "checking results".into(),
        detail: "a check panicked holding the deferred list".into(),
    }
}
