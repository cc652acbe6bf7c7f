//! `opml`: the command-line tool. Thin: parses arguments, calls the library crates, prints.

mod run;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit status when the guest trapped.
const EXIT_TRAP: u8 = 3;
/// Exit status when the step bound was reached before the program ended.
const EXIT_OUT_OF_STEPS: u8 = 4;

/// opml: optimistic ML inference with fraud proofs.
#[derive(Debug, Parser)]
#[command(name = "opml", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a program (or call one export of a module) on the fast path or the VM.
    Run(run::RunArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
