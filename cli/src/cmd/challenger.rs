//! `opml challenger`: check every result, challenge the wrong ones, play to the step proof.

use std::sync::Arc;

use opml_challenger::Challenger;

use super::submitter::{RoleArgs, shutdown};
use crate::progress::Shown;

/// `opml challenger`.
pub(crate) fn run(args: RoleArgs) -> anyhow::Result<()> {
    let cfg = args.config()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let challenger = Challenger::connect(&cfg, Arc::new(Shown)).await?;
        challenger.run(cfg.poll(), shutdown()).await
    })?;
    Ok(())
}
