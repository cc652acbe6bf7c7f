//! The guest's code compiled natively, timed: the baseline of the fast path (`opml-modelpack
//! figures` prints the rest). The model is read from a packed program (the blob is its last data
//! segment, found by its magic).
//!
//! ```sh
//! cargo run --release --manifest-path guests/Cargo.toml -p opml-minilm --example native -- models/minilm.wasm [request.json] [reps]
//! ```

use std::time::{Duration, Instant};

const SENTENCE: &[u8] =
    br#"{"texts":["The quick brown fox jumps over the lazy dog near the river bank."]}"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(program) = args.get(1) else {
        eprintln!("usage: native <packed program.wasm> [request.json] [reps]");
        std::process::exit(2);
    };
    let wasm = std::fs::read(program).expect("reading the program");
    let input = args
        .get(2)
        .filter(|p| !p.is_empty())
        .map(|p| std::fs::read(p).expect("reading the request"))
        .unwrap_or_else(|| SENTENCE.to_vec());
    let reps: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(10);
    let magic = &opml_minilm::blob::MAGIC;
    let at = wasm
        .windows(magic.len())
        .rposition(|w| w == magic)
        .expect("no model blob in this program");
    let len_at = at + 16 * 4;
    let len = u32::from_le_bytes(wasm[len_at..len_at + 4].try_into().expect("4 bytes")) as usize;
    opml_minilm::blob::set_native(&wasm[at..at + len]);
    let out = opml_minilm::run_native(&input);
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(opml_minilm::run_native(&input));
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "native: {:.2?} (median of {reps}); output {} bytes, fnv1a {:016x}",
        times[reps / 2],
        out.len(),
        out.iter()
            .fold(0xcbf29ce484222325u64, |h, &b| (h ^ u64::from(b))
                .wrapping_mul(0x100000001b3))
    );
}
