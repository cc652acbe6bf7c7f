//! `load`: the roles under a burst of requests, on a local anvil (a block a second) that it
//! starts.
//!
//! ```sh
//! cargo run --release -p opml-bench --bin load                     # 500 requests
//! cargo run --release -p opml-bench --bin load -- --requests 2000
//! ```
//!
//! It deploys, registers digits, starts the real `opml submitter` and `opml challenger` (and the
//! test-only `opml-liar` as a lying submitter that takes about one request in ten first, seeded),
//! fires the burst from one account without waiting for receipts, and waits until every request
//! is finalized (`opml_e2e::load`). It prints the submitter's throughput (results posted per
//! minute), the latency from a request's block to its posted (revealed) result, each role's peak
//! memory, and as its last line
//! `load: N requests, S served, W wrong results challenged, G games won, T s`
//! (served: finalized with the output `opml run` gives). It exits with an error, after that
//! line, if a request was not served or a lie not beaten.
//!
//! The roles are `opml` and `opml-liar` from `$OPML_BIN` / `$OPML_LIAR`, else beside this
//! executable (built with `cargo build [--release] -p opml-cli -p opml-testkit` if missing).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use opml_e2e::Net;
use opml_e2e::load::{self, Load};

/// The roles under a burst of requests, on a local anvil (a block a second) that it starts.
#[derive(Parser)]
#[command(name = "load")]
struct Args {
    /// Requests in the burst.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
    requests: u64,
    /// One request in this many (seeded) is priced for the lying submitter (0: none).
    #[arg(long, default_value_t = 10)]
    lie_every: u64,
    /// The seed of the inputs and of which requests the liar takes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The roles' `--concurrency` (their default if not given).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    concurrency: Option<u64>,
    /// The challenge window, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    window: u64,
    /// How long to wait for every request to be finalized, in seconds (600 + N/2 if not given).
    #[arg(long)]
    timeout: Option<u64>,
}

impl Args {
    fn load(&self) -> Load {
        Load {
            requests: self.requests as usize,
            lie_every: self.lie_every,
            seed: self.seed,
            concurrency: self.concurrency.map(|c| c as usize),
            timeout: Duration::from_secs(self.timeout.unwrap_or(600 + self.requests / 2)),
        }
    }
}

fn main() -> Result<ExitCode> {
    let a = Args::parse();
    let load = a.load();
    if cfg!(debug_assertions) {
        println!("warning: a debug build; run with --release for meaningful figures");
    }
    let bins = opml_bench::role_bins()?;
    let rt = tokio::runtime::Runtime::new()?;
    let t0 = Instant::now();
    let figures = rt.block_on(async {
        let net = Net::start_with("load", a.window, 600, bins)
            .await
            .context("no anvil (run scripts/bootstrap.sh)")?;
        println!(
            "anvil {} (1 s blocks), challenge window {} s; role logs in {}",
            net.anvil.endpoint(),
            a.window,
            net.dir.display()
        );
        let mut say = |line: &str| println!("[{:>6.1}s] {line}", t0.elapsed().as_secs_f64());
        anyhow::Ok(load::run(&net, &load, &mut say).await)
    })?;
    println!("{figures}");
    Ok(if figures.all_good() {
        ExitCode::SUCCESS
    } else {
        eprintln!("not every request served, or a lie not beaten: see the role logs");
        ExitCode::FAILURE
    })
}
