//! `Machine::run` (the fast loop over decoded, fused ops) against `Machine::step` (the reference
//! that proofs and the Solidity verifier mirror), on real programs: every committed guest in
//! `guests/wasm/` on a few inputs, a seeded set of wasm-smith modules of the profile (traps
//! allowed), and a handwritten module that drives every fused load form, the stores, a grown
//! memory, the longest op and the call depth limit into their traps and limits (wasm-smith rarely
//! reaches a trap inside a fused op: breaking the trap path of `I32Add; L` or `Const k; I32Add; L`
//! went unnoticed by the first two). One machine runs in random-size chunks, the other steps one at a time; their state
//! hashes must agree at every chunk boundary, and status, trap code, step count and output at
//! the end. An honest submitter's checkpoints are built with `run`, so any difference here would
//! lose a dispute. Bounded: a fixed seed, a fixed number of modules, step caps.

use opml_vm::{Entry, Limits, Machine, Program, Status, ValType, Value};
use std::path::Path;
use std::sync::Arc;

mod common;
use common::Rng;

/// The seed of every random choice (modules, arguments, chunk sizes).
const SEED: u64 = 0x0b5e_55ed_f00d_cafe;
/// wasm-smith modules generated (some fail to generate or to load and are skipped).
const SMITH_MODULES: usize = 2000;
/// Exports invoked per wasm-smith module, at most.
const SMITH_EXPORTS: usize = 4;
/// Steps compared per wasm-smith invocation, at most.
const SMITH_STEPS: u64 = 50_000;
/// Starts per boundary-module export: 1, 2, … this many bytes below the end of memory.
const BOUNDARY_STARTS: u32 = 48;
/// Steps compared per guest run, at most (every guest run ends well before: ~3.7 M at most).
const GUEST_STEPS: u64 = 10_000_000;

impl Rng {
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
    budget: (u64, u64),
    rng: &mut Rng,
    tally: &mut Tally,
) -> (Status, u64) {
    let ran = Machine::new(ran_on, input);
    let stepped = Machine::new(program, input);
    compare_machines(what, ran, stepped, budget, rng, tally)
}

/// As [`compare`], from two machines in the same state.
fn compare_machines(
    what: &str,
    mut ran: Machine,
    mut stepped: Machine,
    (max_steps, big_chunk): (u64, u64),
    rng: &mut Rng,
    tally: &mut Tally,
) -> (Status, u64) {
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
        Status::Halted | Status::Yielded => tally.halted += 1,
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
        ..Limits::default()
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

/// The wasm loads: instruction, result type, width.
const LOADS: [(&str, &str); 11] = [
    ("i32.load", "i32"),
    ("i32.load8_s", "i32"),
    ("i32.load8_u", "i32"),
    ("i32.load16_s", "i32"),
    ("i32.load16_u", "i32"),
    ("i64.load", "i64"),
    ("i64.load8_s", "i64"),
    ("i64.load16_u", "i64"),
    ("i64.load32_s", "i64"),
    ("i64.load32_u", "i64"),
    ("f64.load", "f64"),
];

/// A module whose exports each walk memory upwards from `x` through one fused form (every load
/// in every address form the decoder fuses, stores, a grown memory, sums of nine values, deep
/// recursion), so a start near the end of memory traps inside a fused op at some iteration.
fn boundary_module() -> String {
    // `(body, stride)` per export; `$p` walks from `x`, `$i` counts iterations, `$w` is 3.
    let mut funcs: Vec<(String, String)> = vec![];
    for (n, (load, ty)) in LOADS.iter().enumerate() {
        let acc = |v: &str| match *ty {
            "i32" => format!("(global.set $g32 (i32.add (global.get $g32) {v}))"),
            "i64" => format!("(global.set $g64 (i64.add (global.get $g64) {v}))"),
            _ => format!("(global.set $g64 (i64.add (global.get $g64) (i64.reinterpret_f64 {v})))"),
        };
        let forms = [
            // `I32Add; L` (after `LocalGet p; LocalGet i` and `Const 4; I32Mul`)
            (
                "la",
                acc(&format!(
                    "({load} offset=3 (i32.add (local.get $p) (i32.mul (local.get $i) (i32.const 4))))"
                )),
            ),
            // `Const k; I32Add; L`
            (
                "lk",
                acc(&format!(
                    "({load} (i32.add (i32.add (local.get $p) (i32.mul (local.get $i) (i32.const 4))) (i32.const 5)))"
                )),
            ),
            // `LocalGet a; Const k; I32Add; L`
            (
                "lka",
                acc(&format!(
                    "({load} offset=1 (i32.add (local.get $p) (i32.const 7)))"
                )),
            ),
            // `LocalTee a; Const k; I32Add; L` (after `LocalGet; Const; I32Add`)
            (
                "ltk",
                acc(&format!(
                    "({load} (i32.add (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const 2)))"
                )),
            ),
            // `LocalGet a; L`
            ("ll", acc(&format!("({load} offset=6 (local.get $p))"))),
            // `L` alone (after `GlobalGet`)
            (
                "l",
                acc(&format!(
                    "({load} offset=2 (i32.add (global.get $h) (local.get $p)))"
                )),
            ),
        ];
        for (form, body) in forms {
            funcs.push((format!("{form}_{n}"), body));
        }
        if *ty == "i32" {
            // `LocalGet a; Const k; I32Add; L; I32Mul` and `…; LocalGet b; I32Mul`
            funcs.push((
                format!("lkam_{n}"),
                format!("(global.set $g32 (i32.mul (global.get $g32) ({load} (i32.add (local.get $p) (i32.const 9)))))"),
            ));
            funcs.push((
                format!("lkaml_{n}"),
                format!("(global.set $g32 (i32.add (global.get $g32) (i32.mul ({load} (i32.add (local.get $p) (i32.const 9))) (local.get $w))))"),
            ));
        }
    }
    let stores = [
        "(i32.store offset=1 (local.get $p) (local.get $i))",
        "(i64.store (local.get $p) (i64.extend_i32_u (local.get $i)))",
        "(i32.store8 (local.get $p) (local.get $w))",
        "(i32.store16 offset=3 (local.get $p) (local.get $i))",
        "(i64.store8 (local.get $p) (i64.const -1))",
        "(i64.store16 (local.get $p) (i64.const -2))",
        "(i64.store32 offset=2 (local.get $p) (i64.const -3))",
        "(f32.store (local.get $p) (f32.const 1.5))",
    ];
    for (n, s) in stores.iter().enumerate() {
        // The store, then a fused load of what it wrote (the memory root must see the store).
        funcs.push((
            format!("st_{n}"),
            format!(
                "{s} (global.set $g32 (i32.add (global.get $g32) (i32.load8_u (local.get $p))))"
            ),
        ));
    }
    // A grown memory: the walk starts one page higher after `memory.grow 1`.
    funcs.push((
        "grow".into(),
        "(if (i32.eqz (local.get $i)) (then (local.set $p (i32.add (local.get $p) \
         (i32.shl (memory.grow (i32.const 1)) (i32.const 16)))))) \
         (i32.store (local.get $p) (local.get $p)) \
         (global.set $g32 (i32.add (global.get $g32) (i32.load (i32.add (local.get $p) (i32.const 0)))))"
            .into(),
    ));
    // Nine values summed: `AddN(8)`, the longest op.
    let nine = (0..8).fold("(local.get $p)".to_string(), |s, k| {
        format!("(i32.add (local.get {}) {s})", ["$i", "$w", "$p"][k % 3])
    });
    funcs.push((
        "sum".into(),
        format!(
            "(global.set $g32 (i32.add (global.get $g32) {nine})) (drop (i32.load (local.get $p)))"
        ),
    ));
    let mut wat = String::from(
        "(module (memory 1 3) (global $g32 (mut i32) (i32.const 1)) \
         (global $g64 (mut i64) (i64.const 1)) (global $h (mut i32) (i32.const 0)) \
         (data (i32.const 65400) \"\\01\\02\\03\\04\\05\\06\\07\\08\\ff\\fe\\fd\\fc\\80\\81\\82\\83\") \
         (data (i32.const 0) \"\\10\\20\\30\\40\\50\\60\\70\\80\")",
    );
    for (name, body) in &funcs {
        wat.push_str(&format!(
            "(func (export \"{name}\") (param $x i32) (result i32) (local $p i32) (local $i i32) \
             (local $w i32) (local.set $p (local.get $x)) (local.set $w (i32.const 3)) \
             (loop $l {body} (local.set $p (i32.add (local.get $p) (i32.const 3))) \
             (local.set $i (i32.add (local.get $i) (i32.const 1))) \
             (br_if $l (i32.lt_u (local.get $i) (i32.const 24)))) \
             (i32.add (global.get $g32) (i32.wrap_i64 (global.get $g64))))"
        ));
    }
    // Recursion to the call depth limit, a load on the way back up.
    wat.push_str(
        "(func $rec (export \"rec\") (param $x i32) (result i32) (if (result i32) (local.get $x) \
         (then (i32.add (call $rec (i32.sub (local.get $x) (i32.const 1))) \
         (i32.load8_u offset=65400 (i32.and (local.get $x) (i32.const 15))))) \
         (else (i32.const 0))))",
    );
    wat.push(')');
    wat
}

#[test]
fn run_equals_step_where_fused_ops_meet_traps_and_limits() {
    let wasm = wat::parse_str(boundary_module()).expect("the boundary module assembles");
    let limits = Limits {
        max_memory_pages: 3,
        max_call_depth: 40,
        max_table_size: 64,
        max_code_len: 1 << 20,
        ..Limits::default()
    };
    let inst = Program::load_with_entry(&wasm, limits, Entry::Instantiate).expect("loads");
    let mut rng = Rng(SEED.rotate_left(17));
    let mut tally = Tally::default();
    let page = 65_536u32;
    // Starts that run off the end of memory at every iteration offset, and a few far away.
    let mut starts: Vec<u32> = (1..=BOUNDARY_STARTS).map(|d| page - d).collect();
    starts.extend([0, page, u32::MAX - 4, 1 << 31]);
    let program = Arc::new(inst);
    let clone = Arc::new(Program::clone(&program));
    // Instantiated (no start function: the bootstrap halts at once), then invoked (§8).
    let start = |p: &Arc<Program>| {
        let mut m = Machine::new(p, &[]);
        m.run(10);
        assert_eq!(m.status(), Status::Halted);
        m
    };
    let (ran0, stepped0) = (start(&clone), start(&program));
    for name in func_exports(&wasm) {
        let xs: Vec<u32> = if name == "rec" {
            (30..=45).collect()
        } else {
            starts.clone()
        };
        for x in xs {
            let args = [Value::I32(x as i32)];
            let (mut ran, mut stepped) = (ran0.clone(), stepped0.clone());
            ran.invoke_export(&name, &args).expect("invoke");
            stepped.invoke_export(&name, &args).expect("invoke");
            let what = format!("boundary module {name}({x})");
            compare_machines(&what, ran, stepped, (100_000, 64), &mut rng, &mut tally);
        }
    }
    println!(
        "boundary module: {} runs, {} steps, {} halted, {} trapped, {} capped; traps {:?}",
        tally.runs, tally.steps, tally.halted, tally.trapped, tally.capped, tally.traps
    );
    assert_eq!(tally.capped, 0, "every invocation ends");
    assert!(
        tally.halted >= 100 && tally.trapped >= 1000,
        "too little variety"
    );
    for code in ["MemoryOutOfBounds", "CallStackExhausted"] {
        assert!(tally.traps.contains_key(code), "no {code} trap");
    }
}
