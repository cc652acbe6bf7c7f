//! Playing games: for each open game, read it on-chain; if it is the role's move, answer the
//! opponent's last bisection (found by its committed root among the `Bisected` events) from
//! the role's trace for the game's phase (`phases.rs`); if the opponent's clock ran out, claim
//! the win; record the outcome.

use alloy::primitives::{B256, U256};

use opml_bindings::oracle::IOpMLOracle;
use opml_bindings::status::{
    GAME_ACTIVE, GAME_CHALLENGER_WON, GAME_SUBMITTER_WON, RESULT_REJECTED,
};
use opml_game::{self as game, Bisection};

use super::{Service, isolate};
use crate::chain::failed;
use crate::store::{GameRecord, MoveRecord, Phase, Side};
use crate::{Error, Result};

impl Service {
    /// Plays every open game, up to `concurrency` at a time. Returns whether any is still
    /// open.
    pub async fn drive_games(&self) -> Result<bool> {
        let open = self
            .store
            .games()?
            .into_iter()
            .filter(|g| g.phase == Phase::Open);
        crate::bounded::each(open, self.cfg.concurrency, |mut g| async move {
            // A move that reverts is not sent again as it is: the next pass reads the game
            // again and answers what the chain then says.
            if let Err(e) = isolate(self.drive_game(&mut g).await)? {
                tracing::warn!(game = g.game_id, error = %e, "no valid move; waiting");
            }
            Ok(g.phase == Phase::Open)
        })
        .await
    }

    async fn drive_game(&self, rec: &mut GameRecord) -> Result<()> {
        let o = &self.chain.oracle;
        let id = U256::from(rec.game_id);
        let g: IOpMLOracle::Game = o
            .game(id)
            .call()
            .await
            .map_err(failed("reading the game"))?;
        let won = match g.status {
            GAME_ACTIVE => None,
            GAME_SUBMITTER_WON => Some(rec.side == Side::Submitter),
            GAME_CHALLENGER_WON => Some(rec.side == Side::Challenger),
            _ => {
                rec.phase = Phase::Closed;
                self.store.put_game(rec)?;
                return Ok(());
            }
        };
        if let Some(won) = won {
            rec.phase = if won { Phase::Won } else { Phase::Lost };
            tracing::info!(game = rec.game_id, won, "game resolved");
            return self.store.put_game(rec);
        }
        let res = o
            .result(U256::from(g.resultId))
            .call()
            .await
            .map_err(failed("reading the result"))?;
        if res.status == RESULT_REJECTED {
            // Another game rejected the result: the challenger gets its bond back plus the
            // submitter's match (or a share of the result bond if it never answered).
            if rec.side == Side::Challenger {
                self.chain.send("voidGame", o.voidGame(id)).await?;
            }
            rec.phase = Phase::Closed;
            return self.store.put_game(rec);
        }
        let clocks = o
            .clocks(id)
            .call()
            .await
            .map_err(failed("reading the clocks"))?;
        let (mine, theirs) = match rec.side {
            Side::Challenger => (clocks.challenger, clocks.submitter),
            Side::Submitter => (clocks.submitter, clocks.challenger),
        };
        self.metrics.set_clocks(rec.game_id, mine, theirs);
        let my_turn = g.challengerTurn == (rec.side == Side::Challenger);
        if !my_turn {
            let left = if g.challengerTurn {
                clocks.challenger
            } else {
                clocks.submitter
            };
            if left.is_zero() {
                let r = self.chain.send("timeout", o.timeout(id)).await?;
                tracing::info!(
                    game = rec.game_id,
                    "opponent's clock ran out: claimed the win"
                );
                self.record(rec, "timeout", &g, r.transaction_hash, r.gas_used, 0.0)?;
            }
            return Ok(());
        }
        let Some(last) = self.last_bisection(rec.game_id, &g).await? else {
            return Ok(()); // not confirmed yet
        };
        let Some((prog, depth)) = self.traces.resolve(&self.chain, rec.program_id).await? else {
            return Err(Error::Program(format!(
                "program {} not in the store",
                rec.program_id
            )));
        };
        let t0 = std::time::Instant::now();
        let mv = self
            .next_move(rec, &g, &prog, depth, res.finalState, last)
            .await?;
        let secs = t0.elapsed().as_secs_f64();
        // The submitter's first move in a game escrows its match of the challenge bond.
        let value = if rec.side == Side::Submitter && !g.funded {
            self.params.challengeBond
        } else {
            U256::ZERO
        };
        let (kind, receipt) = self.send_move(rec, id, mv, value).await?;
        tracing::info!(
            game = rec.game_id,
            kind,
            phase = g.phase,
            start = g.start,
            len_log = g.lenLog,
            secs,
            gas = receipt.gas_used,
            "move sent"
        );
        self.record(
            rec,
            kind,
            &g,
            receipt.transaction_hash,
            receipt.gas_used,
            secs,
        )
    }

    fn record(
        &self,
        rec: &mut GameRecord,
        kind: &str,
        g: &IOpMLOracle::Game,
        tx: B256,
        gas_used: u64,
        compute_secs: f64,
    ) -> Result<()> {
        rec.moves.push(MoveRecord {
            kind: kind.into(),
            start: g.start,
            len_log: g.lenLog,
            tx,
            gas_used,
            compute_secs,
        });
        self.store.put_game(rec)
    }

    /// The bisection the game's root commits to, once `confirmations` deep.
    async fn last_bisection(
        &self,
        game_id: u64,
        g: &IOpMLOracle::Game,
    ) -> Result<Option<Bisection>> {
        let evs = self
            .chain
            .oracle
            .Bisected_filter()
            .topic1(B256::from(U256::from(game_id)))
            .from_block(self.start_block)
            .query()
            .await
            .map_err(failed("reading Bisected events"))?;
        let head = self.chain.head().await?;
        let Some((ev, log)) = evs.into_iter().rev().find(|(ev, _)| {
            ev.root == g.root && ev.start == g.start && ev.startHash == g.startHash
        }) else {
            return Ok(None);
        };
        if log
            .block_number
            .is_some_and(|b| b + self.chain.confirmations > head + 1)
        {
            return Ok(None);
        }
        Ok(Some(Bisection {
            start: ev.start,
            len_log: ev.lenLog,
            start_hash: ev.startHash,
            hashes: ev.hashes,
        }))
    }
}

pub(super) fn selection(s: &game::Selection) -> IOpMLOracle::Selection {
    IOpMLOracle::Selection {
        index: U256::from(s.index),
        agreed: s.agreed,
        agreedProof: s.agreed_proof.clone(),
        disputed: s.disputed,
        disputedProof: s.disputed_proof.clone(),
    }
}
