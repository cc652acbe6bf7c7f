#![doc = include_str!("../README.md")]

mod lies;

pub use lies::{Lie, LyingTrace};

use std::sync::Arc;

use alloy_primitives::B256;
use opml_bindings::state::final_state_with_output;
use opml_game::Trace;
use opml_service::behaviour::Behaviour;
use opml_service::store::Side;
use opml_service::{BoundaryRun, Run, SegmentRun};

/// A dishonest role: posts a wrong output, or reports wrong state hashes from a step on.
/// It loses every game against an honest opponent; each lie is logged as `TEST-ONLY LIE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Liar {
    /// Post this output instead of the true one (a submitter; its final state commits to it,
    /// and it defends that final state in its games).
    pub output: Option<Vec<u8>>,
    /// Report wrong state hashes from this step on (either role); a challenger with this lie
    /// disputes every result.
    pub from_step: Option<u64>,
}

impl Liar {
    /// The lie this role's trace tells as `side`, over `run`.
    pub fn lie(&self, run: &Run, side: Side) -> Lie {
        if let Some(n) = self.from_step {
            return Lie::FromStep(n);
        }
        match (&self.output, side) {
            (Some(out), Side::Submitter) => Lie::FinalState(B256::from(
                final_state_with_output(&run.final_fields, out).hash(),
            )),
            _ => Lie::None,
        }
    }
}

impl Behaviour for Liar {
    fn output(&self, truth: &[u8]) -> Vec<u8> {
        match &self.output {
            Some(lie) => {
                tracing::warn!("TEST-ONLY LIE: posting a wrong output");
                lie.clone()
            }
            None => truth.to_vec(),
        }
    }

    fn trace(&self, run: &Arc<Run>, side: Side) -> Arc<dyn Trace> {
        let lie = self.lie(run, side);
        Arc::new(LyingTrace::new(Arc::clone(&run.trace), lie, run.halt))
    }

    /// Two-phase games: `--lie-from-step N` lies from boundary `N` (at least the first, at
    /// most the last); a lying output claims its final state from the final boundary on.
    fn boundary_trace(&self, run: &Arc<BoundaryRun>, side: Side, claim: &B256) -> Arc<dyn Trace> {
        let last = run.trace.segments();
        let lie = match (self.from_step, &self.output, side) {
            (Some(n), _, _) => Lie::FromStep(n.clamp(1, last.max(1))),
            (None, Some(_), Side::Submitter) if run.halted => Lie::FinalState(*claim),
            _ => Lie::None,
        };
        Arc::new(LyingTrace::new(Arc::clone(&run.trace), lie, last))
    }

    /// Phase 2: the segment's steps lie as its end boundary does (from its first step, or
    /// from its halt with the claimed final state), so each side's phase 2 ends where its
    /// phase 1 did.
    fn segment_trace(&self, seg: &Arc<SegmentRun>, side: Side, claim: &B256) -> Arc<dyn Trace> {
        let lie = match (self.from_step, &self.output, side) {
            (Some(n), _, _) if seg.index + 1 >= n.clamp(1, seg.last_boundary.max(1)) => {
                Lie::FromStep(1)
            }
            (None, Some(_), Side::Submitter) if seg.halted() => Lie::FinalState(*claim),
            _ => Lie::None,
        };
        Arc::new(LyingTrace::new(Arc::clone(&seg.trace), lie, seg.stop))
    }

    fn dispute_correct(&self) -> bool {
        let lying = self.from_step.is_some();
        if lying {
            tracing::warn!("TEST-ONLY LIE: challenging with wrong hashes");
        }
        lying
    }
}

/// The demo's lie: the same output with another digit (else with its last bit flipped).
pub fn wrong_output(out: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(out);
    if let Some(i) = s.find("\"digit\":") {
        let mut v = out.to_vec();
        if let Some(d) = v.get_mut(i + 8).filter(|d| d.is_ascii_digit()) {
            *d = b'0' + (*d - b'0' + 3) % 10;
            return v;
        }
    }
    let mut v = out.to_vec();
    if let Some(b) = v.last_mut() {
        *b ^= 1;
    } else {
        v.push(0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lie_differs_from_the_truth() {
        let truth = br#"{"digit":2,"scores":[1,2]}"#;
        assert_eq!(wrong_output(truth), br#"{"digit":5,"scores":[1,2]}"#);
        assert_eq!(wrong_output(br#"{"digit":9}"#), br#"{"digit":2}"#);
        // no digit, or a digit key at the very end: flip a bit instead of panicking
        assert_eq!(wrong_output(b"ab"), b"ac");
        assert_eq!(wrong_output(br#"x"digit":"#), br#"x"digit";"#);
        assert_eq!(wrong_output(b""), [0]);
    }
}
