//! `Machine::run` (the fast loop over decoded, fused ops) against `Machine::step` (the reference
//! that proofs and the Solidity verifier mirror), on real programs: every committed guest in
//! `guests/wasm/` on a few inputs, and a seeded set of wasm-smith modules of the profile (traps
//! allowed). One machine runs in random-size chunks, the other steps one at a time; their state
//! hashes must agree at every chunk boundary, and status, trap code, step count and output at
//! the end. An honest submitter's checkpoints are built with `run`, so any difference here would
//! lose a dispute. Bounded: a fixed seed, a fixed number of modules, step caps.

use opml_vm::{Entry, Limits, Machine, Program, Status, ValType, Value};
use std::path::Path;
use std::sync::Arc;

/// The seed of every random choice (modules, arguments, chunk sizes).
const SEED: u64 = 0x0b5e_55ed_f00d_cafe;
/// wasm-smith modules generated (some fail to generate or to load and are skipped).
const SMITH_MODULES: usize = 2000;
/// Exports invoked per wasm-smith module, at most.
const SMITH_EXPORTS: usize = 4;
/// Steps compared per wasm-smith invocation, at most.
const SMITH_STEPS: u64 = 50_000;
/// Steps compared per guest run, at most (every guest run ends well before: ~3.7 M at most).
const GUEST_STEPS: u64 = 10_000_000;

/// A deterministic stream (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// A chunk size: often short (around `MAX_FUSED`, where `run` hands over to single steps),
    /// else up to `big`.
    fn chunk(&mut self, big: u64) -> u64 {
        match self.next() % 4 {
            0 => self.range(1, 12),
            1 => self.range(8, 64),
            _ => self.range(64, big),
        }
    }

    fn arg(&mut self, t: ValType) -> Value {
        let small = (self.next() % 19) as i64 - 9;
        let x = if self.next().is_multiple_of(4) {
            self.next() as i64
        } else {
            small
        };
        match t {
            ValType::I32 => Value::I32(x as i32),
            ValType::I64 => Value::I64(x),
            ValType::F32 => Value::F32(0x3f80_0000 | (self.next() % 4096) as u32),
            ValType::F64 => Value::F64(0x3ff0_0000_0000_0000 | (self.next() % 4096)),
        }
    }
}

/// What a comparison covered.
#[derive(Default)]
struct Tally {
    runs: usize,
    steps: u64,
    halted: usize,
    trapped: usize,
    capped: usize,
    /// Trap codes reached, with counts.
    traps: std::collections::BTreeMap<String, usize>,
}

/// Runs `program` on `input` both ways, for at most `max_steps` steps in chunks of at most
/// `big_chunk`, and asserts they agree; `ran_on` is the program the chunked machine uses (the same
/// one, or a clone, which rebuilds its decoded ops).
fn compare(
    what: &str,
    program: &Arc<Program>,
    ran_on: &Arc<Program>,
    input: &[u8],
    (max_steps, big_chunk): (u64, u64),
    rng: &mut Rng,
    tally: &mut Tally,
) -> (Status, u64) {
    let mut ran = Machine::new(ran_on, input);
    let mut stepped = Machine::new(program, input);
    assert_eq!(
        ran.state_hash(),
        stepped.state_hash(),
        "{what}: initial state"
    );
    let mut total = 0u64;
    while total < max_steps && stepped.status() == Status::Running {
        let chunk = rng.chunk(big_chunk).min(max_steps - total);
        let took = ran.run(chunk);
        let mut want = 0;
        while want < chunk && stepped.status() == Status::Running {
            stepped.step();
            want += 1;
        }
        total += chunk;
        assert_eq!(took, want, "{what}: steps taken by run({chunk}) at {total}");
        assert_eq!(
            ran.state_hash(),
            stepped.state_hash(),
            "{what}: state after run({chunk}), {} steps in (pc {} vs {})",
            stepped.steps(),
            ran.pc(),
            stepped.pc()
        );
    }
    assert_eq!(ran.status(), stepped.status(), "{what}: status");
    assert_eq!(ran.trap_code(), stepped.trap_code(), "{what}: trap code");
    assert_eq!(ran.steps(), stepped.steps(), "{what}: steps");
    assert_eq!(ran.output(), stepped.output(), "{what}: output");
    assert_eq!(ran.stack(), stepped.stack(), "{what}: value stack");
    // A stopped machine runs no further.
    assert_eq!(ran.run(5), u64::from(ran.status() == Status::Running) * 5);
    tally.runs += 1;
    tally.steps += stepped.steps();
    match stepped.status() {
        Status::Halted => tally.halted += 1,
        Status::Trapped => {
            tally.trapped += 1;
            let code = format!(
                "{:?}",
                stepped.trap_code().expect("a trapped machine has a code")
            );
            *tally.traps.entry(code).or_default() += 1;
        }
        Status::Running => tally.capped += 1,
    }
    (stepped.status(), stepped.steps())
}

#[test]
fn run_equals_step_on_committed_guests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut guests: Vec<_> = std::fs::read_dir(root.join("guests/wasm"))
        .expect("guests/wasm is committed")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    guests.sort();
    assert!(guests.len() >= 4, "committed guests: {guests:?}");
    let mut rng = Rng(SEED);
    let mut tally = Tally::default();
    for path in &guests {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let wasm = std::fs::read(path).expect("read guest");
        let program = Arc::new(Program::load(&wasm, Limits::default()).expect("guest loads"));
        let clone = Arc::new(Program::clone(&program));
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![1, 2],
            1u32.to_le_bytes().to_vec(),
            (0..512).map(|_| rng.next() as u8).collect(),
            // 8x8 pixels of 0..=16 (what the digit classifiers take).
            (0..64).map(|_| (rng.next() % 17) as u8).collect(),
        ];
        let dir = root.join("guests").join(&name).join("testdata");
        if let Ok(sample) = std::fs::read(dir.join("sample.bin")) {
            inputs.push(sample);
        }
        for (i, input) in inputs.iter().enumerate() {
            let on = if i % 2 == 0 { &program } else { &clone };
            let what = format!("{name} input #{i} ({} bytes)", input.len());
            let (status, steps) = compare(
                &what,
                &program,
                on,
                input,
                (GUEST_STEPS, 20_000),
                &mut rng,
                &mut tally,
            );
            println!("{what}: {status:?} after {steps} steps");
        }
    }
    println!(
        "guests: {} runs, {} steps, {} halted, {} trapped, {} capped at {GUEST_STEPS}",
        tally.runs, tally.steps, tally.halted, tally.trapped, tally.capped
    );
    // Every guest run reaches its end, so the final comparison covers whole executions.
    assert_eq!(tally.capped, 0, "a guest run hit the step cap");
    assert!(tally.halted >= guests.len(), "too few guest runs halted");
}

/// The exported function names of a module.
fn func_exports(bytes: &[u8]) -> Vec<String> {
    let mut names = vec![];
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::ExportSection(r)) = payload {
            for e in r.into_iter().flatten() {
                if e.kind == wasmparser::ExternalKind::Func {
                    names.push(e.name.to_string());
                }
            }
        }
    }
    names
}

#[test]
fn run_equals_step_on_wasm_smith_modules() {
    let config = wasm_smith::Config {
        export_everything: true,
        min_funcs: 1,
        ..opml_vm::smith::profile_config()
    };
    let limits = Limits {
        max_memory_pages: 8,
        max_call_depth: 64,
        max_table_size: 64,
        max_code_len: 1 << 20,
    };
    let mut rng = Rng(SEED.rotate_left(32));
    let mut tally = Tally::default();
    let mut modules = 0;
    for case in 0..SMITH_MODULES {
        let data: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
        let Ok(m) =
            wasm_smith::Module::new(config.clone(), &mut arbitrary::Unstructured::new(&data))
        else {
            continue;
        };
        let bytes = m.to_bytes();
        let Ok(inst) = Program::load_with_entry(&bytes, limits, Entry::Instantiate) else {
            continue;
        };
        modules += 1;
        let mut names = func_exports(&bytes);
        names.truncate(SMITH_EXPORTS);
        for name in names {
            let e = inst
                .export(&name)
                .expect("the VM lists every function export");
            let args: Vec<Value> = e.params.iter().map(|t| rng.arg(*t)).collect();
            let entry = Entry::Invoke {
                export: name.clone(),
                args: args.clone(),
            };
            let program = Arc::new(
                Program::load_with_entry(&bytes, limits, entry).expect("loads as instantiated"),
            );
            let clone = Arc::new(Program::clone(&program));
            let on = if rng.next().is_multiple_of(2) {
                &program
            } else {
                &clone
            };
            let what = format!("module #{case} export {name}{args:?}");
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = compare(
                    &what,
                    &program,
                    on,
                    &[],
                    (SMITH_STEPS, 2_000),
                    &mut rng,
                    &mut tally,
                );
            }));
            if let Err(e) = outcome {
                let path = std::env::temp_dir().join(format!("opml-run-equals-step-{case}.wasm"));
                let _ = std::fs::write(&path, &bytes);
                eprintln!("{what}: module written to {}", path.display());
                std::panic::resume_unwind(e);
            }
        }
    }
    println!(
        "wasm-smith: {modules} modules, {} runs, {} steps, {} halted, {} trapped, {} capped at \
         {SMITH_STEPS}",
        tally.runs, tally.steps, tally.halted, tally.trapped, tally.capped
    );
    println!("wasm-smith trap codes: {:?}", tally.traps);
    assert!(tally.runs >= 200, "too few invocations compared");
    assert!(
        tally.halted >= 50 && tally.trapped >= 20,
        "too little variety"
    );
}
