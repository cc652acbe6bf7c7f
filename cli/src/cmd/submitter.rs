//! `opml submitter` (and the settings both roles share): serve requests, post results with a
//! bond, defend them, collect fees and bonds. Settings: flags > environment > TOML file.

use std::path::PathBuf;

use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use opml_service::settings::RoleConfig;
use opml_submitter::Submitter;

use crate::progress::Shown;

/// Settings of a role service.
#[derive(Debug, Args)]
pub(crate) struct RoleArgs {
    /// A TOML file with the same settings (keys as the long flags, `_` for `-`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// JSON-RPC endpoint.
    #[arg(long, env = "ETH_RPC_URL")]
    rpc_url: Option<String>,
    /// The oracle's address.
    #[arg(long, env = "OPML_ORACLE")]
    oracle: Option<alloy::primitives::Address>,
    /// Hex private key of the role's account.
    #[arg(long, env = "OPML_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Encrypted JSON keystore instead of a private key.
    #[arg(long)]
    keystore: Option<PathBuf>,
    /// The keystore's password.
    #[arg(long, env = "OPML_KEYSTORE_PASSWORD", hide_env_values = true)]
    keystore_password: Option<String>,
    /// The program store: `.wasm` files or directories of them.
    #[arg(long, num_args = 1..)]
    programs: Vec<PathBuf>,
    /// The database file (default `opml-<role>.redb`).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Blocks deep an event must be before the role acts on it (default 1).
    #[arg(long)]
    confirmations: Option<u64>,
    /// Milliseconds between passes over the chain (default 1000).
    #[arg(long)]
    poll_ms: Option<u64>,
    /// VM steps between checkpoints (default 4096): a bisection query replays at most this.
    #[arg(long)]
    checkpoint_interval: Option<u64>,
    /// Leave credited bonds and fees in the oracle.
    #[arg(long)]
    no_withdraw: bool,
    /// Challenger: submit the correct result after winning a game.
    #[arg(long)]
    submit_after_win: bool,
    /// TEST ONLY — make a submitter dishonest: post this output (hex) instead of the true one.
    /// It loses every game; never use outside tests and demos.
    #[arg(long, hide_short_help = true)]
    lie_output: Option<String>,
    /// TEST ONLY — make the role dishonest: wrong state hashes from step N on (a challenger
    /// then challenges every result). It loses every game; never use outside tests and demos.
    #[arg(long, value_name = "N", hide_short_help = true)]
    lie_from_step: Option<u64>,
}

impl RoleArgs {
    /// The merged settings: flags and environment first, then the TOML file.
    pub(crate) fn config(self) -> anyhow::Result<RoleConfig> {
        let file = match &self.config {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                toml::from_str::<RoleConfig>(&text)
                    .with_context(|| format!("parsing {}", p.display()))?
            }
            None => RoleConfig::default(),
        };
        let flags = RoleConfig {
            rpc_url: self.rpc_url,
            oracle: self.oracle,
            private_key: self.private_key,
            keystore: self.keystore,
            keystore_password: self.keystore_password,
            programs: self.programs,
            db: self.db,
            confirmations: self.confirmations,
            poll_ms: self.poll_ms,
            checkpoint_interval: self.checkpoint_interval,
            no_withdraw: self.no_withdraw.then_some(true),
            submit_after_win: self.submit_after_win.then_some(true),
            lie_output: self.lie_output,
            lie_from_step: self.lie_from_step,
        };
        Ok(flags.or(file))
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// `opml submitter`.
pub(crate) fn run(args: RoleArgs) -> anyhow::Result<()> {
    let cfg = args.config()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let submitter = Submitter::connect(&cfg, Arc::new(Shown)).await?;
        submitter.run(cfg.poll(), shutdown()).await
    })?;
    Ok(())
}
