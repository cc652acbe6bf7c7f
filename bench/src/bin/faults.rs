//! `faults`: the roles through a dispute on a node that fails, on a local anvil it starts.
//!
//! ```sh
//! cargo run --release -p opml-bench --bin faults -- --seed 7
//! ```
//!
//! Each honest role (`opml submitter`, `opml challenger`) reaches anvil through a proxy that,
//! while a dispute is on, injects a seeded share of faults into its node requests (refused
//! connections, resets mid-response, 2-4 s stalls, HTTP 429/5xx, JSON-RPC errors); the harness
//! also spikes the gas price (200 gwei), restarts anvil from its state dump (`--dump-state`,
//! `--load-state`) and kills a role with `kill -9` (restarted on its database), on the same
//! seeded schedule (`opml_e2e::faults`). The disputes come from a test-only lying submitter
//! that takes about one request in four first. It prints the faults injected by kind and,
//! last,
//! `faults: F injected, G of G games won by the honest side, R of R requests served, 0 double actions`
//! (double actions: a second commitment in one round, a second game on one result, a
//! transaction of an honest role mined reverted). It exits with an error after that line if
//! any of those is off, or a bond was left in the oracle.
//!
//! The roles are `opml` and `opml-liar` from `$OPML_BIN` / `$OPML_LIAR`, else beside this
//! executable (built if missing, as `load` does).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use opml_e2e::Net;
use opml_e2e::faults::{self, Faults};

/// The roles through disputes on a node that fails, on a local anvil it starts.
#[derive(Parser)]
#[command(name = "faults")]
struct Args {
    /// The schedule's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Requests fired.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
    requests: u64,
    /// One request in this many is priced for the lying submitter (the disputes).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
    lie_every: u64,
    /// Faults per 1000 node requests of a role while a dispute is on.
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(0..=1000))]
    per_mille: u64,
    /// Seconds between `kill -9`s of a role while a dispute is on (0: none).
    #[arg(long, default_value_t = 20)]
    kill_every: u64,
    /// Seconds between gas-price spikes while a dispute is on (0: none; none either until the
    /// base fee is back down from the last).
    #[arg(long, default_value_t = 30)]
    spike_every: u64,
    /// Seconds between anvil restarts from its state dump while a dispute is on (0: none).
    #[arg(long, default_value_t = 45)]
    restart_every: u64,
    /// How long to wait for every request to be finalized, in seconds.
    #[arg(long, default_value_t = 1200)]
    timeout: u64,
}

impl Args {
    fn faults(&self) -> Faults {
        Faults {
            seed: self.seed,
            requests: self.requests as usize,
            lie_every: self.lie_every,
            per_mille: self.per_mille,
            kill_every: self.kill_every,
            spike_every: self.spike_every,
            restart_every: self.restart_every,
            timeout: Duration::from_secs(self.timeout),
        }
    }
}

fn main() -> Result<ExitCode> {
    let cfg = Args::parse().faults();
    let bins = opml_bench::role_bins()?;
    let rt = tokio::runtime::Runtime::new()?;
    let t0 = Instant::now();
    let figures = rt.block_on(async {
        let net = Net::start_opts("faults", 60, 600, bins, true)
            .await
            .context("no anvil (run scripts/bootstrap.sh)")?;
        println!(
            "anvil {} (1 s blocks), seed {}; role logs in {}",
            net.anvil.endpoint(),
            cfg.seed,
            net.dir.display()
        );
        let mut say = |line: &str| println!("[{:>6.1}s] {line}", t0.elapsed().as_secs_f64());
        anyhow::Ok(faults::run(&net, &cfg, &mut say).await)
    })?;
    println!("{figures}");
    Ok(if figures.all_good() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "a game lost, a request not served, an action taken twice or a bond left: see the role logs"
        );
        ExitCode::FAILURE
    })
}
