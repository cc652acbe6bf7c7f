//! The verifier's float code against the hardware: IEEE `f32`/`f64` in integer EVM code
//! (`contracts/src/verifier/float/`) vs Rust's hardware operations with wasm's semantics and
//! canonical NaNs (`docs/floats.md`). Run by `floatcheck` and, bounded, by the tests.

pub mod cases;
pub mod harness;
pub mod ops;
pub mod reference;
pub mod spec;
pub mod steps;
pub mod sticky;

use cases::{Case, RoundRobin, edge_cases};
use harness::{FloatEvm, FloatReport};
use ops::FloatOp;

use crate::Result;

/// Every edge value (unary ops) or pair of edge values (binary ops) of every float opcode, and
/// the f64 div and sqrt operands that need the sticky bit.
pub fn check_edges(evm: &mut FloatEvm, report: &mut FloatReport) -> Result<()> {
    for op in FloatOp::all() {
        report.check(evm, &edge_cases(op))?;
    }
    report.check(evm, &sticky_cases())
}

/// `f64.div` and `f64.sqrt` cases whose rounding is decided by the sticky bit (`sticky`).
pub fn sticky_cases() -> Vec<Case> {
    let div = sticky::div_pairs().into_iter().map(|(x0, x1)| Case {
        op: ops::F64_BASE + 16,
        x0,
        x1,
    });
    let sqrt = sticky::sqrt_inputs().into_iter().map(|x0| Case {
        op: ops::F64_BASE + 12,
        x0,
        x1: 0,
    });
    div.chain(sqrt).collect()
}

/// `n` seeded random cases spread evenly over the float opcodes, checked in batches;
/// `progress` is called after each batch with the random cases done so far and the report.
pub fn check_random(
    evm: &mut FloatEvm,
    n: u64,
    seed: u64,
    report: &mut FloatReport,
    mut progress: impl FnMut(u64, &FloatReport),
) -> Result<()> {
    let mut cases = RoundRobin::new(seed);
    let mut done = 0u64;
    while done < n {
        let size = (n - done).min(harness::BATCH as u64 * 8) as usize;
        let batch = cases.batch(size);
        report.check(evm, &batch)?;
        done += size as u64;
        progress(done, report);
    }
    Ok(())
}
