//! Every example model gives the same output and status on both engines (DESIGN.md, "The fast
//! path": agreement over random modules and over every example model).

use opml_executor::{Engine, Entry, RunOptions, RunStatus, run};
use std::path::Path;

#[test]
fn example_models_agree_on_both_engines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cases = [
        (
            "guests/wasm/digits.wasm",
            Some("guests/digits/testdata/sample.bin"),
        ),
        (
            "guests/wasm/digits-f32.wasm",
            Some("guests/digits/testdata/sample.bin"),
        ),
        ("guests/wasm/kernels.wasm", None),
        (
            "guests/wasm/attention.wasm",
            Some("guests/attention/testdata/input.bin"),
        ),
        (
            "guests/wasm/mnist.wasm",
            Some("guests/mnist/testdata/input_7"),
        ),
    ];
    let mut ran = 0;
    for (wasm, input) in cases {
        let Ok(bytes) = std::fs::read(root.join(wasm)) else {
            eprintln!("SKIPPED: {wasm} not present");
            continue;
        };
        let input = input
            .map(|i| std::fs::read(root.join(i)).expect("test input"))
            .unwrap_or_default();
        let o = RunOptions::default();
        let fast = run(Engine::Fast, &bytes, &input, &Entry::Main, &o).expect("fast path runs");
        let vm = run(Engine::Vm, &bytes, &input, &Entry::Main, &o).expect("VM runs");
        assert_eq!(fast.status, RunStatus::Halted, "{wasm}");
        assert_eq!(
            (vm.status, &vm.output),
            (fast.status, &fast.output),
            "{wasm}"
        );
        assert!(!fast.output.is_empty(), "{wasm}");
        if wasm.ends_with("mnist.wasm") {
            // ORA's demo answers 7 on this input; so must the same model here.
            assert!(fast.output.starts_with(b"{\"digit\":7,"), "{wasm}");
        }
        eprintln!(
            "{wasm}: {} output bytes, fuel {}, VM steps {}",
            fast.output.len(),
            fast.work,
            vm.work
        );
        ran += 1;
    }
    assert!(ran > 0, "no example model found under guests/wasm");
}
