//! Float steps of the machine against the compiled verifier: for each float opcode a small
//! program applies it to every operand pair of its input, the machine runs it, and each float
//! step is proved (`Machine::prove_step`) and replayed through the `StepVerifier` dispatcher in
//! revm. The post-state hashes must be equal; the value the machine pushed (or its trap) must
//! also be the hardware reference's.

use std::collections::BTreeMap;
use std::sync::Arc;

use opml_vm::{Limits, Machine, Program, Status};

use super::cases::Case;
use super::ops::{FloatOp, Ty};
use super::reference::{Outcome, eval};
use crate::evm::{StepCall, StepEvm};
use crate::{Error, Result};

/// Operand pairs per machine: 16 bytes each, one 64 KiB page of input.
const CASES_PER_MACHINE: usize = 4096;

/// The program that applies `op` to each 16-byte record `x1 ‖ x0` (little-endian u64s) of its
/// input, dropping the result; a trap ends it.
pub fn program_text(op: FloatOp) -> String {
    let load = |off: u32| {
        let ty = match op.arg {
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
        };
        format!("({ty}.load offset={off} (local.get $p))")
    };
    let apply = if op.binary {
        format!("({} {} {})", op.name(), load(0), load(8))
    } else {
        format!("({} {})", op.name(), load(8))
    };
    format!(
        r#"(module
  (import "opml" "input_len" (func $input_len (result i32)))
  (import "opml" "input_read" (func $input_read (param i32 i32 i32)))
  (memory 1)
  (func (export "main")
    (local $p i32) (local $end i32)
    (local.set $end (call $input_len))
    (call $input_read (i32.const 0) (i32.const 0) (local.get $end))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (drop {apply})
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))))"#
    )
}

/// One float opcode's program and the position of its float instruction.
#[derive(Debug, Clone)]
struct OpProgram {
    program: Arc<Program>,
    pc: u32,
}

fn load(op: FloatOp) -> Result<OpProgram> {
    let what = || format!("float step program for {}", op.name());
    let bytes = ::wat::parse_str(program_text(op))
        .map_err(|e| Error::Program(format!("{}: {e}", what())))?;
    let program = Program::load(&bytes, Limits::default())
        .map_err(|e| Error::Program(format!("{}: {e}", what())))?;
    let mut at = program
        .code()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.op as u16 == op.code)
        .map(|(pc, _)| pc as u32);
    match (at.next(), at.next()) {
        (Some(pc), None) => Ok(OpProgram {
            program: Arc::new(program),
            pc,
        }),
        _ => Err(Error::Program(format!(
            "{}: the loader did not lower it to exactly one {:#x} instruction",
            what(),
            op.code
        ))),
    }
}

/// One float step where the Rust machine and the compiled verifier (or the reference) disagree.
#[derive(Debug, Clone)]
pub struct StepMismatch {
    /// The operands.
    pub case: Case,
    /// The pre-state hash.
    pub pre: [u8; 32],
    /// The machine's post-state hash.
    pub rust_post: [u8; 32],
    /// What the verifier returned.
    pub evm: StepCall,
    /// What the machine did, and what the hardware reference says it should do.
    pub machine: Option<Outcome>,
    /// The reference.
    pub expected: Option<Outcome>,
}

/// Counts, gas and disagreements of float steps.
#[derive(Debug, Default, Clone)]
pub struct StepReport {
    /// Steps replayed per opcode.
    pub steps: BTreeMap<u16, u64>,
    /// Steps whose post-state the verifier did not reproduce.
    pub verifier_mismatches: u64,
    /// Steps whose result differs from the hardware reference.
    pub reference_mismatches: u64,
    /// The first disagreements (at most 20 kept).
    pub first: Vec<StepMismatch>,
    /// Whole-transaction gas per opcode.
    pub gas: BTreeMap<u16, Vec<u64>>,
}

impl StepReport {
    /// Total steps replayed.
    pub fn total(&self) -> u64 {
        self.steps.values().sum()
    }

    /// Total disagreements of either kind.
    pub fn mismatches(&self) -> u64 {
        self.verifier_mismatches + self.reference_mismatches
    }
}

/// Machines for every float opcode, run against the verifier deployed in `evm`.
#[derive(Debug)]
pub struct FloatSteps {
    programs: BTreeMap<u16, OpProgram>,
}

impl FloatSteps {
    /// Loads the 66 programs.
    pub fn new() -> Result<Self> {
        let mut programs = BTreeMap::new();
        for op in FloatOp::all() {
            programs.insert(op.code, load(op)?);
        }
        Ok(FloatSteps { programs })
    }

    /// Runs every case as a machine step, replayed in `evm` when given (else only checked
    /// against the reference); cases are grouped by opcode.
    pub fn check(
        &self,
        mut evm: Option<&mut StepEvm>,
        cases: &[Case],
        report: &mut StepReport,
    ) -> Result<()> {
        let mut by_op: BTreeMap<u16, Vec<Case>> = BTreeMap::new();
        for c in cases {
            by_op.entry(c.op).or_default().push(*c);
        }
        for (op, cases) in by_op {
            let p = self
                .programs
                .get(&op)
                .ok_or_else(|| Error::Program(format!("{op:#x} is not a float opcode")))?;
            let mut rest = &cases[..];
            while !rest.is_empty() {
                let n = rest.len().min(CASES_PER_MACHINE);
                let done = run_machine(evm.as_deref_mut(), p, &rest[..n], report)?;
                if done == 0 {
                    return Err(Error::Program(format!(
                        "the {op:#x} program stopped before its float step"
                    )));
                }
                rest = &rest[done..];
            }
        }
        Ok(())
    }
}

/// Runs one machine over `cases` (at most a page of input), replaying each float step; returns
/// how many cases it consumed (fewer than given when one traps: the machine stops there).
fn run_machine(
    mut evm: Option<&mut StepEvm>,
    p: &OpProgram,
    cases: &[Case],
    report: &mut StepReport,
) -> Result<usize> {
    let input: Vec<u8> = cases
        .iter()
        .flat_map(|c| {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&c.x1.to_le_bytes());
            b[8..].copy_from_slice(&c.x0.to_le_bytes());
            b
        })
        .collect();
    let mut m = Machine::new(&p.program, &input);
    let mut next = 0;
    while m.status() == Status::Running && next < cases.len() {
        if m.pc() != p.pc {
            m.step();
            continue;
        }
        let case = cases[next];
        next += 1;
        let pre = m.state_hash();
        let proof = m.prove_step();
        let rust_post = m.state_hash();
        let machine = match m.status() {
            Status::Running => m.stack().last().map(|&v| Outcome::Value(v)),
            _ => m.trap_code().map(|t| Outcome::Trap(t as u8)),
        };
        let expected = eval(case.op, case.x0, case.x1);
        *report.steps.entry(case.op).or_default() += 1;
        let call = match evm.as_deref_mut() {
            Some(evm) => evm.step(&pre, &proof)?,
            None => StepCall::Post {
                post: rust_post,
                gas: 0,
            },
        };
        if let (StepCall::Post { gas, .. }, true) = (&call, evm.is_some()) {
            report.gas.entry(case.op).or_default().push(*gas);
        }
        let verifier_ok = call.post() == Some(rust_post);
        let reference_ok = machine == expected;
        if !verifier_ok {
            report.verifier_mismatches += 1;
        }
        if !reference_ok {
            report.reference_mismatches += 1;
        }
        if (!verifier_ok || !reference_ok) && report.first.len() < 20 {
            report.first.push(StepMismatch {
                case,
                pre,
                rust_post,
                evm: call,
                machine,
                expected,
            });
        }
    }
    Ok(next)
}
