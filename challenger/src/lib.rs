//! The challenger role (`opml challenger`): watches every result posted for the programs in
//! its store, re-runs it on the fast path (and its final state on the VM), challenges the
//! wrong ones, plays each game to the final step proof from VM checkpoints, collects the
//! bonds it wins and, optionally, submits the correct result for the reopened request.
//!
//! The engine is `opml_protocol::agent`, shared with the submitter; this crate picks the role.

use std::sync::Arc;

use opml_executor::submitter::WasmtimeFastPath;
use opml_protocol::agent::{Agent, Role};
use opml_protocol::config::RoleConfig;

/// Builds the challenger from its settings.
pub async fn build(cfg: &RoleConfig) -> opml_protocol::Result<Agent> {
    let fast = WasmtimeFastPath::new().map_err(|e| opml_protocol::Error::Program(e.to_string()))?;
    cfg.agent(Role::Challenger, Arc::new(fast)).await
}

/// Runs the challenger until `stop` resolves.
pub async fn run(
    cfg: &RoleConfig,
    stop: impl std::future::Future<Output = ()>,
) -> opml_protocol::Result<()> {
    let agent = build(cfg).await?;
    tracing::info!(address = %agent.me(), oracle = %agent.chain.oracle.address(), "challenger started");
    agent.run(cfg.poll(), stop).await
}
