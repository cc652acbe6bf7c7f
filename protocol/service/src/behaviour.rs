//! How a role departs from the truth, if at all. The roles' decisions take a [`Behaviour`];
//! `opml submitter` and `opml challenger` only ever construct [`Honest`], and no flag of
//! theirs changes that. Dishonest behaviours, for the tests and the demo, live in
//! `opml-testkit`, which the service commands cannot reach.

use std::sync::Arc;

use alloy::primitives::B256;
use opml_game::Trace;

use crate::store::Side;
use crate::{BoundaryRun, Run, SegmentRun};

/// What a role posts and plays, given the truth. Every method defaults to the honest answer.
pub trait Behaviour: Send + Sync + std::fmt::Debug {
    /// The output to post for a request whose true output (fast path and VM agreeing) is
    /// `truth`. The posted final state commits to whatever this returns.
    fn output(&self, truth: &[u8]) -> Vec<u8> {
        truth.to_vec()
    }

    /// The trace to play a game from, as `side`, given the honest run.
    fn trace(&self, run: &Arc<Run>, side: Side) -> Arc<dyn Trace> {
        let _ = side;
        Arc::new(Arc::clone(&run.trace))
    }

    /// The boundary hashes to play phase 1 of a two-phase game from, as `side`, given the
    /// honest ones; `claim` is the result's claimed final state.
    fn boundary_trace(&self, run: &Arc<BoundaryRun>, side: Side, claim: &B256) -> Arc<dyn Trace> {
        let _ = (side, claim);
        Arc::clone(&run.trace) as Arc<dyn Trace>
    }

    /// The trace of an opened segment to play phase 2 from, as `side`, given the honest one.
    fn segment_trace(&self, seg: &Arc<SegmentRun>, side: Side, claim: &B256) -> Arc<dyn Trace> {
        let _ = (side, claim);
        Arc::clone(&seg.trace)
    }

    /// Whether a challenger disputes a result it checked and found correct.
    fn dispute_correct(&self) -> bool {
        false
    }
}

/// The only behaviour a production role has: the truth, always.
#[derive(Debug, Clone, Copy, Default)]
pub struct Honest;

impl Behaviour for Honest {}
