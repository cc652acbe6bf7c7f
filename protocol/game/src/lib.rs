#![doc = include_str!("../README.md")]

mod error;
mod phases;
pub mod tree;

pub use error::{Error, Result};
pub use opml_executor::VmTrace;
pub use phases::{BoundaryMove, BoundaryTrace, open_segment, respond_over_boundaries};

use std::sync::Arc;

use alloy_primitives::B256;

/// A player's view of an execution trace: the state hash after `n` steps, and the one-step
/// proof from state `n`. Padded: past a halt every hash is the final one.
pub trait Trace: Send + Sync {
    /// The state hash after `n` steps.
    fn state_hash_at(&self, n: u64) -> Result<B256>;
    /// The one-step proof (`docs/proof.md`) of step `n` (from state `n` to `n + 1`).
    fn step_proof(&self, n: u64) -> Result<Vec<u8>>;
}

/// The honest trace: hashes and proofs from the VM's checkpoints.
impl Trace for VmTrace {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        Ok(B256::from(VmTrace::state_hash_at(self, n)))
    }
    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        Ok(VmTrace::step_proof(self, n))
    }
}

impl<T: Trace + ?Sized> Trace for Arc<T> {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        (**self).state_hash_at(n)
    }
    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        (**self).step_proof(n)
    }
}

/// A bisection as posted on-chain (`Bisected` event): the range `[start, start + 2^len_log]`
/// and the mover's hashes at the ends of its `2^min(k_log, len_log)` sub-ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bisection {
    /// First step of the range.
    pub start: u64,
    /// log2 of the range's length in steps.
    pub len_log: u8,
    /// The hash both sides agreed at `start`.
    pub start_hash: B256,
    /// The mover's hashes at the sub-range ends.
    pub hashes: Vec<B256>,
}

/// The sub-range a move disputes, with its Merkle proofs (`IOpMLOracle.Selection`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Index of the disputed sub-range.
    pub index: u64,
    /// The opponent's hash at the sub-range start (agreed).
    pub agreed: B256,
    /// Its path in the opponent's tree (empty for index 0).
    pub agreed_proof: Vec<B256>,
    /// The opponent's hash at the sub-range end (disputed).
    pub disputed: B256,
    /// Its path in the opponent's tree.
    pub disputed_proof: Vec<B256>,
}

/// What to post next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Dispute `sel` and bisect it with these hashes.
    Bisect {
        /// The disputed sub-range.
        sel: Selection,
        /// The mover's hashes at the ends of the sub-range's own sub-ranges.
        hashes: Vec<B256>,
    },
    /// Phase 1's transition (`openSegment`): dispute the single segment `segment`, reveal its
    /// agreed boundary and post the first bisection of its steps.
    OpenSegment {
        /// The disputed single-segment sub-range.
        sel: Selection,
        /// The segment opened (`start + index`): from `B_j` to `B_{j+1}`.
        segment: u64,
        /// The packed `B_j` (`StateFields::encode()`, `PACKED_LEN` bytes).
        agreed_state: Vec<u8>,
        /// The mover's hashes of the segment's trace from `resume(B_j)`.
        hashes: Vec<B256>,
    },
    /// Dispute the single step `step` and prove it.
    Prove {
        /// The disputed single-step sub-range.
        sel: Selection,
        /// The step proved (`start + index`).
        step: u64,
        /// The one-step proof from `sel.agreed`.
        proof: Vec<u8>,
    },
}

/// `(m_log, sub_log)`: a range of `2^len_log` steps splits into `2^m_log` sub-ranges of
/// `2^sub_log` steps.
pub fn split(len_log: u8, k_log: u8) -> (u8, u8) {
    let m_log = len_log.min(k_log);
    (m_log, len_log - m_log)
}

/// The player's hashes at the sub-range ends of `[start, start + 2^len_log]`.
pub fn bisection_hashes(
    trace: &dyn Trace,
    start: u64,
    len_log: u8,
    k_log: u8,
) -> Result<Vec<B256>> {
    let (m_log, sub_log) = split(len_log, k_log);
    (1..=1u64 << m_log)
        .map(|j| trace.state_hash_at(start + (j << sub_log)))
        .collect()
}

/// The first move of a challenger: its hashes over `[0, 2^depth]`, or `None` when its own
/// final hash equals the claim (nothing to dispute).
pub fn opening(trace: &dyn Trace, depth: u8, k_log: u8, claim: &B256) -> Result<Option<Vec<B256>>> {
    if depth == 0 || depth > 63 {
        return Err(Error::Malformed(format!(
            "trace depth {depth} out of range 1..=63"
        )));
    }
    let hashes = bisection_hashes(trace, 0, depth, k_log)?;
    Ok((hashes.last() != Some(claim)).then_some(hashes))
}

/// The answer to the opponent's bisection `last`: the first sub-range whose end the player
/// disputes, bisected or proved. Errors when the player disagrees with the agreed start (its
/// trace is not the one the game started from) or agrees with every hash (no dispute left).
pub fn respond(trace: &dyn Trace, k_log: u8, last: &Bisection) -> Result<Move> {
    let (sel, sub_start, sub_log) = disputed_sub_range(trace, k_log, last)?;
    if sub_log == 0 {
        return Ok(Move::Prove {
            step: sub_start,
            proof: trace.step_proof(sub_start)?,
            sel,
        });
    }
    Ok(Move::Bisect {
        hashes: bisection_hashes(trace, sub_start, sub_log, k_log)?,
        sel,
    })
}

/// The first sub-range of `last` whose end the player disputes: its selection, its start and
/// log2 of its length.
fn disputed_sub_range(
    trace: &dyn Trace,
    k_log: u8,
    last: &Bisection,
) -> Result<(Selection, u64, u8)> {
    let (m_log, sub_log) = split(last.len_log, k_log);
    let m = 1usize << m_log;
    if last.hashes.len() != m {
        return Err(Error::Malformed(format!(
            "bisection has {} hashes, want {m}",
            last.hashes.len()
        )));
    }
    if trace.state_hash_at(last.start)? != last.start_hash {
        return Err(Error::StartDisagrees { step: last.start });
    }
    let mut index = None;
    for (j, theirs) in last.hashes.iter().enumerate() {
        let at = last.start + ((j as u64 + 1) << sub_log);
        if trace.state_hash_at(at)? != *theirs {
            index = Some(j);
            break;
        }
    }
    let Some(i) = index else {
        return Err(Error::NothingToDispute);
    };
    let sel = Selection {
        index: i as u64,
        agreed: if i == 0 {
            last.start_hash
        } else {
            last.hashes[i - 1]
        },
        agreed_proof: if i == 0 {
            Vec::new()
        } else {
            tree::proof(&last.hashes, i - 1)
        },
        disputed: last.hashes[i],
        disputed_proof: tree::proof(&last.hashes, i),
    };
    Ok((sel, last.start + ((i as u64) << sub_log), sub_log))
}

/// Bisections a game of depth `depth` takes before the step proof: `ceil(depth / k_log)`.
pub fn rounds(depth: u8, k_log: u8) -> u32 {
    u32::from(depth).div_ceil(u32::from(k_log.max(1)))
}
