//! Two-phase games (`docs/protocol.md` §5.3): phase 1 bisects over the segment boundaries
//! `B_0 … B_{2^D1}`, the transition opens the one disputed segment, and phase 2 is the game of
//! [`crate::respond`] over that segment's steps, from `resume(B_j)`.

use alloy_primitives::B256;

use crate::{Bisection, Error, Move, Result, Selection, Trace, bisection_hashes};

/// A player's boundary hashes as a trace over segments: `B_j` at "step" `j`, the last one
/// repeated past the end (a halted or trapped boundary is its own successor; a trace cut at
/// `B_{2^D1}` is never asked past it). Phase 1 ends with the transition, never a step proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryTrace {
    hashes: Vec<B256>,
}

impl BoundaryTrace {
    /// The trace over `hashes = [B_0, …, B_n]` (at least `B_0`).
    pub fn new(hashes: Vec<B256>) -> Result<Self> {
        if hashes.is_empty() {
            return Err(Error::Malformed("no boundary hashes, not even B_0".into()));
        }
        Ok(Self { hashes })
    }

    /// `B_0 … B_n`.
    pub fn hashes(&self) -> &[B256] {
        &self.hashes
    }

    /// `n`: the boundaries after `B_0` the run reached.
    pub fn segments(&self) -> u64 {
        self.hashes.len() as u64 - 1
    }
}

impl Trace for BoundaryTrace {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        let i = usize::try_from(n).unwrap_or(usize::MAX);
        Ok(self.hashes[i.min(self.hashes.len() - 1)])
    }

    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        Err(Error::Trace(format!(
            "phase 1 proves no step (asked for segment {n}): it ends by opening a segment"
        )))
    }
}

/// Phase 1's answer to the opponent's bisection of boundaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryMove {
    /// Bisect the disputed range of segments further ([`Move::Bisect`]).
    Bisect(Move),
    /// The opponent's sub-ranges are single segments: open `segment` ([`open_segment`]).
    Open {
        /// The disputed single segment of the opponent's bisection.
        sel: Selection,
        /// Its index `j`: from `B_j` (agreed) to `B_{j+1}` (disputed).
        segment: u64,
    },
}

/// The answer to the opponent's phase-1 bisection `last` from the player's `boundaries`: the
/// first sub-range of segments whose end it disputes, bisected, or opened when it is a single
/// segment. Errors as [`crate::respond`] does.
pub fn respond_over_boundaries(
    boundaries: &dyn Trace,
    k_log: u8,
    last: &Bisection,
) -> Result<BoundaryMove> {
    let (sel, sub_start, sub_log) = crate::disputed_sub_range(boundaries, k_log, last)?;
    if sub_log == 0 {
        return Ok(BoundaryMove::Open {
            sel,
            segment: sub_start,
        });
    }
    Ok(BoundaryMove::Bisect(Move::Bisect {
        hashes: bisection_hashes(boundaries, sub_start, sub_log, k_log)?,
        sel,
    }))
}

/// The transition: the selected `segment` opened, its agreed boundary revealed as
/// `agreed_state` (the packed `B_j`), and the first bisection of its `2^segment_depth` steps
/// posted from the player's `segment_trace` (`T^j_s`, the state `s` steps after
/// `resume(B_j)`). Errors when the player's segment ends at the disputed hash (nothing to
/// dispute: its boundaries and its segment disagree).
pub fn open_segment(
    sel: Selection,
    segment: u64,
    agreed_state: Vec<u8>,
    segment_trace: &dyn Trace,
    segment_depth: u8,
    k_log: u8,
) -> Result<Move> {
    if segment_depth == 0 || segment_depth > 63 {
        return Err(Error::Malformed(format!(
            "segment depth {segment_depth} out of range 1..=63"
        )));
    }
    let hashes = bisection_hashes(segment_trace, 0, segment_depth, k_log)?;
    if hashes.last() == Some(&sel.disputed) {
        return Err(Error::NothingToDispute);
    }
    Ok(Move::OpenSegment {
        sel,
        segment,
        agreed_state,
        hashes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{respond, tree};
    use alloy_primitives::keccak256;

    fn h(tag: &str, n: u64) -> B256 {
        keccak256([tag.as_bytes(), &n.to_be_bytes()].concat())
    }

    /// Segment `j`'s steps: `s` steps after its resumed start.
    struct Steps {
        j: u64,
    }

    impl Trace for Steps {
        fn state_hash_at(&self, n: u64) -> Result<B256> {
            Ok(h(&format!("seg{}", self.j), n.min(5)))
        }
        fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
            Ok(n.to_be_bytes().to_vec())
        }
    }

    fn boundaries(n: u64) -> BoundaryTrace {
        BoundaryTrace::new((0..=n).map(|j| h("B", j)).collect()).unwrap()
    }

    #[test]
    fn a_boundary_trace_repeats_its_last_boundary_and_proves_nothing() {
        let b = boundaries(3);
        assert_eq!(b.segments(), 3);
        assert_eq!(b.state_hash_at(2).unwrap(), h("B", 2));
        assert_eq!(b.state_hash_at(3).unwrap(), h("B", 3));
        assert_eq!(b.state_hash_at(1 << 40).unwrap(), h("B", 3));
        assert!(b.step_proof(1).is_err());
        assert!(BoundaryTrace::new(vec![]).is_err());
    }

    /// The opponent's bisection of `[start, start + 2^len_log]` segments, true up to
    /// segment `bad` (exclusive), false from there.
    fn theirs(start: u64, len_log: u8, k_log: u8, bad: u64) -> Bisection {
        let (m_log, sub_log) = crate::split(len_log, k_log);
        let hashes = (1..=1u64 << m_log)
            .map(|i| {
                let at = start + (i << sub_log);
                if at >= bad { h("lie", at) } else { h("B", at) }
            })
            .collect();
        Bisection {
            start,
            len_log,
            start_hash: h("B", start),
            hashes,
        }
    }

    #[test]
    fn phase_one_bisects_ranges_of_segments_and_opens_a_single_one() {
        let mine = boundaries(1 << 10);
        // 2^10 segments, k = 16: the first false leaf is the one ending at or past 300.
        match respond_over_boundaries(&mine, 4, &theirs(0, 10, 4, 300)).unwrap() {
            BoundaryMove::Bisect(Move::Bisect { sel, hashes }) => {
                assert_eq!(sel.index, 4); // [256, 320]
                assert_eq!(sel.agreed, h("B", 256));
                assert_eq!(hashes.len(), 16);
                assert_eq!(hashes[0], h("B", 260));
            }
            other => panic!("want a bisection, got {other:?}"),
        }
        // Four single segments from 296: the one ending at 300 is disputed.
        let last = theirs(296, 2, 4, 300);
        let BoundaryMove::Open { sel, segment } = respond_over_boundaries(&mine, 4, &last).unwrap()
        else {
            panic!("want the transition");
        };
        assert_eq!(segment, 299);
        assert_eq!(
            (sel.index, sel.agreed, sel.disputed),
            (3, h("B", 299), h("lie", 300))
        );
        let root = tree::root(&last.hashes);
        assert!(tree::verify(&root, &sel.agreed, 2, &sel.agreed_proof));
        assert!(tree::verify(&root, &sel.disputed, 3, &sel.disputed_proof));
    }

    #[test]
    fn the_transition_posts_the_segments_first_bisection() {
        let sel = Selection {
            index: 0,
            agreed: h("B", 7),
            agreed_proof: vec![],
            disputed: h("lie", 8),
            disputed_proof: vec![],
        };
        let packed = vec![7u8; 464];
        let mv = open_segment(sel.clone(), 7, packed.clone(), &Steps { j: 7 }, 6, 4).unwrap();
        let Move::OpenSegment {
            segment,
            agreed_state,
            hashes,
            ..
        } = mv
        else {
            panic!("want the transition");
        };
        assert_eq!((segment, agreed_state), (7, packed));
        // 2^6 steps, k = 16: 16 hashes at steps 4, 8, …, 64 (padded past the yield at 5).
        assert_eq!(hashes.len(), 16);
        assert_eq!(hashes[0], h("seg7", 4));
        assert_eq!(hashes[15], h("seg7", 5));
        // Phase 2 then plays `respond` over the segment's steps from its start.
        let last = Bisection {
            start: 0,
            len_log: 6,
            start_hash: h("seg7", 0),
            hashes: (1..=16).map(|i| h("other", i)).collect(),
        };
        assert!(matches!(
            respond(&Steps { j: 7 }, 4, &last).unwrap(),
            Move::Bisect { .. }
        ));
        // A segment ending at the disputed hash leaves nothing to dispute.
        let agrees = Selection {
            disputed: h("seg7", 5),
            ..sel
        };
        assert!(matches!(
            open_segment(agrees, 7, vec![], &Steps { j: 7 }, 6, 4),
            Err(Error::NothingToDispute)
        ));
    }
}
