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
use crate::price::{ProgramPrice, Wei, parse_work};
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
    /// Requests, results, games and claims handled at once in a pass (default 256): their
    /// transactions are in flight together, each waiting for its own receipt.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Leave credited bonds and fees in the oracle.
    #[arg(long)]
    pub no_withdraw: bool,
    /// Challenger: submit the correct result after winning a game.
    #[arg(long)]
    pub submit_after_win: bool,
    /// Fetch a registered program not in `--programs` from its metadata URI (`file://`,
    /// `http://`), checked against its id. Without it, such programs are ignored.
    #[arg(long)]
    pub fetch_programs: bool,
    /// Serve Prometheus metrics at `/metrics`, and `/healthz`, on this address (e.g.
    /// `127.0.0.1:9100`).
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
    /// Submitter: serve only requests paying at least this fee (wei, or e.g. `2gwei`;
    /// default 0). The fee counted is the request's less its callback's gas part.
    #[arg(long, value_name = "WEI")]
    pub fee_floor: Option<Wei>,
    /// Submitter: and, above the floor, this much per million units of fast-path work
    /// (wasmtime fuel, about one per VM step; default 0).
    #[arg(long, value_name = "WEI")]
    pub fee_per_million: Option<Wei>,
    /// Submitter: run a request's fast path with at most this much work; a request that needs
    /// more is skipped (default: no bound but the program's trace depth).
    #[arg(long, value_name = "UNITS", value_parser = parse_work)]
    pub max_work: Option<u64>,
    /// Submitter: one program's price over the defaults above
    /// (`0xID:fee_floor=…,fee_per_million=…,max_work=…`); repeat for more programs.
    #[arg(long, value_name = "ID:KEY=VALUE,…")]
    pub program_price: Vec<ProgramPrice>,
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
        if programs.is_empty() && !self.fetch_programs {
            return Err(Error::Config(
                "no programs (--programs FILE_OR_DIR, or --fetch-programs)".into(),
            ));
        }
        let cfg = ServiceConfig {
            checkpoint_interval: self.checkpoint_interval.unwrap_or(4096),
            auto_withdraw: !self.no_withdraw,
            fetch_programs: self.fetch_programs,
            concurrency: match self.concurrency {
                Some(0) => return Err(Error::Config("--concurrency must be at least 1".into())),
                Some(n) => n,
                None => crate::bounded::DEFAULT_CONCURRENCY,
            },
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
    use alloy::primitives::{B256, U256};

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

    /// `opml submitter ARGS` as clap reads it.
    fn flags(args: &[&str]) -> std::result::Result<Settings, clap::Error> {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            s: Settings,
        }
        Cli::try_parse_from(std::iter::once("opml").chain(args.iter().copied())).map(|c| c.s)
    }

    fn id(byte: u8) -> String {
        format!("0x{}", hex::encode([byte; 32]))
    }

    #[test]
    fn the_price_reads_from_flags() {
        let a = format!("{}:fee_floor=5,max_work=9", id(0xaa));
        let b = format!("{}:fee_per_million=1gwei", id(0xbb));
        let s = flags(&[
            "--fee-floor",
            "0.001ether",
            "--fee-per-million",
            "300",
            "--max-work",
            "2_000_000",
            "--program-price",
            &a,
            "--program-price",
            &b,
        ])
        .unwrap();
        assert_eq!(s.fee_floor, Some(Wei(U256::from(1_000_000_000_000_000u64))));
        assert_eq!(s.fee_per_million, Some(Wei(U256::from(300))));
        assert_eq!(s.max_work, Some(2_000_000));
        assert_eq!(s.program_price.len(), 2);
        assert_eq!(s.program_price[0].program, B256::repeat_byte(0xaa));
        assert_eq!(
            (s.program_price[0].fee_floor, s.program_price[0].max_work),
            (Some(Wei(U256::from(5))), Some(9))
        );
        assert_eq!(
            s.program_price[1].fee_per_million,
            Some(Wei(U256::from(1_000_000_000u64)))
        );
        // Unset: no price (the submitter serves everything).
        let none = flags(&[]).unwrap();
        assert!(none.fee_floor.is_none() && none.fee_per_million.is_none());
        assert!(none.max_work.is_none() && none.program_price.is_empty());
    }

    #[test]
    fn a_bad_price_flag_is_a_clear_error() {
        for (args, says) in [
            (vec!["--fee-floor", "cheap"], "bad amount of wei `cheap`"),
            (vec!["--fee-per-million=-1"], "bad amount of wei `-1`"),
            (vec!["--max-work", "lots"], "bad amount of work `lots`"),
            (
                vec!["--program-price", "0x12:fee_floor=1"],
                "bad program id",
            ),
            (vec!["--program-price", "digits"], "expected `0xPROGRAM_ID"),
        ] {
            let e = flags(&args).err().unwrap().to_string();
            assert!(e.contains(says), "{args:?}: {e}");
            let flag = args[0].split('=').next().unwrap();
            assert!(e.contains(flag), "{args:?} names the flag: {e}");
        }
    }

    #[test]
    fn the_price_reads_from_the_file_and_flags_win() {
        let file: Settings = toml::from_str(&format!(
            "fee_floor = \"2 gwei\"\nfee_per_million = 40\nmax_work = 5_000_000_000\n\
             [[program_price]]\nprogram = \"{}\"\nfee_floor = 1\n",
            id(0xcc)
        ))
        .unwrap();
        assert_eq!(file.fee_floor, Some(Wei(U256::from(2_000_000_000u64))));
        assert_eq!(file.max_work, Some(5_000_000_000));
        let p = &file.program_price[0];
        assert_eq!(
            (p.program, p.fee_floor),
            (B256::repeat_byte(0xcc), Some(Wei(U256::from(1))))
        );
        assert_eq!((p.fee_per_million, p.max_work), (None, None));
        let m = over(&flags(&["--fee-per-million", "7"]).unwrap(), &file).unwrap();
        assert_eq!(m.fee_per_million, Some(Wei(U256::from(7))));
        assert_eq!(m.fee_floor, file.fee_floor);
        assert_eq!(m.max_work, file.max_work);
        assert_eq!(m.program_price, file.program_price);
    }

    #[test]
    fn a_bad_price_in_the_file_is_a_clear_error() {
        for (text, says) in [
            ("fee_floor = \"cheap\"\n", "bad amount of wei `cheap`"),
            ("fee_floor = -5\n", "negative"),
            ("max_work = \"many\"\n", "max_work"),
            ("[[program_price]]\nprogram = \"0x12\"\n", "program"),
            (
                format!("[[program_price]]\nprogram = \"{}\"\nfloor = 1\n", id(1)).as_str(),
                "unknown field `floor`",
            ),
        ] {
            let e = toml::from_str::<Settings>(text).err().unwrap().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
        let path = std::env::temp_dir().join(format!("opml-price-{}.toml", std::process::id()));
        std::fs::write(&path, "fee_floor = \"cheap\"\n").unwrap();
        let e = Settings {
            config: Some(path.clone()),
            ..Settings::default()
        }
        .merged()
        .err()
        .unwrap()
        .to_string();
        let _ = std::fs::remove_file(&path);
        assert!(e.contains("parsing") && e.contains("cheap"), "{e}");
    }
}
