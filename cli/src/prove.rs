//! `opml prove`: the one-step proof of step `N` of a run, as `{pre, proof, post}` JSON.

use crate::progress::Replay;
use anyhow::{Context, bail};
use clap::Args;
use opml_vm::{Limits, Machine, Program, Status, verify_step};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub(crate) struct ProveArgs {
    /// The program: binary wasm, or the text format (`.wat`).
    program: PathBuf,
    /// The request input, read from a file.
    #[arg(long, conflicts_with = "input_hex")]
    input: Option<PathBuf>,
    /// The request input, as hex.
    #[arg(long)]
    input_hex: Option<String>,
    /// The step to prove: the proof takes the state after `N` steps to the state after `N + 1`.
    #[arg(long)]
    step: u64,
    /// Memory bound in 64 KiB pages.
    #[arg(long, default_value_t = Limits::default().max_memory_pages)]
    max_memory_pages: u32,
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Steps between progress reports of the replay to the proved step.
const PROGRESS_CHUNK: u64 = 1 << 20;

/// Runs `m` to step `n` (or until it stops), showing the replay's progress.
fn replay_to(m: &mut Machine, n: u64) {
    let mut progress = Replay::new("VM replay to the proved step", Some(n));
    while m.steps() < n && m.status() == Status::Running {
        m.run((n - m.steps()).min(PROGRESS_CHUNK));
        progress.update(m.steps());
    }
}

pub(crate) fn run(args: ProveArgs) -> anyhow::Result<ExitCode> {
    let wasm = opml_executor::read_module(&args.program)
        .with_context(|| format!("reading {}", args.program.display()))?;
    let input = match (&args.input, &args.input_hex) {
        (Some(path), _) => {
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
        }
        (None, Some(h)) => hex::decode(h.trim().trim_start_matches("0x")).context("--input-hex")?,
        (None, None) => Vec::new(),
    };
    let limits = Limits {
        max_memory_pages: args.max_memory_pages,
        ..Limits::default()
    };
    let program = Arc::new(Program::load(&wasm, limits).context("loading the program")?);
    let mut machine = Machine::new(&program, &input);
    // Past the end of the run, a stopped machine steps to itself: the proof is the identity.
    replay_to(&mut machine, args.step);
    let pre = machine.state_hash();
    let proof = machine.prove_step(); // proves and takes the step
    let post = machine.state_hash();
    // Our own reference verifier must agree before we hand the proof to a contract.
    match verify_step(pre, &proof) {
        Ok(p) if p == post => {}
        Ok(_) => bail!("internal error: the proof verifies to another post-state"),
        Err(e) => bail!("internal error: the proof does not verify: {e}"),
    }
    let status = match machine.status() {
        Status::Running => "running",
        Status::Halted => "halted",
        Status::Trapped => "trapped",
        Status::Yielded => "yielded",
    };
    let json = serde_json::json!({
        "step": args.step,
        "pre": hex0x(&pre),
        "proof": hex0x(&proof),
        "post": hex0x(&post),
        "status_after": status,
    });
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(ExitCode::SUCCESS)
}
