//! What a role posts in each phase of a game (`docs/protocol.md` §5, §5.3), and sending it.
//!
//! - A single-phase game (`phase = 0`) is played from the whole trace replayed in the VM.
//! - Phase 1 (`phase = 1`) is played from the boundary hashes of the fast path (no VM); facing
//!   single segments, the role opens the first one it disputes: it reveals the packed agreed
//!   boundary and posts the first bisection of that segment, replayed in the VM from it.
//! - Phase 2 (`phase = 2`) is played from the one opened segment (`Game.segment`), replayed in
//!   the VM from its boundary, down to the step proof.
//!
//! Nothing here is kept only in memory: the phase and the segment are the game's on-chain
//! state, and the boundary and the segment's trace are recomputed from the program and the
//! input, so a role restarted (even by `kill -9`) in either phase carries on.

use std::sync::Arc;

use alloy::primitives::{B256, U256};
use alloy::rpc::types::TransactionReceipt;
use opml_bindings::oracle::IOpMLOracle;
use opml_game::{self as game, Bisection, BoundaryMove, Move};

use super::Service;
use super::games::selection;
use crate::Result;
use crate::programs::StoredProgram;
use crate::store::GameRecord;

/// `Game.phase` of a single-phase game.
const SINGLE_PHASE: u8 = 0;
/// `Game.phase` while bisecting segment boundaries.
const PHASE_SEGMENTS: u8 = 1;

impl Service {
    /// The role's answer to `last` in game `g` (read on-chain), from its trace for the game's
    /// phase. `claim` is the disputed result's final state.
    pub(super) async fn next_move(
        &self,
        rec: &mut GameRecord,
        g: &IOpMLOracle::Game,
        prog: &Arc<StoredProgram>,
        depth: u8,
        claim: B256,
        last: Bisection,
    ) -> Result<Move> {
        let k_log = self.params.kLog;
        let (pid, side) = (rec.program_id, rec.side);
        match g.phase {
            SINGLE_PHASE => {
                let run = self.traces.run(pid, prog, depth, &rec.input).await?;
                let trace = self.behaviour.trace(&run, side);
                Ok(
                    tokio::task::spawn_blocking(move || game::respond(&*trace, k_log, &last))
                        .await??,
                )
            }
            PHASE_SEGMENTS => {
                let bounds = self.traces.boundaries(pid, prog, depth, &rec.input).await?;
                let trace = self.behaviour.boundary_trace(&bounds, side, &claim);
                let answer = tokio::task::spawn_blocking(move || {
                    game::respond_over_boundaries(&*trace, k_log, &last)
                })
                .await??;
                let (sel, j) = match answer {
                    BoundaryMove::Bisect(mv) => return Ok(mv),
                    BoundaryMove::Open { sel, segment } => (sel, segment),
                };
                let seg = self
                    .traces
                    .segment(pid, prog, &rec.input, j, &bounds)
                    .await?;
                let trace = self.behaviour.segment_trace(&seg, side, &claim);
                let d2 = bounds.segment_depth;
                let packed = seg.packed_boundary.clone();
                Ok(tokio::task::spawn_blocking(move || {
                    game::open_segment(sel, j, packed, &*trace, d2, k_log)
                })
                .await??)
            }
            _ => {
                let j = g.segment;
                if rec.segment != Some(j) {
                    // The opponent opened it (`SegmentOpened`): remembered with the game.
                    tracing::info!(game = rec.game_id, segment = j, "phase 2: segment opened");
                    rec.segment = Some(j);
                    self.store.put_game(rec)?;
                }
                let bounds = self.traces.boundaries(pid, prog, depth, &rec.input).await?;
                let seg = self
                    .traces
                    .segment(pid, prog, &rec.input, j, &bounds)
                    .await?;
                let trace = self.behaviour.segment_trace(&seg, side, &claim);
                Ok(
                    tokio::task::spawn_blocking(move || game::respond(&*trace, k_log, &last))
                        .await??,
                )
            }
        }
    }

    /// Sends `mv` in game `id` with `value` (the submitter's match, on its first move);
    /// returns the move's kind (`bisect`, `open`, `prove`) and its receipt.
    pub(super) async fn send_move(
        &self,
        rec: &mut GameRecord,
        id: U256,
        mv: Move,
        value: U256,
    ) -> Result<(&'static str, TransactionReceipt)> {
        let o = &self.chain.oracle;
        Ok(match mv {
            Move::Bisect { sel, hashes } => (
                "bisect",
                self.chain
                    .send("bisect", o.bisect(id, selection(&sel), hashes).value(value))
                    .await?,
            ),
            Move::OpenSegment {
                sel,
                segment,
                agreed_state,
                hashes,
            } => {
                tracing::info!(
                    game = rec.game_id,
                    segment,
                    boundary = %sel.agreed,
                    "opening one segment: phase 2 replays only it"
                );
                let call = o.openSegment(id, selection(&sel), agreed_state.into(), hashes);
                let receipt = self.chain.send("openSegment", call.value(value)).await?;
                rec.segment = Some(segment);
                rec.boundary = Some(sel.agreed);
                ("open", receipt)
            }
            Move::Prove { sel, proof, step } => {
                tracing::info!(
                    game = rec.game_id,
                    step,
                    proof_bytes = proof.len(),
                    "proving one step"
                );
                let call = o.proveStep(id, selection(&sel), proof.into());
                (
                    "prove",
                    self.chain.send("proveStep", call.value(value)).await?,
                )
            }
        })
    }
}
