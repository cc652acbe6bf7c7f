//! Dishonesty is compiled out of the service commands: no flag of `opml submitter` or
//! `opml challenger` makes a role lie (the liars live in `opml-testkit`'s `opml-liar`).

use std::process::Command;

#[test]
fn no_flag_makes_a_service_role_lie() {
    for role in ["submitter", "challenger"] {
        for flag in ["--lie-output", "--lie-from-step"] {
            let out = Command::new(env!("CARGO_BIN_EXE_opml"))
                .args([role, flag, "1"])
                .output()
                .expect("run opml");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "opml {role} {flag}: {err}");
            assert!(
                err.contains("unexpected argument"),
                "opml {role} {flag}: {err}"
            );
        }
    }
}
