//! A role's settings, as read from a TOML file and overridden by flags and the environment
//! (the CLI merges them), and the assembly of a [`Service`] from them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use serde::Deserialize;

use crate::chain::{Chain, signer_from_key, signer_from_keystore};
use crate::programs::ProgramStore;
use crate::progress::Progress;
use crate::store::Store;
use crate::{Error, Lies, Result, Service, ServiceConfig};

/// Settings of `opml submitter` / `opml challenger`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleConfig {
    /// JSON-RPC endpoint (`ETH_RPC_URL`).
    pub rpc_url: Option<String>,
    /// The oracle's address.
    pub oracle: Option<Address>,
    /// Hex private key (`OPML_PRIVATE_KEY`); or use `keystore`.
    pub private_key: Option<String>,
    /// Encrypted JSON keystore file.
    pub keystore: Option<PathBuf>,
    /// Its password (`OPML_KEYSTORE_PASSWORD`).
    pub keystore_password: Option<String>,
    /// `.wasm` files or directories of them: the program store.
    pub programs: Vec<PathBuf>,
    /// The database file.
    pub db: Option<PathBuf>,
    /// Blocks deep an event must be before the role acts on it.
    pub confirmations: Option<u64>,
    /// Milliseconds between passes.
    pub poll_ms: Option<u64>,
    /// Steps between VM snapshots.
    pub checkpoint_interval: Option<u64>,
    /// Do not withdraw credited funds automatically.
    pub no_withdraw: Option<bool>,
    /// Challenger: submit the correct result after winning.
    pub submit_after_win: Option<bool>,
    /// TEST ONLY: post this output (hex) instead of the true one.
    pub lie_output: Option<String>,
    /// TEST ONLY: report wrong state hashes from this step on.
    pub lie_from_step: Option<u64>,
}

impl RoleConfig {
    /// Fills every unset field of `self` from `other`.
    pub fn or(self, other: RoleConfig) -> RoleConfig {
        RoleConfig {
            rpc_url: self.rpc_url.or(other.rpc_url),
            oracle: self.oracle.or(other.oracle),
            private_key: self.private_key.or(other.private_key),
            keystore: self.keystore.or(other.keystore),
            keystore_password: self.keystore_password.or(other.keystore_password),
            programs: if self.programs.is_empty() {
                other.programs
            } else {
                self.programs
            },
            db: self.db.or(other.db),
            confirmations: self.confirmations.or(other.confirmations),
            poll_ms: self.poll_ms.or(other.poll_ms),
            checkpoint_interval: self.checkpoint_interval.or(other.checkpoint_interval),
            no_withdraw: self.no_withdraw.or(other.no_withdraw),
            submit_after_win: self.submit_after_win.or(other.submit_after_win),
            lie_output: self.lie_output.or(other.lie_output),
            lie_from_step: self.lie_from_step.or(other.lie_from_step),
        }
    }

    /// Time between passes (default 1 s).
    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms.unwrap_or(1000))
    }

    /// Connects, opens the database (`default_db` unless set) and loads the programs.
    pub async fn service(&self, default_db: &str, progress: Arc<dyn Progress>) -> Result<Service> {
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
        let lie_output = match &self.lie_output {
            Some(h) => Some(
                hex::decode(h.trim_start_matches("0x"))
                    .map_err(|e| Error::Config(format!("--lie-output: {e}")))?,
            ),
            None => None,
        };
        let cfg = ServiceConfig {
            checkpoint_interval: self.checkpoint_interval.unwrap_or(4096),
            auto_withdraw: !self.no_withdraw.unwrap_or(false),
            lies: Lies {
                output: lie_output,
                from_step: self.lie_from_step,
            },
        };
        Service::new(chain, store, programs, cfg, progress).await
    }
}
