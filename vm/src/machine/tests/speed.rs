//! Step throughput on the committed guests (a figure, not an assertion). Run with
//! `cargo test --release -p opml-vm --lib speed -- --ignored --nocapture`.

use std::sync::Arc;
use std::time::Instant;

use crate::{Limits, Machine, Program, Status};

#[test]
#[ignore = "prints a figure; run in release"]
fn speed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| std::fs::read(root.join(p)).unwrap_or_default();
    let cases: [(&str, &str, Vec<u8>); 5] = [
        (
            "kernels",
            "guests/wasm/kernels.wasm",
            200u32.to_le_bytes().to_vec(),
        ),
        (
            "digits",
            "guests/wasm/digits.wasm",
            read("guests/digits/testdata/sample.bin"),
        ),
        (
            "digits-f32",
            "guests/wasm/digits-f32.wasm",
            read("guests/digits/testdata/sample.bin"),
        ),
        (
            "attention",
            "guests/wasm/attention.wasm",
            read("guests/attention/testdata/input.bin"),
        ),
        (
            "mnist",
            "guests/wasm/mnist.wasm",
            read("guests/mnist/testdata/input_7"),
        ),
    ];
    for (name, path, input) in cases {
        let Ok(wasm) = std::fs::read(root.join(path)) else {
            println!("{name}: {path} missing, skipped");
            continue;
        };
        let p = Arc::new(Program::load(&wasm, Limits::default()).expect("load"));
        let (mut best, mut best_new) = (f64::MAX, f64::MAX);
        let mut steps = 0;
        for _ in 0..5 {
            let t0 = Instant::now();
            let mut m = Machine::new(&p, &input);
            let t = Instant::now();
            steps = m.run(u64::MAX);
            best = best.min(t.elapsed().as_secs_f64());
            best_new = best_new.min((t - t0).as_secs_f64());
            assert_eq!(m.status(), Status::Halted);
        }
        let mut m = Machine::new(&p, &input);
        m.run(u64::MAX);
        let t = Instant::now();
        m.state_hash();
        let h = t.elapsed().as_secs_f64();
        println!(
            "{name}: {steps} steps in {:.3} ms = {:.1} M steps/s (Machine::new {:.3} ms); \
             final state_hash {:.1} ms",
            best * 1e3,
            steps as f64 / best / 1e6,
            best_new * 1e3,
            h * 1e3
        );
    }
}
