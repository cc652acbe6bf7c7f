//! Scanning confirmed blocks. The cursor moves only past blocks `confirmations` deep, so an
//! event a reorg removes is never acted on. Each role reads the events it looks for; the
//! games opened against the role's results (or by it) are recorded here, for both.

use std::future::Future;

use alloy::primitives::{B256, Bytes, U256};
use alloy::providers::Provider;

use super::Service;
use crate::Result;
use crate::chain::{failed, u64_of};
use crate::store::{GameRecord, Phase, Side};

const CURSOR: &str = "cursor";
/// The first 8 bytes of the hash of the block the cursor stands on, as it was scanned.
const CURSOR_BLOCK: &str = "cursor_block";
/// Blocks per `eth_getLogs` query.
const CHUNK: u64 = 2_000;
/// How far back the cursor goes when the block it stands on was replaced: a reorg deeper than
/// `--confirmations`, which the role cannot prevent but must not ignore.
const REWIND: u64 = 256;

/// The first 8 bytes of a block hash (0 for no block).
fn fingerprint(hash: Option<B256>) -> u64 {
    hash.map_or(0, |h| {
        let mut first = [0u8; 8];
        first.copy_from_slice(&h[..8]);
        u64::from_be_bytes(first)
    })
}

impl Service {
    /// Hands each confirmed block range past the cursor to `visit`, then moves the cursor
    /// past it: a range is visited again after a failure, never skipped. If the block the
    /// cursor stands on is no longer the one scanned, or the block of a transaction the role
    /// counted as confirmed is gone, a reorg deeper than `--confirmations` replaced what the
    /// role acted on: it says so, visits the [`REWIND`] blocks before that block again and
    /// re-reads its finished games (a move or a win may have vanished with them).
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
        if let Some(block) = self.replaced_block(from).await? {
            // Back, never forward: the acted-on block may stand past the cursor (a scan that
            // kept failing while other stages sent), and no block past the cursor is skipped.
            from = from.min(block.saturating_sub(REWIND)).max(self.start_block);
            tracing::warn!(
                block,
                confirmations = self.chain.confirmations,
                rescan_from = from,
                "reorg deeper than --confirmations: a block the role acted on was replaced; \
                 scanning again and re-reading its games"
            );
            self.metrics.deep_reorgs.inc();
            self.chain.forget_acted_on();
            self.reopen_games()?;
        }
        while from <= safe {
            let to = safe.min(from + CHUNK - 1);
            visit(from, to).await?;
            self.store
                .set_meta(CURSOR_BLOCK, self.block_fingerprint(to).await?)?;
            self.store.set_meta(CURSOR, to)?;
            from = to + 1;
        }
        Ok(())
    }

    /// A block the role acted on that the chain no longer holds: the one its cursor stands
    /// on (scanned as it was), or the newest holding a transaction of its own counted as
    /// confirmed ([`Chain::acted_on`](crate::chain::Chain::acted_on)), which the cursor may
    /// not have reached yet. `from` is where the scan resumes.
    async fn replaced_block(&self, from: u64) -> Result<Option<u64>> {
        if from > self.start_block {
            let cursor = from - 1;
            let seen = self.store.meta(CURSOR_BLOCK)?;
            if seen != 0 && fingerprint(self.block_hash(cursor).await?) != seen {
                return Ok(Some(cursor));
            }
        }
        if let Some((block, hash)) = self.chain.acted_on()
            && self.block_hash(block).await? != Some(hash)
        {
            return Ok(Some(block));
        }
        Ok(None)
    }

    /// The first 8 bytes of block `n`'s hash, as the cursor records it (0 if the node has no
    /// such block).
    async fn block_fingerprint(&self, n: u64) -> Result<u64> {
        Ok(fingerprint(self.block_hash(n).await?))
    }

    /// Block `n`'s hash, if the node has such a block.
    async fn block_hash(&self, n: u64) -> Result<Option<B256>> {
        let block = self
            .chain
            .provider
            .get_block_by_number(n.into())
            .await
            .map_err(failed("reading a block"))?;
        Ok(block.map(|b| b.header.hash))
    }

    /// Marks the role's finished games open again: the next pass reads each on-chain and
    /// either records its outcome again or plays on where a reorg undid a move.
    fn reopen_games(&self) -> Result<()> {
        for mut g in self.store.games()? {
            if g.phase != Phase::Open {
                g.phase = Phase::Open;
                self.store.put_game(&g)?;
            }
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
                segment: None,
                boundary: None,
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
