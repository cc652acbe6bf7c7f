//! `opml challenger`: check every result, challenge the wrong ones, play to the step proof.

use std::sync::Arc;

use opml_challenger::Challenger;
use opml_service::settings::Settings;

use crate::progress::Shown;

/// `opml challenger`: always honest (no flag changes that).
pub(crate) fn run(settings: Settings) -> anyhow::Result<()> {
    let cfg = settings.merged()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let challenger = Challenger::connect(&cfg, Arc::new(Shown)).await?;
        opml_service::metrics::serve_configured(&cfg, challenger.service()).await?;
        challenger
            .run(cfg.poll(), opml_service::shutdown_signal())
            .await?;
        anyhow::Ok(())
    })?;
    Ok(())
}
