//! `opml demo`: the whole story on a local anvil, in one command. A consumer asks for a digit
//! classification; a (test-only) lying submitter posts a wrong class; the challenger re-runs
//! it, disputes, and wins the game on-chain round by round; it then posts the right class,
//! which finalizes, and the consumer contract receives it. Prints the figures of issue 6.
//! With `--program` any program tells the same story; a segmented one plays a two-phase game
//! and its figures say how many VM steps each side replayed.
//! The story is `opml_deploy::demo`; this starts anvil and prints.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use opml_deploy::demo::{self, Setup};
use opml_deploy::devnet::{anvil_key, sample_input, start_anvil};

use crate::progress::Shown;

/// Demo settings.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The program (any wasm of the profile). A segmented one (exporting `segment`, e.g.
    /// guests/wasm/segments.wasm) is registered two-phase, and its game opens one segment.
    #[arg(
        long = "program",
        alias = "wasm",
        default_value = "guests/wasm/digits.wasm"
    )]
    wasm: PathBuf,
    /// Its input; default: the guest's sample (digits: a "2"), or nothing.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Seconds per anvil block.
    #[arg(long, default_value_t = 1)]
    block_time: u64,
    /// Trace depth D of the registration (2^D steps); 0 picks the least that covers the run.
    /// A segmented program gets both depths picked from its run.
    #[arg(long, default_value_t = 24)]
    depth: u8,
    /// Challenge window, seconds (fast-forwarded once nobody disputes).
    #[arg(long, default_value_t = 60)]
    challenge_window: u64,
}

/// `opml demo`.
pub(crate) fn run(args: DemoArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut say = |what: &str| println!("[{:>5.1}s] {what}", t0.elapsed().as_secs_f64());
    println!("opml demo — optimistic ML with a fraud proof, on a local chain\n");
    let anvil = start_anvil(None, args.block_time)?;
    say(&format!(
        "started anvil at {} (a block every {} s)",
        anvil.endpoint(),
        args.block_time
    ));
    let input = match &args.input {
        Some(p) => std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
        None => sample_input(&args.wasm),
    };
    let setup = Setup {
        url: anvil.endpoint(),
        keys: (0..anvil.keys().len())
            .map(|i| anvil_key(&anvil, i))
            .collect(),
        wasm: args.wasm,
        input,
        depth: args.depth,
        challenge_window: args.challenge_window,
        lie_from_step: None,
    };
    let rt = tokio::runtime::Runtime::new()?;
    let figures = rt.block_on(demo::run(&setup, Arc::new(Shown), &mut say))?;
    print!("{figures}");
    Ok(())
}
