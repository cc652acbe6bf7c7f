//! `opml devnet`: a local chain for trying opml — anvil from the bootstrapped toolchain, the
//! contracts deployed with the devnet profile, the example programs registered. Runs until
//! Ctrl-C; prints what the roles need.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use opml_deploy::devnet::{anvil_key, deploy_and_register, start_anvil, wasm_files};

/// Devnet settings.
#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// Port for anvil's JSON-RPC.
    #[arg(long, default_value_t = 8545)]
    port: u16,
    /// Seconds per block (0: a block per transaction).
    #[arg(long, default_value_t = 1)]
    block_time: u64,
    /// Programs to register (default: every `.wasm` in guests/wasm).
    #[arg(long, num_args = 1..)]
    programs: Vec<PathBuf>,
    #[command(flatten)]
    params: super::deploy::Params,
}

/// `opml devnet`.
pub(crate) fn run(args: DevnetArgs) -> anyhow::Result<()> {
    let anvil = start_anvil(Some(args.port), args.block_time)?;
    let programs = if args.programs.is_empty() {
        wasm_files(Path::new("guests/wasm"))
            .context("guests/wasm (run from the repository root or pass --programs)")?
    } else {
        args.programs.clone()
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let endpoint = anvil.endpoint();
        let (_, d, registered) =
            deploy_and_register(&anvil, args.params.config("devnet")?, &programs, |d| {
                // For scripts: these two lines as soon as the contracts are deployed.
                println!("rpc: {endpoint}");
                println!("oracle: {}", d.oracle);
                super::deploy::print(d);
            })
            .await?;
        for r in &registered {
            println!(
                "program {}: {} (sample run {} steps, D = {})",
                r.name, r.id, r.steps, r.depth
            );
        }
        println!("\naccounts (anvil's well-known test keys; never use them elsewhere):");
        for i in 0..4 {
            println!("  {i}: {} key {}", anvil.addresses()[i], anvil_key(&anvil, i));
        }
        println!(
            "\ntry:  ETH_RPC_URL={} OPML_ORACLE={} OPML_PRIVATE_KEY=<key 2> opml submitter --programs guests/wasm",
            anvil.endpoint(),
            d.oracle
        );
        println!("Ctrl-C stops the devnet.");
        opml_service::shutdown_signal().await;
        anyhow::Ok(())
    })
}
