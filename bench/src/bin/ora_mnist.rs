//! `ora-mnist`: the same work as ORA opML, side by side with the figures they measured.
//!
//! ```sh
//! cargo run --release -p opml-bench --bin ora-mnist
//! ```
//!
//! ORA's MNIST model and their input (`guests/mnist`, copied from `../shared/anchors/ora-mnist/`,
//! whose `SOURCE.md` holds their figures, measured on a 2-core machine like ours) run in our VM,
//! then through `opml demo`'s story on a local anvil it starts: a lying submitter, a challenger
//! that disputes and wins by a step proof. Every figure of ours is measured in this run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::eips::BlockNumberOrTag;
use alloy::providers::{Provider, ProviderBuilder};
use anyhow::{Context, Result};
use clap::Parser;
use opml_bench::{median_time, repo_root, run_vm};
use opml_deploy::demo::{self, Setup};
use opml_deploy::devnet::{anvil_key, start_anvil};
use opml_service::progress::Silent;
use opml_vm::{Limits, Program};

/// ORA opML's figures for one MNIST inference and one dispute over it (`SOURCE.md`).
mod ora {
    pub(crate) const STEPS: u64 = 12_402_147;
    pub(crate) const VM_SECS: (f64, f64) = (2.8, 3.1);
    pub(crate) const ROUNDS: usize = 24;
    pub(crate) const DISPUTE_TXS: usize = 48;
    pub(crate) const STEP_PROOF_GAS_MEDIAN: u64 = 4_270_000;
    pub(crate) const WHOLE_DISPUTE_GAS: u64 = 11_000_000;
    pub(crate) const WALL_SECS: f64 = 310.0;
}

/// ORA opML's MNIST side by side with their figures: our VM, then a dispute on anvil.
#[derive(Parser)]
#[command(name = "ora-mnist")]
struct Args {
    /// anvil's block time in seconds (the roles wait for confirmations, which a chain that
    /// mines only on transactions never gives).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    block_time: u64,
    /// VM runs timed (the figure is their median).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    reps: u64,
}

/// VM steps, output and the median wall time of `reps` runs to completion.
fn vm_run(wasm: &[u8], input: &[u8], reps: usize) -> Result<(u64, Vec<u8>, Duration)> {
    let program = Arc::new(Program::load(wasm, Limits::default())?);
    let (steps, output) = run_vm(&program, input)?;
    let time = median_time(reps, || run_vm(&program, input))?;
    Ok((steps, output, time))
}

/// Gas of every transaction on the chain at `url` (the whole story, deployments included).
async fn chain_gas(url: &str) -> Result<(u64, usize)> {
    let p = ProviderBuilder::new().connect_http(url.parse()?);
    let head = p.get_block_number().await?;
    let (mut gas, mut txs) = (0, 0);
    for n in 0..=head {
        let block = p
            .get_block_by_number(BlockNumberOrTag::Number(n))
            .await?
            .with_context(|| format!("block {n} missing"))?;
        gas += block.header.gas_used;
        txs += block.transactions.len();
    }
    Ok((gas, txs))
}

fn millions(gas: u64) -> String {
    format!("{:.2} M", gas as f64 / 1e6)
}

fn main() -> Result<()> {
    let args = Args::parse();
    if cfg!(debug_assertions) {
        println!("warning: a debug build; run with --release for meaningful figures");
    }
    let root = repo_root();
    let wasm_path = root.join("guests/wasm/mnist.wasm");
    let wasm = std::fs::read(&wasm_path).context("reading guests/wasm/mnist.wasm")?;
    let input = std::fs::read(root.join("guests/mnist/testdata/input_7"))
        .context("reading guests/mnist/testdata/input_7")?;

    println!("# ORA opML's MNIST (784 → 20 → 10, f32, their model and input_7), side by side\n");
    let (steps, out, vm_time) = vm_run(&wasm, &input, args.reps as usize)?;
    println!(
        "VM: {steps} steps, {:.3} s (median of {}), output {}",
        vm_time.as_secs_f64(),
        args.reps,
        String::from_utf8_lossy(&out)
    );

    // The dispute: `opml demo`'s story on this model, on an anvil of our own.
    let anvil = start_anvil(None, args.block_time)?;
    let setup = Setup {
        url: anvil.endpoint(),
        keys: (0..anvil.keys().len())
            .map(|i| anvil_key(&anvil, i))
            .collect(),
        wasm: wasm_path,
        input,
        // 2^24 steps, ORA's depth too (24 binary rounds): six 16-ary rounds, the last the
        // submitter's, so the challenger answers it with the step proof.
        depth: 24,
        challenge_window: 60,
        // As in ORA's scripted challenge, the dispute ends with a one-step proof on-chain.
        lie_from_step: Some(steps / 2),
    };
    let rt = tokio::runtime::Runtime::new()?;
    let t0 = Instant::now();
    let mut narrate = |line: &str| println!("[{:>5.1}s] {line}", t0.elapsed().as_secs_f64());
    let figures = rt.block_on(demo::run(&setup, Arc::new(Silent), &mut narrate))?;
    let wall = t0.elapsed();
    print!("{figures}");
    let (all_gas, all_txs) = rt.block_on(chain_gas(&setup.url))?;

    let dispute_txs: usize = figures.sides.iter().map(|s| s.moves.len()).sum();
    let dispute_gas: u64 = figures.sides.iter().map(|s| s.gas).sum();
    let proof_gas = figures
        .step_proof_gas
        .context("the game did not end by a step proof")?;
    println!(
        "\n## Side by side (theirs from ../shared/anchors/ora-mnist/SOURCE.md; ours measured above)\n"
    );
    println!("| | ORA opML | opml | |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| VM steps, one inference | {} | {steps} | {:.1}× fewer |",
        ora::STEPS,
        ora::STEPS as f64 / steps as f64
    );
    println!(
        "| VM run to completion | {}–{} s | {:.3} s | {:.0}× faster |",
        ora::VM_SECS.0,
        ora::VM_SECS.1,
        vm_time.as_secs_f64(),
        ora::VM_SECS.0 / vm_time.as_secs_f64()
    );
    println!(
        "| dispute rounds | {} (binary) | {} (k-ary) | |",
        ora::ROUNDS,
        figures.rounds
    );
    println!(
        "| dispute transactions | {} | {dispute_txs} | |",
        ora::DISPUTE_TXS
    );
    println!(
        "| gas of one step proof | {} (median) | {proof_gas} | {:.1}× less |",
        millions(ora::STEP_PROOF_GAS_MEDIAN),
        ora::STEP_PROOF_GAS_MEDIAN as f64 / proof_gas as f64
    );
    println!(
        "| gas of the dispute | {} (the whole scripted challenge, 59 txs, deployments included) | {} (challenge → step proof, both sides) | {:.1}× less |",
        millions(ora::WHOLE_DISPUTE_GAS),
        millions(dispute_gas),
        ora::WHOLE_DISPUTE_GAS as f64 / dispute_gas as f64
    );
    println!(
        "| gas of everything on the chain | | {} ({all_txs} txs: deployments, registration, request, results, game) | |",
        millions(all_gas)
    );
    let resolution = figures
        .challenge_to_resolution
        .context("the game's start or end was not seen")?;
    println!(
        "| wall time of the dispute on a local chain | {} s (the whole scripted challenge) | {:.1} s (challenge → resolution); the whole story {:.1} s ({} s blocks) | {:.1}× less |",
        ora::WALL_SECS,
        resolution.as_secs_f64(),
        wall.as_secs_f64(),
        args.block_time,
        ora::WALL_SECS / wall.as_secs_f64()
    );
    Ok(())
}
