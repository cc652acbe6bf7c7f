//! The demo's main loop: both roles take turns, the chain's events are narrated as they
//! land, and the devnet clock is fast-forwarded when the only thing left is waiting.

use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::sol_types::SolEvent;

use opml_bindings::oracle::OpMLOracle::{self, OpMLOracleInstance};
use opml_bindings::status::{GAME_ACTIVE, GAME_CHALLENGER_WON, RESULT_REVEALED};
use opml_challenger::Challenger;
use opml_service::Service;
use opml_service::chain::failed;
use opml_submitter::Submitter;

use super::figures::Timeline;
use super::{Narrate, eth};
use crate::{Error, Result};

type Oracle = OpMLOracleInstance<DynProvider>;

/// How long the story may take before the demo gives up.
const DEADLINE: Duration = Duration::from_secs(600);

/// The events of type `E` the oracle emitted in blocks `from..=to`, in order.
async fn events<E: SolEvent>(o: &Oracle, from: u64, to: u64) -> Result<Vec<E>> {
    let logs = o
        .event_filter::<E>()
        .from_block(from)
        .to_block(to)
        .query()
        .await
        .map_err(failed("reading events"))?;
    Ok(logs.into_iter().map(|(e, _)| e).collect())
}

/// Runs both roles until `request_id` is finalized, narrating from the chain's events.
pub(super) async fn play(
    say: Narrate<'_>,
    submitter: &Submitter,
    challenger: &Challenger,
    admin: &DynProvider,
    request_id: U256,
) -> Result<Timeline> {
    let (sub, cha) = (submitter.service(), challenger.service());
    let o = &sub.chain.oracle;
    let mut f = Timeline::default();
    let mut from = 0u64;
    let mut idle = 0u32;
    let deadline = Instant::now() + DEADLINE;
    let who = |a: Address| {
        if a == sub.me() {
            "submitter"
        } else if a == cha.me() {
            "challenger"
        } else {
            "someone"
        }
    };
    loop {
        if Instant::now() > deadline {
            return Err(Error::Demo("the demo did not finish in 10 minutes".into()));
        }
        let peak = f.peaks.start();
        if let Err(e) = submitter.tick().await {
            tracing::warn!(role = "submitter", error = %e, "pass failed");
        }
        f.peaks.note(0, peak);
        let peak = f.peaks.start();
        if let Err(e) = challenger.tick().await {
            tracing::warn!(role = "challenger", error = %e, "pass failed");
        }
        f.peaks.note(1, peak);
        let head = sub.chain.head().await?;
        if from > head {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        let mut news = 0;
        for ev in events::<OpMLOracle::ResultCommitted>(o, from, head).await? {
            news += 1;
            say(&format!(
                "{} commits to result {} with a bond (a hash binding it to its final state)",
                who(ev.submitter),
                ev.resultId
            ));
        }
        for ev in events::<OpMLOracle::ResultRevealed>(o, from, head).await? {
            news += 1;
            say(&format!(
                "{} reveals result {}: {}",
                who(ev.submitter),
                ev.resultId,
                super::shown(&ev.output)
            ));
        }
        for ev in events::<OpMLOracle::GameStarted>(o, from, head).await? {
            news += 1;
            f.challenge_at.get_or_insert_with(Instant::now);
            say(&format!(
                "challenger re-ran it, disagrees, and opens game {} against result {}",
                ev.gameId, ev.resultId
            ));
        }
        for ev in events::<OpMLOracle::Bisected>(o, from, head).await? {
            news += 1;
            f.rounds += 1;
            let end = ev.start as u128 + (1u128 << ev.lenLog);
            say(&format!(
                "round {}: {} splits [{}, {end}] into {} parts (its state hashes, committed as one Merkle root)",
                f.rounds,
                who(ev.mover),
                ev.start,
                ev.hashes.len()
            ));
        }
        for ev in events::<OpMLOracle::SegmentOpened>(o, from, head).await? {
            news += 1;
            say(&format!(
                "phase 1 over: {} opens segment {}, revealing its agreed boundary {}; phase 2 bisects that segment's steps from the resumed state {}, replayed in the VM from that boundary alone",
                who(ev.mover),
                ev.segment,
                ev.boundary,
                ev.resumed
            ));
        }
        for ev in events::<OpMLOracle::StepProved>(o, from, head).await? {
            news += 1;
            say(&format!(
                "{} proves step {} on-chain: the verifier re-executes it and gets {} — not the opponent's hash",
                who(ev.mover),
                ev.step,
                ev.post
            ));
        }
        for ev in events::<OpMLOracle::GameResolved>(o, from, head).await? {
            news += 1;
            f.resolved_at.get_or_insert_with(Instant::now);
            let w = if ev.status == GAME_CHALLENGER_WON {
                "the challenger"
            } else {
                "the submitter"
            };
            let how = if ev.byTimeout {
                "the other side's clock ran out"
            } else {
                "step proof"
            };
            say(&format!(
                "game {} resolved: {w} wins ({how}); the loser's bond goes to the winner, 20% burned",
                ev.gameId
            ));
        }
        for ev in events::<OpMLOracle::ResultRejected>(o, from, head).await? {
            news += 1;
            say(&format!(
                "result {} rejected: request {} is open again",
                ev.resultId, ev.requestId
            ));
        }
        let mut done = false;
        for ev in events::<OpMLOracle::ResultFinalized>(o, from, head).await? {
            news += 1;
            say(&format!(
                "request {} finalized: the submitter's bond and fee are paid",
                ev.requestId
            ));
            done |= ev.requestId == request_id;
        }
        for ev in events::<OpMLOracle::CallbackDelivered>(o, from, head).await? {
            news += 1;
            say(&format!(
                "request {}: callback delivered (ok: {})",
                ev.requestId, ev.success
            ));
        }
        from = head + 1;
        if done {
            submitter.tick().await?;
            say(&balance("submitter", sub).await?);
            challenger.tick().await?;
            say(&balance("challenger", cha).await?);
            return Ok(f);
        }
        idle = if news > 0 { 0 } else { idle + 1 };
        if idle >= 3
            && let Some(secs) = wait_needed(sub).await?
        {
            say(&format!(
                "⏩ nothing to do but wait: fast-forwarding the devnet clock by {secs} s"
            ));
            fast_forward(admin, secs).await?;
            if f.challenge_at.is_some() && f.resolved_at.is_none() {
                f.fast_forwarded += secs;
            }
            idle = 0;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// "NAME balance now X ETH".
async fn balance(name: &str, a: &Service) -> Result<String> {
    let bal = a
        .chain
        .provider
        .get_balance(a.me())
        .await
        .map_err(failed("reading a balance"))?;
    Ok(format!("{name} balance now {}", eth(bal)))
}

/// Moves the devnet's clock `secs` ahead and mines a block at the new time.
async fn fast_forward(admin: &DynProvider, secs: u64) -> Result<()> {
    admin
        .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (secs,))
        .await
        .map_err(failed("evm_increaseTime"))?;
    admin
        .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
        .await
        .map_err(failed("evm_mine"))?;
    Ok(())
}

/// A chain value as `u64`.
fn small(x: U256) -> Result<u64> {
    x.try_into()
        .map_err(|_| Error::Demo(format!("{x} does not fit in 64 bits")))
}

/// Seconds until the next deadline (an open game's clock, else a pending result's window).
async fn wait_needed(a: &Service) -> Result<Option<u64>> {
    let o = &a.chain.oracle;
    let now = a.chain.now().await?;
    let games = small(
        o.gameCount()
            .call()
            .await
            .map_err(failed("reading the game count"))?,
    )?;
    for id in 1..=games {
        let g = o
            .game(U256::from(id))
            .call()
            .await
            .map_err(failed("reading a game"))?;
        if g.status == GAME_ACTIVE {
            let c = o
                .clocks(U256::from(id))
                .call()
                .await
                .map_err(failed("reading the clocks"))?;
            let left = small(if g.challengerTurn {
                c.challenger
            } else {
                c.submitter
            })?;
            return Ok(Some(left + 1));
        }
    }
    let results = small(
        o.resultCount()
            .call()
            .await
            .map_err(failed("reading the result count"))?,
    )?;
    for id in 1..=results {
        let r = o
            .result(U256::from(id))
            .call()
            .await
            .map_err(failed("reading a result"))?;
        if r.status == RESULT_REVEALED {
            let end = r.windowStart + a.params().challengeWindow;
            return Ok(Some(end.saturating_sub(now) + 1));
        }
    }
    Ok(None)
}
