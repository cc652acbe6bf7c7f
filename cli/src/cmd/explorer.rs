//! `opml explorer`: the dispute explorer's web page over any RPC endpoint and oracle
//! (`opml-explorer`), served until Ctrl-C or SIGTERM.

use std::net::SocketAddr;

use anyhow::anyhow;
use clap::Args;

use super::chain::{ChainArgs, block_on};

/// How long the endpoint has to answer the first read, which checks it and the oracle.
const CHECK_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// `opml explorer`.
#[derive(Debug, Args)]
pub(crate) struct ExplorerArgs {
    /// Address to serve the page on (port 0: any free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    chain: ChainArgs,
}

/// `opml explorer`: prints `explorer: http://ADDR/` once it listens, then serves.
pub(crate) fn run(args: ExplorerArgs) -> anyhow::Result<()> {
    let client = args.chain.read_only()?;
    block_on(None, async move {
        // A wrong endpoint or oracle fails now, in one line, rather than later on the page.
        tokio::time::timeout(CHECK_WITHIN, client.config())
            .await
            .map_err(|_| {
                anyhow!(
                    "no answer within {} s (is the RPC endpoint up?)",
                    CHECK_WITHIN.as_secs()
                )
            })??;
        let bound = opml_explorer::bind(args.listen, client).await?;
        println!("explorer: http://{}/", bound.local_addr());
        bound.serve(opml_service::shutdown_signal()).await?;
        Ok(())
    })
}
