//! Checks that the forge artifacts the bindings read exist, and tells how to make them.

use std::path::Path;

/// Artifacts `src/bindings.rs` reads, relative to `contracts/out/`.
const ARTIFACTS: &[&str] = &[
    "OpMLOracle.sol/OpMLOracle.json",
    "StepVerifier.sol/StepVerifier.json",
    "ControlStep.sol/ControlStep.json",
    "MemoryStep.sol/MemoryStep.json",
    "BulkStep.sol/BulkStep.json",
    "I32Step.sol/I32Step.json",
    "I64Step.sol/I64Step.json",
    "ExampleConsumer.sol/ExampleConsumer.json",
    "AIOracleAdapter.sol/AIOracleAdapter.json",
];

fn main() {
    // Read at run time: a build script binary may be reused from another checkout.
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let out = Path::new(&dir).join("../contracts/out");
    let mut missing = Vec::new();
    for a in ARTIFACTS {
        let p = out.join(a);
        println!("cargo:rerun-if-changed={}", p.display());
        if !p.is_file() {
            missing.push(a.to_string());
        }
    }
    if !missing.is_empty() {
        eprintln!(
            "error: opml-protocol needs the forge artifacts {missing:?} in contracts/out/.\n\
             Build them first:\n    scripts/bootstrap.sh && (cd contracts && ../.tools/bin/forge build)"
        );
        std::process::exit(1);
    }
}
