//! The committed golden vectors replay in revm and are what the prover makes today.

use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::repo_root;
use opml_stepcheck::suite::{Budget, run};
use opml_stepcheck::vectors::{Vector, VectorSet, read_dir};

#[test]
fn committed_vectors_replay_and_match_a_fresh_generation() {
    let dir = repo_root().join("contracts/test/golden");
    let committed =
        read_dir(&dir).expect("read contracts/test/golden (make them with gen-vectors)");
    let mut evm = StepEvm::new().expect("deploy the verifier");
    for v in &committed {
        assert_eq!(
            evm.step(&v.pre, &v.proof).expect("evm").post(),
            Some(v.post),
            "{}",
            v.name
        );
    }
    let fresh_dir = std::env::temp_dir().join(format!("opml-golden-{}", std::process::id()));
    let budget = Budget {
        steps_per_program: 1_000_000,
        spec_per_file: 0,
        smith_seeds: 0,
        smith_per_module: 0,
        guests: false,
    };
    let mut set = VectorSet::new(4);
    run(&mut evm, &budget, Some(&mut |v: Vector| set.offer(v))).expect("run");
    set.write(&fresh_dir).expect("write");
    let fresh = read_dir(&fresh_dir).expect("read back");
    let _ = std::fs::remove_dir_all(&fresh_dir);
    assert!(
        fresh == committed,
        "contracts/test/golden is stale: regenerate with `cargo run -p opml-stepcheck --bin gen-vectors`"
    );
}
