//! Differential test: the VM against wasmtime on random valid modules (wasm-smith, seeded).
//!
//! Each module is compiled by both engines; each exported function is called on a fresh
//! instance of each with the same arguments under a bound (fuel on wasmtime, steps on the VM,
//! the step bound much larger since steps outnumber fuel). Compared: acceptance, halt/trap
//! status and trap code, results, output and final memory. A call where either side hits its
//! bound, or where only one side exhausts its call stack (the depths differ by design), is
//! counted apart and not compared.

use opml_executor::fast::{FastEngine, FastModule, Instantiated};
use opml_executor::vm::{VmInstance, VmInstantiated};
use opml_executor::{Entry, Limits, RunStatus, TrapCode, Value};
use opml_vm::{Program, ValType};
use std::sync::Arc;

/// Settings of a differential run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffConfig {
    /// Modules to generate.
    pub cases: u64,
    /// The first case's seed; case `i` uses `seed + i`.
    pub seed: u64,
    /// Fuel per call on wasmtime.
    pub fuel: u64,
    /// Steps per call on the VM.
    pub steps: u64,
    /// Whether modules may use floats (the VM runs them through its soft-float library).
    pub floats: bool,
}

impl Default for DiffConfig {
    fn default() -> Self {
        Self {
            cases: 200,
            seed: 0,
            fuel: 20_000,
            steps: 2_000_000,
            floats: false,
        }
    }
}

/// Counts of a differential run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffReport {
    /// Modules generated.
    pub modules: u64,
    /// Modules the profile rejects (both engines check it with the VM's loader); not run.
    pub rejected: u64,
    /// Calls (and instantiations) compared.
    pub compared: u64,
    /// Compared calls on which the engines agreed.
    pub agreed: u64,
    /// Calls that hit a bound on either side, or exhausted the call stack on one side only.
    pub bound_hit: u64,
    /// Compared calls that halted on both sides.
    pub halted: u64,
    /// Compared calls that trapped on both sides.
    pub trapped: u64,
    /// One line per disagreement.
    pub mismatches: Vec<String>,
}

/// The profile's wasm-smith configuration ([`opml_vm::smith::profile_config`]), small modules
/// with a bounded memory, every item exported so each function can be called.
pub fn smith_config(floats: bool) -> wasm_smith::Config {
    wasm_smith::Config {
        allow_floats: floats,
        memory_max_size_required: true,
        max_funcs: 12,
        max_instructions: 200,
        min_funcs: 2,
        min_types: 1,
        export_everything: true,
        // No table instructions: `table.init`/`table.copy`/`elem.drop` are outside the profile
        // (the table is read-only in v1) and would get whole modules rejected.
        allowed_instructions: wasm_smith::InstructionKinds::new(&[
            wasm_smith::InstructionKind::Numeric,
            wasm_smith::InstructionKind::Parametric,
            wasm_smith::InstructionKind::Variable,
            wasm_smith::InstructionKind::Memory,
            wasm_smith::InstructionKind::Control,
        ]),
        ..opml_vm::smith::profile_config()
    }
}

/// A small deterministic generator (SplitMix64): the seed alone fixes every case.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The module for case `seed`: the first of a few deterministic attempts that defines at
/// least one function (wasm-smith often makes empty modules, which test nothing).
pub fn generate(seed: u64, floats: bool) -> Option<Vec<u8>> {
    let mut rng = SplitMix(seed);
    let mut last = None;
    for _ in 0..8 {
        let len = 4096 + (rng.next() % 12288) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let mut u = arbitrary::Unstructured::new(&bytes);
        let Ok(m) = wasm_smith::Module::new(smith_config(floats), &mut u) else {
            continue;
        };
        let wasm = m.to_bytes();
        if defined_funcs(&wasm) > 0 {
            return Some(wasm);
        }
        last = Some(wasm);
    }
    last
}

fn defined_funcs(wasm: &[u8]) -> u32 {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .find_map(|p| match p {
            Ok(wasmparser::Payload::FunctionSection(r)) => Some(r.count()),
            _ => None,
        })
        .unwrap_or(0)
}

/// Arguments for a call: a fixed mix of edge values and values from the case's generator.
fn args(params: &[ValType], rng: &mut SplitMix) -> Vec<Value> {
    params
        .iter()
        .map(|t| {
            let r = rng.next();
            let edge = [
                0u64,
                1,
                u64::MAX,
                0x8000_0000,
                0x7fff_ffff,
                0x8000_0000_0000_0000,
                32,
                63,
            ];
            let bits = if r.is_multiple_of(3) {
                edge[(r >> 8) as usize % edge.len()]
            } else {
                rng.next()
            };
            Value::from_bits(
                *t,
                match t {
                    ValType::I32 | ValType::F32 => bits & 0xffff_ffff,
                    _ => bits,
                },
            )
        })
        .collect()
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Side {
    status: RunStatus,
    results: Vec<Value>,
    memory: Vec<u8>,
}

impl Side {
    /// Instantiation trapped: nothing was called, no memory to compare.
    fn trapped(status: RunStatus) -> Self {
        Side {
            status,
            results: vec![],
            memory: vec![],
        }
    }
}

/// The status and results of calling `call` (none: instantiation alone, which halted).
fn call_export(
    call: Option<&(String, Vec<Value>)>,
    invoke: impl FnOnce(&str, &[Value]) -> opml_executor::Result<(RunStatus, Vec<Value>)>,
) -> opml_executor::Result<(RunStatus, Vec<Value>)> {
    match call {
        None => Ok((RunStatus::Halted, vec![])),
        Some((name, args)) => invoke(name, args),
    }
}

/// Runs the differential test.
pub fn run(cfg: &DiffConfig) -> opml_executor::Result<DiffReport> {
    let fast = FastEngine::new()?;
    let mut report = DiffReport::default();
    for i in 0..cfg.cases {
        let seed = cfg.seed.wrapping_add(i);
        let Some(wasm) = generate(seed, cfg.floats) else {
            continue;
        };
        report.modules += 1;
        case(&fast, cfg, seed, &wasm, &mut report);
    }
    Ok(report)
}

fn case(fast: &FastEngine, cfg: &DiffConfig, seed: u64, wasm: &[u8], report: &mut DiffReport) {
    let limits = Limits::default();
    let v = Program::load_with_entry(wasm, limits, Entry::Instantiate).map(Arc::new);
    if v.is_err() {
        return report.rejected += 1;
    }
    // Unchecked: wasmtime's own validation, so a module only the VM accepts shows up.
    let f = fast.compile_unchecked(wasm);
    let (module, program) = match (f, v) {
        (Ok(m), Ok(p)) => (m, p),
        (f, v) => {
            let fe = f
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "accepted".into());
            let ve = v
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "accepted".into());
            return report.mismatches.push(format!(
                "seed {seed}: acceptance differs: fast {fe}; vm {ve}"
            ));
        }
    };
    let mut rng = SplitMix(seed ^ 0xa5a5_a5a5);
    let mut calls = vec![None];
    for e in module.exported_funcs() {
        let params: Option<Vec<ValType>> = e.params.iter().copied().collect();
        if let Some(params) = params {
            calls.push(Some((e.name, args(&params, &mut rng))));
        }
    }
    for call in calls {
        let what = call.as_ref().map_or_else(
            || "instantiation".to_string(),
            |(n, a)| format!("`{n}`{a:?}"),
        );
        let fs = fast_side(&module, cfg, call.as_ref(), limits);
        let vs = vm_side(&program, cfg, call.as_ref());
        let (fs, vs) = match (fs, vs) {
            (Ok(fs), Ok(vs)) => (fs, vs),
            (fs, vs) => {
                report.mismatches.push(format!(
                    "seed {seed} {what}: host error: fast {fs:?}; vm {vs:?}"
                ));
                continue;
            }
        };
        if !comparable(fs.status, vs.status) {
            report.bound_hit += 1;
            continue;
        }
        report.compared += 1;
        if fs == vs {
            report.agreed += 1;
            match fs.status {
                RunStatus::Halted => report.halted += 1,
                _ => report.trapped += 1,
            }
        } else {
            report.mismatches.push(describe(seed, &what, &fs, &vs));
        }
    }
}

fn comparable(a: RunStatus, b: RunStatus) -> bool {
    let exhausted = RunStatus::Trapped(TrapCode::CallStackExhausted);
    !matches!(a, RunStatus::OutOfSteps)
        && !matches!(b, RunStatus::OutOfSteps)
        && ((a == exhausted) == (b == exhausted))
}

fn describe(seed: u64, what: &str, f: &Side, v: &Side) -> String {
    let mem = if f.memory == v.memory {
        "memory equal".to_string()
    } else {
        let first = f.memory.iter().zip(&v.memory).position(|(a, b)| a != b);
        format!(
            "memory differs (fast {} bytes, vm {} bytes, first difference at {first:?})",
            f.memory.len(),
            v.memory.len()
        )
    };
    format!(
        "seed {seed} {what}: fast {} {:?} / vm {} {:?}; {mem}",
        f.status, f.results, v.status, v.results
    )
}

fn fast_side(
    module: &FastModule,
    cfg: &DiffConfig,
    call: Option<&(String, Vec<Value>)>,
    limits: Limits,
) -> opml_executor::Result<Side> {
    let mut inst = match module.instantiate(&[], limits, cfg.fuel)? {
        Instantiated::Ready(i) => i,
        Instantiated::Trapped { status, .. } => return Ok(Side::trapped(status)),
    };
    let (status, results) = call_export(call, |name, args| {
        let c = inst.invoke(name, args, cfg.fuel)?;
        Ok((c.status, c.results))
    })?;
    Ok(Side {
        status,
        results,
        memory: inst.memory().unwrap_or_default(),
    })
}

fn vm_side(
    program: &Arc<Program>,
    cfg: &DiffConfig,
    call: Option<&(String, Vec<Value>)>,
) -> opml_executor::Result<Side> {
    let mut inst = match VmInstance::instantiate_program(program, &[], cfg.steps)? {
        VmInstantiated::Ready(i) => i,
        VmInstantiated::Trapped { status, .. } => return Ok(Side::trapped(status)),
    };
    let (status, results) = call_export(call, |name, args| {
        let c = inst.invoke(name, args, cfg.steps)?;
        Ok((c.status, c.results))
    })?;
    Ok(Side {
        status,
        results,
        memory: inst.memory().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate(7, false), generate(7, false));
        assert_ne!(generate(7, false), generate(8, false));
    }

    #[test]
    fn bound_hits_are_not_compared() {
        let t = RunStatus::Trapped;
        assert!(comparable(RunStatus::Halted, t(TrapCode::Unreachable)));
        assert!(comparable(
            t(TrapCode::CallStackExhausted),
            t(TrapCode::CallStackExhausted)
        ));
        assert!(!comparable(RunStatus::OutOfSteps, RunStatus::Halted));
        assert!(!comparable(
            t(TrapCode::CallStackExhausted),
            RunStatus::Halted
        ));
    }
}
