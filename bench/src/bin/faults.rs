//! `faults`: the roles through a dispute on a node that fails, on a local anvil it starts.
//!
//! ```sh
//! cargo run --release -p opml-bench --bin faults -- --seed 7
//! ```
//!
//! Each honest role (`opml submitter`, `opml challenger`) reaches anvil through a proxy that,
//! while a dispute is on, injects a seeded share of faults into its node requests (refused
//! connections, resets mid-response, 2-4 s stalls, HTTP 429/5xx, JSON-RPC errors); the harness
//! also spikes the gas price and kills a role with `kill -9` (restarted on its database), on
//! the same seeded schedule (`opml_e2e::faults`). The disputes come from a test-only lying
//! submitter that takes about one request in four first. It prints the faults injected by
//! kind and, last,
//! `faults: F injected, G of G games won by the honest side, R of R requests served, 0 double actions`
//! (double actions: a second commitment in one round, a second game on one result, a
//! transaction of an honest role mined reverted). It exits with an error after that line if
//! any of those is off, or a bond was left in the oracle.
//!
//! The roles are `opml` and `opml-liar` from `$OPML_BIN` / `$OPML_LIAR`, else beside this
//! executable (built if missing, as `load` does).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use opml_e2e::Net;
use opml_e2e::faults::{self, Faults};

fn args() -> Result<Faults> {
    let mut a = Faults {
        seed: 1,
        requests: 12,
        lie_every: 4,
        per_mille: 150,
        kill_every: 20,
        spike_every: 30,
        timeout: Duration::from_secs(1200),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> Result<u64> {
            it.next()
                .with_context(|| format!("{name} needs a value"))?
                .parse()
                .with_context(|| format!("{name} takes a number"))
        };
        match flag.as_str() {
            "--seed" => a.seed = value("--seed")?,
            "--requests" => a.requests = value("--requests")? as usize,
            "--lie-every" => a.lie_every = value("--lie-every")?,
            "--per-mille" => a.per_mille = value("--per-mille")?,
            "--kill-every" => a.kill_every = value("--kill-every")?,
            "--spike-every" => a.spike_every = value("--spike-every")?,
            "--timeout" => a.timeout = Duration::from_secs(value("--timeout")?),
            "-h" | "--help" => {
                println!(
                    "usage: faults [--seed S (1)] [--requests N (12)] [--lie-every K (4)] \
                     [--per-mille P (faults per 1000 node requests during a dispute, 150)] \
                     [--kill-every SECS (20; 0: none)] [--spike-every SECS (30; 0: none)] \
                     [--timeout SECS (1200)]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    if a.requests == 0 || a.lie_every == 0 || a.per_mille > 1000 {
        bail!("--requests and --lie-every must be at least 1, --per-mille at most 1000");
    }
    Ok(a)
}

fn main() -> Result<ExitCode> {
    let cfg = args()?;
    let bins = opml_bench::role_bins()?;
    let rt = tokio::runtime::Runtime::new()?;
    let t0 = Instant::now();
    let figures = rt.block_on(async {
        let net = Net::start_with("faults", 60, 600, bins)
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
