//! Every in-profile spec file passes on both engines (skips allowed, failures not).

use opml_conformance::{Runner, run_file, suite};
use opml_executor::{Engine, Limits};

fn run_list(engine: Engine, files: &[&str]) {
    let Some(dir) = suite::suite_dir() else {
        assert!(
            !suite::suite_required(),
            "spec suite not found and CI=true: set OPML_WASM_TESTSUITE"
        );
        eprintln!(
            "SKIPPED: spec suite not found (set OPML_WASM_TESTSUITE or put it at ../shared/wasm-testsuite)"
        );
        return;
    };
    let runner = Runner::new(engine, Limits::default(), 100_000_000).expect("engine");
    let mut failures = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for f in files {
        let r = run_file(&dir.join(f), &runner);
        passed += r.passed;
        skipped += r.skipped;
        failures.extend(r.failures);
    }
    eprintln!(
        "{}: {passed} passed, {} failed, {skipped} skipped",
        engine.name(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(passed > 0, "nothing ran");
}

#[test]
fn in_profile_files_pass_on_the_vm() {
    run_list(Engine::Vm, suite::IN_PROFILE);
}

#[test]
fn in_profile_files_pass_on_the_fast_path() {
    run_list(Engine::Fast, suite::IN_PROFILE);
}

#[test]
fn float_files_pass_on_the_vm() {
    run_list(Engine::Vm, suite::FLOAT_FILES);
}

#[test]
fn float_files_pass_on_the_fast_path() {
    run_list(Engine::Fast, suite::FLOAT_FILES);
}
