//! A VM run recorded with checkpoints: the state hash after any step and the one-step proof
//! of any step, each replaying at most one checkpoint interval (never from step 0). What a
//! dispute needs from the VM; the game client (`opml-game`) plays from it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use opml_vm::{B256, Checkpoints, Machine, Program, Status};

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

    /// The state hash after `n` steps (past the end of the run, the final one).
    pub fn state_hash_at(&self, n: u64) -> B256 {
        if let Some(h) = self.cache.lock().ok().and_then(|c| c.get(&n).copied()) {
            return h;
        }
        let h = self.cps.state_hash_at(n);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(n, h);
        }
        h
    }

    /// The one-step proof (`docs/proof.md`) from state `n` to state `n + 1`: empty for a
    /// stopped state, which steps to itself (the verifier ignores the proof).
    pub fn step_proof(&self, n: u64) -> Vec<u8> {
        let mut m = self.cps.machine_at(n);
        if m.status() != Status::Running {
            return Vec::new();
        }
        m.prove_step()
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
            assert_eq!(t.state_hash_at(n), m.state_hash(), "hash at {n}");
            let proof = t.step_proof(n);
            let pre = t.state_hash_at(n);
            let post = opml_vm::verify_step(pre, &proof).unwrap();
            assert_eq!(post, t.state_hash_at(n + 1), "proof of step {n}");
        }
    }
}
