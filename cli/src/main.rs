//! `opml`: the command-line tool. Thin: parses arguments, calls the library crates, prints.

mod output;
mod progress;
mod prove;
mod run;

/// The role services and the chain commands.
mod cmd {
    pub(crate) mod account;
    pub(crate) mod chain;
    pub(crate) mod challenger;
    pub(crate) mod demo;
    pub(crate) mod deploy;
    pub(crate) mod devnet;
    pub(crate) mod explorer;
    pub(crate) mod program;
    pub(crate) mod request;
    pub(crate) mod status;
    pub(crate) mod submitter;
}

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
    /// Print the one-step proof of step N of a run as `{pre, proof, post}` JSON.
    Prove(prove::ProveArgs),
    /// Serve inference requests: post results with a bond, defend them, collect fees.
    Submitter(opml_service::settings::Settings),
    /// Check results, challenge wrong ones, play the game to the step proof.
    Challenger(opml_service::settings::Settings),
    /// Deploy the step verifier, the oracle and the adapter to any EVM chain.
    Deploy(cmd::deploy::DeployArgs),
    /// Start a local anvil with the contracts deployed and the example programs registered.
    Devnet(cmd::devnet::DevnetArgs),
    /// The whole story on a local anvil: a lying submitter, a challenger that wins, the right
    /// result delivered to the consumer.
    Demo(cmd::demo::DemoArgs),
    /// Print a program's id (no chain needed).
    ProgramId(cmd::program::ProgramArgs),
    /// Register a program (or find it registered) and print its id.
    Register(cmd::program::RegisterArgs),
    /// Request an inference, paying the fee; --wait follows it to its final output.
    Request(cmd::request::RequestArgs),
    /// Where a request, result, game or program stands.
    Status(cmd::status::StatusArgs),
    /// Cancel a stale request (no revealed result within the request timeout): its fee is
    /// credited back to the requester.
    Cancel(cmd::account::CancelArgs),
    /// Withdraw the signer's credit (fees, bonds, refunds) from the oracle.
    Withdraw(cmd::account::WithdrawArgs),
    /// Serve the dispute explorer: a web page of the oracle's programs, requests, results and
    /// games, each game's bisection drawn round by round, live.
    Explorer(cmd::explorer::ExplorerArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Services log their actions by default; `RUST_LOG` overrides, `OPML_LOG_FORMAT=json`
    // switches to JSON lines.
    let service = matches!(cli.command, Command::Submitter(_) | Command::Challenger(_));
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        let quiet = matches!(cli.command, Command::Demo(_)); // the demo narrates itself
        tracing_subscriber::EnvFilter::new(if service {
            "info"
        } else if quiet {
            "error"
        } else {
            "warn"
        })
    });
    // Log lines hide the replay progress bars while they write (see `progress`).
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::LogWriter::new);
    if progress::json_logs() {
        logs.json().init();
    } else {
        logs.init();
    }
    let ok = |r: anyhow::Result<()>| r.map(|()| ExitCode::SUCCESS);
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Prove(args) => prove::run(args),
        Command::Submitter(args) => ok(cmd::submitter::run(args)),
        Command::Challenger(args) => ok(cmd::challenger::run(args)),
        Command::Deploy(args) => ok(cmd::deploy::run(args)),
        Command::Devnet(args) => ok(cmd::devnet::run(args)),
        Command::Demo(args) => ok(cmd::demo::run(args)),
        Command::ProgramId(args) => ok(cmd::program::program_id_cmd(args)),
        Command::Register(args) => ok(cmd::program::register(args)),
        Command::Request(args) => ok(cmd::request::run(args)),
        Command::Status(args) => ok(cmd::status::run(args)),
        Command::Cancel(args) => ok(cmd::account::cancel(args)),
        Command::Withdraw(args) => ok(cmd::account::withdraw(args)),
        Command::Explorer(args) => ok(cmd::explorer::run(args)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
