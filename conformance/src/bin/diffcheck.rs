//! `diffcheck --cases N --seed S [--floats]`: the VM against wasmtime on N random modules;
//! prints the counts and every mismatch.

use clap::Parser;
use opml_conformance::diff::{DiffConfig, run};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(about = "Differential test: opml VM vs wasmtime on random modules")]
struct Args {
    /// Modules to generate.
    #[arg(long, default_value_t = 200)]
    cases: u64,
    /// Seed of the first case.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Let modules use floats.
    #[arg(long)]
    floats: bool,
    /// Fuel per call on wasmtime.
    #[arg(long, default_value_t = DiffConfig::default().fuel)]
    fuel: u64,
    /// Steps per call on the VM.
    #[arg(long, default_value_t = DiffConfig::default().steps)]
    steps: u64,
}

fn main() -> anyhow::Result<ExitCode> {
    let a = Args::parse();
    let cfg = DiffConfig {
        cases: a.cases,
        seed: a.seed,
        fuel: a.fuel,
        steps: a.steps,
        floats: a.floats,
    };
    let start = std::time::Instant::now();
    let r = run(&cfg)?;
    for m in &r.mismatches {
        println!("MISMATCH {m}");
    }
    println!(
        "modules {} (rejected by the profile {}), calls compared {} (halted {}, trapped {}), agreed {}, bound hit {}, mismatches {}",
        r.modules,
        r.rejected,
        r.compared,
        r.halted,
        r.trapped,
        r.agreed,
        r.bound_hit,
        r.mismatches.len()
    );
    println!(
        "seeds {}..{}, floats {}, {:.1} s",
        a.seed,
        a.seed.wrapping_add(a.cases),
        a.floats,
        start.elapsed().as_secs_f64()
    );
    Ok(if r.mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
