//! A burst of requests against the roles: one honest `opml submitter`, one `opml challenger`
//! and a lying submitter (`opml-liar`, test-only) that takes some of the requests first and
//! posts a wrong output. What `cargo run -p opml-bench --bin load` measures and the `load`
//! end-to-end story checks (every request served with the output `opml run` gives, every
//! wrong result challenged and beaten).
//!
//! Which requests the liar takes is seeded: they pay one wei more than the others, and the
//! liar serves only those (`--fee-floor`), acting on unconfirmed blocks
//! (`--confirmations 0`) so that its commitment comes first. The honest submitter serves every
//! request; on a lied one its result takes over once the challenger has beaten the lie.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use alloy::providers::Provider;
use opml_bindings::oracle::OpMLOracle::{self, OpMLOracleInstance};
use opml_bindings::status::{GAME_CHALLENGER_WON, GAME_SUBMITTER_WON};
use opml_executor::fast::FastEngine;
use opml_executor::{DeclaredBounds, Entry, RunOptions, RunStatus};
use opml_service::chain::{provider, signer_from_key};

use crate::{Guard, Net, logs, root};

/// The requester's account.
pub(crate) const REQUESTER: usize = 1;
/// The honest submitter's account.
pub(crate) const SUBMITTER: usize = 2;
/// The challenger's account.
pub(crate) const CHALLENGER: usize = 3;
/// The liar's account.
pub(crate) const LIAR: usize = 4;
/// The liar's output, whatever the input: no digits run gives these scores.
pub(crate) const LIE: &[u8] = br#"{"digit":7,"scores":[0,0,0,0,0,0,0,0,0,0]}"#;

/// What to fire.
#[derive(Debug, Clone)]
pub struct Load {
    /// Requests in the burst.
    pub requests: usize,
    /// One request in this many (seeded) is priced for the liar.
    pub lie_every: u64,
    /// The seed of the inputs and of which requests the liar takes.
    pub seed: u64,
    /// `--concurrency` of the roles (their default if `None`).
    pub concurrency: Option<usize>,
    /// How long to wait for every request to be finalized.
    pub timeout: Duration,
}

/// What a burst gave.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Requests fired.
    pub requests: usize,
    /// Of which priced for the liar.
    pub lie_priced: usize,
    /// Requests finalized with the output the fast path (`opml run`) gives.
    pub served: usize,
    /// Wrong results revealed (by the liar) and not displaced before their window opened.
    pub wrong: usize,
    /// Of which challenged.
    pub challenged: usize,
    /// Games played.
    pub games: usize,
    /// Games the honest side won.
    pub games_won: usize,
    /// Results the honest submitter revealed first on their request (no lie before).
    pub posted: usize,
    /// Seconds from the first request's block to the last of those reveals.
    pub posting_secs: u64,
    /// Seconds from a request's block to the block of the honest submitter's reveal, for the
    /// requests it served first (sorted).
    pub latencies: Vec<u64>,
    /// The same for requests the liar took first: to the honest reveal after the lie lost.
    pub after_lie: Vec<u64>,
    /// Peak resident memory (VmHWM, KiB) of the submitter, the challenger and the liar.
    pub peak_kib: [Option<u64>; 3],
    /// Wall time from the first request sent to the last one finalized (or the timeout).
    pub wall: Duration,
}

impl Figures {
    /// Results the honest submitter posted per minute, over the burst.
    pub fn per_minute(&self) -> f64 {
        self.posted as f64 * 60.0 / self.posting_secs.max(1) as f64
    }

    /// Whether every request was served and every lie challenged and beaten.
    pub fn all_good(&self) -> bool {
        self.served == self.requests
            && self.challenged == self.wrong
            && self.games_won == self.games
    }

    /// The last line: `load: N requests, S served, W wrong results challenged, G games won, T s`.
    pub fn summary(&self) -> String {
        format!(
            "load: {} requests, {} served, {} wrong results challenged, {} games won, {} s",
            self.requests,
            self.served,
            self.challenged,
            self.games_won,
            self.wall.as_secs()
        )
    }
}

/// The `q`-quantile (0..=1) of sorted `v`, nearest rank.
fn quantile(v: &[u64], q: f64) -> Option<u64> {
    let n = v.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n.max(1));
    v.get(rank - 1).copied()
}

fn spread(v: &[u64]) -> String {
    match (quantile(v, 0.5), quantile(v, 0.95), v.last()) {
        (Some(p50), Some(p95), Some(max)) => format!("p50 {p50} s, p95 {p95} s, max {max} s"),
        _ => "none".into(),
    }
}

impl fmt::Display for Figures {
    /// The figures, one a line, the summary last.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "requests: {} ({} priced for the liar); wrong results revealed: {}, challenged: {}; games: {}, won by the honest side: {}",
            self.requests, self.lie_priced, self.wrong, self.challenged, self.games, self.games_won
        )?;
        writeln!(
            f,
            "submitter throughput: {} results posted in {} s: {:.0} per minute",
            self.posted,
            self.posting_secs,
            self.per_minute()
        )?;
        writeln!(
            f,
            "latency, request to posted result (revealed; block times): {} ({} requests)",
            spread(&self.latencies),
            self.latencies.len()
        )?;
        writeln!(
            f,
            "latency after a lie, request to the honest result: {} ({} requests)",
            spread(&self.after_lie),
            self.after_lie.len()
        )?;
        let mib =
            |k: Option<u64>| k.map_or("?".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0));
        writeln!(
            f,
            "peak memory (VmHWM): submitter {}, challenger {}, liar {}",
            mib(self.peak_kib[0]),
            mib(self.peak_kib[1]),
            mib(self.peak_kib[2])
        )?;
        write!(f, "{}", self.summary())
    }
}

/// splitmix64: the seeded choices, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// `n` digits inputs (64 pixels, 0..=16) and whether the liar's price is on each, from `seed`.
pub fn burst(n: usize, lie_every: u64, seed: u64) -> Vec<(Vec<u8>, bool)> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let input = (0..64).map(|_| (rng.next() % 17) as u8).collect();
            (input, lie_every > 0 && rng.next().is_multiple_of(lie_every))
        })
        .collect()
}

/// The fast path's output of the digits model on each input, as `opml run` computes it.
pub(crate) fn reference_outputs(inputs: &[&[u8]]) -> Vec<Vec<u8>> {
    let wasm = std::fs::read(root().join("guests/wasm/digits.wasm")).expect("digits.wasm");
    let engine = FastEngine::new().expect("wasmtime");
    let opts = DeclaredBounds::of(&wasm)
        .expect("bounds")
        .options(RunOptions::default());
    inputs
        .iter()
        .map(|input| {
            let sub = opml_executor::run_fast(&engine, &wasm, input, &Entry::Main, &opts)
                .expect("fast path");
            assert_eq!(sub.status, RunStatus::Halted, "digits halts");
            sub.output
        })
        .collect()
}

/// Fires the burst at `net` with the roles running, waits until every request is finalized
/// (or `load.timeout`), and tallies from the chain. `say` narrates.
pub async fn run(net: &Net, load: &Load, say: &mut dyn FnMut(&str)) -> Figures {
    let start_block = net.head().await;
    let conc = load.concurrency.map(|c| c.to_string());
    let mut flags: Vec<&str> = Vec::new();
    if let Some(c) = &conc {
        flags.extend(["--concurrency", c]);
    }
    let base = net.oracle.requestFee(0).call().await.expect("fee");
    let lie_fee = base + U256::from(1);
    let lie_hex = hex::encode(LIE);
    let lie_floor = lie_fee.to_string();
    let mut liar_flags = vec![
        "--lie-output",
        &lie_hex,
        "--fee-floor",
        &lie_floor,
        "--confirmations",
        "0",
    ];
    liar_flags.extend(&flags);
    let roles = [
        Guard(net.spawn("submitter", SUBMITTER, "submitter", &flags)),
        Guard(net.spawn("challenger", CHALLENGER, "challenger", &flags)),
        Guard(net.spawn("submitter", LIAR, "liar", &liar_flags)),
    ];
    // Each role is up once it logs its start (its first pass follows).
    crate::wait(60, "the roles' start", || async {
        ["submitter", "challenger", "liar"]
            .iter()
            .all(|db| net.log(db).contains(" started"))
            .then_some(())
    })
    .await;

    let plan = burst(load.requests, load.lie_every, load.seed);
    let inputs: Vec<&[u8]> = plan.iter().map(|(i, _)| i.as_slice()).collect();
    let reference: HashMap<Vec<u8>, B256> = inputs
        .iter()
        .zip(reference_outputs(&inputs))
        .map(|(i, o)| (i.to_vec(), keccak256(&o)))
        .collect();
    say(&format!(
        "firing {} requests ({} priced for the liar)",
        plan.len(),
        plan.iter().filter(|(_, l)| *l).count()
    ));
    let t0 = Instant::now();
    fire(net, &plan, base, lie_fee).await;
    say(&format!(
        "{} requests sent in {:.1} s",
        plan.len(),
        t0.elapsed().as_secs_f64()
    ));

    // Every request finalized, or the timeout.
    let end = t0 + load.timeout;
    let mut last_said = Instant::now();
    loop {
        let done = finalized(&net.oracle, start_block).await.len();
        if done >= plan.len() || Instant::now() >= end {
            say(&format!("{done} of {} requests finalized", plan.len()));
            break;
        }
        if last_said.elapsed() >= Duration::from_secs(15) {
            say(&format!(
                "{done} of {} finalized after {:.0} s",
                plan.len(),
                t0.elapsed().as_secs_f64()
            ));
            last_said = Instant::now();
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let wall = t0.elapsed();
    let peak = [0, 1, 2].map(|i| opml_service::memory::peak_kib(roles[i].0.id()));
    drop(roles);
    let mut figures = tally(net, start_block, &reference, lie_fee).await;
    figures.peak_kib = peak;
    figures.wall = wall;
    figures
}

/// The requester's fee cap per gas (100 gwei).
const REQUEST_MAX_FEE: u128 = 100_000_000_000;

/// Sends every request of `plan` from the requester without waiting for receipts (nonces
/// counted here), then waits until all are mined.
pub(crate) async fn fire(net: &Net, plan: &[(Vec<u8>, bool)], base: U256, lie_fee: U256) {
    let p = provider(
        &net.anvil.endpoint(),
        signer_from_key(&net.key(REQUESTER)).expect("key"),
    )
    .expect("provider");
    let oracle = OpMLOracle::new(*net.oracle.address(), p.clone());
    let me = net.addr(REQUESTER);
    let first = p.get_transaction_count(me).pending().await.expect("nonce");
    let call = |input: &[u8], fee: U256| {
        oracle
            .requestInference(net.program, Bytes::copy_from_slice(input), Address::ZERO, 0)
            .value(fee)
    };
    let gas = call(&plan[0].0, base).estimate_gas().await.expect("gas") * 2;
    let mut sent = Vec::with_capacity(plan.len());
    for (i, (input, lie)) in plan.iter().enumerate() {
        let fee = if *lie { lie_fee } else { base };
        // A fee cap well above the base fee the burst itself raises (the roles fill blocks):
        // a request priced at the base fee of its sending would stall every later nonce.
        let tx = call(input, fee)
            .nonce(first + i as u64)
            .gas(gas)
            .max_fee_per_gas(REQUEST_MAX_FEE)
            .max_priority_fee_per_gas(1_000_000_000)
            .send()
            .await
            .expect("request sent");
        sent.push(*tx.tx_hash());
    }
    crate::wait(120, "the requests mined", || async {
        let n = p.get_transaction_count(me).await.ok()?;
        (n >= first + plan.len() as u64).then_some(())
    })
    .await;
    for tx in sent {
        let r = p
            .get_transaction_receipt(tx)
            .await
            .expect("receipt")
            .expect("mined");
        assert!(r.status(), "request {tx} reverted");
    }
}

/// Requests finalized since `from`, with their output hashes.
pub(crate) async fn finalized(
    oracle: &OpMLOracleInstance<alloy::providers::DynProvider>,
    from: u64,
) -> HashMap<U256, B256> {
    oracle
        .ResultFinalized_filter()
        .from_block(from)
        .query()
        .await
        .map(|v| {
            v.into_iter()
                .map(|(ev, _)| (ev.requestId, ev.outputHash))
                .collect()
        })
        .unwrap_or_default()
}

/// The figures, read from the chain: requests, reveals, games, finalizations.
async fn tally(net: &Net, from: u64, reference: &HashMap<Vec<u8>, B256>, lie_fee: U256) -> Figures {
    let o = &net.oracle;
    let requests = logs(o.InferenceRequested_filter(), from).await;
    let requests: Vec<_> = requests
        .into_iter()
        .filter(|(ev, _)| reference.contains_key(ev.input.as_ref()))
        .collect();
    let truth: HashMap<U256, B256> = requests
        .iter()
        .map(|(ev, _)| (ev.requestId, reference[ev.input.as_ref()]))
        .collect();
    let reveals = logs(o.ResultRevealed_filter(), from).await;
    let games = logs(o.GameStarted_filter(), from).await;
    let done = finalized(o, from).await;

    let mut times = BlockTimes::default();
    let mut f = Figures {
        requests: requests.len(),
        lie_priced: requests.iter().filter(|(ev, _)| ev.fee == lie_fee).count(),
        served: requests
            .iter()
            .filter(|(ev, _)| done.get(&ev.requestId) == Some(&truth[&ev.requestId]))
            .count(),
        ..Figures::default()
    };
    // A wrong result displaced by an earlier commitment's reveal before its window opened was
    // never a candidate: there is nothing to challenge.
    let displaced: HashSet<U256> = logs(o.ResultDisplaced_filter(), from)
        .await
        .into_iter()
        .map(|(ev, _)| ev.resultId)
        .collect();
    let wrong: HashSet<U256> = reveals
        .iter()
        .filter(|(ev, _)| truth.get(&ev.requestId) != Some(&keccak256(&ev.output)))
        .filter(|(ev, _)| !displaced.contains(&ev.resultId))
        .map(|(ev, _)| ev.resultId)
        .collect();
    f.wrong = wrong.len();
    let challenged: HashSet<U256> = games.iter().map(|(ev, _)| ev.resultId).collect();
    f.challenged = wrong.intersection(&challenged).count();
    for (ev, _) in &games {
        f.games += 1;
        let status = o.game(ev.gameId).call().await.expect("game").status;
        let won = if wrong.contains(&ev.resultId) {
            GAME_CHALLENGER_WON
        } else {
            GAME_SUBMITTER_WON
        };
        f.games_won += usize::from(status == won);
    }

    // Latency: each request's block to the honest submitter's first reveal on it.
    let requested: HashMap<U256, u64> = requests
        .iter()
        .map(|(ev, log)| (ev.requestId, log.block_number.unwrap_or_default()))
        .collect();
    let lied: HashSet<U256> = reveals
        .iter()
        .filter(|(ev, _)| ev.submitter == net.addr(LIAR))
        .map(|(ev, _)| ev.requestId)
        .collect();
    let mut first_honest: HashMap<U256, u64> = HashMap::new();
    for (ev, log) in &reveals {
        if ev.submitter == net.addr(SUBMITTER) {
            let b = log.block_number.unwrap_or_default();
            first_honest
                .entry(ev.requestId)
                .and_modify(|x| *x = (*x).min(b))
                .or_insert(b);
        }
    }
    let first_request = requested.values().min().copied().unwrap_or_default();
    let t_first = times.at(net, first_request).await;
    let mut last_post = t_first;
    for (req, block) in &first_honest {
        let Some(&asked) = requested.get(req) else {
            continue;
        };
        let (t_req, t_post) = (times.at(net, asked).await, times.at(net, *block).await);
        let lat = t_post.saturating_sub(t_req);
        if lied.contains(req) {
            f.after_lie.push(lat);
        } else {
            // The burst's throughput: a result posted after a lie waited for a game.
            last_post = last_post.max(t_post);
            f.latencies.push(lat);
        }
    }
    f.latencies.sort_unstable();
    f.after_lie.sort_unstable();
    f.posted = f.latencies.len();
    f.posting_secs = last_post - t_first;
    f
}

/// Block timestamps, read once each.
#[derive(Default)]
struct BlockTimes(HashMap<u64, u64>);

impl BlockTimes {
    async fn at(&mut self, net: &Net, n: u64) -> u64 {
        if let Some(t) = self.0.get(&n) {
            return *t;
        }
        let t = net
            .admin
            .get_block_by_number(n.into())
            .await
            .expect("block")
            .map(|b| b.header.timestamp)
            .expect("the block exists");
        self.0.insert(n, t);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_seeded_and_prices_some_for_the_liar() {
        let a = burst(200, 10, 7);
        assert_eq!(a, burst(200, 10, 7), "the same seed, the same burst");
        assert_ne!(a, burst(200, 10, 8));
        let lies = a.iter().filter(|(_, l)| *l).count();
        assert!((5..=40).contains(&lies), "about one in ten: {lies}");
        assert!(
            a.iter()
                .all(|(i, _)| i.len() == 64 && i.iter().all(|&p| p <= 16))
        );
        assert!(burst(50, 0, 7).iter().all(|(_, l)| !l), "0: no lie");
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!(quantile(&v, 0.5), Some(10));
        assert_eq!(quantile(&v, 0.95), Some(19));
        assert_eq!(quantile(&[4], 0.95), Some(4));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
