//! The verifier's float code (compiled, in revm) against the hardware reference: a bounded,
//! seeded version of `floatcheck`.

use opml_stepcheck::float::cases::edge_cases;
use opml_stepcheck::float::check_random;
use opml_stepcheck::float::harness::{FloatEvm, FloatReport};
use opml_stepcheck::float::ops::FloatOp;

fn assert_clean(what: &str, r: &FloatReport) {
    assert!(
        r.mismatches() == 0,
        "{what}: {} of {} cases disagree with the hardware; first: {:#?}",
        r.mismatches(),
        r.total(),
        r.first
    );
    println!("{what}: {} cases, 0 mismatches", r.total());
}

#[test]
fn float_edge_values_agree_with_hardware() {
    let mut evm = FloatEvm::new().expect("deploy the float harness");
    let mut r = FloatReport::default();
    for op in FloatOp::all() {
        // Every edge value of a unary op; every 13th pair of a binary op (13 does not divide
        // the row length, so each row meets different columns).
        let cases: Vec<_> = edge_cases(op)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !op.binary || i % 13 == 0)
            .map(|(_, c)| c)
            .collect();
        r.check(&mut evm, &cases).expect("run");
    }
    assert_eq!(r.cases.len(), 66, "every float opcode checked");
    assert_clean("edges", &r);
}

#[test]
fn seeded_random_float_cases_agree_with_hardware() {
    let mut evm = FloatEvm::new().expect("deploy the float harness");
    let mut r = FloatReport::default();
    check_random(&mut evm, 5_000, 0x6f70_6d6c, &mut r, |_, _| {}).expect("run");
    assert_eq!(r.cases.len(), 66, "every float opcode checked");
    assert_clean("random", &r);
}

#[test]
fn the_harness_reports_values_traps_and_foreign_opcodes() {
    use opml_stepcheck::float::cases::Case;
    use opml_stepcheck::float::reference::Outcome;
    let mut evm = FloatEvm::new().expect("deploy the float harness");
    let got = evm
        .run(&[
            // 0.1 + 0.2 in f64 (x1 + x0).
            Case {
                op: 0xdd,
                x0: 0x3fc9_9999_9999_999a,
                x1: 0x3fb9_9999_9999_999a,
            },
            // i32.trunc_f32_s of a NaN traps 5; of 2^31 traps 4.
            Case {
                op: 0xf0,
                x0: 0x7fc0_0000,
                x1: 0,
            },
            Case {
                op: 0xf0,
                x0: 0x4f00_0000,
                x1: 0,
            },
            // i64.rotr: not a float opcode.
            Case {
                op: 0xaf,
                x0: 0,
                x1: 0,
            },
        ])
        .expect("run");
    assert_eq!(
        got,
        [
            Some(Outcome::Value(0x3fd3_3333_3333_3334)),
            Some(Outcome::Trap(5)),
            Some(Outcome::Trap(4)),
            None
        ]
    );
}

#[test]
fn sticky_bit_cases_agree_with_hardware() {
    let mut evm = FloatEvm::new().expect("deploy the float harness");
    let mut r = FloatReport::default();
    let cases = opml_stepcheck::float::sticky_cases();
    r.check(&mut evm, &cases).expect("run");
    assert_clean("sticky", &r);
}

#[test]
fn float_steps_of_the_machine_agree_with_the_verifier() {
    use opml_stepcheck::evm::StepEvm;
    use opml_stepcheck::float::cases::RoundRobin;
    use opml_stepcheck::float::steps::{FloatSteps, StepReport};
    let mut evm = StepEvm::new().expect("deploy the verifier");
    let fs = FloatSteps::new().expect("load the float step programs");
    let mut r = StepReport::default();
    for op in FloatOp::all() {
        let cases: Vec<_> = edge_cases(op).into_iter().step_by(97).collect();
        fs.check(Some(&mut evm), &cases, &mut r).expect("run");
    }
    let sticky = opml_stepcheck::float::sticky_cases();
    fs.check(Some(&mut evm), &sticky[..8], &mut r).expect("run");
    fs.check(
        Some(&mut evm),
        &RoundRobin::new(0x6f70_6d6c).batch(660),
        &mut r,
    )
    .expect("run");
    assert_eq!(r.steps.len(), 66, "every float opcode stepped");
    assert!(
        r.mismatches() == 0,
        "{} verifier and {} reference mismatches in {} float steps; first: {:#?}",
        r.verifier_mismatches,
        r.reference_mismatches,
        r.total(),
        r.first
    );
    println!("float steps: {}, 0 mismatches", r.total());
}
