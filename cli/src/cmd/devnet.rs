//! `opml devnet`: a local chain for trying opml — anvil from the bootstrapped toolchain, the
//! contracts deployed with the devnet profile, the example programs registered. Runs until
//! Ctrl-C; prints what the roles need.

use std::path::{Path, PathBuf};

use alloy::node_bindings::{Anvil, AnvilInstance};
use anyhow::Context;
use clap::Args;
use opml_protocol::deploy;
use opml_protocol::programs::StoredProgram;

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

/// The anvil binary: `$OPML_ANVIL`, else `.tools/bin/anvil` in this or a parent directory.
pub(crate) fn anvil_path() -> anyhow::Result<PathBuf> {
    if let Ok(p) = std::env::var("OPML_ANVIL") {
        return Ok(p.into());
    }
    let mut dir = std::env::current_dir()?;
    loop {
        let p = dir.join(".tools/bin/anvil");
        if p.is_file() {
            return Ok(p);
        }
        if !dir.pop() {
            anyhow::bail!(
                "anvil not found: run scripts/bootstrap.sh (it installs .tools/bin/anvil) or set OPML_ANVIL"
            );
        }
    }
}

/// Starts anvil.
pub(crate) fn start_anvil(port: Option<u16>, block_time: u64) -> anyhow::Result<AnvilInstance> {
    let mut a = Anvil::new().path(anvil_path()?);
    if let Some(p) = port {
        a = a.port(p);
    }
    if block_time > 0 {
        a = a.block_time(block_time);
    }
    a.try_spawn().context("starting anvil")
}

/// A sample input for a program, when the guest ships one.
pub(crate) fn sample_input(wasm: &Path) -> Vec<u8> {
    let stem = wasm
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = stem.trim_end_matches("-f32");
    let root = wasm
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    std::fs::read(root.join(base).join("testdata/sample.bin")).unwrap_or_default()
}

/// `opml devnet`.
pub(crate) fn run(args: DevnetArgs) -> anyhow::Result<()> {
    let anvil = start_anvil(Some(args.port), args.block_time)?;
    let programs = if args.programs.is_empty() {
        let mut v: Vec<PathBuf> = std::fs::read_dir("guests/wasm")
            .context("guests/wasm (run from the repository root or pass --programs)")?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        v.sort();
        v
    } else {
        args.programs.clone()
    };
    let rt = tokio::runtime::Runtime::new()?;
    let key = hex::encode(anvil.keys()[0].to_bytes());
    rt.block_on(async {
        let signer = opml_protocol::chain::signer_from_key(&key)?;
        let p = opml_protocol::chain::provider(&anvil.endpoint(), signer)?;
        let d = deploy::deploy(&p, args.params.config("devnet")?).await?;
        println!("anvil:           {}", anvil.endpoint());
        super::deploy::print(&d);
        for path in &programs {
            let wasm = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let prog = StoredProgram::from_wasm(&name, wasm)?;
            let (steps, depth) = deploy::depth_for_run(&prog, &sample_input(path));
            let id = deploy::register(&p, d.oracle, &prog, depth, &format!("file:{}", path.display())).await?;
            println!("program {name}: {id} (sample run {steps} steps, D = {depth})");
        }
        println!("\naccounts (anvil's well-known test keys; never use them elsewhere):");
        for (i, k) in anvil.keys().iter().take(4).enumerate() {
            println!("  {i}: {} key 0x{}", anvil.addresses()[i], hex::encode(k.to_bytes()));
        }
        println!("\ntry:  ETH_RPC_URL={} OPML_ORACLE={} OPML_PRIVATE_KEY=<key 2> opml submitter --programs guests/wasm", anvil.endpoint(), d.oracle);
        println!("Ctrl-C stops the devnet.");
        super::submitter::shutdown().await;
        anyhow::Ok(())
    })
}
