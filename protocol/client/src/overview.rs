//! The oracle at a glance (the explorer's front page): its parameters and the latest
//! programs, requests, results and games, found through their events (the oracle keeps no
//! counters; `scan.rs` reads them incrementally), their live state read through its getters.

use alloy::primitives::U256;
use alloy::providers::Provider;
use opml_bindings::oracle::{IOpMLOracle, RequestStatus, ResultStatus};
use opml_service::chain::{failed, u64_of};

use crate::read::enum_name;
use crate::views::{ConfigView, Overview, ProgramView, RequestSummary, ResultSummary};
use crate::{Client, Result};

impl From<IOpMLOracle::Config> for ConfigView {
    fn from(c: IOpMLOracle::Config) -> Self {
        ConfigView {
            verifier: c.verifier,
            challenge_window: c.challengeWindow,
            reveal_window: c.revealWindow,
            clock: c.clock,
            k_log: c.kLog,
            max_segment_depth: c.maxSegmentDepth,
            max_trace_depth: c.maxTraceDepth,
            result_bond_wei: c.resultBond.to_string(),
            challenge_bond_wei: c.challengeBond.to_string(),
            burn_bps: c.burnBps,
            base_fee_wei: c.baseFee.to_string(),
            callback_gas_price_wei: c.callbackGasPrice.to_string(),
            max_callback_gas: c.maxCallbackGas,
            max_input_bytes: c.maxInputBytes,
            max_output_bytes: c.maxOutputBytes,
            request_timeout: c.requestTimeout,
        }
    }
}

impl Client {
    /// The oracle's parameters, how many programs, requests, results and games it has, and
    /// the latest `latest` of each, newest first.
    pub async fn overview(&self, latest: usize) -> Result<Overview> {
        let config = self.config().await?;
        let head = self
            .provider
            .get_block_number()
            .await
            .map_err(failed("reading the head block"))?;
        let chain_id = self
            .provider
            .get_chain_id()
            .await
            .map_err(failed("reading the chain id"))?;
        let now = self.now().await?;

        // One overview at a time brings the shared scans up to the head.
        let mut scans = self.scans.lock().await;
        let registered = self
            .scan(
                &mut scans.programs,
                || self.oracle.ProgramRegistered_filter(),
                head,
                latest,
                "reading ProgramRegistered",
            )
            .await?;
        let program_count = registered.count;
        let programs = registered
            .newest
            .into_iter()
            .map(|(e, log)| ProgramView {
                id: e.programId,
                trace_depth: e.traceDepth,
                segment_depth: e.fields.segmentDepth,
                registrant: e.registrant,
                program_hash: e.programHash,
                metadata_uri: Some(e.metadataURI),
                block: log.block_number,
            })
            .collect();

        let asked = self
            .scan(
                &mut scans.requests,
                || self.oracle.InferenceRequested_filter(),
                head,
                latest,
                "reading InferenceRequested",
            )
            .await?;
        let request_count = asked.count;
        let mut requests = Vec::new();
        for (e, _) in asked.newest {
            let id = u64_of(e.requestId)?;
            let q = self.request_raw(id).await?;
            requests.push(RequestSummary {
                id,
                program_id: q.programId,
                requester: q.requester,
                status: enum_name::<RequestStatus>(q.status),
                result: (q.resultId != 0).then_some(q.resultId),
                created_at: q.createdAt,
            });
        }

        let committed = self
            .scan(
                &mut scans.results,
                || self.oracle.ResultCommitted_filter(),
                head,
                latest,
                "reading ResultCommitted",
            )
            .await?;
        let result_count = committed.count;
        let mut results = Vec::new();
        for (e, _) in committed.newest {
            let id = u64_of(e.resultId)?;
            let r = self
                .oracle
                .result(U256::from(id))
                .call()
                .await
                .map_err(failed("reading the result"))?;
            results.push(ResultSummary {
                id,
                request_id: r.requestId,
                submitter: r.submitter,
                status: enum_name::<ResultStatus>(r.status),
                open_games: r.openGames,
            });
        }

        let started = self
            .scan(
                &mut scans.games,
                || self.oracle.GameStarted_filter(),
                head,
                latest,
                "reading GameStarted",
            )
            .await?;
        drop(scans);
        let game_count = started.count;
        let mut games = Vec::new();
        for (e, _) in started.newest {
            games.push(self.game_summary(u64_of(e.gameId)?).await?);
        }

        Ok(Overview {
            oracle: *self.oracle.address(),
            chain_id,
            head,
            now,
            config: config.into(),
            program_count,
            programs,
            request_count,
            requests,
            result_count,
            results,
            game_count,
            games,
        })
    }
}
