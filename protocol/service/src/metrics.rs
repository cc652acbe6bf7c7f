//! What a role reports to its operator: Prometheus counters and gauges (the `prometheus`
//! crate keeps the registry and writes the text format), served with `/healthz` by [`serve`]
//! (`opml submitter --metrics ADDR`, `opml challenger --metrics ADDR`). Counts of requests,
//! results and games follow the role's database after every pass, so they survive a restart;
//! clocks, balances, errors and replay progress are set as they are read. Every name is
//! prefixed `opml_` and listed in `docs/roles.md`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy::primitives::U256;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus::{
    Counter, Encoder, Gauge, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::progress::Progress;
use crate::store::{Phase, Side, SkipReason, Store};
use crate::{Error, Result};

/// A role's metrics, in their own registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Requests for a program in the store, seen (submitter).
    pub requests_seen: IntCounter,
    /// Requests the submitter's price policy declined, by `reason` (`below_floor`,
    /// `below_price`, `work_bound`).
    pub requests_skipped: IntCounterVec,
    /// The role's results that finalized: requests served, fee and bond earned.
    pub requests_served: IntCounter,
    /// Results the role committed to with a bond.
    pub results_posted: IntCounter,
    /// The role's results rejected by a game, or forfeited.
    pub results_lost: IntCounter,
    /// Games the role opened (challenger).
    pub challenges_opened: IntCounter,
    /// Games the role plays that are undecided.
    pub games_active: IntGauge,
    /// Games won.
    pub games_won: IntCounter,
    /// Games lost.
    pub games_lost: IntCounter,
    /// Moves sent, by kind (`challenge`, `bisect`, `prove`, `timeout`).
    pub moves_sent: IntCounterVec,
    /// Seconds left on each clock of each open game, by `game` and `side` (`mine`, `theirs`).
    pub game_clock_seconds: IntGaugeVec,
    /// Wei credited to the role in the oracle, withdrawable now.
    pub balance_wei: Gauge,
    /// Wei withdrawn from the oracle.
    pub withdrawn_wei: Counter,
    /// Passes ended by a transport failure (each is retried after a back-off).
    pub rpc_errors: IntCounter,
    /// Reorgs deeper than `--confirmations` noticed (a block the role acted on was replaced).
    pub deep_reorgs: IntCounter,
    /// Passes that failed otherwise, by cause.
    pub failed_passes: IntCounterVec,
    /// Passes completed.
    pub passes: IntCounter,
    /// Unix time of the last completed pass.
    pub last_pass: IntGauge,
    /// VM replays started.
    pub replays: IntCounter,
    /// Steps done by the VM replay in progress (0 when none).
    pub replay_steps: IntGauge,
    last_ok: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers `m` in `r`. Names are constants of this file: registering cannot fail.
fn reg<M: prometheus::core::Collector + Clone + 'static>(r: &Registry, m: M) -> M {
    r.register(Box::new(m.clone()))
        .expect("a metric name registered once");
    m
}

fn counter(r: &Registry, name: &str, help: &str) -> IntCounter {
    reg(r, IntCounter::new(name, help).expect("a valid metric name"))
}

fn gauge(r: &Registry, name: &str, help: &str) -> IntGauge {
    reg(r, IntGauge::new(name, help).expect("a valid metric name"))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Moves `c` up to `n` (a count read from the database; a counter never goes down).
fn catch_up(c: &IntCounter, n: u64) {
    let now = c.get();
    if n > now {
        c.inc_by(n - now);
    }
}

impl Metrics {
    /// Fresh metrics, all zero.
    pub fn new() -> Self {
        let r = Registry::new();
        let moves_sent = reg(
            &r,
            IntCounterVec::new(
                Opts::new("opml_moves_sent_total", "Game moves sent, by kind."),
                &["kind"],
            )
            .expect("a valid metric"),
        );
        let game_clock_seconds = reg(
            &r,
            IntGaugeVec::new(
                Opts::new(
                    "opml_game_clock_seconds",
                    "Seconds left on a clock of an open game (side: mine or theirs).",
                ),
                &["game", "side"],
            )
            .expect("a valid metric"),
        );
        let requests_skipped = reg(
            &r,
            IntCounterVec::new(
                Opts::new(
                    "opml_requests_skipped_total",
                    "Requests declined by the submitter's price policy, by reason.",
                ),
                &["reason"],
            )
            .expect("a valid metric"),
        );
        for reason in SkipReason::ALL {
            requests_skipped.with_label_values(&[reason.label()]);
        }
        let failed_passes = reg(
            &r,
            IntCounterVec::new(
                Opts::new(
                    "opml_failed_passes_total",
                    "Passes that failed other than on the transport, by cause.",
                ),
                &["cause"],
            )
            .expect("a valid metric"),
        );
        Self {
            requests_seen: counter(
                &r,
                "opml_requests_seen_total",
                "Requests seen for programs in the store.",
            ),
            requests_skipped,
            requests_served: counter(
                &r,
                "opml_requests_served_total",
                "Own results finalized: requests served.",
            ),
            results_posted: counter(
                &r,
                "opml_results_posted_total",
                "Results committed with a bond.",
            ),
            results_lost: counter(
                &r,
                "opml_results_lost_total",
                "Own results rejected by a game, or commitments forfeited.",
            ),
            challenges_opened: counter(
                &r,
                "opml_challenges_opened_total",
                "Games opened by this role.",
            ),
            games_active: gauge(
                &r,
                "opml_games_active",
                "Games this role plays that are undecided.",
            ),
            games_won: counter(&r, "opml_games_won_total", "Games won."),
            games_lost: counter(&r, "opml_games_lost_total", "Games lost."),
            moves_sent,
            game_clock_seconds,
            balance_wei: reg(
                &r,
                Gauge::new(
                    "opml_balance_wei",
                    "Wei credited in the oracle, withdrawable now.",
                )
                .expect("a valid metric name"),
            ),
            withdrawn_wei: reg(
                &r,
                Counter::new("opml_withdrawn_wei_total", "Wei withdrawn from the oracle.")
                    .expect("a valid metric name"),
            ),
            rpc_errors: counter(
                &r,
                "opml_rpc_errors_total",
                "Passes ended by an RPC transport failure (each retried after a back-off).",
            ),
            deep_reorgs: counter(
                &r,
                "opml_deep_reorgs_total",
                "Reorgs deeper than --confirmations noticed by the role.",
            ),
            failed_passes,
            passes: counter(&r, "opml_passes_total", "Passes over the chain completed."),
            last_pass: gauge(
                &r,
                "opml_last_pass_timestamp_seconds",
                "Unix time of the last completed pass.",
            ),
            replays: counter(&r, "opml_replays_total", "VM replays started."),
            replay_steps: gauge(
                &r,
                "opml_replay_steps",
                "Steps done by the VM replay in progress (0: none).",
            ),
            last_ok: AtomicU64::new(0),
            registry: r,
        }
    }

    /// The Prometheus text of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Writing to a Vec does not fail; the encoder only refuses malformed metric families,
        // and every family here is built from constant names.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Records the outcome of one pass.
    pub fn observe_pass<T>(&self, r: &Result<T>) {
        match r {
            Ok(_) => {
                let now = unix_now();
                self.passes.inc();
                self.last_pass.set(i64::try_from(now).unwrap_or(i64::MAX));
                self.last_ok.store(now, Ordering::Relaxed);
            }
            Err(e) if e.retryable() => self.rpc_errors.inc(),
            Err(e) => self.failed_passes.with_label_values(&[cause(e)]).inc(),
        }
    }

    /// Brings the counts of requests, results, games and moves up to the database's.
    pub fn observe_store(&self, store: &Store) -> Result<()> {
        let requests = store.requests()?;
        catch_up(&self.requests_seen, requests.len() as u64);
        for reason in SkipReason::ALL {
            let n = requests
                .iter()
                .filter(|r| r.skipped.as_ref().is_some_and(|s| s.reason == reason))
                .count();
            catch_up(
                &self.requests_skipped.with_label_values(&[reason.label()]),
                n as u64,
            );
        }
        let claims = store.claims()?;
        catch_up(&self.results_posted, claims.len() as u64);
        let count = |p: Phase| claims.iter().filter(|c| c.phase == p).count() as u64;
        catch_up(&self.requests_served, count(Phase::Won));
        catch_up(&self.results_lost, count(Phase::Lost));
        let games = store.games()?;
        let count = |p: Phase| games.iter().filter(|g| g.phase == p).count() as u64;
        self.games_active
            .set(i64::try_from(count(Phase::Open)).unwrap_or(i64::MAX));
        catch_up(&self.games_won, count(Phase::Won));
        catch_up(&self.games_lost, count(Phase::Lost));
        let opened = games.iter().filter(|g| g.side == Side::Challenger).count();
        catch_up(&self.challenges_opened, opened as u64);
        let mut moves: BTreeMap<&str, u64> = BTreeMap::new();
        for g in &games {
            for m in &g.moves {
                *moves.entry(m.kind.as_str()).or_default() += 1;
            }
            if g.phase != Phase::Open {
                self.clear_clocks(g.game_id);
            }
        }
        for (kind, n) in moves {
            catch_up(&self.moves_sent.with_label_values(&[kind]), n);
        }
        Ok(())
    }

    /// Sets the clocks of open game `game`.
    pub fn set_clocks(&self, game: u64, mine: U256, theirs: U256) {
        for (side, left) in [("mine", mine), ("theirs", theirs)] {
            self.game_clock_seconds
                .with_label_values(&[&game.to_string(), side])
                .set(i64::try_from(left).unwrap_or(i64::MAX));
        }
    }

    /// Drops the clocks of a game no longer open.
    fn clear_clocks(&self, game: u64) {
        for side in ["mine", "theirs"] {
            let _ = self
                .game_clock_seconds
                .remove_label_values(&[&game.to_string(), side]);
        }
    }

    /// Sets the withdrawable balance.
    pub fn set_balance(&self, wei: U256) {
        self.balance_wei.set(f64::from(wei));
    }

    /// Counts a withdrawal.
    pub fn add_withdrawn(&self, wei: U256) {
        self.withdrawn_wei.inc_by(f64::from(wei));
    }

    /// Whether a pass completed within `max_age`, or a VM replay (which runs inside a pass,
    /// for as long as the program takes) is making progress.
    pub fn healthy(&self, max_age: Duration) -> bool {
        let last = self.last_ok.load(Ordering::Relaxed);
        (last != 0 && unix_now().saturating_sub(last) <= max_age.as_secs())
            || self.replay_steps.get() > 0
    }
}

/// The `cause` label of a failed pass.
fn cause(e: &Error) -> &'static str {
    match e {
        Error::Transport { .. } | Error::Receipt { .. } | Error::NotConfirmed { .. } => "transport",
        Error::Reverted { .. } | Error::RevertedRaw { .. } | Error::Failed { .. } => "revert",
        Error::Unexpected { .. } => "unexpected",
        Error::Engine(_) => "engine",
        Error::Game(_) => "game",
        Error::Program(_) => "program",
        Error::Task(_) => "task",
        Error::Db(_) | Error::Record(_) => "database",
        Error::Config(_) => "config",
    }
}

/// A [`Progress`] that also counts replays and their steps into the metrics.
pub(crate) struct Counted {
    pub(crate) inner: Arc<dyn Progress>,
    pub(crate) metrics: Arc<Metrics>,
}

impl Progress for Counted {
    fn start(&self, what: &str, total: Option<u64>) -> Box<dyn FnMut(u64) + Send> {
        let mut inner = self.inner.start(what, total);
        self.metrics.replays.inc();
        let ends = ReplayEnds(Arc::clone(&self.metrics));
        Box::new(move |n| {
            ends.0
                .replay_steps
                .set(i64::try_from(n).unwrap_or(i64::MAX));
            inner(n)
        })
    }
}

/// Owned by a replay's report: the replay gauge goes back to 0 when the report ends.
struct ReplayEnds(Arc<Metrics>);

impl Drop for ReplayEnds {
    fn drop(&mut self) {
        self.0.replay_steps.set(0);
    }
}

/// Serves `/metrics` (Prometheus text) and `/healthz` (200 `ok` while [`Metrics::healthy`],
/// else 503) on `listener` until `stop` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    max_age: Duration,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route(
            "/metrics",
            get(|State(m): State<Arc<Metrics>>| async move {
                (
                    [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
                    m.render(),
                )
            }),
        )
        .route(
            "/healthz",
            get(move |State(m): State<Arc<Metrics>>| async move {
                if m.healthy(max_age) {
                    (StatusCode::OK, "ok\n").into_response()
                } else {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "no pass completed recently\n",
                    )
                        .into_response()
                }
            }),
        )
        .with_state(metrics);
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}

/// Serves `svc`'s metrics on `--metrics` (`settings.metrics`), when set, in the background
/// until the process ends. It binds first, so a taken port is an error at start. `/healthz`
/// turns unhealthy once no pass completed for five poll intervals (at least 90 s: the back-off
/// after transport failures reaches a minute).
pub async fn serve_configured(
    settings: &crate::settings::Settings,
    svc: &crate::Service,
) -> Result<Option<std::net::SocketAddr>> {
    let Some(addr) = settings.metrics else {
        return Ok(None);
    };
    let bind_error = |e: std::io::Error| Error::Config(format!("--metrics {addr}: {e}"));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_error)?;
    let bound = listener.local_addr().map_err(bind_error)?;
    tracing::info!(addr = %bound, "serving /metrics and /healthz");
    let max_age = (settings.poll() * 5).max(Duration::from_secs(90));
    let metrics = Arc::clone(svc.metrics());
    tokio::spawn(async move {
        if let Err(e) = serve(listener, metrics, max_age, std::future::pending()).await {
            tracing::error!(error = %e, "metrics server stopped");
        }
    });
    Ok(Some(bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_metric_and_its_value() {
        let m = Metrics::new();
        m.requests_seen.inc();
        m.set_clocks(3, U256::from(42), U256::from(7));
        m.set_balance(U256::from(5u64));
        let t = m.render();
        assert!(t.contains("opml_requests_seen_total 1"), "{t}");
        assert!(
            t.contains("opml_game_clock_seconds{game=\"3\",side=\"mine\"} 42"),
            "{t}"
        );
        assert!(t.contains("opml_balance_wei 5"), "{t}");
        assert!(t.contains("# HELP opml_results_posted_total"), "{t}");
        // Each skip reason is there from the start, at 0.
        assert!(
            t.contains("opml_requests_skipped_total{reason=\"work_bound\"} 0"),
            "{t}"
        );
    }

    #[test]
    fn health_follows_the_last_good_pass() {
        let m = Metrics::new();
        assert!(!m.healthy(Duration::from_secs(60)));
        m.observe_pass(&Ok::<_, Error>(()));
        assert!(m.healthy(Duration::from_secs(60)));
        m.observe_pass(&Err::<(), _>(Error::Config("bad".into())));
        assert_eq!(m.failed_passes.with_label_values(&["config"]).get(), 1);
        assert_eq!(m.rpc_errors.get(), 0);
    }

    #[test]
    fn counters_follow_the_database_and_never_go_down() {
        let m = Metrics::new();
        catch_up(&m.games_won, 2);
        catch_up(&m.games_won, 1);
        assert_eq!(m.games_won.get(), 2);
    }
}
