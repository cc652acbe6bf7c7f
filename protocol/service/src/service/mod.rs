//! The service both roles run on. Each pass re-reads the chain and acts only where the chain
//! says it is the role's move, so a pass can be repeated, interrupted or resumed after a
//! restart without sending anything twice; the database says what the role owes. The roles
//! (`opml-submitter`, `opml-challenger`) decide what to look for and what to post; this
//! module holds what both do the same way: scanning confirmed blocks, posting a result,
//! playing a game, finalizing, withdrawing.

mod adopt;
mod claims;
mod compiled;
mod games;
mod phases;
mod scan;
mod segments;
mod traces;

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, B256, U256};
use opml_bindings::oracle::IOpMLOracle;

use crate::Result;
use crate::behaviour::Behaviour;
use crate::chain::{Chain, failed};
use crate::metrics::{Counted, Metrics};
use crate::programs::{ProgramStore, StoredProgram};
use crate::progress::Progress;
use crate::store::Store;

pub use segments::{BoundaryRun, SegmentRun, phase_depths};
pub use traces::{FastWork, Run, VmSteps};

#[cfg(test)]
mod tests;
use traces::Traces;

/// How the service behaves.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Steps between VM snapshots (a bisection query replays at most this many), doubled as
    /// often as a long run over a large memory needs to keep its snapshots within
    /// `opml_vm::SNAPSHOT_BUDGET`.
    pub checkpoint_interval: u64,
    /// Withdraw credited bonds and fees as they arrive.
    pub auto_withdraw: bool,
    /// Fetch a registered program the role does not hold from its metadata URI (checked
    /// against the registered id).
    pub fetch_programs: bool,
    /// Items of a pass (requests, results, games, claims) handled at once
    /// ([`crate::bounded::each`]).
    pub concurrency: usize,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            checkpoint_interval: 4096,
            auto_withdraw: true,
            fetch_programs: false,
            concurrency: crate::bounded::DEFAULT_CONCURRENCY,
        }
    }
}

/// A role's connection to the chain, its program store and its database.
pub struct Service {
    /// The chain connection.
    pub chain: Chain,
    /// The database.
    pub store: Store,
    /// The configuration.
    pub cfg: ServiceConfig,
    params: IOpMLOracle::Config,
    start_block: u64,
    traces: Traces,
    behaviour: Arc<dyn Behaviour>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("chain", &self.chain)
            .field("behaviour", &self.behaviour)
            .finish_non_exhaustive()
    }
}

/// Blocks of history a fresh database scans back from the head.
const FRESH_LOOKBACK: u64 = 10_000;

impl Service {
    /// Binds a role; reads the oracle's parameters. A fresh database starts scanning
    /// `FRESH_LOOKBACK` blocks back from the head.
    pub async fn new(
        chain: Chain,
        store: Store,
        programs: ProgramStore,
        cfg: ServiceConfig,
        progress: Arc<dyn Progress>,
        behaviour: Arc<dyn Behaviour>,
    ) -> Result<Self> {
        // A role (re)started while the node is down or failing waits for it, as a pass does,
        // rather than exit: a supervisor restarting it would only meet the same node.
        let (params, head) = startup_reads(&chain).await?;
        let start_block = head.saturating_sub(FRESH_LOOKBACK);
        let metrics = Arc::new(Metrics::new());
        let progress = Arc::new(Counted {
            inner: progress,
            metrics: Arc::clone(&metrics),
        });
        let traces = Traces::new(
            programs,
            cfg.fetch_programs,
            cfg.checkpoint_interval,
            progress,
        )?;
        Ok(Self {
            chain,
            store,
            cfg,
            params,
            start_block,
            traces,
            behaviour,
            metrics,
        })
    }

    /// The oracle's parameters.
    pub fn params(&self) -> &IOpMLOracle::Config {
        &self.params
    }

    /// How the role behaves ([`crate::behaviour::Honest`] in every service command).
    pub fn behaviour(&self) -> &dyn Behaviour {
        &*self.behaviour
    }

    /// The role's metrics (served by [`crate::metrics::serve`] when the operator asks).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The first block the role reads events from.
    pub fn start_block(&self) -> u64 {
        self.start_block
    }

    /// The signer's address.
    pub fn me(&self) -> Address {
        self.chain.me
    }

    /// The stored program registered as `program_id`, with its trace depth; `None` if the
    /// role does not have it.
    pub async fn resolve(&self, program_id: B256) -> Result<Option<(Arc<StoredProgram>, u8)>> {
        self.traces.resolve(&self.chain, program_id).await
    }

    /// The fast path's output of `prog` on `input`, `None` when it does not halt within
    /// `2^depth` steps.
    pub async fn fast_output(
        &self,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        Ok(self
            .traces
            .fast_work(prog, depth, input, None, |_| false)
            .await?
            .output)
    }

    /// The fast path's run of `prog` on `input` with at most `max_work` fuel (never more than
    /// the program's own bound): its output and the work it took, for a price, and its final
    /// state when the fast path can vouch for it (no VM).
    pub async fn fast_work(
        &self,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
        max_work: Option<u64>,
    ) -> Result<FastWork> {
        self.traces
            .fast_work(prog, depth, input, max_work, |_| true)
            .await
    }

    /// [`Service::fast_work`], the final state computed only if `wanted(work)` says so once
    /// the program halted with `work` fuel used: hashing it reads the whole memory, wasted on
    /// a request a price policy then declines.
    pub async fn fast_work_if(
        &self,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
        max_work: Option<u64>,
        wanted: impl FnOnce(u64) -> bool + Send + 'static,
    ) -> Result<FastWork> {
        self.traces
            .fast_work(prog, depth, input, max_work, wanted)
            .await
    }

    /// The VM run of `prog` on `input`, checkpointed (recorded once, then shared by every
    /// game on the same request).
    pub async fn replay(
        &self,
        program_id: B256,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
    ) -> Result<Arc<Run>> {
        self.traces.run(program_id, prog, depth, input).await
    }

    /// The boundary hashes of `prog` on `input` (a two-phase program), from the fast path
    /// (computed once, then shared by every game on the same request).
    pub async fn boundaries(
        &self,
        program_id: B256,
        prog: &Arc<StoredProgram>,
        depth: u8,
        input: &[u8],
    ) -> Result<Arc<BoundaryRun>> {
        self.traces.boundaries(program_id, prog, depth, input).await
    }

    /// VM steps this role replayed so far: `(whole runs, two-phase segments)`.
    pub fn vm_steps_replayed(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let v = &self.traces.vm_steps;
        (v.runs.load(Relaxed), v.segments.load(Relaxed))
    }

    /// Hands each confirmed block range past the cursor to `own` (the events the role looks
    /// for), then records the games opened in it ([`Service::scan_games`]).
    pub async fn scan_role<F, Fut>(&self, mut own: F) -> Result<()>
    where
        F: FnMut(u64, u64) -> Fut,
        Fut: std::future::Future<Output = Result<()>>,
    {
        self.scan(|from, to| {
            let mine = own(from, to);
            async move {
                mine.await?;
                self.scan_games(from, to).await
            }
        })
        .await
    }

    /// Logs that the `role` started, then runs `pass` every `poll` until `stop` resolves
    /// ([`run_passes`]).
    pub async fn run_role<F, Fut>(
        &self,
        role: &str,
        poll: Duration,
        stop: impl std::future::Future<Output = ()>,
        pass: F,
    ) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<bool>>,
    {
        tracing::info!(address = %self.me(), oracle = %self.chain.oracle.address(), "{role} started");
        let mut pass = pass;
        let p = &self.params;
        let max_backoff = max_backoff(p.revealWindow, p.challengeWindow, p.clock);
        run_passes(poll, max_backoff, stop, || {
            let this = pass();
            async move {
                // What the chain says is only read once the role's own transactions are in.
                let r = match self.chain.await_in_flight().await {
                    Ok(()) => this.await,
                    Err(e) => Err(e),
                };
                self.observe(&r).await;
                r
            }
        })
        .await
    }

    /// Records a pass's outcome, the database's counts and the balance in the metrics.
    async fn observe(&self, r: &Result<bool>) {
        self.metrics.observe_pass(r);
        if let Err(e) = self.metrics.observe_store(&self.store) {
            tracing::warn!(error = %e, "metrics: cannot read the database");
        }
        if !self.cfg.auto_withdraw {
            // With auto-withdraw, `withdraw` reads the balance on every pass.
            match self.chain.oracle.balanceOf(self.me()).call().await {
                Ok(bal) => self.metrics.set_balance(bal),
                Err(e) => tracing::debug!(error = %e, "metrics: cannot read the balance"),
            }
        }
    }

    /// Withdraws the role's credit, if any.
    pub async fn withdraw(&self) -> Result<U256> {
        let bal = self
            .chain
            .oracle
            .balanceOf(self.me())
            .call()
            .await
            .map_err(failed("reading the balance"))?;
        self.metrics.set_balance(bal);
        if bal.is_zero() {
            return Ok(bal);
        }
        self.chain
            .send("withdraw", self.chain.oracle.withdraw(self.me()))
            .await?;
        self.metrics.add_withdrawn(bal);
        self.metrics.set_balance(U256::ZERO);
        tracing::info!(amount = %bal, "withdrew bonds and fees");
        Ok(bal)
    }
}

/// Times the start-up reads are tried when the node fails (a back-off from 250 ms doubling up
/// to 8 s: about two minutes in all) before the role gives up with the error.
const STARTUP_TRIES: u32 = 20;

/// The oracle's parameters and the head, read at start-up; a retryable failure (the transport)
/// is tried again after a back-off, any other is returned at once.
async fn startup_reads(chain: &Chain) -> Result<(IOpMLOracle::Config, u64)> {
    let mut wait = Duration::from_millis(250);
    let mut tries = 0;
    loop {
        let read = async {
            let params = chain
                .oracle
                .config()
                .call()
                .await
                .map_err(failed("reading the oracle config"))?;
            Ok::<_, crate::Error>((params, chain.head().await?))
        };
        match read.await {
            Err(e) if e.retryable() && tries + 1 < STARTUP_TRIES => {
                tries += 1;
                tracing::warn!(error = %e, retry_in = ?wait, "the node failed at start-up; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(8));
            }
            r => return r,
        }
    }
}

/// One item's outcome within a pass (serving a request, checking a result, a move, a
/// finalization). A retryable failure (the transport) comes back as `Err`: it ends the pass,
/// which [`run_passes`] runs again after a back-off. Any other failure (a revert, the
/// program, the trace) is the item's own: it comes back as `Ok(Err(e))` for the caller to log
/// and settle, and the pass goes on with the other items.
pub fn isolate<T>(outcome: Result<T>) -> Result<Result<T>> {
    match outcome {
        Err(e) if e.retryable() => Err(e),
        other => Ok(other),
    }
}

/// A pass run stage by stage (scan, serve, play, settle, withdraw): every stage runs even when
/// an earlier one failed, and the first failure is the pass's, once all ran ([`Pass::end`]),
/// so the pass still backs off as before. A stage's failure does not keep the others from
/// their deadlines: a pass that ended at its scan's first transport failure never reached the
/// reveals behind it while the node kept failing, and honest bonds were forfeited
/// (`docs/roles.md`, Faults). The stages read the chain themselves; none takes another's
/// output but the scan's records, and a failed scan leaves those as they were.
#[derive(Debug, Default)]
pub struct Pass {
    busy: bool,
    failure: Option<crate::Error>,
}

impl Pass {
    /// Runs a stage that says whether it still owes anything.
    pub async fn stage(&mut self, stage: impl std::future::Future<Output = Result<bool>>) {
        match stage.await {
            Ok(busy) => self.busy |= busy,
            Err(e) => {
                self.failure.get_or_insert(e);
            }
        }
    }

    /// Runs a stage that owes nothing once done.
    pub async fn step<T>(&mut self, stage: impl std::future::Future<Output = Result<T>>) {
        self.stage(async { stage.await.map(|_| false) }).await;
    }

    /// Whether anything is still owed, or the first stage's failure.
    pub fn end(self) -> Result<bool> {
        self.failure.map_or(Ok(self.busy), Err)
    }
}

/// The longest back-off between failed passes: a quarter of the shortest deadline a role
/// keeps (the reveal window, the challenge window, a game's clock), between a second and a
/// minute. A longer sleep lets a deadline pass while the node is already back: with a 30 s
/// reveal window a minute's back-off forfeits the honest submitter's bond.
pub fn max_backoff(reveal_window: u64, challenge_window: u64, clock: u64) -> Duration {
    let shortest = reveal_window.min(challenge_window).min(clock);
    Duration::from_secs((shortest / 4).clamp(1, 60))
}

/// Runs `pass` every `poll` until `stop` resolves. A pass that fails with a retryable error
/// (the transport) is run again after an exponential back-off (up to `max_backoff`); any
/// other failure is logged and the next pass runs after `poll` (it reads the chain afresh).
pub async fn run_passes<F, Fut>(
    poll: Duration,
    max_backoff: Duration,
    stop: impl std::future::Future<Output = ()>,
    mut pass: F,
) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    tokio::pin!(stop);
    let mut backoff = poll;
    loop {
        let wait = match pass().await {
            Ok(_) => {
                backoff = poll;
                poll
            }
            Err(e) if e.retryable() => {
                tracing::warn!(error = %e, retry_in = ?backoff, "transport failure, backing off");
                let w = backoff;
                backoff = (backoff * 2).min(max_backoff.max(poll));
                w
            }
            Err(e) => {
                tracing::error!(error = %e, "pass failed");
                poll
            }
        };
        tokio::select! {
            _ = &mut stop => return Ok(()),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
