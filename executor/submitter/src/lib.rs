#![doc = include_str!("../README.md")]

mod policy;

use std::collections::HashSet;
use std::sync::Arc;

use alloy::primitives::{Address, U256};
use opml_bindings::oracle::IOpMLOracle;
use opml_bindings::status::REQUEST_OPEN;
use opml_service::behaviour::Honest;
use opml_service::chain::{failed, u64_of};
use opml_service::progress::Progress;
use opml_service::settings::Settings;
use opml_service::store::{Phase, RequestRecord, Skipped};
use opml_service::{Error, Pass, Result, Service, isolate};

pub use policy::{Policy, Price};

/// The database file a submitter uses unless told otherwise.
pub const DEFAULT_DB: &str = "opml-submitter.redb";

/// The submitter: a [`Service`] that serves requests.
#[derive(Debug)]
pub struct Submitter {
    svc: Service,
    policy: Policy,
}

impl Submitter {
    /// A submitter acting through `svc` (and behaving as `svc` says) that serves every
    /// request.
    pub fn new(svc: Service) -> Self {
        Self::with_policy(svc, Policy::serve_all())
    }

    /// A submitter that serves the requests `policy` prices high enough.
    pub fn with_policy(svc: Service, policy: Policy) -> Self {
        Self { svc, policy }
    }

    /// An honest submitter, connected and priced as the settings say: what `opml submitter`
    /// runs.
    pub async fn connect(cfg: &Settings, progress: Arc<dyn Progress>) -> Result<Self> {
        let policy = Policy::from_settings(cfg)?;
        let svc = cfg.service(DEFAULT_DB, progress, Arc::new(Honest)).await?;
        let me = Self::with_policy(svc, policy);
        me.log_policy().await?;
        Ok(me)
    }

    /// Logs the price policy, and warns of a price for a program not in the store.
    pub async fn log_policy(&self) -> Result<()> {
        if self.policy.serves_all() {
            return Ok(());
        }
        let p = self.policy.default_price();
        let overrides: Vec<_> = self.policy.overrides().collect();
        tracing::info!(
            fee_floor = %p.fee_floor,
            fee_per_million = %p.fee_per_million,
            max_work = ?p.max_work,
            programs_priced_apart = overrides.len(),
            "price policy"
        );
        for (id, _) in overrides {
            if self.svc.resolve(*id).await?.is_none() {
                tracing::warn!(program = %id, "a price for a program not in the store");
            }
        }
        Ok(())
    }

    /// The price policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The service it acts through (chain, database).
    pub fn service(&self) -> &Service {
        &self.svc
    }

    /// One pass: record the new requests and games, serve the open requests, play the games,
    /// reveal and finalize its results, withdraw; each stage runs even when an earlier one
    /// failed ([`Pass`]). Returns whether the submitter still owes anything (an open request,
    /// result or game).
    pub async fn tick(&self) -> Result<bool> {
        let mut pass = Pass::default();
        pass.step(self.svc.scan_role(|from, to| self.scan_requests(from, to)))
            .await;
        pass.stage(self.serve_requests()).await;
        pass.stage(self.svc.drive_games()).await;
        pass.stage(self.svc.drive_claims()).await;
        if self.svc.cfg.auto_withdraw {
            pass.step(self.svc.withdraw()).await;
        }
        pass.end()
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
                skipped: None,
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

    /// Posts a result for every open request the price policy accepts, up to
    /// `--concurrency` at a time ([`opml_service::bounded::each`]). Returns whether any is
    /// open and not declined.
    async fn serve_requests(&self) -> Result<bool> {
        // A request with a commitment of ours still open is left to `drive_claims` (which
        // reveals it when it may): a second commitment would put up a second bond.
        let committed: HashSet<u64> = (self.svc.store.claims()?.into_iter())
            .filter(|c| c.phase == Phase::Open)
            .map(|c| c.request_id)
            .collect();
        let open = self.svc.store.requests()?.into_iter().filter(|r| {
            // Declined before: not run again (nor read) while the decision stands.
            r.phase == Phase::Open
                && !committed.contains(&r.request_id)
                && !r
                    .skipped
                    .as_ref()
                    .is_some_and(|s| self.policy.still_skips(r.program_id, s))
        });
        opml_service::bounded::each(open, self.svc.cfg.concurrency, |r| self.serve_open(r)).await
    }

    /// Serves open request `r` if it is still open with no result and the policy accepts it;
    /// records the outcome. Returns whether it is busy (served or failed this pass).
    async fn serve_open(&self, mut r: RequestRecord) -> Result<bool> {
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
            return Ok(false);
        }
        // A transport failure ends the pass and the request is served after the back-off;
        // a revert or a program that cannot be served closes it (not retried); a request
        // the policy declines stays open, its decision recorded.
        let mut busy = false;
        match isolate(self.serve(&r, self.fee_of(&q)).await)? {
            Ok(Some(s)) => {
                log_skip(&r, &s);
                r.skipped = Some(s);
            }
            Ok(None) => {
                busy = true;
                // Served after all (a new price accepted it): no longer a declined request.
                r.skipped = None;
                r.phase = Phase::Closed;
            }
            Err(e) => {
                busy = true;
                tracing::warn!(request = r.request_id, error = %e, "cannot serve request");
                r.phase = Phase::Closed;
            }
        }
        self.svc.store.put_request(&r)?;
        Ok(busy)
    }

    /// The fee a request pays its submitter: the oracle's record of it less the callback's
    /// gas part (`callbackGasLimit · callbackGasPrice`, paid to whoever delivers the
    /// callback, for the callback's gas).
    fn fee_of(&self, q: &IOpMLOracle::Request) -> U256 {
        let callback_part = if q.callback == Address::ZERO {
            U256::ZERO
        } else {
            U256::from(q.callbackGasLimit).saturating_mul(self.svc.params().callbackGasPrice)
        };
        q.fee.saturating_sub(callback_part)
    }

    /// Serves request `r` paying `fee` if the policy accepts it: `Some` says why not.
    async fn serve(&self, r: &RequestRecord, fee: U256) -> Result<Option<Skipped>> {
        let program = r.program_id;
        if let Some(s) = self.policy.before_run(program, fee) {
            return Ok(Some(s));
        }
        let Some((prog, depth)) = self.svc.resolve(program).await? else {
            return Err(Error::Program(format!(
                "program {program} not in the store"
            )));
        };
        let price = *self.policy.price(program);
        let t0 = std::time::Instant::now();
        // The final state (a hash of the whole memory) only for a request the price accepts.
        let accepts = move |work| price.after_run(fee, work, false).is_none();
        let fast = self
            .svc
            .fast_work_if(&prog, depth, &r.input, price.max_work, accepts)
            .await?;
        let fast_secs = t0.elapsed().as_secs_f64();
        if let Some(s) = self
            .policy
            .after_run(program, fee, fast.work, fast.out_of_work)
        {
            return Ok(Some(s));
        }
        self.svc
            .post_result_with(r.request_id, program, &r.input, fast, fast_secs)
            .await?;
        Ok(None)
    }
}

/// One line per declined request, when it is declined.
fn log_skip(r: &RequestRecord, s: &Skipped) {
    let work = s
        .work
        .map_or_else(|| "not run".to_string(), |w| w.to_string());
    tracing::info!(
        request = r.request_id,
        program = %r.program_id,
        fee = %s.fee,
        price = %s.price,
        work = %work,
        reason = %s.reason.label(),
        "request skipped: the fee does not pay for it"
    );
}
