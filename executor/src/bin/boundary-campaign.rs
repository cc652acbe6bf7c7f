//! `boundary-campaign`: the fast path's boundary hashes against the VM's at every boundary of
//! seeded random segmented programs (`docs/machine.md` §9; the generator is
//! `tests/it/segmod.rs`). A wrong fast-path hash would cost an honest submitter its bond. The
//! `it` tests run a bounded set of the same seeds; this runs the full campaign.
//!
//! ```sh
//! cargo run --release -p opml-executor --bin boundary-campaign             # 10,000 programs
//! cargo run --release -p opml-executor --bin boundary-campaign -- --cases 20000 --seed 10000
//! ```
//!
//! The same seeds give the same programs on every machine. Prints one summary line; on a
//! mismatch, each mismatching seed with its difference and its program, and exits 1.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use opml_executor::fast::FastEngine;

#[path = "../../tests/it/segmod.rs"]
mod segmod;

// The tests' comparison, of which the campaign uses one entry point.
#[allow(dead_code)]
#[path = "../../tests/it/differ.rs"]
mod differ;

/// The fast path's boundary hashes against the VM's on seeded random segmented programs.
#[derive(Parser)]
#[command(name = "boundary-campaign")]
struct Args {
    /// Programs to generate and compare.
    #[arg(long, default_value_t = 10_000)]
    cases: u64,
    /// The first program's seed (the programs are seeds `seed..seed + cases`).
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    let Args { cases, seed } = Args::parse();
    let engine = match FastEngine::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("boundary-campaign: the fast path's engine: {e}");
            return ExitCode::FAILURE;
        }
    };
    let t0 = Instant::now();
    let end = seed.saturating_add(cases);
    let tally = differ::campaign(&engine, seed..end, |t| {
        if t.cases % 1000 == 0 {
            eprintln!(
                "  {} programs, {} boundaries, {} mismatches, {:.1} s",
                t.cases,
                t.boundaries,
                t.mismatches.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    });
    for m in &tally.mismatches {
        println!("MISMATCH {m}");
    }
    println!(
        "boundary campaign: {} random programs (seeds {seed}..{end}; {} end in a trap), {} boundaries, {} mismatches, {:.1} s",
        tally.cases,
        tally.trapped,
        tally.boundaries,
        tally.mismatches.len(),
        t0.elapsed().as_secs_f64()
    );
    if tally.mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
