//! `gen-vectors [DIR]`: runs the WAT programs through the differential and writes golden
//! `{pre, proof, post}` vectors, a few shapes per opcode, to `DIR` (default
//! `contracts/test/golden`). Fails if an opcode has no vector or any step disagrees.

use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::repo_root;
use opml_stepcheck::suite::{Budget, run};
use opml_stepcheck::vectors::{Vector, VectorSet};
use opml_vm::isa::Opcode;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(|| repo_root().join("contracts/test/golden"));
    let budget = Budget {
        steps_per_program: 1_000_000,
        spec_per_file: 0,
        smith_seeds: 0,
        smith_per_module: 0,
        guests: false,
    };
    let mut set = VectorSet::new(4);
    let result = StepEvm::new()
        .and_then(|mut evm| run(&mut evm, &budget, Some(&mut |v: Vector| set.offer(v))));
    let reports = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gen-vectors: {e}");
            std::process::exit(2);
        }
    };
    let mismatches: usize = reports.iter().map(|(_, r)| r.mismatches.len()).sum();
    let have: std::collections::BTreeSet<Opcode> = set.opcodes().collect();
    let missing: Vec<&str> = Opcode::ALL
        .iter()
        .filter(|o| !have.contains(o))
        .map(|o| o.name())
        .collect();
    if mismatches > 0 || !missing.is_empty() {
        eprintln!("gen-vectors: {mismatches} mismatches; opcodes without a vector: {missing:?}");
        std::process::exit(1);
    }
    if let Err(e) = set.write(&dir) {
        eprintln!("gen-vectors: {e}");
        std::process::exit(2);
    }
    println!(
        "wrote {} vectors for {} opcodes to {}",
        set.len(),
        have.len(),
        dir.display()
    );
}
