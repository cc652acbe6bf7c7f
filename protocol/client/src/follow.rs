//! Following a request to finality, as `opml request --wait` does: through the wait for a
//! revealed result, the challenge window (finalizing the result itself once the window has
//! passed with no open game), disputes, and a rejected result that reopens the request.

use std::future::Future;
use std::time::Duration;

use alloy::primitives::{Bytes, U256};
use opml_bindings::oracle::{IOpMLOracle, RequestStatus, ResultStatus};
use opml_service::chain::{failed, u64_of};

use crate::read::topic;
use crate::{Client, Error, Result};

/// Where a followed request stands; each change is reported once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Open, no revealed result yet.
    WaitingForSubmitter,
    /// A result is revealed; its challenge window runs from `opens_at` to `ends_at` (chain
    /// time).
    InWindow {
        /// The result.
        result: u64,
        /// Start of its challenge window.
        opens_at: u64,
        /// End of its challenge window.
        ends_at: u64,
    },
    /// Games on the result are undecided.
    Disputed {
        /// The result.
        result: u64,
        /// Undecided games.
        games: u64,
    },
    /// The window passed with no open game: this client finalizes.
    Finalizing {
        /// The result.
        result: u64,
    },
    /// A game rejected a result; the request is open again.
    Rejected {
        /// The rejected result.
        result: u64,
    },
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::WaitingForSubmitter => write!(f, "waiting for a submitter's revealed result"),
            Stage::InWindow {
                result,
                opens_at,
                ends_at,
            } => write!(
                f,
                "result {result} revealed; its challenge window runs from chain time {opens_at} to {ends_at}"
            ),
            Stage::Disputed { result, games } => {
                write!(f, "result {result} disputed: {games} game(s) undecided")
            }
            Stage::Finalizing { result } => write!(
                f,
                "window over with no open game: finalizing result {result}"
            ),
            Stage::Rejected { result } => {
                write!(
                    f,
                    "result {result} rejected by a game; the request is open again"
                )
            }
        }
    }
}

/// What one look at a followed request found.
enum Look {
    /// Final, with this output.
    Final(Bytes),
    /// Not final yet.
    At(Stage),
}

/// How long one look (or one finalize, its receipt included) may take.
const LOOK_LIMIT: Duration = Duration::from_secs(150);

/// `fut`, or [`Error::NoAnswer`] after [`LOOK_LIMIT`].
async fn bounded<T>(op: &str, fut: impl Future<Output = T>) -> Result<T> {
    tokio::time::timeout(LOOK_LIMIT, fut)
        .await
        .map_err(|_| Error::NoAnswer {
            op: op.to_string(),
            secs: LOOK_LIMIT.as_secs(),
        })
}

impl Client {
    /// Follows request `id` until it is final and returns its output, reporting each change
    /// of [`Stage`] to `on`. Ends with [`Error::Failed`] if the request is cancelled, or if
    /// no result was revealed within the request timeout. A signing client finalizes the
    /// result itself once its window has passed; a read-only one waits for someone else to.
    pub async fn follow(
        &self,
        id: u64,
        poll: Duration,
        mut on: impl FnMut(&Stage),
    ) -> Result<Bytes> {
        let cfg = self.config().await?;
        let mut last: Option<Stage> = None;
        let mut seen: Option<u64> = None;
        loop {
            // Each look is bounded, so a node that stops answering ends the wait with an
            // error instead of hanging it.
            let stage =
                match bounded("reading the request", self.look(id, &cfg, &mut seen)).await?? {
                    Look::Final(output) => return Ok(output),
                    Look::At(stage) => stage,
                };
            if last.as_ref() != Some(&stage) {
                on(&stage);
            }
            if let Stage::Finalizing { result } = stage {
                let sent = async {
                    let output = self.output_of(result).await?;
                    self.finalize(id, output).await
                };
                if let Err(e) = bounded("finalize", sent).await? {
                    if e.retryable() {
                        return Err(e);
                    }
                    // The submitter may have settled first: the next look tells.
                    tracing::info!(request = id, error = %e, "finalize did not go through");
                }
            }
            last = Some(stage);
            tokio::time::sleep(poll).await;
        }
    }

    /// One look at request `id`: its output once final, else its stage. `seen` is the
    /// result followed so far, to tell a rejection from a request nobody served yet.
    async fn look(
        &self,
        id: u64,
        cfg: &IOpMLOracle::Config,
        seen: &mut Option<u64>,
    ) -> Result<Look> {
        let q = self.request_raw(id).await?;
        if q.status == RequestStatus::Finalized as u8 {
            return Ok(Look::Final(self.final_output(id).await?));
        }
        if q.status == RequestStatus::Cancelled as u8 {
            return Err(Error::Failed(format!(
                "request {id} was cancelled; its fee was credited back to the requester"
            )));
        }
        // The result followed so far has lost its place: a game rejected it (or an earlier
        // commitment displaced it). A rejection is reported even when the next result is
        // already revealed.
        if let Some(r) = *seen
            && q.resultId != r
        {
            *seen = None;
            if self.result_status(r).await? == ResultStatus::Rejected as u8 {
                return Ok(Look::At(Stage::Rejected { result: r }));
            }
        }
        let now = self.now().await?;
        if q.resultId == 0 {
            // Past the timeout, anyone may cancel; wait on only for a commitment that may
            // still be revealed.
            let expired = now >= q.createdAt + cfg.requestTimeout;
            if expired && !self.may_reveal(q.lastCommit, now).await? {
                return Err(Error::Failed(format!(
                    "no result revealed for request {id} within the request timeout ({} s); `opml cancel {id}` refunds the fee",
                    cfg.requestTimeout
                )));
            }
            return Ok(Look::At(Stage::WaitingForSubmitter));
        }
        let rid = q.resultId;
        *seen = Some(rid);
        let res = self
            .oracle
            .result(U256::from(rid))
            .call()
            .await
            .map_err(failed("reading the result"))?;
        let ends_at = res.windowStart + cfg.challengeWindow;
        Ok(Look::At(if res.openGames > 0 {
            Stage::Disputed {
                result: rid,
                games: u64::from(res.openGames),
            }
        } else if now >= ends_at && self.me.is_some() {
            Stage::Finalizing { result: rid }
        } else {
            Stage::InWindow {
                result: rid,
                opens_at: res.windowStart,
                ends_at,
            }
        }))
    }

    /// Whether commitment `id` (0: none) may still be revealed at chain time `now`.
    async fn may_reveal(&self, id: u64, now: u64) -> Result<bool> {
        if id == 0 || self.result_status(id).await? != ResultStatus::Committed as u8 {
            return Ok(false);
        }
        let deadline = self
            .oracle
            .revealDeadline(U256::from(id))
            .call()
            .await
            .map_err(failed("reading the reveal deadline"))?;
        Ok(now <= deadline)
    }

    async fn result_status(&self, id: u64) -> Result<u8> {
        Ok(self
            .oracle
            .result(U256::from(id))
            .call()
            .await
            .map_err(failed("reading the result"))?
            .status)
    }

    /// The output of result `id`, from its `ResultRevealed` event.
    pub async fn output_of(&self, result: u64) -> Result<Bytes> {
        self.first_event(
            self.oracle.ResultRevealed_filter().topic1(topic(result)),
            "reading ResultRevealed",
        )
        .await?
        .map(|(e, _)| e.output)
        .ok_or_else(|| Error::NotFound(format!("result {result} has not been revealed")))
    }

    /// The output request `id` was finalized with.
    pub async fn final_output(&self, id: u64) -> Result<Bytes> {
        let (ev, _) = self
            .first_event(
                self.oracle.ResultFinalized_filter().topic2(topic(id)),
                "reading ResultFinalized",
            )
            .await?
            .ok_or_else(|| Error::NotFound(format!("no ResultFinalized event for request {id}")))?;
        self.output_of(u64_of(ev.resultId)?).await
    }
}
