//! A bounded differential run: the VM and wasmtime agree on random modules.

use opml_conformance::diff::{DiffConfig, run};

fn check(cfg: DiffConfig) {
    let r = run(&cfg).expect("engines start");
    eprintln!("{r:?}");
    assert!(
        r.mismatches.is_empty(),
        "{} mismatches:\n{}",
        r.mismatches.len(),
        r.mismatches.join("\n")
    );
    assert!(r.compared > r.modules, "too few calls compared: {r:?}");
}

#[test]
fn vm_agrees_with_wasmtime_on_integer_modules() {
    check(DiffConfig {
        cases: 200,
        seed: 1,
        ..DiffConfig::default()
    });
}

#[test]
fn vm_agrees_with_wasmtime_with_floats() {
    check(DiffConfig {
        cases: 60,
        seed: 10_000,
        floats: true,
        ..DiffConfig::default()
    });
}
