//! Checks the soft-float routines against hardware floats (plus wasmtime's canonical-NaN rule):
//! every unary f32 operation and every conversion from a 32-bit input over all 2^32 inputs,
//! then `--pairs` seeded random pairs for the binary f32 and f64 operations (each f64 pair's
//! first operand also feeds the unary f64 operations and the 64-bit conversions).
//!
//! `cargo run --release --bin exhaustive -- [--pairs N] [--seed S] [--threads T] [--skip-unary]
//! [--ops name,name…]` (`--ops` keeps the operations whose name contains one of the strings).

mod inputs;
mod oracle;
mod tables;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;
use tables::{BINARY32, BINARY64, UNARY32, UNARY64};

/// Per-operation totals, and the first few mismatching inputs.
struct Tally {
    names: Vec<&'static str>,
    checked: Vec<AtomicU64>,
    wrong: Vec<AtomicU64>,
    examples: Mutex<Vec<String>>,
}

impl Tally {
    fn new(names: impl IntoIterator<Item = &'static str>) -> Self {
        let names: Vec<_> = names.into_iter().collect();
        let zeros = || names.iter().map(|_| AtomicU64::new(0)).collect();
        Tally {
            checked: zeros(),
            wrong: zeros(),
            names,
            examples: Mutex::new(Vec::new()),
        }
    }

    fn add(&self, op: usize, checked: u64, wrong: u64) {
        self.checked[op].fetch_add(checked, Relaxed);
        self.wrong[op].fetch_add(wrong, Relaxed);
    }

    fn example(&self, op: usize, detail: String) {
        let mut ex = self.examples.lock().unwrap_or_else(|e| e.into_inner());
        if ex.len() < 50 {
            ex.push(format!("{}: {detail}", self.names[op]));
        }
    }
}

struct Args {
    pairs: u64,
    seed: u64,
    threads: usize,
    unary: bool,
    /// Only operations whose name contains one of these (all when empty).
    ops: Vec<String>,
}

impl Args {
    fn wanted(&self, name: &str) -> bool {
        self.ops.is_empty() || self.ops.iter().any(|o| name.contains(o.as_str()))
    }
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        pairs: 1_000_000_000,
        seed: 0x6f70_6d6c,
        threads: 2,
        unary: true,
        ops: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.replace('_', "")
                .parse()
                .map_err(|e| format!("{name} {v}: {e}"))
        };
        match flag.as_str() {
            "--pairs" => a.pairs = num("--pairs")?,
            "--seed" => a.seed = num("--seed")?,
            "--threads" => a.threads = num("--threads")?.max(1) as usize,
            "--skip-unary" => a.unary = false,
            "--ops" => {
                let v = it.next().ok_or("--ops needs a comma-separated list")?;
                a.ops = v.split(',').map(str::to_string).collect();
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// Runs `chunks` jobs on `threads` threads, printing progress about every 5 %.
fn run_chunks(label: &str, chunks: u64, threads: usize, job: impl Fn(u64) + Sync) {
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let c = next.fetch_add(1, Relaxed);
                    if c >= chunks {
                        break;
                    }
                    job(c);
                    let d = done.fetch_add(1, Relaxed) + 1;
                    if d * 20 / chunks != (d - 1) * 20 / chunks || d == chunks {
                        let secs = start.elapsed().as_secs_f64();
                        eprintln!("[{label}] {d}/{chunks} chunks, {secs:.0} s");
                    }
                }
            });
        }
    });
}

fn unary32(args: &Args, tally: &Tally) {
    const CHUNK: u64 = 1 << 24;
    run_chunks("all 2^32 inputs", (1u64 << 32) / CHUNK, args.threads, |c| {
        let lo = c * CHUNK;
        for (op, (name, soft, hard)) in UNARY32.iter().enumerate() {
            if !args.wanted(name) {
                continue;
            }
            let mut wrong = 0;
            for x in lo..lo + CHUNK {
                let x = x as u32;
                let (s, h) = (soft(x), hard(x));
                if s != h {
                    wrong += 1;
                    tally.example(op, format!("{x:#010x}: soft {s:x?}, hardware {h:x?}"));
                }
            }
            tally.add(op, CHUNK, wrong);
        }
    });
}

fn pairs(args: &Args, t32: &Tally, t64: &Tally, u64s: &Tally) {
    const CHUNK: u64 = 1 << 20;
    let chunks = args.pairs.div_ceil(CHUNK);
    run_chunks("random pairs", chunks, args.threads, |c| {
        let n = CHUNK.min(args.pairs - c * CHUNK);
        let mut rng = inputs::Rng::new(args.seed, c);
        let (mut w32, mut w64, mut wu) = ([0u64; 13], [0u64; 13], [0u64; 20]);
        for _ in 0..n {
            let (a, b) = inputs::pair(&mut rng, 32, 23);
            let (a, b) = (a as u32, b as u32);
            for (op, (_, soft, hard)) in BINARY32
                .iter()
                .enumerate()
                .filter(|(_, r)| args.wanted(r.0))
            {
                let (s, h) = (soft(a, b), hard(a, b));
                if s != h {
                    w32[op] += 1;
                    t32.example(
                        op,
                        format!("{a:#010x}, {b:#010x}: soft {s:#x}, hardware {h:#x}"),
                    );
                }
            }
            let (a, b) = inputs::pair(&mut rng, 64, 52);
            for (op, (_, soft, hard)) in BINARY64
                .iter()
                .enumerate()
                .filter(|(_, r)| args.wanted(r.0))
            {
                let (s, h) = (soft(a, b), hard(a, b));
                if s != h {
                    w64[op] += 1;
                    t64.example(
                        op,
                        format!("{a:#018x}, {b:#018x}: soft {s:#x}, hardware {h:#x}"),
                    );
                }
            }
            for (op, (_, soft, hard)) in
                UNARY64.iter().enumerate().filter(|(_, r)| args.wanted(r.0))
            {
                let (s, h) = (soft(a), hard(a));
                if s != h {
                    wu[op] += 1;
                    u64s.example(op, format!("{a:#018x}: soft {s:x?}, hardware {h:x?}"));
                }
            }
        }
        let add = |tally: &Tally, wrong: &[u64]| {
            for (op, &w) in wrong.iter().enumerate() {
                if args.wanted(tally.names[op]) {
                    tally.add(op, n, w);
                }
            }
        };
        add(t32, &w32);
        add(t64, &w64);
        add(u64s, &wu);
    });
}

fn report(title: &str, tally: &Tally) -> u64 {
    println!("{title}");
    println!(
        "  {:<22} {:>14} {:>11}",
        "operation", "checked", "mismatches"
    );
    let mut total = 0;
    for (i, name) in tally.names.iter().enumerate() {
        let (c, w) = (tally.checked[i].load(Relaxed), tally.wrong[i].load(Relaxed));
        if c == 0 {
            continue;
        }
        println!("  {name:<22} {c:>14} {w:>11}");
        total += w;
    }
    for ex in tally
        .examples
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        println!("  mismatch {ex}");
    }
    total
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("exhaustive: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let u32s = Tally::new(UNARY32.iter().map(|r| r.0));
    if args.unary {
        unary32(&args, &u32s);
    }
    let (t32, t64) = (
        Tally::new(BINARY32.iter().map(|r| r.0)),
        Tally::new(BINARY64.iter().map(|r| r.0)),
    );
    let u64s = Tally::new(UNARY64.iter().map(|r| r.0));
    pairs(&args, &t32, &t64, &u64s);

    let mut wrong = 0;
    if args.unary {
        wrong += report(
            "Unary f32 operations and 32-bit conversions, all 2^32 inputs:",
            &u32s,
        );
    }
    let seed = args.seed;
    wrong += report(
        &format!("Binary f32 operations, random pairs (seed {seed:#x}):"),
        &t32,
    );
    wrong += report(
        &format!("Binary f64 operations, random pairs (seed {seed:#x}):"),
        &t64,
    );
    wrong += report(
        "Unary f64 operations and 64-bit conversions, random inputs:",
        &u64s,
    );
    println!(
        "total mismatches: {wrong} ({:.0} s, {} threads)",
        start.elapsed().as_secs_f64(),
        args.threads
    );
    if wrong != 0 {
        std::process::exit(1);
    }
}
