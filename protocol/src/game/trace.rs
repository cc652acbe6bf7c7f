//! Traces backed by the VM: hashes from checkpoints (a replay of at most one interval per
//! query, never from step 0), and test-only lying wrappers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use alloy::primitives::{B256, keccak256};
use opml_vm::{Checkpoints, Machine, Program, Status};

use super::Trace;
use crate::Result;

/// The honest trace of a program on an input, recorded once with a snapshot every
/// `interval` steps. Hashes already asked for are cached (games ask for the same ends twice).
#[derive(Debug)]
pub struct VmTrace {
    cps: Checkpoints,
    cache: Mutex<HashMap<u64, B256>>,
}

impl VmTrace {
    /// Runs `program` on `input` for at most `max_steps` steps, keeping a snapshot every
    /// `interval` steps.
    pub fn record(program: &Arc<Program>, input: &[u8], interval: u64, max_steps: u64) -> Self {
        Self::from_checkpoints(Checkpoints::record(program, input, interval, max_steps))
    }

    /// Wraps checkpoints recorded by the caller (e.g. with a progress bar).
    pub fn from_checkpoints(cps: Checkpoints) -> Self {
        Self {
            cps,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The recorded checkpoints.
    pub fn checkpoints(&self) -> &Checkpoints {
        &self.cps
    }

    /// Steps the run took (where it halted or trapped, or its bound).
    pub fn steps(&self) -> u64 {
        self.cps.steps()
    }

    /// Whether the run halted (rather than trapped or ran out of steps).
    pub fn halted(&self) -> bool {
        self.cps.final_status() == Status::Halted
    }

    /// The final machine (for its output and packed state).
    pub fn final_machine(&self) -> Machine {
        self.cps.machine_at(self.cps.steps())
    }
}

impl Trace for VmTrace {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        if let Some(h) = self.cache.lock().ok().and_then(|c| c.get(&n).copied()) {
            return Ok(h);
        }
        let h = B256::from(self.cps.state_hash_at(n));
        if let Ok(mut c) = self.cache.lock() {
            c.insert(n, h);
        }
        Ok(h)
    }

    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        let mut m = self.cps.machine_at(n);
        if m.status() != Status::Running {
            // A stopped state steps to itself; the verifier ignores the proof.
            return Ok(Vec::new());
        }
        crate::prover::prove_step(&mut m)
    }
}

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

impl<T: Trace> Trace for Arc<T> {
    fn state_hash_at(&self, n: u64) -> Result<B256> {
        (**self).state_hash_at(n)
    }
    fn step_proof(&self, n: u64) -> Result<Vec<u8>> {
        (**self).step_proof(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed digits model on its sample input: hashes from checkpoints match a plain
    /// run, and each proof takes state n to state n + 1 under the reference verifier.
    #[test]
    fn checkpoint_hashes_and_proofs_agree_with_the_vm() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let wasm = std::fs::read(root.join("guests/wasm/digits.wasm")).unwrap();
        let input = std::fs::read(root.join("guests/digits/testdata/sample.bin")).unwrap();
        let prog = Arc::new(Program::load(&wasm, Default::default()).unwrap());
        let t = VmTrace::record(&prog, &input, 1000, 1 << 24);
        assert!(t.halted(), "digits halts");
        let steps = t.steps();
        eprintln!("digits on its sample: {steps} VM steps");
        for n in [
            0,
            1,
            999,
            1000,
            1001,
            steps / 2,
            steps - 1,
            steps,
            steps + 5,
        ] {
            let mut m = Machine::new(&prog, &input);
            m.run(n);
            assert_eq!(
                t.state_hash_at(n).unwrap(),
                B256::from(m.state_hash()),
                "hash at {n}"
            );
            let proof = t.step_proof(n).unwrap();
            let pre = t.state_hash_at(n).unwrap();
            let post = opml_vm::verify_step(pre.0, &proof).unwrap();
            assert_eq!(
                B256::from(post),
                t.state_hash_at(n + 1).unwrap(),
                "proof of step {n}"
            );
        }
    }
}
