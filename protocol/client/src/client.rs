//! A connection to an oracle: read-only (`opml status`) or with a signer (register, request,
//! cancel, withdraw).

use alloy::contract::Event;
use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::Log;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolEvent;
use opml_bindings::oracle::IOpMLOracle;
use opml_bindings::oracle::OpMLOracle::{self, OpMLOracleInstance};
use opml_service::chain::{Chain, failed};

use crate::scan::Scans;
use crate::{Error, Result};
use std::sync::Arc;

/// The most blocks one `eth_getLogs` asks for when a node refuses the whole range at once
/// (hosted nodes limit ranges; alloy tries the whole range first).
const LOG_RANGE: u64 = 10_000;

/// An oracle on one chain, seen by a requester or an observer.
#[derive(Clone, Debug)]
pub struct Client {
    /// The provider (signing when built with [`Client::signing`]).
    pub provider: DynProvider,
    /// The oracle.
    pub oracle: OpMLOracleInstance<DynProvider>,
    /// The signer's address, when there is one.
    pub me: Option<Address>,
    /// The signing connection: sends with the roles' conventions (a gas margin, the receipt
    /// awaited, reverts decoded to the oracle's errors).
    chain: Option<Chain>,
    /// First block to read events from (the oracle's deployment block, when known).
    pub from_block: u64,
    /// The overview's events read so far (`scan.rs`), shared by this client's clones.
    pub(crate) scans: Arc<tokio::sync::Mutex<Scans>>,
}

impl Client {
    /// A read-only client of the oracle at `oracle` over `url`.
    pub fn read_only(url: &str, oracle: Address) -> Result<Self> {
        let parsed = url
            .parse()
            .map_err(|e| opml_service::Error::Config(format!("rpc url `{url}`: {e}")))?;
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect_http(parsed)
            .erased();
        Ok(Self {
            oracle: OpMLOracle::new(oracle, provider.clone()),
            provider,
            me: None,
            chain: None,
            from_block: 0,
            scans: Arc::default(),
        })
    }

    /// A client that signs as `signer` (a transaction is done once one block deep).
    pub fn signing(url: &str, oracle: Address, signer: PrivateKeySigner) -> Result<Self> {
        let chain = Chain::connect(url, signer, oracle, 1)?;
        Ok(Self {
            provider: chain.provider.clone(),
            oracle: chain.oracle.clone(),
            me: Some(chain.me),
            chain: Some(chain),
            from_block: 0,
            scans: Arc::default(),
        })
    }

    /// The signing connection, or an error saying a key is needed.
    pub(crate) fn chain(&self) -> Result<&Chain> {
        self.chain.as_ref().ok_or_else(|| {
            Error::Input("no key (--private-key, OPML_PRIVATE_KEY or --keystore)".into())
        })
    }

    /// The oracle's parameters; first checks that the address holds a contract, so a wrong
    /// `OPML_ORACLE` is named as such.
    pub async fn config(&self) -> Result<IOpMLOracle::Config> {
        let addr = *self.oracle.address();
        let code = self
            .provider
            .get_code_at(addr)
            .await
            .map_err(failed("reading the oracle's code"))?;
        if code.is_empty() {
            return Err(Error::NotFound(format!(
                "no contract at {addr} (is OPML_ORACLE right?)"
            )));
        }
        Ok(self
            .oracle
            .config()
            .call()
            .await
            .map_err(failed("reading the oracle's config"))?)
    }

    /// The latest block's timestamp: the chain's time, which windows and clocks follow.
    pub async fn now(&self) -> Result<u64> {
        let b = self
            .provider
            .get_block_by_number(Default::default())
            .await
            .map_err(failed("reading the latest block"))?;
        b.map(|b| b.header.timestamp).ok_or_else(|| {
            Error::Chain(opml_service::Error::Unexpected {
                op: "reading the latest block".into(),
                detail: "the node has none".into(),
            })
        })
    }

    /// Every event `filter` matches from [`Client::from_block`] on, oldest first; `what`
    /// names the query in errors ("reading Bisected").
    pub(crate) async fn events<E: SolEvent>(
        &self,
        filter: Event<&DynProvider, E>,
        what: &str,
    ) -> Result<Vec<(E, Log)>> {
        self.events_in(filter.from_block(self.from_block), what)
            .await
    }

    /// The events `filter` matches in blocks `from..=to`, oldest first.
    pub(crate) async fn events_between<E: SolEvent>(
        &self,
        filter: Event<&DynProvider, E>,
        from: u64,
        to: u64,
        what: &str,
    ) -> Result<Vec<(E, Log)>> {
        self.events_in(filter.from_block(from).to_block(to), what)
            .await
    }

    /// `filter`'s events, in [`LOG_RANGE`]-block windows if the node refuses the whole range.
    async fn events_in<E: SolEvent>(
        &self,
        filter: Event<&DynProvider, E>,
        what: &str,
    ) -> Result<Vec<(E, Log)>> {
        Ok(filter
            .with_cloned_provider()
            .chunked()
            .chunk_size(LOG_RANGE)
            .query()
            .await
            .map_err(failed(what))?)
    }

    /// The first event `filter` matches (see [`Client::events`]), if any.
    pub(crate) async fn first_event<E: SolEvent>(
        &self,
        filter: Event<&DynProvider, E>,
        what: &str,
    ) -> Result<Option<(E, Log)>> {
        Ok(self.events(filter, what).await?.into_iter().next())
    }
}
