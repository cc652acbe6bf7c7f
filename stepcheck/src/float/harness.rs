//! The verifier's float code in revm (`contracts/test/verifier/FloatHarness.sol`, which calls
//! the same `FloatOps` library as the `F32Step`, `F64Step` and `FloatConvStep` groups), many
//! cases per transaction, compared with the hardware reference.

use std::collections::BTreeMap;

use revm::primitives::{Address, U256, keccak256};

use super::cases::Case;
use super::reference::{Outcome, eval};
use crate::artifacts::FLOAT_HARNESS;
use crate::evm::StepEvm;
use crate::{Error, Result};

/// Cases per transaction: about 5,000 gas each at most, under the 16 M transaction limit.
pub const BATCH: usize = 2_000;

/// The float harness deployed in an in-process EVM.
#[derive(Debug)]
pub struct FloatEvm {
    evm: StepEvm,
    harness: Address,
    selector: [u8; 4],
}

impl FloatEvm {
    /// Deploys the harness from its forge artifact (building the contracts if needed).
    pub fn new() -> Result<Self> {
        let mut evm = StepEvm::new()?;
        let harness = evm.deploy_artifact(FLOAT_HARNESS)?;
        let mut selector = [0u8; 4];
        selector.copy_from_slice(&keccak256(b"run(bytes)")[..4]);
        Ok(FloatEvm {
            evm,
            harness,
            selector,
        })
    }

    /// What the verifier's code does on each case (`None`: not a float opcode).
    pub fn run(&mut self, cases: &[Case]) -> Result<Vec<Option<Outcome>>> {
        let mut out = Vec::with_capacity(cases.len());
        for chunk in cases.chunks(BATCH) {
            out.extend(self.run_batch(chunk)?);
        }
        Ok(out)
    }

    fn run_batch(&mut self, cases: &[Case]) -> Result<Vec<Option<Outcome>>> {
        let payload: Vec<u8> = cases
            .iter()
            .flat_map(|c| {
                let mut b = [0u8; 18];
                b[..2].copy_from_slice(&c.op.to_be_bytes());
                b[2..10].copy_from_slice(&c.x0.to_be_bytes());
                b[10..].copy_from_slice(&c.x1.to_be_bytes());
                b
            })
            .collect();
        let mut data = self.selector.to_vec();
        data.extend_from_slice(&U256::from(32).to_be_bytes::<32>());
        data.extend_from_slice(&U256::from(payload.len()).to_be_bytes::<32>());
        data.extend_from_slice(&payload);
        data.resize(4 + 64 + payload.len().div_ceil(32) * 32, 0);
        let ret = self
            .evm
            .call(self.harness, data)?
            .map_err(|e| Error::Evm(format!("float harness reverted: 0x{}", hex::encode(e))))?;
        let bytes = ret
            .get(64..64 + cases.len() * 9)
            .ok_or_else(|| Error::Evm(format!("float harness returned {} bytes", ret.len())))?;
        Ok(bytes
            .chunks(9)
            .map(|r| {
                let mut v = [0u8; 8];
                v.copy_from_slice(&r[1..]);
                match r[0] {
                    0 => Some(Outcome::Value(u64::from_be_bytes(v))),
                    0xff => None,
                    t => Some(Outcome::Trap(t)),
                }
            })
            .collect())
    }
}

/// One case where the verifier and the hardware disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloatMismatch {
    /// The case.
    pub case: Case,
    /// The hardware reference.
    pub expected: Option<Outcome>,
    /// The verifier's code in revm.
    pub got: Option<Outcome>,
}

/// Counts per opcode and the disagreements.
#[derive(Debug, Default, Clone)]
pub struct FloatReport {
    /// Cases checked per opcode.
    pub cases: BTreeMap<u16, u64>,
    /// Disagreements per opcode.
    pub mismatched: BTreeMap<u16, u64>,
    /// The first disagreements (at most 20 kept).
    pub first: Vec<FloatMismatch>,
}

impl FloatReport {
    /// Total cases checked.
    pub fn total(&self) -> u64 {
        self.cases.values().sum()
    }

    /// Total disagreements.
    pub fn mismatches(&self) -> u64 {
        self.mismatched.values().sum()
    }

    /// Checks `cases` in the EVM against the reference and records the outcome.
    pub fn check(&mut self, evm: &mut FloatEvm, cases: &[Case]) -> Result<()> {
        let got = evm.run(cases)?;
        for (case, got) in cases.iter().zip(got) {
            *self.cases.entry(case.op).or_default() += 1;
            let expected = eval(case.op, case.x0, case.x1);
            if got != expected {
                *self.mismatched.entry(case.op).or_default() += 1;
                if self.first.len() < 20 {
                    self.first.push(FloatMismatch {
                        case: *case,
                        expected,
                        got,
                    });
                }
            }
        }
        Ok(())
    }
}
