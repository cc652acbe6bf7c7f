//! `stepcheck [--steps N] [--spec K] [--smith S] [--no-guests]`: the Rust step against the
//! compiled Solidity step on every step of the WAT programs, the example guests (first N steps
//! each), K invocations per spec file and S wasm-smith seeds. Prints counts; exits 1 on any
//! mismatch.

use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::suite::{Budget, run};

fn arg(args: &[String], flag: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let budget = Budget {
        steps_per_program: arg(&args, "--steps", 20_000),
        spec_per_file: arg(&args, "--spec", 20) as usize,
        smith_seeds: arg(&args, "--smith", 50),
        smith_per_module: 3,
        guests: !args.iter().any(|a| a == "--no-guests"),
    };
    let mut evm = match StepEvm::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("stepcheck: {e}");
            std::process::exit(2);
        }
    };
    let reports = match run(&mut evm, &budget, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("stepcheck: {e}");
            std::process::exit(2);
        }
    };
    let mut bad = 0;
    println!("source       programs      steps  mismatches");
    for (source, r) in &reports {
        println!(
            "{source:<12} {:>8} {:>10} {:>11}",
            r.programs,
            r.steps,
            r.mismatches.len()
        );
        for m in r.mismatches.iter().take(5) {
            println!(
                "  MISMATCH {} step {} op {:?}: rust {} evm {:?}",
                m.program,
                m.step,
                m.op,
                hex::encode(m.rust_post),
                m.evm
            );
        }
        bad += r.mismatches.len();
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut all = opml_stepcheck::diff::Report::default();
    for (_, r) in &reports {
        seen.extend(r.ops.iter().copied());
        all.merge(r);
    }
    println!("per group over every replayed step (gas = whole transaction, proof in bytes):");
    print!("{}", all.table());
    let missing: Vec<&str> = opml_vm::isa::Opcode::ALL
        .iter()
        .filter(|op| !seen.contains(op))
        .map(|op| op.name())
        .collect();
    println!(
        "opcodes replayed: {} of {}; not reached: {missing:?}",
        seen.len(),
        opml_vm::isa::Opcode::ALL.len()
    );
    std::process::exit(if bad == 0 { 0 } else { 1 });
}
