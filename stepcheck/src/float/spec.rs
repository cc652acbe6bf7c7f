//! Every invocation of the spec suite's float files, every step replayed through the compiled
//! verifier (the float steps among them are what this adds to the general spec differential,
//! which takes the first few invocations of each file).

use crate::Result;
use crate::diff::{Report, check_program, group_of};
use crate::evm::StepEvm;
use crate::programs::spec_cases;

/// The spec suite's float files (`float_memory64` needs memory64, outside the profile: its
/// modules do not load and are skipped like any unloadable module).
pub const FLOAT_SPEC_FILES: &[&str] = &[
    "f32",
    "f64",
    "f32_cmp",
    "f64_cmp",
    "f32_bitwise",
    "f64_bitwise",
    "conversions",
    "float_exprs",
    "float_exprs0",
    "float_exprs1",
    "float_literals",
    "float_memory",
    "float_memory0",
    "float_misc",
];

/// Steps at most per invocation (the float files' functions are short; a few loop).
const MAX_STEPS: u64 = 1_000_000;

/// Runs the first `per_file` invocations of each float file (`usize::MAX`: all) through the
/// differential. `None` when the spec suite is missing.
pub fn check_float_spec(evm: &mut StepEvm, per_file: usize) -> Result<Option<Report>> {
    let Some(cases) = spec_cases(FLOAT_SPEC_FILES, per_file)? else {
        return Ok(None);
    };
    let mut r = Report::default();
    for c in &cases {
        check_program(evm, &c.name, &c.program, &c.input, MAX_STEPS, &mut r, None)?;
    }
    Ok(Some(r))
}

/// Float steps among a report's replayed steps (those of the float groups).
pub fn float_steps(r: &Report) -> usize {
    let mut groups: Vec<&str> = [0xb0u16, 0xd0, 0xf0]
        .iter()
        .map(|&op| group_of(op))
        .collect();
    groups.dedup();
    groups
        .iter()
        .filter_map(|g| r.gas.get(g))
        .map(Vec::len)
        .sum()
}
