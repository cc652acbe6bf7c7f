//! Crafted code (`crate::crafted`): every step proves and verifies, each run ends as its case
//! says, and `run` agrees with single steps (`docs/machine.md` §5.6).

use crate::crafted::cases;
use crate::{Machine, Status, verify_step};

/// Proves and verifies every step of `m` until it stops (plus one identity step).
fn verify_run(m: &mut Machine, what: &str) {
    for _ in 0..100_000 {
        let stopped = m.status() != Status::Running;
        let pre = m.state_hash();
        let proof = m.prove_step();
        let post = m.state_hash();
        assert_eq!(
            verify_step(pre, &proof),
            Ok(post),
            "{what}: step {}",
            m.steps()
        );
        if stopped {
            assert_eq!(post, pre, "{what}: a stopped machine steps to itself");
            return;
        }
    }
    panic!("{what}: still running");
}

#[test]
fn crafted_cases_end_as_specified_and_every_step_verifies() {
    let all = cases();
    assert!(all.len() >= 30);
    for c in &all {
        let mut m = Machine::new(&c.program, &c.input);
        verify_run(&mut m, c.name);
        let f = m.state_fields();
        assert_eq!(m.status(), c.status, "{}: status", c.name);
        let code = (c.status == Status::Trapped).then_some(f.trap_code);
        assert_eq!(code, c.trap_code, "{}: trap code", c.name);
    }
}

#[test]
fn run_agrees_with_single_steps_on_crafted_code() {
    for c in cases() {
        for chunk in [1u64, 3, 9, 1_000_000] {
            let mut stepped = Machine::new(&c.program, &c.input);
            let mut ran = Machine::new(&c.program, &c.input);
            while stepped.status() == Status::Running {
                let n = ran.run(chunk);
                for _ in 0..n {
                    stepped.step();
                }
                assert_eq!(
                    ran.state_hash(),
                    stepped.state_hash(),
                    "{} chunk {chunk}",
                    c.name
                );
                if n == 0 {
                    break;
                }
            }
            assert_eq!(ran.status(), c.status, "{}", c.name);
        }
    }
}

#[test]
fn a_yielded_boundary_resumes_and_is_canonical() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "Yield at a boundary")
        .expect("case");
    let mut m = Machine::new(&c.program, &c.input);
    m.run(100);
    assert_eq!(m.status(), Status::Yielded);
    let f = m.state_fields();
    assert_eq!(
        (
            f.bulk_dst,
            f.bulk_src,
            f.bulk_len,
            f.segment_steps,
            f.stack_depth,
            f.call_depth
        ),
        (0, 0, 0, 0, 0, 0)
    );
    assert_eq!(f.locals, crate::empty_locals());
    let yielded = m.state_hash();
    assert_eq!(m.run(10), 0, "a yielded machine runs no further");
    assert!(m.resume());
    assert!(!m.resume(), "resume only flips a yielded state");
    let mut resumed = f;
    resumed.status = Status::Running as u8;
    assert_eq!(m.state_hash(), resumed.hash());
    assert_ne!(m.state_hash(), yielded);
    verify_run(&mut m, "after resume");
    assert_eq!(
        m.status(),
        Status::Halted,
        "the boundary's pc is the Halt after the Yield"
    );
}
