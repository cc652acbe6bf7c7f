//! `opml request`: ask for an inference, paying the fee; with `--wait`, follow it to
//! finality and print its output the way `opml run` does.

use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::{Address, B256, U256};
use anyhow::{Context, bail};
use clap::Args;
use opml_client::NewRequest;

use super::chain::{ChainArgs, ONE_SHOT, block_on, print_json};
use crate::output::{output_json, output_lines};

/// `opml request`.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The program id (0x + 64 hex), as `opml program-id` or `opml register` print it.
    program_id: B256,
    /// The input, read from a file.
    #[arg(
        long,
        conflicts_with = "input_hex",
        required_unless_present = "input_hex"
    )]
    input: Option<PathBuf>,
    /// The input, as hex.
    #[arg(long)]
    input_hex: Option<String>,
    /// A consumer contract to call back with the output once final.
    #[arg(long)]
    callback: Option<Address>,
    /// The callback's gas limit (the fee grows with it).
    #[arg(long)]
    callback_gas: Option<u64>,
    /// The fee in wei (default: the oracle's minimum for the callback gas).
    #[arg(long)]
    fee: Option<U256>,
    /// Follow the request to finality (finalizing it once its window has passed with no
    /// open game) and print its output.
    #[arg(long)]
    wait: bool,
    /// Milliseconds between reads while waiting.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    chain: ChainArgs,
}

/// `opml request`.
pub(crate) fn run(args: RequestArgs) -> anyhow::Result<()> {
    let input = match (&args.input, &args.input_hex) {
        (Some(p), _) => std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
        (None, Some(h)) => hex::decode(h.trim().trim_start_matches("0x")).context("--input-hex")?,
        (None, None) => bail!("no input (--input FILE or --input-hex HEX)"),
    };
    let (callback, callback_gas) = match (args.callback, args.callback_gas) {
        (Some(c), Some(g)) => (c, g),
        (None, None) => (Address::ZERO, 0),
        (Some(_), None) => bail!("--callback needs --callback-gas"),
        (None, Some(_)) => bail!("--callback-gas without --callback"),
    };
    let client = args.chain.signing()?;
    let req = NewRequest {
        program_id: args.program_id,
        input,
        callback,
        callback_gas,
        fee: args.fee,
    };
    let id = block_on(Some(ONE_SHOT), async {
        Ok(client.request_inference(&req).await?)
    })?;
    if !args.wait {
        return if args.json {
            print_json(&serde_json::json!({ "request_id": id }))
        } else {
            println!("request: {id}");
            Ok(())
        };
    }
    if !args.json {
        println!("request: {id}");
    }
    let json = args.json;
    let poll = Duration::from_millis(args.poll_ms.max(100));
    // No overall limit: a request may wait through disputes; every read fails fast instead.
    let output = block_on(None, async {
        Ok(client
            .follow(id, poll, |stage| {
                if !json {
                    eprintln!("{stage}");
                }
            })
            .await?)
    })?;
    if json {
        let mut v = output_json(&output);
        v["request_id"] = id.into();
        v["status"] = "finalized".into();
        print_json(&v)
    } else {
        println!("status: finalized");
        for line in output_lines(&output) {
            println!("{line}");
        }
        Ok(())
    }
}
