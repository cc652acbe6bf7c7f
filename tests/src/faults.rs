//! The roles under faults: each honest role reaches anvil through its own [`Proxy`], which,
//! while a dispute is on, injects a seeded share of faults into the role's requests (refused
//! connections, resets mid-response, stalls, HTTP 429/5xx, JSON-RPC errors); the harness also
//! spikes the gas price (`anvil_setNextBlockBaseFeePerGas`), restarts anvil from its state
//! dump (`--dump-state`, `--load-state`: its pool of pending transactions lost) and kills a
//! role with `kill -9` (restarted on the same database), on the same seeded schedule. What
//! `cargo run -p opml-bench --bin faults` runs and the `faults` end-to-end story checks: every
//! game won by the honest side, every request served, no action taken twice, no bond left.
//!
//! The disputes come from the load story's liar (`load.rs`): it takes some requests first with
//! a wrong output, and the challenger disputes each.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::process::Child;
use std::time::{Duration, Instant};

use alloy::primitives::{B256, U256, keccak256};
use alloy::providers::Provider;
use alloy::sol_types::SolInterface;
use opml_bindings::oracle::OpMLOracle::OpMLOracleErrors;
use opml_bindings::status::{GAME_ACTIVE, GAME_CHALLENGER_WON, GAME_SUBMITTER_WON};

use crate::load::{self, CHALLENGER, LIAR, LIE, SUBMITTER};
use crate::proxy::{Fault, Proxy, Rng};
use crate::{Guard, Net, logs};

/// What to inject.
#[derive(Debug, Clone)]
pub struct Faults {
    /// The schedule's seed.
    pub seed: u64,
    /// Requests fired (some taken by the liar: the disputes).
    pub requests: usize,
    /// One request in this many is priced for the liar.
    pub lie_every: u64,
    /// Faults per thousand of a role's node requests while a dispute is on.
    pub per_mille: u64,
    /// Seconds between `kill -9`s of a role while a dispute is on (0: none).
    pub kill_every: u64,
    /// Seconds between gas-price spikes while a dispute is on (0: none).
    pub spike_every: u64,
    /// Seconds between anvil restarts from its state dump while a dispute is on (0: none; the
    /// net must be restartable: [`Net::start_opts`]).
    pub restart_every: u64,
    /// How long to wait for every request to be finalized.
    pub timeout: Duration,
}

/// What a run gave.
#[derive(Debug, Clone, Default)]
pub struct FaultFigures {
    /// Faults injected by the proxies, by [`Fault::ALL`] index.
    pub injected: [u64; 6],
    /// Roles killed with `kill -9` (and restarted).
    pub kills: u64,
    /// Gas-price spikes.
    pub spikes: u64,
    /// anvil restarts from its state dump.
    pub restarts: u64,
    /// The longest time the node was down in a restart.
    pub longest_down: Duration,
    /// Node requests the proxies read.
    pub proxied: u64,
    /// Games played.
    pub games: usize,
    /// Games the honest side won.
    pub games_won: usize,
    /// Requests fired.
    pub requests: usize,
    /// Requests finalized with the output `opml run` gives.
    pub served: usize,
    /// A second commitment of the honest submitter in one round of a request.
    pub double_commits: usize,
    /// A second game of the challenger on one result.
    pub double_games: usize,
    /// Transactions of the honest roles mined reverted (a move or a finalization sent twice),
    /// but for the reveals below.
    pub reverted: usize,
    /// Reveals of the honest submitter mined reverted `LowerPriority`: an earlier commitment
    /// (the liar's) was revealed in the same block or just before. A race the submitter
    /// cannot see coming (its estimate ran before the other reveal was in), not an action
    /// taken twice: it reveals again once the earlier result is rejected.
    pub lost_reveal_races: usize,
    /// Commitments of the honest submitter not revealed in time: bonds it lost to a deadline
    /// passed while the node failed (settled with `CommitmentSettled(_, false)`).
    pub forfeits: usize,
    /// Wei the honest roles left in the oracle at the end.
    pub unwithdrawn: U256,
    /// Wall time.
    pub wall: Duration,
}

impl FaultFigures {
    /// All faults injected.
    pub fn total(&self) -> u64 {
        self.injected.iter().sum::<u64>() + self.kills + self.spikes + self.restarts
    }

    /// Actions taken twice.
    pub fn doubles(&self) -> usize {
        self.double_commits + self.double_games + self.reverted
    }

    /// Whether the honest side won everything, everything was served, nothing was done twice
    /// and no bond was left behind. Forfeits are reported, not required to be zero: a node that
    /// fails long enough makes any deadline pass, and how long is enough depends on the
    /// schedule's timing, not only its seed.
    pub fn all_good(&self) -> bool {
        self.games_won == self.games
            && self.served == self.requests
            && self.doubles() == 0
            && self.unwithdrawn.is_zero()
    }

    /// The last line.
    pub fn summary(&self) -> String {
        format!(
            "faults: {} injected, {} of {} games won by the honest side, {} of {} requests served, {} double actions",
            self.total(),
            self.games_won,
            self.games,
            self.served,
            self.requests,
            self.doubles()
        )
    }
}

impl fmt::Display for FaultFigures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "| fault | injected |")?;
        writeln!(f, "| --- | --- |")?;
        for (k, n) in Fault::ALL.iter().zip(self.injected) {
            writeln!(f, "| {} | {n} |", k.name())?;
        }
        writeln!(
            f,
            "| gas-price spike (base fee 200 gwei) | {} |",
            self.spikes
        )?;
        writeln!(
            f,
            "| anvil restart from its state dump (down up to {:.1} s) | {} |",
            self.longest_down.as_secs_f64(),
            self.restarts
        )?;
        writeln!(f, "| role kill -9 (restarted) | {} |", self.kills)?;
        writeln!(f, "| all | {} |", self.total())?;
        writeln!(
            f,
            "node requests through the proxies: {}; double commitments {}, double games {}, reverted transactions {} (and reveals that lost a race to an earlier commitment's: {}); honest commitments forfeited {}; left in the oracle: {} wei; {:.0} s",
            self.proxied,
            self.double_commits,
            self.double_games,
            self.reverted,
            self.lost_reveal_races,
            self.forfeits,
            self.unwithdrawn,
            self.wall.as_secs_f64()
        )?;
        write!(f, "{}", self.summary())
    }
}

/// An honest role behind its proxy, restartable.
struct Role {
    name: &'static str,
    account: usize,
    proxy: Proxy,
    child: Option<Child>,
}

impl Role {
    fn start(&mut self, net: &Net) {
        self.child = Some(net.spawn_via(&self.proxy.url, self.name, self.account, self.name, &[]));
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = std::process::Command::new("kill")
                .args(["-9", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Some(c) = self.child.take() {
            drop(Guard(c));
        }
    }
}

/// Whether a game is being played.
async fn dispute_on(net: &Net) -> bool {
    let n = net.oracle.gameCount().call().await.unwrap_or_default();
    let n = u64::try_from(n).unwrap_or(0);
    for id in (1..=n).rev() {
        if net.game_status(id).await == GAME_ACTIVE {
            return true;
        }
    }
    false
}

/// Runs the schedule at `net` and tallies. `say` narrates.
pub async fn run(net: &Net, cfg: &Faults, say: &mut dyn FnMut(&str)) -> FaultFigures {
    let start_block = net.head().await;
    let upstream = format!("127.0.0.1:{}", net.anvil.port())
        .parse()
        .expect("anvil's address");
    let mut roles = Vec::new();
    for (k, (name, account)) in [("submitter", SUBMITTER), ("challenger", CHALLENGER)]
        .into_iter()
        .enumerate()
    {
        let proxy = Proxy::start(
            upstream,
            cfg.seed.wrapping_mul(31).wrapping_add(k as u64),
            cfg.per_mille,
        )
        .await
        .expect("proxy");
        let mut r = Role {
            name,
            account,
            proxy,
            child: None,
        };
        r.start(net);
        roles.push(r);
    }
    let base = net.oracle.requestFee(0).call().await.expect("fee");
    let lie_fee = base + U256::from(1);
    let (lie_hex, lie_floor) = (hex::encode(LIE), lie_fee.to_string());
    let _liar = Guard(net.spawn(
        "submitter",
        LIAR,
        "liar",
        &[
            "--lie-output",
            &lie_hex,
            "--fee-floor",
            &lie_floor,
            "--confirmations",
            "0",
        ],
    ));
    crate::wait(60, "the roles' start", || async {
        ["submitter", "challenger", "liar"]
            .iter()
            .all(|db| net.log(db).contains(" started"))
            .then_some(())
    })
    .await;

    let plan = load::burst(cfg.requests, cfg.lie_every, cfg.seed);
    let inputs: Vec<&[u8]> = plan.iter().map(|(i, _)| i.as_slice()).collect();
    let reference: HashMap<Vec<u8>, B256> = inputs
        .iter()
        .zip(load::reference_outputs(&inputs))
        .map(|(i, o)| (i.to_vec(), keccak256(&o)))
        .collect();
    let t0 = Instant::now();
    load::fire(net, &plan, base, lie_fee).await;
    say(&format!(
        "{} requests sent, {} priced for the liar",
        plan.len(),
        plan.iter().filter(|(_, l)| *l).count()
    ));

    let mut rng = Rng(cfg.seed ^ 0x5eed);
    let mut f = FaultFigures::default();
    let mut next_kill = Instant::now() + gap(&mut rng, cfg.kill_every);
    let mut next_spike = Instant::now() + gap(&mut rng, cfg.spike_every);
    let mut next_restart = Instant::now() + gap(&mut rng, cfg.restart_every);
    let mut was_on = false;
    let end = t0 + cfg.timeout;
    loop {
        let done = load::finalized(&net.oracle, start_block).await.len();
        if done >= plan.len() || Instant::now() >= end {
            say(&format!("{done} of {} requests finalized", plan.len()));
            break;
        }
        let on = dispute_on(net).await;
        if on != was_on {
            say(if on {
                "a dispute is on: faults injected"
            } else {
                "no dispute: faults paused"
            });
            was_on = on;
        }
        for r in &roles {
            r.proxy
                .active
                .store(on, std::sync::atomic::Ordering::Relaxed);
        }
        let now = Instant::now();
        if on && cfg.kill_every > 0 && now >= next_kill {
            let r = &mut roles[(rng.next_u64() % 2) as usize];
            say(&format!("kill -9 the {}", r.name));
            r.kill9();
            tokio::time::sleep(Duration::from_millis(500 + rng.next_u64() % 2_500)).await;
            r.start(net);
            f.kills += 1;
            next_kill = Instant::now() + gap(&mut rng, cfg.kill_every);
        }
        if on && cfg.spike_every > 0 && now >= next_spike {
            // 200 gwei for the next block (anvil's base fee is about 1 gwei or less here): the
            // roles' fee estimates jump, and transactions priced before wait until the base
            // fee comes down again (by 1/8 a block: about 40 blocks). Not again before it has:
            // a spike on a spike would hold those transactions past the roles' receipt wait.
            if base_fee(net).await <= SPIKE_WEI / 100 {
                net.rpc(
                    "anvil_setNextBlockBaseFeePerGas",
                    serde_json::json!([format!("{SPIKE_WEI:#x}")]),
                )
                .await;
                f.spikes += 1;
                say("gas-price spike: the next block's base fee 200 gwei");
                next_spike = Instant::now() + gap(&mut rng, cfg.spike_every);
            } else {
                next_spike = Instant::now() + Duration::from_secs(5);
            }
        }
        if on && cfg.restart_every > 0 && now >= next_restart {
            let down = net.restart_anvil().await;
            say(&format!(
                "anvil restarted from its state dump (down {:.1} s)",
                down.as_secs_f64()
            ));
            f.restarts += 1;
            f.longest_down = f.longest_down.max(down);
            next_restart = Instant::now() + gap(&mut rng, cfg.restart_every);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for r in &roles {
        r.proxy
            .active
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
    // Bonds and fees are withdrawn on the roles' next passes.
    let honest = [net.addr(SUBMITTER), net.addr(CHALLENGER)];
    let mut left = U256::ZERO;
    for _ in 0..60 {
        left = U256::ZERO;
        for a in honest {
            left += net.oracle.balanceOf(a).call().await.unwrap_or_default();
        }
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    f.unwithdrawn = left;
    f.wall = t0.elapsed();
    for r in &roles {
        for (i, k) in Fault::ALL.iter().enumerate() {
            f.injected[i] += r.proxy.counts.of(*k);
        }
        f.proxied += r
            .proxy
            .counts
            .requests
            .load(std::sync::atomic::Ordering::Relaxed);
    }
    drop(roles);
    tally(net, start_block, &reference, &mut f).await;
    f
}

/// The base fee of a spike, in wei (200 gwei).
const SPIKE_WEI: u64 = 200_000_000_000;

/// The latest block's base fee, in wei (`u64::MAX` if unknown: no spike on top of one).
async fn base_fee(net: &Net) -> u64 {
    net.admin
        .get_block_by_number(Default::default())
        .await
        .ok()
        .flatten()
        .and_then(|b| b.header.base_fee_per_gas)
        .unwrap_or(u64::MAX)
}

/// A seeded wait of about `every` seconds (from half to one and a half of it).
fn gap(rng: &mut Rng, every: u64) -> Duration {
    let every_ms = every.max(1) * 1000;
    Duration::from_millis(every_ms / 2 + rng.next_u64() % every_ms)
}

/// Games, services and double actions, from the chain.
async fn tally(net: &Net, from: u64, reference: &HashMap<Vec<u8>, B256>, f: &mut FaultFigures) {
    let o = &net.oracle;
    let requests = logs(o.InferenceRequested_filter(), from).await;
    let truth: HashMap<U256, B256> = requests
        .iter()
        .filter_map(|(ev, _)| Some((ev.requestId, *reference.get(ev.input.as_ref())?)))
        .collect();
    f.requests = truth.len();
    let done = load::finalized(o, from).await;
    f.served = truth
        .iter()
        .filter(|(id, out)| done.get(*id) == Some(*out))
        .count();
    let reveals = logs(o.ResultRevealed_filter(), from).await;
    let wrong: HashSet<U256> = reveals
        .iter()
        .filter(|(ev, _)| truth.get(&ev.requestId) != Some(&keccak256(&ev.output)))
        .map(|(ev, _)| ev.resultId)
        .collect();
    let games = logs(o.GameStarted_filter(), from).await;
    let mut per_result: HashMap<U256, usize> = HashMap::new();
    for (ev, _) in &games {
        f.games += 1;
        let status = o.game(ev.gameId).call().await.expect("game").status;
        let honest_won = if wrong.contains(&ev.resultId) {
            GAME_CHALLENGER_WON
        } else {
            GAME_SUBMITTER_WON
        };
        f.games_won += usize::from(status == honest_won);
        if ev.challenger == net.addr(CHALLENGER) {
            *per_result.entry(ev.resultId).or_default() += 1;
        }
    }
    f.double_games = per_result.values().map(|n| n.saturating_sub(1)).sum();

    // The honest submitter's commitments per request and round (a rejection starts a round).
    let commits = logs(o.ResultCommitted_filter(), from).await;
    let rejections = logs(o.ResultRejected_filter(), from).await;
    let mut rounds: HashMap<(U256, usize), usize> = HashMap::new();
    for (ev, log) in &commits {
        if ev.submitter != net.addr(SUBMITTER) {
            continue;
        }
        let b = log.block_number.unwrap_or_default();
        let round = rejections
            .iter()
            .filter(|(r, l)| r.requestId == ev.requestId && l.block_number.unwrap_or_default() < b)
            .count();
        *rounds.entry((ev.requestId, round)).or_default() += 1;
    }
    f.double_commits = rounds.values().map(|n| n.saturating_sub(1)).sum();
    let mine: HashSet<U256> = commits
        .iter()
        .filter(|(ev, _)| ev.submitter == net.addr(SUBMITTER))
        .map(|(ev, _)| ev.resultId)
        .collect();
    f.forfeits = logs(o.CommitmentSettled_filter(), from)
        .await
        .iter()
        .filter(|(ev, _)| !ev.refunded && mine.contains(&ev.resultId))
        .count();

    // Transactions of the honest roles mined reverted, by what the oracle said.
    let head = net.head().await;
    let honest = [net.addr(SUBMITTER), net.addr(CHALLENGER)];
    for n in from..=head {
        let Ok(Some(receipts)) = net.admin.get_block_receipts(n.into()).await else {
            continue;
        };
        for r in receipts
            .iter()
            .filter(|r| honest.contains(&r.from) && !r.status())
        {
            if matches!(
                revert_of(net, r.transaction_hash).await,
                Some(OpMLOracleErrors::LowerPriority(_))
            ) {
                f.lost_reveal_races += 1;
            } else {
                f.reverted += 1;
            }
        }
    }
}

/// The oracle's error a mined transaction reverted with (anvil's `callTracer`), if it decodes.
async fn revert_of(net: &Net, tx: B256) -> Option<OpMLOracleErrors> {
    let trace = net
        .admin
        .raw_request::<_, serde_json::Value>(
            "debug_traceTransaction".into(),
            serde_json::json!([tx, {"tracer": "callTracer"}]),
        )
        .await
        .ok()?;
    let out = hex::decode(trace.get("output")?.as_str()?.trim_start_matches("0x")).ok()?;
    OpMLOracleErrors::abi_decode(&out).ok()
}
