//! Scanning confirmed oracle events into the database: requests to serve, results to check,
//! games opened against the role's results. The cursor moves only past blocks
//! `confirmations` deep, so an event a reorg removes is never acted on.

use alloy::primitives::{B256, Bytes, U256};

use super::{Agent, Role, u64_of};
use crate::Result;
use crate::chain::rpc;
use crate::store::{GameRecord, Phase, RequestRecord, Side};

const CURSOR: &str = "cursor";
/// Blocks per `eth_getLogs` query.
const CHUNK: u64 = 2_000;

impl Agent {
    /// Scans confirmed blocks past the cursor.
    pub(super) async fn scan(&self) -> Result<()> {
        let head = self.chain.head().await?;
        let safe = head.saturating_sub(self.chain.confirmations);
        let mut from = match self.store.meta(CURSOR)? {
            0 => self.start_block,
            c => c + 1,
        };
        while from <= safe {
            let to = safe.min(from + CHUNK - 1);
            self.scan_range(from, to).await?;
            self.store.set_meta(CURSOR, to)?;
            from = to + 1;
        }
        Ok(())
    }

    async fn scan_range(&self, from: u64, to: u64) -> Result<()> {
        let o = &self.chain.oracle;
        if self.cfg.role == Role::Submitter {
            for (ev, log) in o
                .InferenceRequested_filter()
                .from_block(from)
                .to_block(to)
                .query()
                .await
                .map_err(rpc)?
            {
                let id = u64_of(ev.requestId)?;
                if self.store.request(id)?.is_some() {
                    continue;
                }
                if self
                    .traces
                    .resolve(&self.chain, ev.programId)
                    .await?
                    .is_none()
                {
                    tracing::debug!(request = id, program = %ev.programId, "request for a program not in the store");
                    continue;
                }
                tracing::info!(request = id, program = %ev.programId, "request seen");
                let block = log.block_number.unwrap_or(to);
                self.store.put_request(&RequestRecord {
                    request_id: id,
                    program_id: ev.programId,
                    input: ev.input,
                    block,
                    phase: Phase::Open,
                })?;
            }
        }
        for (ev, _) in o
            .ResultSubmitted_filter()
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .map_err(rpc)?
        {
            let result_id = u64_of(ev.resultId)?;
            if ev.submitter != self.me() && self.cfg.role == Role::Challenger {
                let key = format!("checked:{result_id}");
                if self.store.meta(&key)? == 0 {
                    self.check_result(result_id, u64_of(ev.requestId)?, ev.finalState, &ev.output)
                        .await?;
                    self.store.set_meta(&key, 1)?;
                }
            }
        }
        for (ev, _) in o
            .GameStarted_filter()
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .map_err(rpc)?
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
            let res = o.result(ev.resultId).call().await.map_err(rpc)?;
            let (program_id, input) = self.request_input(res.requestId).await?;
            tracing::info!(game = game_id, result = result_id, ?side, "game opened");
            self.store.put_game(&GameRecord {
                game_id,
                result_id,
                request_id: u64_of(res.requestId)?,
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
    pub(super) async fn request_input(&self, request_id: U256) -> Result<(B256, Bytes)> {
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
            .map_err(rpc)?;
        let (ev, _) = evs.into_iter().next().ok_or_else(|| {
            crate::Error::Contract(format!(
                "no InferenceRequested event for request {request_id}"
            ))
        })?;
        Ok((ev.programId, ev.input))
    }
}
