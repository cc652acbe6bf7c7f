//! One-step proofs (`docs/proof.md`): [`Machine::prove_step`](crate::Machine::prove_step)
//! produces them; [`verify_step`] is the pure reference verifier the Solidity `StepVerifier`
//! mirrors: it recomputes the post-state hash from the pre-state hash and the proof alone.

mod prove;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_crafted;
#[cfg(test)]
mod tests_random;
mod verify;

pub use verify::verify_step;

/// Why a proof does not prove a step from the given pre-state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The proof ended before a field it must hold.
    #[error("proof too short: {0}")]
    Truncated(&'static str),
    /// Bytes were left after everything the step reads.
    #[error("{0} trailing bytes after the proof")]
    Trailing(usize),
    /// The packed state does not hash to the pre-state hash.
    #[error("state fields do not hash to the pre-state")]
    StateMismatch,
    /// The instruction's opcode is not in the ISA.
    #[error("unknown opcode {0:#06x}")]
    UnknownOpcode(u16),
    /// A revealed item's Merkle path or hash chain does not match the root it claims.
    #[error("{0} does not match its commitment")]
    BadWitness(&'static str),
    /// The step cannot be proved (e.g. `pc` past the code tree, an index past its tree).
    #[error("unprovable step: {0}")]
    Unprovable(&'static str),
}

/// The crate's proof result.
pub type Result<T, E = ProofError> = std::result::Result<T, E>;
