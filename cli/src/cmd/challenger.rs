//! `opml challenger`: check every result, challenge the wrong ones, play to the step proof.

use super::submitter::{RoleArgs, shutdown};

/// `opml challenger`.
pub(crate) fn run(args: RoleArgs) -> anyhow::Result<()> {
    let cfg = args.config()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(opml_challenger::run(&cfg, shutdown()))?;
    Ok(())
}
