//! A game, move by move: the bisections from the `Bisected` events (each narrowing the
//! disputed range), the step proof and the verdict, both clocks and the bonds.

use alloy::primitives::U256;
use opml_bindings::oracle::GameStatus;
use opml_service::chain::failed;

use crate::read::{enum_name, topic, turn};
use crate::views::{Bonds, Clocks, GameView, Round, StepView};
use crate::{Client, Result};

impl Client {
    /// The game `id`, with every move so far.
    pub async fn game(&self, id: u64) -> Result<GameView> {
        let cfg = self.config().await?;
        let g = self.game_raw(id).await?;
        let r = self
            .oracle
            .result(U256::from(g.resultId))
            .call()
            .await
            .map_err(failed("reading the result"))?;
        let q = self.request_raw(r.requestId).await?;
        let clocks = self
            .oracle
            .clocks(U256::from(id))
            .call()
            .await
            .map_err(failed("reading the clocks"))?;
        let now = self.now().await?;
        let side = |who| {
            if who == g.challenger {
                "challenger"
            } else {
                "submitter"
            }
            .to_string()
        };
        let mut rounds: Vec<Round> = self
            .events(
                self.oracle.Bisected_filter().topic1(topic(id)),
                "reading Bisected",
            )
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, (ev, log))| Round {
                n: i + 1,
                mover: side(ev.mover),
                phase: phase_of(i, q.traceDepth, q.segmentDepth, cfg.kLog),
                start: ev.start,
                len_log: ev.lenLog,
                start_hash: ev.startHash,
                hashes: ev.hashes,
                disputed: None,
                block: log.block_number,
                tx: log.transaction_hash,
            })
            .collect();
        let step = self
            .first_event(
                self.oracle.StepProved_filter().topic1(topic(id)),
                "reading StepProved",
            )
            .await?
            .map(|(ev, _)| StepView {
                step: ev.step,
                pre: ev.pre,
                post: ev.post,
                mover: side(ev.mover),
            });
        // Each round's disputed sub-range: where the next round starts (or the proved step);
        // the last phase-1 round's is the segment the transition opened.
        let next_starts: Vec<Option<u64>> = rounds
            .iter()
            .zip(rounds.iter().skip(1))
            .map(|(r, next)| {
                Some(if r.phase == 1 && next.phase == 2 {
                    g.segment
                } else {
                    next.start
                })
            })
            .chain(std::iter::once(step.as_ref().map(|s| s.step)))
            .collect();
        for (r, next) in rounds.iter_mut().zip(next_starts) {
            let sub_log = r.len_log - r.len_log.min(cfg.kLog);
            r.disputed = next
                .filter(|&s| s >= r.start)
                .map(|s| ((s - r.start) >> sub_log) as usize);
        }
        let by_timeout = self
            .first_event(
                self.oracle.GameResolved_filter().topic1(topic(id)),
                "reading GameResolved",
            )
            .await?
            .is_some_and(|(ev, _)| ev.byTimeout);
        Ok(GameView {
            id,
            result_id: g.resultId,
            request_id: r.requestId,
            submitter: r.submitter,
            challenger: g.challenger,
            status: enum_name::<GameStatus>(g.status),
            turn: turn(g.challengerTurn).into(),
            by_timeout,
            trace_depth: q.traceDepth,
            k_log: cfg.kLog,
            segment_depth: q.segmentDepth,
            phase: g.phase,
            segment: g.segment,
            start: g.start,
            len_log: g.lenLog,
            clocks: Clocks {
                total: cfg.clock,
                submitter_left: u64::try_from(clocks.submitter).unwrap_or(u64::MAX),
                challenger_left: u64::try_from(clocks.challenger).unwrap_or(u64::MAX),
            },
            last_move_at: g.lastMoveAt,
            bonds: Bonds {
                result_bond_wei: cfg.resultBond.to_string(),
                challenge_bond_wei: cfg.challengeBond.to_string(),
                match_escrowed: g.funded,
                burn_bps: cfg.burnBps,
            },
            rounds,
            step,
            now,
        })
    }
}

/// The phase of round `i` (0-based): a two-phase game's first `⌈D1 / kLog⌉` rounds bisect
/// segments, the rest (from the transition on) one segment's steps.
fn phase_of(i: usize, trace_depth: u8, segment_depth: u8, k_log: u8) -> u8 {
    let d1 = trace_depth.saturating_sub(segment_depth);
    if d1 == 0 {
        0
    } else if i < usize::from(d1.div_ceil(k_log.max(1))) {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::phase_of;

    #[test]
    fn rounds_of_two_phases() {
        // D = 48 = 16 + 32, k = 16: four phase-1 rounds, then phase 2.
        let phases: Vec<u8> = (0..6).map(|i| phase_of(i, 48, 32, 4)).collect();
        assert_eq!(phases, [1, 1, 1, 1, 2, 2]);
        assert_eq!(phase_of(0, 20, 20, 4), 0);
        assert_eq!(phase_of(7, 20, 20, 4), 0);
        // D1 = 1: one phase-1 round.
        assert_eq!(phase_of(0, 10, 9, 4), 1);
        assert_eq!(phase_of(1, 10, 9, 4), 2);
    }
}
