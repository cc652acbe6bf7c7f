//! Foundry's `cast` as a child process: the whole tool belt of an integrator who writes no
//! Rust. The endpoint goes in `ETH_RPC_URL`, as in `docs/integrate.md`, so the commands a
//! test runs are the ones the doc shows. Every call is bounded: a `cast receipt` for a
//! transaction that a reorg dropped, for one, waits forever.

use std::path::PathBuf;
use std::process::Command;

use crate::{root, run_bounded};

/// Seconds any one `cast` call may take.
const TIMEOUT: u64 = 60;

/// `cast` against one endpoint.
#[derive(Debug)]
pub struct Cast {
    bin: PathBuf,
    rpc: String,
}

impl Cast {
    /// `$OPML_CAST`, else `.tools/bin/cast`; `None` (the test skips) when missing outside CI.
    pub fn new(rpc: &str) -> Option<Cast> {
        let bin = std::env::var("OPML_CAST")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root().join(".tools/bin/cast"));
        if !bin.is_file() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "cast missing under CI: run scripts/bootstrap.sh"
            );
            eprintln!("skipping: {} not found", bin.display());
            return None;
        }
        Some(Cast {
            bin,
            rpc: rpc.to_owned(),
        })
    }

    /// `cast ARGS`: stdout, trimmed. Panics on a non-zero exit or after the timeout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = run_bounded(
            Command::new(&self.bin)
                .args(args)
                .env("ETH_RPC_URL", &self.rpc)
                .current_dir(root()),
            TIMEOUT,
        );
        String::from_utf8(out.stdout)
            .expect("cast prints UTF-8")
            .trim()
            .to_owned()
    }

    /// `cast ARGS` whose output (`--json`) is JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let text = self.run(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("cast {args:?}: {e}: {text}"))
    }
}
