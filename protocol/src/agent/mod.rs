//! The role engine both services run: scan confirmed oracle events, serve requests, check
//! results, play every game the role is in, finalize its results and withdraw what it is owed.
//! Each pass ([`Agent::tick`]) re-reads the chain and acts only where the chain says it is the
//! role's move, so a pass can be repeated, interrupted or resumed after a restart without
//! sending anything twice; the database says what the role owes.

mod claims;
mod games;
mod scan;
mod traces;

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, B256, U256};

use crate::bindings::oracle::IOpMLOracle;
use crate::chain::{Chain, rpc};
use crate::game::Lie;
use crate::programs::ProgramStore;
use crate::store::Store;
use crate::{Error, Result};

use traces::Traces;
pub use traces::{FastPath, Run};

/// What the role does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Serves requests for its programs, defends its results.
    Submitter,
    /// Checks others' results, challenges wrong ones.
    Challenger,
}

/// Test-only dishonesty. Never set in production: an honest opponent wins every game.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lies {
    /// Post this output instead of the true one (submitter).
    pub output: Option<Vec<u8>>,
    /// Report wrong state hashes from this step on (either role); a challenger with this lie
    /// challenges every result.
    pub from_step: Option<u64>,
}

/// How the role behaves.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The role.
    pub role: Role,
    /// Steps between VM snapshots (a bisection query replays at most this many).
    pub checkpoint_interval: u64,
    /// Withdraw credited bonds and fees as they arrive.
    pub auto_withdraw: bool,
    /// Challenger: after winning, submit the correct result for the reopened request.
    pub submit_after_win: bool,
    /// Challenger: when the output matches, also check the claimed final state on the VM.
    pub check_final_state: bool,
    /// Test-only lies.
    pub lies: Lies,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            role: Role::Submitter,
            checkpoint_interval: 4096,
            auto_withdraw: true,
            submit_after_win: false,
            check_final_state: true,
            lies: Lies::default(),
        }
    }
}

/// A role bound to a chain, a program store and a database.
pub struct Agent {
    /// The chain connection.
    pub chain: Chain,
    /// The database.
    pub store: Store,
    /// The configuration.
    pub cfg: AgentConfig,
    params: IOpMLOracle::Config,
    start_block: u64,
    traces: Traces,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("chain", &self.chain)
            .field("role", &self.cfg.role)
            .finish()
    }
}

/// Blocks of history a fresh database scans back from the head.
const FRESH_LOOKBACK: u64 = 10_000;

impl Agent {
    /// Binds a role; reads the oracle's parameters. A fresh database starts scanning
    /// `FRESH_LOOKBACK` blocks back from the head.
    pub async fn new(
        chain: Chain,
        store: Store,
        programs: ProgramStore,
        fast: Arc<dyn FastPath>,
        cfg: AgentConfig,
    ) -> Result<Self> {
        let params = chain.oracle.config().call().await.map_err(rpc)?;
        let head = chain.head().await?;
        let start_block = head.saturating_sub(FRESH_LOOKBACK);
        let traces = Traces::new(programs, fast, cfg.checkpoint_interval);
        Ok(Self {
            chain,
            store,
            cfg,
            params,
            start_block,
            traces,
        })
    }

    /// The oracle's parameters.
    pub fn params(&self) -> &IOpMLOracle::Config {
        &self.params
    }

    /// The signer's address.
    pub fn me(&self) -> Address {
        self.chain.me
    }

    /// One pass: scan, act, pay out. Returns whether the role still owes anything (open
    /// requests, claims or games).
    pub async fn tick(&self) -> Result<bool> {
        self.scan().await?;
        let mut busy = false;
        busy |= self.serve_requests().await?;
        busy |= self.drive_games().await?;
        busy |= self.drive_claims().await?;
        if self.cfg.auto_withdraw {
            self.withdraw().await?;
        }
        Ok(busy)
    }

    /// Runs passes every `poll` until `stop` resolves; transport errors back off
    /// exponentially (up to a minute) and are retried, others are logged and retried at the
    /// next pass.
    pub async fn run(
        &self,
        poll: Duration,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<()> {
        tokio::pin!(stop);
        let mut backoff = poll;
        loop {
            let wait = match self.tick().await {
                Ok(_) => {
                    backoff = poll;
                    poll
                }
                Err(e) if e.is_retryable() => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "rpc failure, backing off");
                    let w = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                    w
                }
                Err(e) => {
                    tracing::error!(error = %e, "pass failed");
                    poll
                }
            };
            tokio::select! {
                _ = &mut stop => return Ok(()),
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Withdraws the role's credit, if any.
    pub async fn withdraw(&self) -> Result<U256> {
        let bal = self
            .chain
            .oracle
            .balanceOf(self.me())
            .call()
            .await
            .map_err(rpc)?;
        if bal.is_zero() {
            return Ok(bal);
        }
        self.chain
            .send("withdraw", self.chain.oracle.withdraw(self.me()))
            .await?;
        tracing::info!(amount = %bal, "withdrew bonds and fees");
        Ok(bal)
    }

    /// The lie to apply to this role's trace of a run that halts at `halt`.
    fn lie_for(&self, fake_final: Option<B256>) -> Lie {
        if let Some(n) = self.cfg.lies.from_step {
            return Lie::FromStep(n);
        }
        fake_final.map(Lie::FinalState).unwrap_or_default()
    }
}

fn u64_of(x: U256) -> Result<u64> {
    u64::try_from(x).map_err(|_| Error::Contract(format!("id {x} does not fit u64")))
}
