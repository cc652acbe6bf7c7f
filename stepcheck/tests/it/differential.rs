//! Every step of many programs: Rust post-state == EVM post-state (bounded versions; the
//! `stepcheck` binary runs longer).

use opml_stepcheck::diff::{Report, check_program};
use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::programs::{crafted_cases, guest_cases, smith_cases, spec_cases, wat_cases};
use opml_stepcheck::suite::SPEC_FILES;
use opml_vm::isa::Opcode;

fn assert_clean(what: &str, r: &Report) {
    assert!(r.steps > 0, "{what}: no step replayed");
    assert!(
        r.mismatches.is_empty(),
        "{what}: {} of {} steps disagree; first: {:?}",
        r.mismatches.len(),
        r.steps,
        r.mismatches.first()
    );
    println!(
        "{what}: {} programs, {} steps, 0 mismatches",
        r.programs, r.steps
    );
}

#[test]
fn wat_and_crafted_programs_agree_on_every_step_and_cover_every_opcode() {
    let mut evm = StepEvm::new().expect("deploy the verifier");
    let mut r = Report::default();
    // The crafted cases hold the code the lowering never emits (`Trap`, `docs/machine.md` §5.6).
    let cases = wat_cases().expect("load the WAT programs");
    for c in cases.into_iter().chain(crafted_cases()) {
        check_program(
            &mut evm, &c.name, &c.program, &c.input, 100_000, &mut r, None,
        )
        .expect("run");
    }
    assert_clean("wat and crafted", &r);
    let missing: Vec<&str> = Opcode::ALL
        .iter()
        .filter(|o| !r.ops.contains(o))
        .map(|o| o.name())
        .collect();
    assert!(missing.is_empty(), "opcodes never replayed: {missing:?}");
}

#[test]
fn example_guests_agree_on_their_first_steps() {
    let mut evm = StepEvm::new().expect("deploy the verifier");
    let cases = guest_cases().expect("load the guests");
    assert!(!cases.is_empty(), "no guests/wasm/*.wasm found");
    let mut r = Report::default();
    for c in &cases {
        check_program(&mut evm, &c.name, &c.program, &c.input, 1_500, &mut r, None).expect("run");
    }
    assert_clean("guests", &r);
}

#[test]
fn spec_suite_invocations_agree() {
    let Some(cases) = spec_cases(SPEC_FILES, 4).expect("read the spec suite") else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "spec suite missing (set OPML_WASM_TESTSUITE)"
        );
        eprintln!("spec suite not found; skipped (set OPML_WASM_TESTSUITE)");
        return;
    };
    let mut evm = StepEvm::new().expect("deploy the verifier");
    let mut r = Report::default();
    for c in &cases {
        check_program(&mut evm, &c.name, &c.program, &c.input, 3_000, &mut r, None).expect("run");
    }
    assert!(
        r.programs >= 40,
        "only {} spec invocations loaded",
        r.programs
    );
    assert_clean("spec", &r);
}

#[test]
fn seeded_wasm_smith_modules_agree() {
    let cases = smith_cases(0..24, 2);
    assert!(
        cases.len() >= 5,
        "only {} wasm-smith cases loaded",
        cases.len()
    );
    let mut evm = StepEvm::new().expect("deploy the verifier");
    let mut r = Report::default();
    for c in &cases {
        check_program(&mut evm, &c.name, &c.program, &c.input, 1_000, &mut r, None).expect("run");
    }
    assert_clean("wasm-smith", &r);
}
