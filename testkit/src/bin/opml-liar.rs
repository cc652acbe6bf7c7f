//! `opml-liar`: `opml submitter` / `opml challenger` with a lie, for the end-to-end tests.
//! The same settings and service loop as the real roles, plus the test-only switches the
//! production binary does not have.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use opml_challenger::{Challenger, ChallengerConfig};
use opml_service::progress::Silent;
use opml_service::settings::Settings;
use opml_submitter::Submitter;
use opml_testkit::Liar;

/// A dishonest role, for tests only: it loses every game against an honest opponent.
#[derive(Debug, Parser)]
#[command(name = "opml-liar")]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// A lying submitter.
    Submitter(LiarArgs),
    /// A lying challenger.
    Challenger(LiarArgs),
}

#[derive(Debug, Args)]
struct LiarArgs {
    #[command(flatten)]
    settings: Settings,
    /// Post this output (hex) instead of the true one.
    #[arg(long)]
    lie_output: Option<String>,
    /// Wrong state hashes from step N on (a challenger then challenges every result).
    #[arg(long, value_name = "N")]
    lie_from_step: Option<u64>,
}

impl LiarArgs {
    fn liar(&self) -> anyhow::Result<Liar> {
        let output = match &self.lie_output {
            Some(h) => Some(hex::decode(h.trim_start_matches("0x"))?),
            None => None,
        };
        Ok(Liar {
            output,
            from_step: self.lie_from_step,
        })
    }
}

fn main() -> ExitCode {
    // Logs on stderr, as `opml` writes them (the e2e harness reads them there).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let stop = opml_service::shutdown_signal();
        match cli.role {
            Role::Submitter(args) => {
                let liar = Arc::new(args.liar()?);
                let cfg = args.settings.merged()?;
                let policy = opml_submitter::Policy::from_settings(&cfg)?;
                let svc = cfg
                    .service(opml_submitter::DEFAULT_DB, Arc::new(Silent), liar)
                    .await?;
                opml_service::metrics::serve_configured(&cfg, &svc).await?;
                Submitter::with_policy(svc, policy)
                    .run(cfg.poll(), stop)
                    .await?;
            }
            Role::Challenger(args) => {
                let liar = Arc::new(args.liar()?);
                let cfg = args.settings.merged()?;
                let svc = cfg
                    .service(opml_challenger::DEFAULT_DB, Arc::new(Silent), liar)
                    .await?;
                opml_service::metrics::serve_configured(&cfg, &svc).await?;
                let own = ChallengerConfig {
                    submit_after_win: cfg.submit_after_win,
                };
                Challenger::new(svc, own).run(cfg.poll(), stop).await?;
            }
        }
        anyhow::Ok(())
    })
}
