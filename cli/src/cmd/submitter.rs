//! `opml submitter`: serve requests, post results with a bond, defend them, collect fees and
//! bonds. Settings (`opml_service::settings`): flags > environment > TOML file.

use std::sync::Arc;

use opml_service::settings::Settings;
use opml_submitter::Submitter;

use crate::progress::Shown;

/// `opml submitter`: always honest (no flag changes that).
pub(crate) fn run(settings: Settings) -> anyhow::Result<()> {
    let cfg = settings.merged()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let submitter = Submitter::connect(&cfg, Arc::new(Shown)).await?;
        opml_service::metrics::serve_configured(&cfg, submitter.service()).await?;
        submitter
            .run(cfg.poll(), opml_service::shutdown_signal())
            .await?;
        anyhow::Ok(())
    })?;
    Ok(())
}
