//! `vmspeed WASM INPUT REPS LABEL`: VM steps/s of one program, the median of REPS runs to
//! completion. Not a workspace member: `scripts/vm-speed-v1-v2.sh` builds it against machine v1's
//! `opml-vm` and against this checkout's, to time both in one run. Its API is the one both share.
use opml_vm::{Limits, Machine, Program, Status};
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let wasm = std::fs::read(&a[1]).unwrap();
    let input = std::fs::read(&a[2]).unwrap();
    let reps: usize = a[3].parse().unwrap();
    let program = std::sync::Arc::new(Program::load(&wasm, Limits::default()).unwrap());
    let (mut times, mut steps) = (Vec::new(), 0);
    for _ in 0..reps {
        let t = Instant::now();
        let mut m = Machine::new(&program, &input);
        steps = m.run(u64::MAX);
        times.push(t.elapsed());
        assert!(m.status() == Status::Halted);
    }
    times.sort();
    let med = times[reps / 2].as_secs_f64();
    println!(
        "{}: {steps} steps, {:.3} ms, {:.1} M steps/s",
        a[4],
        med * 1e3,
        steps as f64 / med / 1e6
    );
}
