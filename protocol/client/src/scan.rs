//! The overview's events, read incrementally: each poll asks the node only for the blocks since
//! the last one, instead of the whole history. Events older than [`UNSETTLED`] blocks are kept;
//! the newer ones are read again on every poll, so a reorg of the chain's tip never leaves a
//! dropped event behind.

use alloy::contract::Event;
use alloy::providers::DynProvider;
use alloy::rpc::types::Log;
use alloy::sol_types::SolEvent;
use opml_bindings::oracle::OpMLOracle::{
    GameStarted, InferenceRequested, ProgramRegistered, ResultCommitted,
};

use crate::{Client, Result};

/// Blocks below the head that a reorg may still replace: their events are not cached.
pub(crate) const UNSETTLED: u64 = 64;

/// Events of one kind read so far: every one in blocks up to `to` (inclusive).
pub(crate) struct Scanned<E> {
    to: Option<u64>,
    events: Vec<(E, Log)>,
}

impl<E> Default for Scanned<E> {
    fn default() -> Self {
        Self {
            to: None,
            events: Vec::new(),
        }
    }
}

impl<E> std::fmt::Debug for Scanned<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanned")
            .field("to", &self.to)
            .field("events", &self.events.len())
            .finish()
    }
}

/// The overview's four event kinds, shared by the clones of one [`Client`].
#[derive(Debug, Default)]
pub(crate) struct Scans {
    pub(crate) programs: Scanned<ProgramRegistered>,
    pub(crate) requests: Scanned<InferenceRequested>,
    pub(crate) results: Scanned<ResultCommitted>,
    pub(crate) games: Scanned<GameStarted>,
}

/// How many events of a kind there are, and the latest few, newest first.
pub(crate) struct Latest<E> {
    pub(crate) count: u64,
    pub(crate) newest: Vec<(E, Log)>,
}

impl Client {
    /// Brings `scan` up to `head` with `filter` and returns the count and the newest `n`.
    pub(crate) async fn scan<'a, E: SolEvent + Clone>(
        &'a self,
        scan: &mut Scanned<E>,
        filter: impl Fn() -> Event<&'a DynProvider, E>,
        head: u64,
        n: usize,
        what: &str,
    ) -> Result<Latest<E>> {
        let from = scan.to.map_or(self.from_block, |t| t + 1);
        let fresh = if from <= head {
            self.events_between(filter(), from, head, what).await?
        } else {
            Vec::new()
        };
        Ok(scan.absorb(from, fresh, head.saturating_sub(UNSETTLED), n))
    }
}

impl<E: Clone> Scanned<E> {
    /// Takes in `fresh`, the events of blocks `from..=head` oldest first: those in blocks up to
    /// `settled` are kept (when `from <= settled`), the rest only counted. Returns the count and
    /// the newest `n`.
    fn absorb(&mut self, from: u64, mut fresh: Vec<(E, Log)>, settled: u64, n: usize) -> Latest<E> {
        if from <= settled {
            let keep = fresh
                .iter()
                .take_while(|(_, log)| log.block_number.is_some_and(|b| b <= settled))
                .count();
            self.events.extend(fresh.drain(..keep));
            self.to = Some(settled);
        }
        let count = (self.events.len() + fresh.len()) as u64;
        let mut newest: Vec<(E, Log)> = fresh.into_iter().rev().take(n).collect();
        let more = n - newest.len();
        newest.extend(self.events.iter().rev().take(more).cloned());
        Latest { count, newest }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(block: u64) -> (u64, Log) {
        let log = Log {
            block_number: Some(block),
            ..Log::default()
        };
        (block, log)
    }

    fn blocks(l: &Latest<u64>) -> Vec<u64> {
        l.newest.iter().map(|(e, _)| *e).collect()
    }

    #[test]
    fn settled_events_are_kept_and_the_tip_is_read_again() {
        let mut s = Scanned::<u64>::default();
        // Head 100, settled up to 36: blocks 10 and 30 are kept, 50 and 90 only counted.
        let l = s.absorb(0, vec![at(10), at(30), at(50), at(90)], 36, 3);
        assert_eq!((l.count, blocks(&l)), (4, vec![90, 50, 30]));
        assert_eq!((s.to, s.events.len()), (Some(36), 2));
        // The next poll reads from 37: a reorg replaced block 90's event with one at 95.
        let l = s.absorb(37, vec![at(50), at(95)], 40, 10);
        assert_eq!((l.count, blocks(&l)), (4, vec![95, 50, 30, 10]));
        assert_eq!(s.to, Some(40));
        // Nothing settled since (the head did not move past `to + UNSETTLED`): nothing kept.
        let l = s.absorb(41, vec![at(50), at(95)], 40, 2);
        assert_eq!((l.count, blocks(&l)), (4, vec![95, 50]));
        assert_eq!((s.to, s.events.len()), (Some(40), 2));
    }
}
