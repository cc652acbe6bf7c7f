//! `floatsteps [--steps N] [--seed S] [--skip-edges] [--spec K]`: float steps of the Rust machine
//! against the compiled `StepVerifier` in revm. Every edge combination of every float opcode
//! (and the sticky-bit operands), then N seeded random cases, each run as a step of a small
//! program, proved by the machine and replayed by the verifier; the post-state hashes must be
//! equal and the machine's result the hardware reference's. With `--spec K`, also the first K
//! invocations of each of the spec suite's float files (`--spec all`: every one), every step
//! replayed. Prints counts and the float groups' gas; exits 1 on any mismatch.

use std::time::Instant;

use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::float::cases::{RoundRobin, edge_cases};
use opml_stepcheck::float::ops::{F32_BASE, F64_BASE, FloatOp, TRUNC_BASE};
use opml_stepcheck::float::spec::{check_float_spec, float_steps};
use opml_stepcheck::float::steps::{FloatSteps, StepReport};
use opml_stepcheck::float::sticky_cases;

fn value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1).map(String::as_str)
}

fn number(args: &[String], flag: &str, default: u64) -> u64 {
    value(args, flag)
        .and_then(|v| {
            v.strip_prefix("0x")
                .map_or_else(|| v.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or(default)
}

fn stats(v: &[u64]) -> (u64, u64, u64) {
    let mut v = v.to_vec();
    v.sort_unstable();
    match (v.first(), v.last()) {
        (Some(&a), Some(&b)) => (a, v[v.len() / 2], b),
        _ => (0, 0, 0),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = number(&args, "--steps", 100_000);
    let seed = number(&args, "--seed", 0x6f70_6d6c);
    let spec = value(&args, "--spec").map(|v| {
        if v == "all" {
            usize::MAX
        } else {
            v.parse().unwrap_or(0)
        }
    });
    let started = Instant::now();
    let mut bad = 0;
    let run = || -> opml_stepcheck::Result<StepReport> {
        let mut evm = StepEvm::new()?;
        let fs = FloatSteps::new()?;
        let mut r = StepReport::default();
        if !args.iter().any(|a| a == "--skip-edges") {
            for op in FloatOp::all() {
                fs.check(Some(&mut evm), &edge_cases(op), &mut r)?;
            }
            fs.check(Some(&mut evm), &sticky_cases(), &mut r)?;
            println!(
                "edge combinations and sticky-bit operands: {} steps",
                r.total()
            );
        }
        let mut cases = RoundRobin::new(seed);
        let mut done = 0;
        while done < n {
            let size = (n - done).min(66 * 1_000);
            fs.check(Some(&mut evm), &cases.batch(size as usize), &mut r)?;
            done += size;
            eprintln!(
                "  {done} random steps, {} mismatches so far, {:.0} s",
                r.mismatches(),
                started.elapsed().as_secs_f64()
            );
        }
        Ok(r)
    };
    let r = match run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("floatsteps: {e}");
            std::process::exit(2);
        }
    };
    println!("op                        steps   gas min  gas median   gas max");
    for op in FloatOp::all() {
        let gas = r.gas.get(&op.code).map_or(&[][..], Vec::as_slice);
        let (lo, med, hi) = stats(gas);
        println!(
            "{:<22} {:>9} {lo:>9} {med:>11} {hi:>9}",
            op.name(),
            r.steps.get(&op.code).copied().unwrap_or(0)
        );
    }
    println!("group                     steps   gas min  gas median   gas max");
    for (name, range) in [
        ("f32", F32_BASE..F64_BASE),
        ("f64", F64_BASE..TRUNC_BASE),
        ("float-to-int", TRUNC_BASE..0x100),
    ] {
        let gas: Vec<u64> = r
            .gas
            .range(range)
            .flat_map(|(_, g)| g.iter().copied())
            .collect();
        let (lo, med, hi) = stats(&gas);
        println!("{name:<22} {:>9} {lo:>9} {med:>11} {hi:>9}", gas.len());
    }
    for m in &r.first {
        println!(
            "MISMATCH op {:#04x} x0 {:#018x} x1 {:#018x}: machine {:?}, reference {:?}, rust post {}, verifier {:?}",
            m.case.op,
            m.case.x0,
            m.case.x1,
            m.machine,
            m.expected,
            hex::encode(m.rust_post),
            m.evm
        );
    }
    println!(
        "total: {} float steps (seed {seed:#x}), {} verifier mismatches, {} reference mismatches, {:.0} s",
        r.total(),
        r.verifier_mismatches,
        r.reference_mismatches,
        started.elapsed().as_secs_f64()
    );
    bad += r.mismatches();
    if let Some(per_file) = spec {
        let spec_run = StepEvm::new().and_then(|mut evm| check_float_spec(&mut evm, per_file));
        match spec_run {
            Ok(Some(s)) => {
                println!(
                    "spec float files: {} invocations, {} steps ({} float steps), {} mismatches",
                    s.programs,
                    s.steps,
                    float_steps(&s),
                    s.mismatches.len()
                );
                for m in s.mismatches.iter().take(5) {
                    println!(
                        "  MISMATCH {} step {} op {:?}: rust {} evm {:?}",
                        m.program,
                        m.step,
                        m.op,
                        hex::encode(m.rust_post),
                        m.evm
                    );
                }
                bad += s.mismatches.len() as u64;
            }
            Ok(None) => {
                eprintln!("floatsteps: spec suite not found (set OPML_WASM_TESTSUITE)");
                std::process::exit(2);
            }
            Err(e) => {
                eprintln!("floatsteps: {e}");
                std::process::exit(2);
            }
        }
    }
    std::process::exit(if bad == 0 { 0 } else { 1 });
}
