//! A role's settings, declared once: the one [`Settings`] struct is the command line (flags
//! and their environment variables, through clap) and the TOML file (through serde). Flags
//! and the environment win over the file; [`Settings::service`] assembles a [`Service`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::behaviour::Behaviour;
use crate::chain::{Chain, signer_from_key, signer_from_keystore};
use crate::programs::ProgramStore;
use crate::progress::Progress;
use crate::store::Store;
use crate::{Error, Result, Service, ServiceConfig};

/// Settings of `opml submitter` / `opml challenger`.
#[derive(Debug, Clone, Default, clap::Args, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// A TOML file with the same settings (keys as the long flags, `_` for `-`).
    #[arg(long)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// JSON-RPC endpoint.
    #[arg(long, env = "ETH_RPC_URL")]
    pub rpc_url: Option<String>,
    /// The oracle's address.
    #[arg(long, env = "OPML_ORACLE")]
    pub oracle: Option<Address>,
    /// Hex private key of the role's account.
    #[arg(long, env = "OPML_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: Option<String>,
    /// Encrypted JSON keystore instead of a private key.
    #[arg(long)]
    pub keystore: Option<PathBuf>,
    /// The keystore's password.
    #[arg(long, env = "OPML_KEYSTORE_PASSWORD", hide_env_values = true)]
    pub keystore_password: Option<String>,
    /// The program store: `.wasm` files or directories of them.
    #[arg(long, num_args = 1..)]
    pub programs: Vec<PathBuf>,
    /// The database file (default `opml-<role>.redb`).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Blocks deep an event must be before the role acts on it (default 1).
    #[arg(long)]
    pub confirmations: Option<u64>,
    /// Milliseconds between passes over the chain (default 1000).
    #[arg(long)]
    pub poll_ms: Option<u64>,
    /// VM steps between checkpoints (default 4096): a bisection query replays at most this.
    #[arg(long)]
    pub checkpoint_interval: Option<u64>,
    /// Leave credited bonds and fees in the oracle.
    #[arg(long)]
    pub no_withdraw: bool,
    /// Challenger: submit the correct result after winning a game.
    #[arg(long)]
    pub submit_after_win: bool,
    /// Serve Prometheus metrics at `/metrics`, and `/healthz`, on this address (e.g.
    /// `127.0.0.1:9100`).
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
}

impl Settings {
    /// These settings (flags and environment) over the TOML file `config` names, if any.
    pub fn merged(self) -> Result<Settings> {
        let Some(path) = self.config.clone() else {
            return Ok(self);
        };
        let file: Settings = read_toml(&path)?;
        let mut merged = over(&self, &file)?;
        merged.config = Some(path);
        Ok(merged)
    }

    /// Time between passes (default 1 s).
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms.unwrap_or(1000))
    }

    /// Connects, opens the database (`default_db` unless set) and loads the programs; the
    /// role behaves as `behaviour` says.
    pub async fn service(
        &self,
        default_db: &str,
        progress: Arc<dyn Progress>,
        behaviour: Arc<dyn Behaviour>,
    ) -> Result<Service> {
        let url = self
            .rpc_url
            .as_deref()
            .ok_or_else(|| Error::Config("no RPC URL (--rpc-url or ETH_RPC_URL)".into()))?;
        let oracle = self
            .oracle
            .ok_or_else(|| Error::Config("no oracle address (--oracle)".into()))?;
        let signer = match (&self.private_key, &self.keystore) {
            (Some(k), _) => signer_from_key(k)?,
            (None, Some(ks)) => {
                signer_from_keystore(ks, self.keystore_password.as_deref().unwrap_or(""))?
            }
            (None, None) => {
                return Err(Error::Config(
                    "no key (--private-key, OPML_PRIVATE_KEY or --keystore)".into(),
                ));
            }
        };
        let chain = Chain::connect(url, signer, oracle, self.confirmations.unwrap_or(1))?;
        let store = Store::open(self.db.as_deref().unwrap_or(default_db.as_ref()))?;
        let programs = ProgramStore::load(&self.programs)?;
        if programs.is_empty() {
            return Err(Error::Config("no programs (--programs FILE_OR_DIR)".into()));
        }
        let cfg = ServiceConfig {
            checkpoint_interval: self.checkpoint_interval.unwrap_or(4096),
            auto_withdraw: !self.no_withdraw,
        };
        Service::new(chain, store, programs, cfg, progress, behaviour).await
    }
}

fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("reading {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Error::Config(format!("parsing {}: {e}", path.display())))
}

/// `top` over `base`, field by field: a field of `top` that is set (not `None`, `false` or
/// empty) wins. Works through serde, so no field is listed twice.
fn over<T: Serialize + DeserializeOwned>(top: &T, base: &T) -> Result<T> {
    let json = |e: serde_json::Error| Error::Config(format!("settings: {e}"));
    let mut merged = serde_json::to_value(base).map_err(json)?;
    if let (Value::Object(m), Value::Object(t)) =
        (&mut merged, serde_json::to_value(top).map_err(json)?)
    {
        for (k, v) in t {
            let unset = matches!(v, Value::Null | Value::Bool(false))
                || v.as_array().is_some_and(Vec::is_empty);
            if !unset {
                m.insert(k, v);
            }
        }
    }
    serde_json::from_value(merged).map_err(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_unset_flags_keep_it() {
        let file: Settings = toml::from_str(
            "rpc_url = \"http://file\"\nconfirmations = 2\nprograms = [\"a.wasm\"]\nno_withdraw = true\nsubmit_after_win = true\n",
        )
        .unwrap();
        let flags = Settings {
            rpc_url: Some("http://flag".into()),
            poll_ms: Some(300),
            ..Settings::default()
        };
        let m = over(&flags, &file).unwrap();
        assert_eq!(m.rpc_url.as_deref(), Some("http://flag"));
        assert_eq!((m.confirmations, m.poll_ms), (Some(2), Some(300)));
        assert_eq!(m.programs, [PathBuf::from("a.wasm")]);
        assert!(m.no_withdraw && m.submit_after_win);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        assert!(toml::from_str::<Settings>("lie_output = \"00\"\n").is_err());
        assert!(toml::from_str::<Settings>("confirmation = 2\n").is_err());
    }
}
