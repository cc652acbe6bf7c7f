//! The connection settings of the requester and observer commands (`register`, `request`,
//! `status`, `cancel`, `withdraw`): the same flags and environment as the roles
//! (`ETH_RPC_URL`, `OPML_ORACLE`, a key or a keystore), and `--json`.

use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use alloy::primitives::Address;
use anyhow::{Context, anyhow};
use clap::Args;
use opml_client::Client;
use opml_service::chain::{signer_from_key, signer_from_keystore};

/// Where the oracle is, and who signs.
#[derive(Debug, Args)]
pub(crate) struct ChainArgs {
    /// JSON-RPC endpoint.
    #[arg(long, env = "ETH_RPC_URL", global = true)]
    rpc_url: Option<String>,
    /// The oracle's address.
    #[arg(long, env = "OPML_ORACLE", global = true)]
    oracle: Option<Address>,
    /// Hex private key of the account that signs.
    #[arg(long, env = "OPML_PRIVATE_KEY", hide_env_values = true, global = true)]
    private_key: Option<String>,
    /// Encrypted JSON keystore instead of a private key.
    #[arg(long, global = true)]
    keystore: Option<PathBuf>,
    /// The keystore's password.
    #[arg(
        long,
        env = "OPML_KEYSTORE_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    keystore_password: Option<String>,
    /// First block to read the oracle's events from (its deployment block on a long chain).
    #[arg(long, default_value_t = 0, global = true)]
    from_block: u64,
}

impl ChainArgs {
    fn endpoint(&self) -> anyhow::Result<(&str, Address)> {
        let url = self
            .rpc_url
            .as_deref()
            .ok_or_else(|| anyhow!("no RPC URL (--rpc-url or ETH_RPC_URL)"))?;
        let oracle = self
            .oracle
            .ok_or_else(|| anyhow!("no oracle address (--oracle or OPML_ORACLE)"))?;
        Ok((url, oracle))
    }

    /// A read-only client.
    pub(crate) fn read_only(&self) -> anyhow::Result<Client> {
        let (url, oracle) = self.endpoint()?;
        let mut c = Client::read_only(url, oracle)?;
        c.from_block = self.from_block;
        Ok(c)
    }

    /// A client that signs with the key or keystore.
    pub(crate) fn signing(&self) -> anyhow::Result<Client> {
        let (url, oracle) = self.endpoint()?;
        let signer = match (&self.private_key, &self.keystore) {
            (Some(k), _) => signer_from_key(k)?,
            (None, Some(ks)) => {
                signer_from_keystore(ks, self.keystore_password.as_deref().unwrap_or(""))?
            }
            (None, None) => {
                return Err(anyhow!(
                    "no key (--private-key, OPML_PRIVATE_KEY or --keystore)"
                ));
            }
        };
        let mut c = Client::signing(url, oracle, signer)?;
        c.from_block = self.from_block;
        Ok(c)
    }
}

/// How long a one-shot command may take (a transaction and its receipt included) before it
/// gives up, so an unresponsive endpoint never leaves it hanging.
pub(crate) const ONE_SHOT: Duration = Duration::from_secs(180);

/// The command's one runtime: a provider's background tasks (the block watcher a transaction
/// receipt waits on) live on the runtime that first used it, so every call of a command runs
/// on the same one.
fn runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    Ok(RT.get_or_init(|| rt))
}

/// Runs `fut` on the command's runtime, giving up after `limit` when one is set.
pub(crate) fn block_on<T>(
    limit: Option<Duration>,
    fut: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    runtime()?.block_on(async {
        match limit {
            Some(d) => tokio::time::timeout(d, fut).await.map_err(|_| {
                anyhow!(
                    "no answer within {} s (is the RPC endpoint up?)",
                    d.as_secs()
                )
            })?,
            None => fut.await,
        }
    })
}

/// Prints `v` as pretty JSON.
pub(crate) fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
