#![doc = include_str!("../README.md")]

mod check;

use std::sync::Arc;

use alloy::primitives::U256;
use opml_bindings::status::REQUEST_OPEN;
use opml_service::behaviour::Honest;
use opml_service::chain::failed;
use opml_service::progress::Progress;
use opml_service::settings::Settings;
use opml_service::store::{Phase, Side};
use opml_service::{Pass, Result, Service};

/// The database file a challenger uses unless told otherwise.
pub const DEFAULT_DB: &str = "opml-challenger.redb";

/// What a challenger does beyond disputing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChallengerConfig {
    /// After winning a game, post the correct result for the reopened request.
    pub submit_after_win: bool,
}

/// The challenger: a [`Service`] that checks others' results.
#[derive(Debug)]
pub struct Challenger {
    svc: Service,
    cfg: ChallengerConfig,
}

impl Challenger {
    /// A challenger acting through `svc` (and behaving as `svc` says).
    pub fn new(svc: Service, cfg: ChallengerConfig) -> Self {
        Self { svc, cfg }
    }

    /// An honest challenger, connected as the settings say: what `opml challenger` runs.
    pub async fn connect(cfg: &Settings, progress: Arc<dyn Progress>) -> Result<Self> {
        let svc = cfg.service(DEFAULT_DB, progress, Arc::new(Honest)).await?;
        let own = ChallengerConfig {
            submit_after_win: cfg.submit_after_win,
        };
        Ok(Self::new(svc, own))
    }

    /// The service it acts through (chain, database).
    pub fn service(&self) -> &Service {
        &self.svc
    }

    /// One pass: check the new results (challenging the wrong ones) and record the new games,
    /// play the games, finalize its own results, resubmit after a win if configured, withdraw;
    /// each stage runs even when an earlier one failed ([`Pass`]). Returns whether the
    /// challenger still owes anything (an open game or result).
    pub async fn tick(&self) -> Result<bool> {
        let mut pass = Pass::default();
        pass.step(self.svc.scan_role(|from, to| self.scan_results(from, to)))
            .await;
        pass.stage(self.recheck_deferred()).await;
        pass.stage(self.svc.drive_games()).await;
        pass.stage(self.svc.drive_claims()).await;
        if self.cfg.submit_after_win {
            pass.stage(self.submit_after_wins()).await;
        }
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
            .run_role("challenger", poll, stop, || self.tick())
            .await
    }

    /// Posts the correct result for each request reopened by a game it won (once per game).
    /// Returns whether it posted any.
    async fn submit_after_wins(&self) -> Result<bool> {
        let mut busy = false;
        for g in self.svc.store.games()? {
            let key = format!("resubmitted:{}", g.game_id);
            if g.side != Side::Challenger
                || g.phase != Phase::Won
                || self.svc.store.meta(&key)? != 0
            {
                continue;
            }
            let q = self
                .svc
                .chain
                .oracle
                .request(U256::from(g.request_id))
                .call()
                .await
                .map_err(failed("reading the request"))?;
            if q.status == REQUEST_OPEN && q.resultId == 0 {
                tracing::info!(
                    request = g.request_id,
                    "submitting the correct result after winning"
                );
                self.svc
                    .post_result(g.request_id, g.program_id, &g.input)
                    .await?;
                busy = true;
            }
            self.svc.store.set_meta(&key, 1)?;
        }
        Ok(busy)
    }
}
