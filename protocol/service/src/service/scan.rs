//! Scanning confirmed blocks. The cursor moves only past blocks `confirmations` deep, so an
//! event a reorg removes is never acted on. Each role reads the events it looks for; the
//! games opened against the role's results (or by it) are recorded here, for both.

use std::future::Future;

use alloy::primitives::{B256, Bytes, U256};

use super::Service;
use crate::Result;
use crate::chain::{failed, u64_of};
use crate::store::{GameRecord, Phase, Side};

const CURSOR: &str = "cursor";
/// Blocks per `eth_getLogs` query.
const CHUNK: u64 = 2_000;

impl Service {
    /// Hands each confirmed block range past the cursor to `visit`, then moves the cursor
    /// past it: a range is visited again after a failure, never skipped.
    pub async fn scan<F, Fut>(&self, mut visit: F) -> Result<()>
    where
        F: FnMut(u64, u64) -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        let head = self.chain.head().await?;
        let safe = head.saturating_sub(self.chain.confirmations);
        let mut from = match self.store.meta(CURSOR)? {
            0 => self.start_block,
            c => c + 1,
        };
        while from <= safe {
            let to = safe.min(from + CHUNK - 1);
            visit(from, to).await?;
            self.store.set_meta(CURSOR, to)?;
            from = to + 1;
        }
        Ok(())
    }

    /// Records the games opened in blocks `from..=to` on the role's results or by the role.
    pub async fn scan_games(&self, from: u64, to: u64) -> Result<()> {
        let o = &self.chain.oracle;
        for (ev, _) in o
            .GameStarted_filter()
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .map_err(failed("reading GameStarted events"))?
        {
            let game_id = u64_of(ev.gameId)?;
            if self.store.game(game_id)?.is_some() {
                continue;
            }
            let result_id = u64_of(ev.resultId)?;
            let side = if self.store.claim(result_id)?.is_some() {
                Side::Submitter
            } else if ev.challenger == self.me() {
                Side::Challenger
            } else {
                continue;
            };
            let res = o
                .result(ev.resultId)
                .call()
                .await
                .map_err(failed("reading the result"))?;
            let (program_id, input) = self.request_input(U256::from(res.requestId)).await?;
            tracing::info!(game = game_id, result = result_id, ?side, "game opened");
            self.store.put_game(&GameRecord {
                game_id,
                result_id,
                request_id: res.requestId,
                program_id,
                input,
                side,
                moves: Vec::new(),
                phase: Phase::Open,
            })?;
        }
        Ok(())
    }

    /// The program and input of a request, from its `InferenceRequested` event.
    pub async fn request_input(&self, request_id: U256) -> Result<(B256, Bytes)> {
        if let Some(r) = self.store.request(u64_of(request_id)?)? {
            return Ok((r.program_id, r.input));
        }
        let evs = self
            .chain
            .oracle
            .InferenceRequested_filter()
            .topic1(B256::from(request_id))
            .from_block(0u64)
            .query()
            .await
            .map_err(failed("reading the InferenceRequested event"))?;
        let (ev, _) = evs
            .into_iter()
            .next()
            .ok_or_else(|| crate::Error::Unexpected {
                op: "reading the InferenceRequested event".into(),
                detail: format!("none for request {request_id}"),
            })?;
        Ok((ev.programId, ev.input))
    }
}
