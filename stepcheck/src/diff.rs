//! The differential: every step of a machine, proved in Rust and replayed in the EVM.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use opml_vm::isa::Opcode;
use opml_vm::{Machine, Program, Status};

use crate::Result;
use crate::evm::{StepCall, StepEvm};
use crate::vectors::Vector;

/// Offset of the opcode in a proof: just after the packed state.
const OP_OFFSET: usize = opml_vm::StateFields::ENCODED_LEN;

/// The verifier group of an opcode number (`docs/proof.md`, the opcode table's groups).
pub fn group_of(op: u16) -> &'static str {
    opml_vm::isa::Group::of(op).map_or("none", |g| g.name)
}

/// The opcode a proof is for, if it has one (a stopped state's proof may be empty; a step
/// decided by the state alone has the packed state only).
pub fn proof_opcode(proof: &[u8]) -> Option<Opcode> {
    let b = proof.get(OP_OFFSET..OP_OFFSET + 2)?;
    Opcode::from_u16(u16::from_be_bytes([b[0], b[1]]))
}

/// The proof for `m`'s next step, as the verifier takes it; `m` takes the step.
pub fn prove_and_step(m: &mut Machine) -> Vec<u8> {
    m.prove_step()
}

/// One disagreement between the Rust step and the EVM step.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// Where it happened (program name).
    pub program: String,
    /// Step index from the start.
    pub step: u64,
    /// The opcode executed, if known.
    pub op: Option<Opcode>,
    /// The pre-state hash.
    pub pre: [u8; 32],
    /// What the Rust machine reached.
    pub rust_post: [u8; 32],
    /// What the EVM returned.
    pub evm: StepCall,
}

/// Counts and figures gathered over many steps.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Programs checked.
    pub programs: u64,
    /// Steps replayed in the EVM.
    pub steps: u64,
    /// Disagreements (must stay empty).
    pub mismatches: Vec<Mismatch>,
    /// Transaction gas per group.
    pub gas: BTreeMap<&'static str, Vec<u64>>,
    /// Proof bytes per group.
    pub proof_len: BTreeMap<&'static str, Vec<usize>>,
    /// Every opcode replayed at least once.
    pub ops: BTreeSet<Opcode>,
}

impl Report {
    /// Records one replayed step.
    fn record(&mut self, op: Option<Opcode>, proof_len: usize, call: &StepCall) {
        self.steps += 1;
        if let (Some(op), StepCall::Post { gas, .. }) = (op, call) {
            let g = group_of(op as u16);
            self.gas.entry(g).or_default().push(*gas);
            self.proof_len.entry(g).or_default().push(proof_len);
            self.ops.insert(op);
        }
    }

    /// Adds `other`'s counts and figures to these.
    pub fn merge(&mut self, other: &Report) {
        self.programs += other.programs;
        self.steps += other.steps;
        self.mismatches.extend(other.mismatches.iter().cloned());
        for (g, v) in &other.gas {
            self.gas.entry(g).or_default().extend(v);
        }
        for (g, v) in &other.proof_len {
            self.proof_len.entry(g).or_default().extend(v);
        }
        self.ops.extend(other.ops.iter().copied());
    }

    /// Records a replayed golden vector.
    pub fn record_vector(&mut self, v: &Vector, call: &StepCall) {
        self.record(v.op, v.proof.len(), call);
    }

    /// `min / median / max` lines per group, for gas and proof size.
    pub fn table(&self) -> String {
        let mut s = String::from(
            "group    steps   gas min  gas median   gas max   proof min  proof median  proof max\n",
        );
        for (g, gas) in &self.gas {
            let p = &self.proof_len[g];
            let (gmin, gmed, gmax) = stats(gas);
            let (pmin, pmed, pmax) = stats(p);
            s.push_str(&format!(
                "{g:<8} {:>6} {gmin:>9} {gmed:>11} {gmax:>9} {pmin:>11} {pmed:>13} {pmax:>10}\n",
                gas.len()
            ));
        }
        s
    }
}

fn stats<T: Copy + Ord + Default>(v: &[T]) -> (T, T, T) {
    let mut v = v.to_vec();
    v.sort_unstable();
    match (v.first(), v.last()) {
        (Some(&a), Some(&b)) => (a, v[v.len() / 2], b),
        _ => Default::default(),
    }
}

/// Runs `program` on `input` for at most `max_steps` steps, replaying each in the EVM, plus one
/// identity step once the machine stops; a yielded machine is resumed (not a step) and runs on.
/// Vectors of each step go to `sink` when given.
pub fn check_program(
    evm: &mut StepEvm,
    name: &str,
    program: &Arc<Program>,
    input: &[u8],
    max_steps: u64,
    report: &mut Report,
    mut sink: Option<&mut dyn FnMut(Vector)>,
) -> Result<()> {
    let mut m = Machine::new(program, input);
    report.programs += 1;
    for step in 0..=max_steps {
        let stopped = m.status() != Status::Running;
        let pre = m.state_hash();
        let proof = prove_and_step(&mut m);
        let rust_post = m.state_hash();
        let call = evm.step(&pre, &proof)?;
        let op = proof_opcode(&proof);
        report.record(if stopped { None } else { op }, proof.len(), &call);
        if call.post() != Some(rust_post) {
            report.mismatches.push(Mismatch {
                program: name.to_string(),
                step,
                op,
                pre,
                rust_post,
                evm: call.clone(),
            });
        }
        if let (Some(sink), false) = (sink.as_mut(), stopped) {
            sink(Vector {
                name: format!("{name}@{step}"),
                op,
                pre,
                proof,
                post: rust_post,
            });
        }
        if stopped && !m.resume() {
            break;
        }
    }
    Ok(())
}
