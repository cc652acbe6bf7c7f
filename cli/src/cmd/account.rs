//! `opml cancel` and `opml withdraw`: a requester's refund of a stale request, and anyone's
//! credit (fees, bonds, refunds) out of the oracle.

use alloy::primitives::Address;
use clap::Args;

use super::chain::{ChainArgs, ONE_SHOT, block_on, print_json};

/// `opml cancel`.
#[derive(Debug, Args)]
pub(crate) struct CancelArgs {
    /// The request to cancel (no pending result, older than the oracle's request timeout).
    request_id: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    chain: ChainArgs,
}

/// `opml cancel`.
pub(crate) fn cancel(args: CancelArgs) -> anyhow::Result<()> {
    let client = args.chain.signing()?;
    let id = args.request_id;
    let q = block_on(Some(ONE_SHOT), async {
        client.cancel(id).await?;
        Ok(client.request(id).await?)
    })?;
    if args.json {
        return print_json(&serde_json::json!({
            "request_id": id, "status": q.status, "refunded_wei": q.fee_wei, "to": q.requester,
        }));
    }
    println!(
        "request {id} cancelled: {} wei credited to its requester {} (opml withdraw)",
        q.fee_wei, q.requester
    );
    Ok(())
}

/// `opml withdraw`.
#[derive(Debug, Args)]
pub(crate) struct WithdrawArgs {
    /// Where to send it (default: the signer).
    #[arg(long)]
    to: Option<Address>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    chain: ChainArgs,
}

/// `opml withdraw`.
pub(crate) fn withdraw(args: WithdrawArgs) -> anyhow::Result<()> {
    let client = args.chain.signing()?;
    let to = args.to.or(client.me).unwrap_or_default();
    let amount = block_on(Some(ONE_SHOT), async {
        Ok(client.withdraw(Some(to)).await?)
    })?;
    if args.json {
        return print_json(&serde_json::json!({ "withdrawn_wei": amount.to_string(), "to": to }));
    }
    if amount.is_zero() {
        println!("nothing to withdraw");
    } else {
        println!("withdrew {amount} wei to {to}");
    }
    Ok(())
}
