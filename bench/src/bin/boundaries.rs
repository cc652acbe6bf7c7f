//! `boundaries`: what the fast path's boundary hashes cost (`docs/machine.md` §9, "How the fast
//! path computes boundaries"), next to the plain fast-path run of the same program.
//!
//! ```sh
//! cargo run --release -p opml-bench --bin boundaries            # 7 repetitions
//! cargo run --release -p opml-bench --bin boundaries -- --reps 3
//! ```
//!
//! Per program: the plain run (no hash), the run with the final hash only (what `opml run`
//! does), the run with every boundary hashed, and the hashing time alone as measured inside
//! that run (reading wasmtime's state and hashing; `S_0` included). Compilation is outside every
//! figure (the program is compiled once); each figure is the median of the repetitions, the
//! three kinds of run interleaved.

use anyhow::{Context, Result, bail};
use opml_bench::{median, ms, repo_root};
use opml_executor::fast::FastEngine;
use opml_executor::{Boundaries, FastProgram, Limits, RunStatus};
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let mut reps = 7;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reps" => reps = args.next().context("--reps N")?.parse()?,
            other => bail!("unknown argument `{other}` (expected --reps N)"),
        }
    }
    if reps == 0 {
        bail!("--reps must be at least 1");
    }
    let root = repo_root();
    let read = |p: &str| std::fs::read(root.join(p)).with_context(|| format!("reading {p}"));
    let cases = [
        (
            "attention (1 segment)",
            read("guests/wasm/attention.wasm")?,
            read("guests/attention/testdata/input.bin")?,
        ),
        (
            "segments (default input)",
            read("guests/wasm/v2/segments.wasm")?,
            Vec::new(),
        ),
        (
            "segments (16,384)",
            read("guests/wasm/v2/segments.wasm")?,
            16_384u32.to_le_bytes().to_vec(),
        ),
    ];
    let engine = FastEngine::new()?;
    println!("boundary hashing on the fast path: median of {reps} runs, compilation excluded");
    println!(
        "{:<26} {:>9} {:>11} {:>11} {:>13} {:>13} {:>8} {:>12}",
        "program",
        "segments",
        "plain",
        "final hash",
        "every bound.",
        "hashing alone",
        "overhead",
        "per boundary"
    );
    for (name, wasm, input) in &cases {
        let program = FastProgram::new(&engine, wasm, Limits::default())?;
        let (mut plain, mut last, mut every, mut alone) = (vec![], vec![], vec![], vec![]);
        let mut shape = (0, 0);
        for _ in 0..reps {
            plain.push(timed(&program, input, Boundaries::None)?.0);
            last.push(timed(&program, input, Boundaries::Final)?.0);
            let (t, run) = timed(&program, input, Boundaries::Every)?;
            every.push(t);
            alone.push(run.hashing);
            shape = (run.submission.segments, run.boundaries.len());
        }
        let (plain, last, every, alone) =
            (median(plain), median(last), median(every), median(alone));
        println!(
            "{:<26} {:>9} {:>11} {:>11} {:>13} {:>13} {:>7.1}% {:>12}",
            name,
            shape.0,
            ms(plain),
            ms(last),
            ms(every),
            ms(alone),
            100.0 * alone.as_secs_f64() / plain.as_secs_f64(),
            format!("{:.1} µs", alone.as_secs_f64() * 1e6 / shape.1 as f64),
        );
    }
    println!(
        "overhead: hashing alone / plain run; per boundary: hashing alone / boundaries (S_0 included)"
    );
    Ok(())
}

fn timed(
    program: &FastProgram,
    input: &[u8],
    b: Boundaries,
) -> Result<(Duration, opml_executor::FastRun)> {
    let t = Instant::now();
    let run = program.run(input, 1 << 40, b)?;
    let elapsed = t.elapsed();
    if run.submission.status != RunStatus::Halted {
        bail!("the program did not halt: {}", run.submission.status);
    }
    Ok((elapsed, run))
}
