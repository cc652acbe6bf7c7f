//! `--metrics ADDR` of `opml submitter` and `opml challenger`: the role's metrics served in
//! the background while it runs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use opml_service::Service;
use opml_service::settings::Settings;

/// Serves `/metrics` and `/healthz` on `--metrics`, when set, until the process ends.
pub(crate) async fn serve(cfg: &Settings, svc: &Service) -> anyhow::Result<()> {
    let Some(addr) = cfg.metrics else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("--metrics {addr}"))?;
    tracing::info!(addr = %listener.local_addr()?, "serving /metrics and /healthz");
    // Unhealthy once no pass has completed for a while: the back-off after transport
    // failures reaches a minute.
    let max_age = (cfg.poll() * 5).max(Duration::from_secs(90));
    let metrics = Arc::clone(svc.metrics());
    tokio::spawn(async move {
        let stop = std::future::pending();
        if let Err(e) = opml_service::metrics::serve(listener, metrics, max_age, stop).await {
            tracing::error!(error = %e, "metrics server stopped");
        }
    });
    Ok(())
}
