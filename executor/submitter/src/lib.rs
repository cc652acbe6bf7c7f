#![doc = include_str!("../README.md")]

use std::sync::Arc;

use alloy::primitives::U256;
use opml_bindings::status::REQUEST_OPEN;
use opml_service::behaviour::Honest;
use opml_service::chain::{failed, u64_of};
use opml_service::progress::Progress;
use opml_service::settings::Settings;
use opml_service::store::{Phase, RequestRecord};
use opml_service::{Result, Service, isolate};

/// The database file a submitter uses unless told otherwise.
pub const DEFAULT_DB: &str = "opml-submitter.redb";

/// The submitter: a [`Service`] that serves requests.
#[derive(Debug)]
pub struct Submitter {
    svc: Service,
}

impl Submitter {
    /// A submitter acting through `svc` (and behaving as `svc` says).
    pub fn new(svc: Service) -> Self {
        Self { svc }
    }

    /// An honest submitter, connected as the settings say: what `opml submitter` runs.
    pub async fn connect(cfg: &Settings, progress: Arc<dyn Progress>) -> Result<Self> {
        let svc = cfg.service(DEFAULT_DB, progress, Arc::new(Honest)).await?;
        Ok(Self::new(svc))
    }

    /// The service it acts through (chain, database).
    pub fn service(&self) -> &Service {
        &self.svc
    }

    /// One pass: record the new requests and games, serve the open requests, play the games,
    /// finalize the results whose window passed, withdraw. Returns whether the submitter still
    /// owes anything (an open request, result or game).
    pub async fn tick(&self) -> Result<bool> {
        self.svc
            .scan_role(|from, to| self.scan_requests(from, to))
            .await?;
        let mut busy = self.serve_requests().await?;
        busy |= self.svc.drive_games().await?;
        busy |= self.svc.drive_claims().await?;
        if self.svc.cfg.auto_withdraw {
            self.svc.withdraw().await?;
        }
        Ok(busy)
    }

    /// Runs passes every `poll` until `stop` resolves.
    pub async fn run(
        &self,
        poll: std::time::Duration,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<()> {
        self.svc
            .run_role("submitter", poll, stop, || self.tick())
            .await
    }

    /// Records the requests made in blocks `from..=to` for programs in the store.
    async fn scan_requests(&self, from: u64, to: u64) -> Result<()> {
        for (ev, log) in self
            .svc
            .chain
            .oracle
            .InferenceRequested_filter()
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .map_err(failed("reading InferenceRequested events"))?
        {
            let id = u64_of(ev.requestId)?;
            if self.svc.store.request(id)?.is_some() {
                continue;
            }
            if self.svc.resolve(ev.programId).await?.is_none() {
                tracing::debug!(request = id, program = %ev.programId, "request for a program not in the store");
                continue;
            }
            tracing::info!(request = id, program = %ev.programId, "request seen");
            let block = log.block_number.unwrap_or(to);
            self.svc.store.put_request(&RequestRecord {
                request_id: id,
                program_id: ev.programId,
                input: ev.input,
                block,
                phase: Phase::Open,
            })?;
        }
        // A rejected result reopens its request: serve it again, unless the result was this
        // submitter's own (the oracle bars it from the request).
        for (ev, _) in self
            .svc
            .chain
            .oracle
            .ResultRejected_filter()
            .from_block(from)
            .to_block(to)
            .query()
            .await
            .map_err(failed("reading ResultRejected events"))?
        {
            if self.svc.store.claim(u64_of(ev.resultId)?)?.is_none() {
                self.svc.reopen_request(u64_of(ev.requestId)?)?;
            }
        }
        Ok(())
    }

    /// Posts a result for every open request. Returns whether any is open.
    async fn serve_requests(&self) -> Result<bool> {
        let mut busy = false;
        for mut r in self.svc.store.requests()? {
            if r.phase != Phase::Open {
                continue;
            }
            let q = self
                .svc
                .chain
                .oracle
                .request(U256::from(r.request_id))
                .call()
                .await
                .map_err(failed("reading the request"))?;
            if q.status != REQUEST_OPEN || q.resultId != 0 {
                r.phase = Phase::Closed;
                self.svc.store.put_request(&r)?;
                continue;
            }
            busy = true;
            // A transport failure ends the pass and the request is served after the back-off;
            // a revert or a program that cannot be served closes it (not retried).
            let posted = isolate(
                self.svc
                    .post_result(r.request_id, r.program_id, &r.input)
                    .await,
            )?;
            if let Err(e) = posted {
                tracing::warn!(request = r.request_id, error = %e, "cannot serve request");
            }
            r.phase = Phase::Closed;
            self.svc.store.put_request(&r)?;
        }
        Ok(busy)
    }
}
