//! What the bench binaries share: where the repository is, median timings, a VM run to
//! completion, durations printed alike, the role binaries the chain benches run.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use opml_vm::{Machine, Program, Status};

/// The repository's root (committed guests and inputs are read from there).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The median of `times` (the upper one of an even count). Callers time at least once: an
/// empty list panics.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Median of `reps` timings of `f` (at least one), after one warm-up call.
pub fn median_time<T>(reps: usize, mut f: impl FnMut() -> Result<T>) -> Result<Duration> {
    f()?;
    let mut times = Vec::with_capacity(reps.max(1));
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        std::hint::black_box(f()?);
        times.push(t.elapsed());
    }
    Ok(median(times))
}

/// Runs `program` on `input` in the VM until it stops: its step count and output, or an error
/// when it did not halt.
pub fn run_vm(program: &Arc<Program>, input: &[u8]) -> Result<(u64, Vec<u8>)> {
    let mut m = Machine::new(program, input);
    let steps = m.run(u64::MAX);
    if m.status() != Status::Halted {
        bail!("the VM did not halt: {:?} {:?}", m.status(), m.trap_code());
    }
    Ok((steps, m.output().to_vec()))
}

/// Milliseconds, or microseconds below 0.1 ms so that small figures keep their digits.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 0.1 {
        format!("{:.1} µs", ms * 1e3)
    } else {
        format!("{ms:.3} ms")
    }
}

/// `opml` and `opml-liar` (the roles and the test-only liar) for a bench that runs them:
/// `$OPML_BIN` and `$OPML_LIAR`, else beside this executable, built with cargo (in this
/// executable's profile) when missing there.
pub fn role_bins() -> Result<(PathBuf, PathBuf)> {
    if let (Ok(bin), Ok(liar)) = (std::env::var("OPML_BIN"), std::env::var("OPML_LIAR")) {
        return Ok((bin.into(), liar.into()));
    }
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("the executable's directory")?;
    let bins = (dir.join("opml"), dir.join("opml-liar"));
    if !bins.0.is_file() || !bins.1.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "opml-cli", "-p", "opml-testkit"]);
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        println!("building the roles: {build:?}");
        let status = build.current_dir(repo_root()).status()?;
        if !status.success() || !bins.0.is_file() || !bins.1.is_file() {
            bail!("building opml and opml-liar failed ({status})");
        }
    }
    Ok(bins)
}
