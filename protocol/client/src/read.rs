//! Reading the views: the oracle's getters for the live state, its events for what getters
//! do not keep (inputs, outputs, metadata URIs, every move of a game).

use alloy::primitives::{B256, U256};
use opml_bindings::oracle::{GameStatus, IOpMLOracle, RequestStatus, ResultStatus};
use opml_bindings::state::program_hash;
use opml_service::chain::{failed, u64_of};
use opml_service::fetch::registration;

use crate::views::{GameSummary, ProgramView, RequestView, ResultView};
use crate::{Client, Error, Result};

/// An enum value's name in snake case (`SubmitterWon` → `submitter_won`), from the generated
/// enum so it follows the contracts; `unknown(N)` for a value the bindings do not know.
pub(crate) fn enum_name<E: TryFrom<u8> + std::fmt::Debug>(v: u8) -> String {
    match E::try_from(v) {
        Ok(e) => {
            let mut out = String::new();
            for (i, c) in format!("{e:?}").chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        }
        Err(_) => format!("unknown({v})"),
    }
}

/// An id as an event topic.
pub(crate) fn topic(id: u64) -> B256 {
    B256::from(U256::from(id))
}

/// `submitter` or `challenger`, from the game's turn flag.
pub(crate) fn turn(challenger_turn: bool) -> &'static str {
    if challenger_turn {
        "challenger"
    } else {
        "submitter"
    }
}

impl Client {
    /// The program `id`.
    pub async fn program(&self, id: B256) -> Result<ProgramView> {
        self.config().await?;
        let (p, ev) = registration(&self.oracle, id, self.from_block)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no program {id} on this oracle")))?;
        Ok(ProgramView {
            id,
            trace_depth: p.traceDepth,
            segment_depth: p.fields.segmentDepth,
            registrant: p.registrant,
            program_hash: program_hash(&p.fields.clone().into()),
            metadata_uri: ev.as_ref().map(|(e, _)| e.metadataURI.clone()),
            block: ev.and_then(|(_, l)| l.block_number),
        })
    }

    /// The request `id` (an error naming it when there is none).
    pub(crate) async fn request_raw(&self, id: u64) -> Result<IOpMLOracle::Request> {
        let q = self
            .oracle
            .request(U256::from(id))
            .call()
            .await
            .map_err(failed("reading the request"))?;
        if q.status == RequestStatus::None as u8 {
            return Err(Error::NotFound(format!("no request {id} on this oracle")));
        }
        Ok(q)
    }

    /// The request `id`, with every commitment made on it.
    pub async fn request(&self, id: u64) -> Result<RequestView> {
        let cfg = self.config().await?;
        let q = self.request_raw(id).await?;
        let now = self.now().await?;
        let input = self
            .first_event(
                self.oracle.InferenceRequested_filter().topic1(topic(id)),
                "reading InferenceRequested",
            )
            .await?
            .map(|(e, _)| e.input)
            .unwrap_or_default();
        let mut results = Vec::new();
        for (ev, _) in self
            .events(
                self.oracle.ResultCommitted_filter().topic2(topic(id)),
                "reading ResultCommitted",
            )
            .await?
        {
            results.push(self.result(u64_of(ev.resultId)?).await?);
        }
        Ok(RequestView {
            id,
            program_id: q.programId,
            requester: q.requester,
            status: enum_name::<RequestStatus>(q.status),
            delivered: q.delivered,
            created_at: q.createdAt,
            cancellable_at: q.createdAt + cfg.requestTimeout,
            trace_depth: q.traceDepth,
            callback: q.callback,
            callback_gas_limit: q.callbackGasLimit,
            fee_wei: q.fee.to_string(),
            start_state: q.startState,
            input,
            result: (q.resultId != 0).then_some(q.resultId),
            output_hash: (q.outputHash != B256::ZERO).then_some(q.outputHash),
            results,
            now,
        })
    }

    /// The result `id`: its state, deadlines, output and games.
    pub async fn result(&self, id: u64) -> Result<ResultView> {
        let cfg = self.config().await?;
        let r = self
            .oracle
            .result(U256::from(id))
            .call()
            .await
            .map_err(failed("reading the result"))?;
        if r.status == ResultStatus::None as u8 {
            return Err(Error::NotFound(format!("no result {id} on this oracle")));
        }
        let now = self.now().await?;
        let committed = r.status == ResultStatus::Committed as u8;
        let reveal_deadline = if committed {
            Some(
                self.oracle
                    .revealDeadline(U256::from(id))
                    .call()
                    .await
                    .map_err(failed("reading the reveal deadline"))?,
            )
        } else {
            None
        };
        let output = self
            .first_event(
                self.oracle.ResultRevealed_filter().topic1(topic(id)),
                "reading ResultRevealed",
            )
            .await?
            .map(|(e, _)| e.output);
        let revealed = output.is_some();
        let mut games = Vec::new();
        for (ev, _) in self
            .events(
                self.oracle.GameStarted_filter().topic2(topic(id)),
                "reading GameStarted",
            )
            .await?
        {
            games.push(self.game_summary(u64_of(ev.gameId)?).await?);
        }
        let window_start = (r.windowStart != 0).then_some(r.windowStart);
        Ok(ResultView {
            id,
            request_id: r.requestId,
            submitter: r.submitter,
            status: enum_name::<ResultStatus>(r.status),
            committed_at: r.committedAt,
            reveal_deadline,
            window_start,
            window_ends_at: window_start.map(|w| w + cfg.challengeWindow),
            open_games: r.openGames,
            unfunded_games: r.unfundedGames,
            commitment: r.commitment,
            output_hash: revealed.then_some(r.outputHash),
            final_state: revealed.then_some(r.finalState),
            output,
            bond_wei: cfg.resultBond.to_string(),
            games,
            now,
        })
    }

    /// The game `id` (an error naming it when there is none).
    pub(crate) async fn game_raw(&self, id: u64) -> Result<IOpMLOracle::Game> {
        let g = self
            .oracle
            .game(U256::from(id))
            .call()
            .await
            .map_err(failed("reading the game"))?;
        if g.status == GameStatus::None as u8 {
            return Err(Error::NotFound(format!("no game {id} on this oracle")));
        }
        Ok(g)
    }

    /// The game `id` in a list.
    pub async fn game_summary(&self, id: u64) -> Result<GameSummary> {
        let g = self.game_raw(id).await?;
        Ok(GameSummary {
            id,
            result_id: g.resultId,
            challenger: g.challenger,
            status: enum_name::<GameStatus>(g.status),
            turn: turn(g.challengerTurn).into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_follow_the_generated_enums() {
        assert_eq!(
            enum_name::<GameStatus>(GameStatus::ChallengerWon as u8),
            "challenger_won"
        );
        assert_eq!(
            enum_name::<ResultStatus>(ResultStatus::Revealed as u8),
            "revealed"
        );
        assert_eq!(enum_name::<RequestStatus>(200), "unknown(200)");
    }
}
