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
//!
//! Then one request served (`docs/machine.md` §9, issue #11 "Figures"): as the submitter now
//! serves it (the fast path and the final boundary's hash: no VM), against the old way (the
//! fast path, then the whole program replayed in the VM for its final state: a lower bound of
//! that cost, without the checkpoints the old replay also kept); the final hash alone; and the
//! time to build the phase-2 machine at the middle boundary from the fast path
//! (`FastProgram::machine_at_boundary` and its first state hash).

use anyhow::{Context, Result, bail};
use clap::Parser;
use opml_bench::{median, ms, repo_root};
use opml_executor::fast::FastEngine;
use opml_executor::{Boundaries, FastProgram, Limits, RunStatus};
use std::time::{Duration, Instant};

/// What the fast path's boundary hashes cost.
#[derive(Parser)]
#[command(name = "boundaries")]
struct Args {
    /// Repetitions of each run (the figures are medians).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    reps: u64,
}

fn main() -> Result<()> {
    let reps = Args::parse().reps as usize;
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
            read("guests/wasm/segments.wasm")?,
            Vec::new(),
        ),
        (
            "segments (16,384)",
            read("guests/wasm/segments.wasm")?,
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
    serving(&engine, &cases[..2], reps)?;
    Ok(())
}

/// One request served now and the old way, and the phase-2 machine at the middle boundary.
fn serving(engine: &FastEngine, cases: &[(&str, Vec<u8>, Vec<u8>)], reps: usize) -> Result<()> {
    println!();
    println!("serving one request: median of {reps} runs, compilation excluded");
    println!(
        "{:<26} {:>9} {:>14} {:>12} {:>16} {:>10} {:>16}",
        "program",
        "VM steps",
        "now: fast+hash",
        "final hash",
        "old: fast+VM",
        "old / now",
        "phase-2 machine"
    );
    for (name, wasm, input) in cases {
        let program = FastProgram::new(engine, wasm, Limits::default())?;
        let (mut now, mut hash, mut old, mut build) = (vec![], vec![], vec![], vec![]);
        let (mut steps, mut middle) = (0, 0);
        for _ in 0..reps {
            let (t, run) = timed(&program, input, Boundaries::Final)?;
            now.push(t);
            hash.push(run.hashing);
            middle = run.submission.segments.div_ceil(2);
            let t = Instant::now();
            timed(&program, input, Boundaries::None)?;
            let (n, final_hash) = vm_replay(program.program(), input);
            old.push(t.elapsed());
            steps = n;
            if Some(final_hash) != run.submission.state_hash {
                bail!("{name}: the VM's final state is not the fast path's");
            }
            let t = Instant::now();
            let mut m = program.machine_at_boundary(input, middle, 1 << 40)?;
            std::hint::black_box(m.state_hash());
            build.push(t.elapsed());
        }
        let (now, hash, old, build) = (median(now), median(hash), median(old), median(build));
        println!(
            "{:<26} {:>9} {:>14} {:>12} {:>16} {:>9.0}x {:>16}",
            name,
            steps,
            ms(now),
            ms(hash),
            ms(old),
            old.as_secs_f64() / now.as_secs_f64(),
            format!("{} (B_{middle})", ms(build)),
        );
    }
    println!(
        "now: fast path + final boundary hash; old: fast path + whole VM replay (lower bound: no \
         checkpoints); phase-2 machine: built from the fast path at the middle boundary, hashed"
    );
    Ok(())
}

/// The whole program in the VM, segment by segment: its steps and final state hash.
fn vm_replay(program: &std::sync::Arc<opml_vm::Program>, input: &[u8]) -> (u64, opml_vm::B256) {
    let mut m = opml_vm::Machine::new(program, input);
    let mut steps = 0;
    loop {
        steps += m.run(u64::MAX);
        if !m.resume() {
            return (steps, m.state_hash());
        }
    }
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
