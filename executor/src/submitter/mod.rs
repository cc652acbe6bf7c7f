//! The submitter role (`opml submitter`): serves inference requests for the programs in its
//! store with the fast path, posts each result with a bond, defends it in every game from VM
//! checkpoints and collects fees and bonds. The engine is `opml_protocol::agent`, shared with
//! the challenger; this module supplies the fast path and the service loop.

mod fast;

use std::sync::Arc;

use opml_protocol::agent::{Agent, Role};
use opml_protocol::config::RoleConfig;

pub use fast::WasmtimeFastPath;

/// Builds the submitter from its settings.
pub async fn build(cfg: &RoleConfig) -> opml_protocol::Result<Agent> {
    let fast = Arc::new(
        WasmtimeFastPath::new().map_err(|e| opml_protocol::Error::Program(e.to_string()))?,
    );
    cfg.agent(Role::Submitter, fast).await
}

/// Runs the submitter until `stop` resolves.
pub async fn run(
    cfg: &RoleConfig,
    stop: impl std::future::Future<Output = ()>,
) -> opml_protocol::Result<()> {
    let agent = build(cfg).await?;
    tracing::info!(address = %agent.me(), oracle = %agent.chain.oracle.address(), "submitter started");
    agent.run(cfg.poll(), stop).await
}
