//! `opml-bench`: prints the figures the issues ask for, measured side by side in one run.
//!
//! ```sh
//! cargo run --release -p opml-bench            # all figures
//! cargo run --release -p opml-bench -- --quick # fewer repetitions
//! ```
//!
//! Every ratio compares engines measured interleaved in the same process (the machine is noisy);
//! each figure is the median of its repetitions.

mod unmetered;
mod wasmi_host;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use opml_executor::RunStatus;
use opml_executor::fast::{FastEngine, FastInstance, FastModule, Instantiated};
use opml_vm::{Checkpoints, Entry, Limits, Machine, Program, Status, Value};

use opml_bench::{median_time, ms, repo_root, run_vm};
use unmetered::Unmetered;
use wasmi_host::WasmiProgram;

/// One benchmark program: a committed guest build and an input.
struct Case {
    name: &'static str,
    wasm: Vec<u8>,
    input: Vec<u8>,
    /// What the input asks for, when it matters (the kernels' round count).
    note: Option<String>,
}

impl Case {
    fn label(&self) -> String {
        match &self.note {
            Some(note) => format!("{}, {note}", self.name),
            None => self.name.to_string(),
        }
    }
}

fn load_cases(kernel_rounds: u32) -> Result<Vec<Case>> {
    let root = repo_root();
    let read = |p: &str| std::fs::read(root.join(p)).with_context(|| format!("reading {p}"));
    Ok(vec![
        Case {
            name: "digits (int8 MLP, one image)",
            wasm: read("guests/wasm/digits.wasm")?,
            input: read("guests/digits/testdata/sample.bin")?,
            note: None,
        },
        Case {
            name: "kernels (i32 matmul)",
            wasm: read("guests/wasm/kernels.wasm")?,
            input: kernel_rounds.to_le_bytes().to_vec(),
            note: Some(format!("{kernel_rounds} rounds")),
        },
    ])
}

fn fmt_rate(per_sec: f64) -> String {
    if per_sec >= 1e6 {
        format!("{:.1} M/s", per_sec / 1e6)
    } else {
        format!("{:.1} k/s", per_sec / 1e3)
    }
}

/// VM steps per second, and the same program in wasmi side by side.
fn vm_vs_wasmi(cases: &[Case], reps: usize) -> Result<()> {
    println!("\n## VM vs wasmi (same .wasm, same input; median of {reps}, interleaved)\n");
    println!("| program | VM steps | VM time | VM steps/s | wasmi time | VM speed / wasmi speed |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for case in cases {
        let program = Arc::new(Program::load(&case.wasm, Limits::default())?);
        let wasmi = WasmiProgram::new(&case.wasm)?;
        let (steps, vm_out) = run_vm(&program, &case.input)?;
        let wasmi_out = wasmi.run(&case.input)?;
        if vm_out != wasmi_out {
            bail!("{}: VM and wasmi outputs differ", case.name);
        }
        let (mut vm_times, mut wasmi_times) = (Vec::new(), Vec::new());
        for _ in 0..reps {
            vm_times.push(median_time(1, || run_vm(&program, &case.input))?);
            wasmi_times.push(median_time(1, || wasmi.run(&case.input))?);
        }
        vm_times.sort();
        wasmi_times.sort();
        let (vm, wi) = (vm_times[reps / 2], wasmi_times[reps / 2]);
        println!(
            "| {} | {} | {:.3} ms | {} | {:.3} ms | {:.2}× |",
            case.name,
            steps,
            vm.as_secs_f64() * 1e3,
            fmt_rate(steps as f64 / vm.as_secs_f64()),
            wi.as_secs_f64() * 1e3,
            wi.as_secs_f64() / vm.as_secs_f64(),
        );
    }
    Ok(())
}

/// The native baseline: the guests' own code compiled for this machine, through the SDK's native
/// host stand-in, so it does the same work as `main` in wasm (read input, infer, write JSON).
fn native_run(case_index: usize, input: &[u8]) -> Vec<u8> {
    opml_guest::host::set_input(input);
    match case_index {
        0 => opml_digits::run(),
        _ => opml_kernels::run(),
    }
    opml_guest::host::take_output()
}

/// Instantiates the compiled module afresh with `input` (as every run does).
fn fast_instance(module: &FastModule, input: &[u8]) -> Result<FastInstance> {
    match module.instantiate(input, Limits::default(), u64::MAX)? {
        Instantiated::Ready(i) => Ok(i),
        Instantiated::Trapped { status, .. } => bail!("fast path: instantiation ended {status:?}"),
    }
}

/// Calls `main` on a fresh instance and returns the output.
fn fast_call(instance: &mut FastInstance) -> Result<Vec<u8>> {
    let call = instance.invoke("main", &[], u64::MAX)?;
    if call.status != RunStatus::Halted {
        bail!("fast path: main ended {:?}", call.status);
    }
    Ok(instance.output().to_vec())
}

/// One inference on the fast path: instantiate the compiled module afresh and call `main`.
fn fast_run(module: &FastModule, input: &[u8]) -> Result<Vec<u8>> {
    fast_call(&mut fast_instance(module, input)?)
}

/// Time of `run` on what `setup` prepared; neither `setup` nor dropping what `run` returns
/// (an instance's teardown, in the call-only figures) is timed.
fn timed<S, T>(
    setup: impl FnOnce() -> Result<S>,
    run: impl FnOnce(S) -> Result<T>,
) -> Result<Duration> {
    let s = setup()?;
    let t = Instant::now();
    let out = std::hint::black_box(run(s)?);
    let elapsed = t.elapsed();
    drop(out);
    Ok(elapsed)
}

/// Medians of interleaved samples, one column per engine or variant.
struct Columns(Vec<Vec<Duration>>);

impl Columns {
    fn median(&mut self, col: usize) -> Duration {
        let v = &mut self.0[col];
        v.sort();
        v[v.len() / 2]
    }
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
}

/// The wasmtime fast path against the same inference compiled natively, whole runs and calls
/// alone, and what the fuel bound costs.
fn fast_vs_native(cases: &[Case], reps: usize) -> Result<()> {
    let engine = FastEngine::new()?;
    let mut rows = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let module = engine.compile(&case.wasm, Limits::default())?;
        let unmetered = Unmetered::new(&case.wasm)?;
        let native_out = native_run(i, &case.input);
        if fast_run(&module, &case.input)? != native_out
            || unmetered.instantiate(&case.input)?.run()? != native_out
        {
            bail!("{}: fast path and native outputs differ", case.name);
        }
        let mut cols = Columns((0..5).map(|_| Vec::with_capacity(reps)).collect());
        for rep in 0..=reps {
            let sample = [
                timed(|| Ok(()), |()| Ok(native_run(i, &case.input)))?,
                timed(|| Ok(()), |()| fast_run(&module, &case.input))?,
                timed(|| Ok(()), |()| fast_instance(&module, &case.input))?,
                timed(
                    || fast_instance(&module, &case.input),
                    |mut i| Ok((fast_call(&mut i)?, i)),
                )?,
                timed(
                    || unmetered.instantiate(&case.input),
                    |mut r| Ok((r.run()?, r)),
                )?,
            ];
            // The first round warms up.
            if rep > 0 {
                for (col, d) in cols.0.iter_mut().zip(sample) {
                    col.push(d);
                }
            }
        }
        rows.push((case, [0, 1, 2, 3, 4].map(|c| cols.median(c))));
    }
    println!("\n## wasmtime fast path vs native (median of {reps}, interleaved)\n");
    println!(
        "| program | native | fast path: instantiate + run | fast / native | fast path: call only | call / native |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (case, [native, run, _, call, _]) in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            case.label(),
            ms(*native),
            ms(*run),
            ratio(*run, *native),
            ms(*call),
            ratio(*call, *native),
        );
    }
    println!(
        "\nNative: the guests' Rust code built into this binary for the host (x86-64, where LLVM \
         auto-vectorizes the loops with SSE2) and called directly: no instantiation, no fuel, no \
         bounds. The fast path runs the committed wasm32 build, scalar code (the profile has no \
         SIMD), with fuel metering."
    );
    println!("\n### Where the fast path's time goes (median of {reps}, interleaved)\n");
    println!("| program | instantiate | call | call without fuel (bench only) | fuel cost |");
    println!("| --- | --- | --- | --- | --- |");
    for (case, [_, _, inst, call, unmetered]) in &rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            case.label(),
            ms(*inst),
            ms(*call),
            ms(*unmetered),
            ratio(*call, *unmetered),
        );
    }
    Ok(())
}

/// The cost of a state hash at step `n`, recomputed from the nearest checkpoint.
fn checkpoint_replay(case: &Case, reps: usize) -> Result<()> {
    let program = Arc::new(Program::load(&case.wasm, Limits::default())?);
    let (total, _) = run_vm(&program, &case.input)?;
    let interval = (total / 64).max(1);
    let t = Instant::now();
    let cps = Checkpoints::record(&program, &case.input, interval, total + 1);
    let record = t.elapsed();
    println!(
        "\n## State hash at step n from the nearest checkpoint ({}; {total} steps, a checkpoint every {interval})\n",
        case.name
    );
    println!(
        "recording the checkpoints (one run + 64 snapshots): {:.1} ms",
        record.as_secs_f64() * 1e3
    );
    println!("\n| steps past the checkpoint | time for state_hash_at(n) |");
    println!("| --- | --- |");
    for offset in [0, interval / 4, interval / 2, interval - 1] {
        let n = interval * 32 + offset;
        let d = median_time(reps, || Ok(cps.state_hash_at(n)))?;
        println!("| {offset} | {:.3} ms |", d.as_secs_f64() * 1e3);
    }
    let d = median_time(reps.min(3), || {
        let mut m = Machine::new(&program, &case.input);
        m.run(interval * 32 + interval / 2);
        Ok(m.state_hash())
    })?;
    println!(
        "| (for comparison: from step 0 to n = {}) | {:.3} ms |",
        interval * 32 + interval / 2,
        d.as_secs_f64() * 1e3
    );
    Ok(())
}

/// VM steps for one float instruction, over operands that take different paths (normal,
/// subnormal, zero, infinity, NaN): min / median / max. Machine v2 makes each one step; machine
/// v1 lowered them to soft-float routines of ~100–160 steps, so this table shows which it is.
fn float_op_steps() -> Result<()> {
    println!("\n## VM steps per float operation (min / median / max over operands)\n");
    println!("| operation | steps |");
    println!("| --- | --- |");
    let f32s: [u32; 6] = [
        0x3fc0_0000,
        0x4049_0fdb,
        0x0000_0001,
        0x0000_0000,
        0x7f80_0000,
        0x7fc0_0000,
    ];
    let f64s: [u64; 6] = [
        0x3ff8_0000_0000_0000,
        0x4009_21fb_5444_2d18,
        0x0000_0000_0000_0001,
        0,
        0x7ff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
    ];
    let ops: [(&str, &str, usize); 14] = [
        ("f32.add", "f32", 2),
        ("f32.mul", "f32", 2),
        ("f32.div", "f32", 2),
        ("f32.sqrt", "f32", 1),
        ("f32.lt", "f32", 2),
        ("f32.nearest", "f32", 1),
        ("i32.trunc_sat_f32_s", "f32", 1),
        ("f64.add", "f64", 2),
        ("f64.mul", "f64", 2),
        ("f64.div", "f64", 2),
        ("f64.sqrt", "f64", 1),
        ("f64.promote_f32", "f32", 1),
        ("f32.demote_f64", "f64", 1),
        ("f64.convert_i64_s", "i64", 1),
    ];
    for (op, ty, arity) in ops {
        let params = vec![ty; arity].join(" ");
        let gets: String = (0..arity).map(|i| format!("(local.get {i}) ")).collect();
        // The same function without the operation, to subtract the call and argument overhead.
        let with_op = format!("(module (func (export \"f\") (param {params}) ({op} {gets}) drop))");
        let without = format!(
            "(module (func (export \"f\") (param {params}) {gets} {}))",
            "drop ".repeat(arity)
        );
        let mut counts = Vec::new();
        for i in 0..f32s.len() {
            let arg = |k: usize| match ty {
                "f32" => Value::F32(f32s[(i + k) % f32s.len()]),
                "f64" => Value::F64(f64s[(i + k) % f64s.len()]),
                _ => Value::I64((f64s[(i + k) % f64s.len()] as i64).wrapping_mul(7)),
            };
            let args: Vec<Value> = (0..arity).map(arg).collect();
            let steps = |wat_src: &str| -> Result<u64> {
                let wasm = wat::parse_str(wat_src)?;
                let entry = Entry::Invoke {
                    export: "f".into(),
                    args: args.clone(),
                };
                let program = Arc::new(Program::load_with_entry(&wasm, Limits::default(), entry)?);
                let mut m = Machine::new(&program, &[]);
                let n = m.run(1 << 24);
                if m.status() != Status::Halted {
                    bail!("{op}: {:?}", m.trap_code());
                }
                Ok(n)
            };
            counts.push(steps(&with_op)? - steps(&without)?);
        }
        counts.sort();
        println!(
            "| `{op}` | {} / {} / {} |",
            counts[0],
            counts[counts.len() / 2],
            counts[counts.len() - 1]
        );
    }
    Ok(())
}

/// The f32 digits model: one inference on the VM and on the fast path.
fn float_model(reps: usize) -> Result<()> {
    let root = repo_root();
    let wasm =
        std::fs::read(root.join("guests/wasm/digits-f32.wasm")).context("digits-f32.wasm")?;
    let input = std::fs::read(root.join("guests/digits/testdata/sample.bin"))?;
    let program = Arc::new(Program::load(&wasm, Limits::default())?);
    let module = FastEngine::new()?.compile(&wasm, Limits::default())?;
    let (steps, vm_out) = run_vm(&program, &input)?;
    if vm_out != fast_run(&module, &input)? {
        bail!("digits-f32: VM and fast path outputs differ");
    }
    let (mut vt, mut ft) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        vt.push(median_time(1, || run_vm(&program, &input))?);
        ft.push(median_time(1, || fast_run(&module, &input))?);
    }
    vt.sort();
    ft.sort();
    let (v, f) = (vt[reps / 2], ft[reps / 2]);
    println!("\n## f32 digits model, one image (outputs identical)\n");
    println!("| engine | time | |");
    println!("| --- | --- | --- |");
    println!(
        "| VM ({steps} steps) | {:.3} ms | {:.2}× the fast path's time |",
        v.as_secs_f64() * 1e3,
        v.as_secs_f64() / f.as_secs_f64()
    );
    println!(
        "| wasmtime fast path (instantiate + run) | {:.3} ms | |",
        f.as_secs_f64() * 1e3
    );
    Ok(())
}

/// VM steps per second on one program (the median of `reps` runs to completion).
fn vm_speed(name: &str, wasm: &str, input: &str, reps: usize) -> Result<()> {
    let root = repo_root();
    let wasm = std::fs::read(root.join(wasm)).with_context(|| format!("reading {wasm}"))?;
    let input = std::fs::read(root.join(input)).with_context(|| format!("reading {input}"))?;
    let program = Arc::new(Program::load(&wasm, Limits::default())?);
    let (steps, _) = run_vm(&program, &input)?;
    let t = median_time(reps, || run_vm(&program, &input))?;
    println!("\n## VM speed on {name} (median of {reps})\n");
    println!("| program | VM steps | VM time | VM steps/s |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| {name} | {steps} | {:.3} ms | {} |",
        t.as_secs_f64() * 1e3,
        fmt_rate(steps as f64 / t.as_secs_f64())
    );
    Ok(())
}

fn main() -> Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 5 } else { 21 };
    if cfg!(debug_assertions) {
        println!("warning: a debug build; run with --release for meaningful figures");
    }
    let cases = load_cases(if quick { 50 } else { 200 })?;
    println!("# opml benchmarks");
    vm_vs_wasmi(&cases, reps)?;
    // More kernel rounds on the fast path, so that compute, not instantiation, dominates; but a
    // run well under a scheduler time slice (a few ms), or on a busy machine the medians time
    // preemption instead of code.
    fast_vs_native(&load_cases(if quick { 200 } else { 500 })?, reps)?;
    checkpoint_replay(&cases[1], reps)?;
    float_op_steps()?;
    float_model(reps)?;
    vm_speed(
        "attention",
        "guests/wasm/attention.wasm",
        "guests/attention/testdata/sample.bin",
        reps,
    )?;
    Ok(())
}
