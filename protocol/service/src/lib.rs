#![doc = include_str!("../README.md")]

pub mod behaviour;
pub mod bounded;
pub mod chain;
mod error;
pub mod fetch;
pub mod memory;
pub mod metrics;
pub mod price;
pub mod programs;
pub mod progress;
mod sender;
mod service;
pub mod settings;
pub mod store;

pub use error::{Error, Result};
pub use service::{
    BoundaryRun, FastWork, Pass, Run, SegmentRun, Service, ServiceConfig, VmSteps, isolate,
    max_backoff, phase_depths, run_passes,
};

/// Resolves on Ctrl-C or SIGTERM: how a service command is told to stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
