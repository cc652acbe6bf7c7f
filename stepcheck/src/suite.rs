//! The sets of programs the checks run, shared by the tests and the binaries.

use crate::diff::{Report, check_program};
use crate::evm::StepEvm;
use crate::programs::{Case, crafted_cases, guest_cases, smith_cases, spec_cases, wat_cases};
use crate::vectors::Vector;
use crate::{Error, Result};

/// Spec-suite files whose invocations the differential replays: integer and float ops, memory,
/// bulk memory, control flow and calls.
pub const SPEC_FILES: &[&str] = &[
    "i32",
    "i64",
    "int_exprs",
    "memory",
    "address",
    "memory_grow",
    "memory_fill",
    "memory_copy",
    "memory_init",
    "br_table",
    "br_if",
    "block",
    "loop",
    "if",
    "select",
    "call",
    "call_indirect",
    "return",
    "local_tee",
    "global",
    "conversions",
    "f32",
    "f64",
    "f32_cmp",
    "f64_cmp",
    "f32_bitwise",
    "f64_bitwise",
    "float_exprs",
    "float_misc",
    "float_memory",
    "float_literals",
    "fac",
    "endianness",
];

/// How much of each source to run.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Steps per program at most.
    pub steps_per_program: u64,
    /// Invocations per spec file (0: skip the spec suite).
    pub spec_per_file: usize,
    /// wasm-smith seeds `0..smith_seeds`.
    pub smith_seeds: u64,
    /// Exports invoked per wasm-smith module.
    pub smith_per_module: usize,
    /// Whether to run the example guests.
    pub guests: bool,
}

/// Per-source reports, in run order.
pub type SourceReports = Vec<(&'static str, Report)>;

/// Runs every source of `budget` through the differential. A missing spec suite is an error
/// when `CI=true`, else that source is reported as skipped (absent from the result).
pub fn run(
    evm: &mut StepEvm,
    budget: &Budget,
    mut sink: Option<&mut dyn FnMut(Vector)>,
) -> Result<SourceReports> {
    let mut sources: Vec<(&'static str, Vec<Case>)> =
        vec![("wat", wat_cases()?), ("crafted", crafted_cases())];
    if budget.guests {
        sources.push(("guests", guest_cases()?));
    }
    if budget.spec_per_file > 0 {
        match spec_cases(SPEC_FILES, budget.spec_per_file)? {
            Some(cases) => sources.push(("spec", cases)),
            None if std::env::var("CI").is_ok_and(|v| v == "true") => {
                return Err(Error::Program(format!(
                    "spec suite missing at {} (set OPML_WASM_TESTSUITE)",
                    crate::programs::testsuite_dir().display()
                )));
            }
            None => eprintln!(
                "stepcheck: spec suite not found at {}; skipping it (set OPML_WASM_TESTSUITE)",
                crate::programs::testsuite_dir().display()
            ),
        }
    }
    if budget.smith_seeds > 0 {
        sources.push((
            "wasm-smith",
            smith_cases(0..budget.smith_seeds, budget.smith_per_module),
        ));
    }
    let mut out = Vec::new();
    for (source, cases) in sources {
        let mut report = Report::default();
        for case in &cases {
            let sink = sink.as_mut().map(|s| &mut **s as &mut dyn FnMut(Vector));
            check_program(
                evm,
                &case.name,
                &case.program,
                &case.input,
                budget.steps_per_program,
                &mut report,
                sink,
            )?;
        }
        out.push((source, report));
    }
    Ok(out)
}
