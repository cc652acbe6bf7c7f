//! `spectest [--engine vm|fast] [FILES…]`: runs the spec suite, prints passed/failed/skipped
//! per file and the totals. Without files: the in-profile and float files of the suite.

use anyhow::{Context, bail};
use clap::Parser;
use opml_conformance::{Runner, run_file, suite};
use opml_executor::{Engine, Limits};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(about = "Run the WebAssembly spec suite on an opml engine")]
struct Args {
    /// `vm` or `fast`.
    #[arg(long, default_value = "vm")]
    engine: Engine,
    /// Every `.wast` file of the suite, not only the listed ones.
    #[arg(long)]
    all: bool,
    /// Print each failure.
    #[arg(long, short)]
    verbose: bool,
    /// Step bound per call.
    #[arg(long, default_value_t = 100_000_000)]
    max_steps: u64,
    /// Files (paths, or names inside the suite directory).
    files: Vec<PathBuf>,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let dir = suite::suite_dir();
    let files: Vec<PathBuf> = if !args.files.is_empty() {
        args.files
            .iter()
            .map(|f| match (&dir, f.exists()) {
                (Some(d), false) => d.join(f),
                _ => f.clone(),
            })
            .collect()
    } else {
        let Some(dir) = dir else {
            bail!(
                "spec suite not found: set OPML_WASM_TESTSUITE or put it at ../shared/wasm-testsuite"
            );
        };
        if args.all {
            let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "wast"))
                .collect();
            all.sort();
            all
        } else {
            suite::IN_PROFILE
                .iter()
                .chain(suite::FLOAT_FILES)
                .map(|f| dir.join(f))
                .collect()
        }
    };
    let runner = Runner::new(args.engine, Limits::default(), args.max_steps)?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for path in &files {
        let r = run_file(path, &runner);
        println!(
            "{:<32} passed {:>5}  failed {:>4}  skipped {:>5}",
            r.file, r.passed, r.failed, r.skipped
        );
        if args.verbose {
            for f in &r.failures {
                println!("    FAIL {f}");
            }
            for (reason, n) in &r.skip_reasons {
                println!("    skip {n:>4} × {reason}");
            }
        }
        passed += r.passed;
        failed += r.failed;
        skipped += r.skipped;
    }
    println!("engine {}: {} files", args.engine.name(), files.len());
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
