//! Lying traces: how a dishonest role corrupts its trace.

use alloy_primitives::{B256, keccak256};
use opml_game::{Result, Trace};

/// A test-only lie: how a dishonest role corrupts its trace. Never use outside tests and
/// demos; an honest opponent wins every game against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lie {
    /// Honest.
    #[default]
    None,
    /// Every hash from step `n` on is wrong.
    FromStep(u64),
    /// The trace is honest up to the halt, then claims this final hash instead.
    FinalState(B256),
}

/// A trace that lies as [`Lie`] says on top of an honest one (test-only).
pub struct LyingTrace<T> {
    inner: T,
    lie: Lie,
    /// Where the honest run stops (the first step reporting the final state).
    halt: u64,
}

impl<T: Trace> LyingTrace<T> {
    /// Wraps `inner`, whose run stops at step `halt`.
    pub fn new(inner: T, lie: Lie, halt: u64) -> Self {
        Self { inner, lie, halt }
    }
}

impl<T: Trace> Trace for LyingTrace<T> {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        let h = self.inner.state_hash_at(n)?;
        Ok(match self.lie {
            Lie::FromStep(from) if n >= from => {
                keccak256([b"opml/lie:".as_slice(), h.as_slice()].concat())
            }
            Lie::FinalState(fake) if n >= self.halt => fake,
            _ => h,
        })
    }

    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        // The liar can only offer the honest proof, which the verifier holds against it.
        self.inner.step_proof(n)
    }
}
