//! `floatcheck [--cases N] [--seed S] [--skip-edges]`: the verifier's float code (compiled Solidity, in revm)
//! against the hardware's f32/f64 operations with wasm's semantics and canonical NaNs: every
//! combination of edge values for every float opcode, then N seeded random cases spread over
//! the 66 opcodes. Prints counts per opcode; exits 1 on any mismatch.

use std::time::Instant;

use opml_stepcheck::float::harness::{FloatEvm, FloatReport};
use opml_stepcheck::float::ops::FloatOp;
use opml_stepcheck::float::{check_edges, check_random};

fn arg(args: &[String], flag: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| {
            v.strip_prefix("0x")
                .map_or_else(|| v.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = arg(&args, "--cases", 1_000_000);
    let seed = arg(&args, "--seed", 0x6f70_6d6c);
    let started = Instant::now();
    let run = || -> opml_stepcheck::Result<FloatReport> {
        let mut evm = FloatEvm::new()?;
        let mut report = FloatReport::default();
        if !args.iter().any(|a| a == "--skip-edges") {
            check_edges(&mut evm, &mut report)?;
        }
        let edges = report.total();
        println!("edge combinations: {edges} cases");
        let step = (n / 10).max(1);
        let mut next = step;
        check_random(&mut evm, n, seed, &mut report, |done, r| {
            if done >= next {
                eprintln!(
                    "  {done} random cases, {} mismatches so far, {:.0} s",
                    r.mismatches(),
                    started.elapsed().as_secs_f64()
                );
                next += step;
            }
        })?;
        Ok(report)
    };
    let report = match run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("floatcheck: {e}");
            std::process::exit(2);
        }
    };
    println!("op                       cases  mismatches");
    for op in FloatOp::all() {
        println!(
            "{:<22} {:>9} {:>11}",
            op.name(),
            report.cases.get(&op.code).copied().unwrap_or(0),
            report.mismatched.get(&op.code).copied().unwrap_or(0)
        );
    }
    for m in &report.first {
        println!(
            "MISMATCH op 0x{:02x} x0 0x{:016x} x1 0x{:016x}: hardware {:?}, verifier {:?}",
            m.case.op, m.case.x0, m.case.x1, m.expected, m.got
        );
    }
    println!(
        "total: {} cases (seed 0x{seed:x}), {} mismatches, {:.0} s",
        report.total(),
        report.mismatches(),
        started.elapsed().as_secs_f64()
    );
    std::process::exit(if report.mismatches() == 0 { 0 } else { 1 });
}
