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

use anyhow::{Context, Result, bail};
use opml_e2e::Net;
use opml_e2e::load::{self, Load};

struct Args {
    load: Load,
    window: u64,
}

fn args() -> Result<Args> {
    let mut a = Args {
        load: Load {
            requests: 500,
            lie_every: 10,
            seed: 1,
            concurrency: None,
            timeout: Duration::ZERO,
        },
        window: 60,
    };
    let mut timeout = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> Result<u64> {
            it.next()
                .with_context(|| format!("{name} needs a value"))?
                .parse()
                .with_context(|| format!("{name} takes a number"))
        };
        match flag.as_str() {
            "--requests" => a.load.requests = value("--requests")? as usize,
            "--lie-every" => a.load.lie_every = value("--lie-every")?,
            "--seed" => a.load.seed = value("--seed")?,
            "--concurrency" => a.load.concurrency = Some(value("--concurrency")? as usize),
            "--window" => a.window = value("--window")?,
            "--timeout" => timeout = Some(value("--timeout")?),
            "-h" | "--help" => {
                println!(
                    "usage: load [--requests N (500)] [--lie-every K (10; 0: no liar's price)] \
                     [--seed S (1)] [--concurrency C (the roles' default)] \
                     [--window SECS (challenge window, 60)] [--timeout SECS (600 + N/2)]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    if a.load.requests == 0 || a.load.concurrency == Some(0) || a.window == 0 {
        bail!("--requests, --concurrency and --window must be at least 1");
    }
    let n = a.load.requests as u64;
    a.load.timeout = Duration::from_secs(timeout.unwrap_or(600 + n / 2));
    Ok(a)
}

fn main() -> Result<ExitCode> {
    let a = args()?;
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
        anyhow::Ok(load::run(&net, &a.load, &mut say).await)
    })?;
    println!("{figures}");
    Ok(if figures.all_good() {
        ExitCode::SUCCESS
    } else {
        eprintln!("not every request served, or a lie not beaten: see the role logs");
        ExitCode::FAILURE
    })
}
