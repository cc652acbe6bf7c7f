//! `opml-modelpack`: builds `models/minilm.wasm` from the hash-checked model files
//! (`scripts/models.sh minilm` calls `pack`), prints its figures, and checks it against the
//! reference embeddings.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use opml_executor::fast::{FastEngine, ModuleCache};
use opml_executor::{Boundaries, Engine, Entry, RunOptions, RunStatus};
use opml_vm::Program;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Builds model programs and prints their figures")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Splice a BERT model (config.json, model.safetensors, tokenizer.json) into the guest.
    Pack {
        /// Folder with the model files.
        #[arg(long)]
        model: PathBuf,
        /// The committed guest build.
        #[arg(long, default_value = "guests/wasm/minilm.wasm")]
        guest: PathBuf,
        /// Where to write the program.
        #[arg(long)]
        out: PathBuf,
    },
    /// Tokens, VM steps, fast path vs native, VM replay speed for one request.
    Figures {
        /// The packed program.
        #[arg(long)]
        program: PathBuf,
        /// The model folder (the native baseline needs the same blob).
        #[arg(long)]
        model: PathBuf,
        /// The request (JSON), default a 16-token sentence.
        #[arg(long)]
        input: Option<PathBuf>,
        /// Fast-path and native repetitions (median reported).
        #[arg(long, default_value_t = 5)]
        reps: usize,
        /// Skip the VM run.
        #[arg(long)]
        no_vm: bool,
    },
    /// Both engines and native agree byte for byte, and each embedding's cosine with the
    /// reference's is at least 0.9999.
    Check {
        /// The packed program.
        #[arg(long)]
        program: PathBuf,
        /// The model folder.
        #[arg(long)]
        model: PathBuf,
        /// Reference embeddings (`guests/minilm/reference.py` output).
        #[arg(long)]
        expected: PathBuf,
        /// Also run the VM (slow for the real model).
        #[arg(long)]
        vm: bool,
    },
}

/// The default figures request: 16 tokens with [CLS] and [SEP].
const SENTENCE: &str =
    r#"{"texts":["The quick brown fox jumps over the lazy dog near the river bank."]}"#;

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn blob(model: &Path) -> Result<Vec<u8>> {
    Ok(opml_modelpack::bert_blob(
        &read(&model.join("config.json"))?,
        &read(&model.join("model.safetensors"))?,
        &read(&model.join("tokenizer.json"))?,
    )?)
}

/// The bounds the program declares: its memory maximum and its `opml.max_steps` section.
fn opts(wasm: &[u8]) -> Result<RunOptions> {
    Ok(
        opml_executor::DeclaredBounds::of(wasm)?.options(RunOptions {
            max_steps: 1 << 44,
            ..RunOptions::default()
        }),
    )
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Pack { model, guest, out } => pack(&model, &guest, &out),
        Cmd::Figures {
            program,
            model,
            input,
            reps,
            no_vm,
        } => figures(&program, &model, input.as_deref(), reps, no_vm),
        Cmd::Check {
            program,
            model,
            expected,
            vm,
        } => check(&program, &model, &expected, vm),
    }
}

fn pack(model: &Path, guest: &Path, out: &Path) -> Result<()> {
    let blob = blob(model)?;
    let cfg = opml_minilm::blob::parse(Vec::leak(words(&blob)))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .config;
    let working = opml_modelpack::working_pages(
        opml_minilm::tokenize::MAX_TOKENS as u64,
        cfg.hidden as u64,
        cfg.intermediate as u64,
    );
    let wasm = opml_modelpack::splice(&read(guest)?, &blob, working)?;
    // The step bound `opml run` and the roles take from the program: the largest request
    // (8 texts of 256 tokens) at 512 VM steps per multiply-add, above machine v1's soft-float
    // cost (about 342), rounded up to a power of two. A bound, not an estimate.
    let worst = opml_minilm::io::MAX_TEXTS as u64
        * multiply_adds(opml_minilm::tokenize::MAX_TOKENS as u64, &cfg);
    let max_steps = worst
        .saturating_mul(512)
        .checked_next_power_of_two()
        .unwrap_or(u64::MAX);
    let wasm = opml_executor::with_max_steps(&wasm, max_steps)?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, &wasm).with_context(|| format!("writing {}", out.display()))?;
    let limits = opts(&wasm)?.limits;
    let t = Instant::now();
    let program = Program::load(&wasm, limits)?;
    let load = t.elapsed();
    let t = Instant::now();
    let hash = opml_vm::program_hash(&program);
    let root = t.elapsed();
    println!(
        "wrote {} ({} bytes; blob {} bytes; memory bound {} pages; step bound 2^{})",
        out.display(),
        wasm.len(),
        blob.len(),
        limits.max_memory_pages,
        max_steps.trailing_zeros()
    );
    println!("load + lowering {load:.2?}; program hash (initial memory root included) {root:.2?}");
    println!("program hash 0x{}", hex::encode(hash));
    Ok(())
}

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn figures(
    program: &Path,
    model: &Path,
    input: Option<&Path>,
    reps: usize,
    no_vm: bool,
) -> Result<()> {
    let wasm = read(program)?;
    let input = match input {
        Some(p) => read(p)?,
        None => SENTENCE.as_bytes().to_vec(),
    };
    let opts = opts(&wasm)?;
    let blob = blob(model)?;
    opml_minilm::blob::set_native(&blob);
    let job = opml_minilm::begin(&input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tokens: Vec<usize> = job.tokens().iter().map(Vec::len).collect();
    let cfg = opml_minilm::blob::parse(opml_minilm::blob::words().map_err(anyhow::Error::msg)?)
        .map_err(anyhow::Error::msg)?
        .config;
    let macs: u64 = tokens.iter().map(|&n| multiply_adds(n as u64, &cfg)).sum();
    println!("request: {}", String::from_utf8_lossy(&input));
    println!("tokens: {tokens:?}; multiply-adds: {macs}");

    // Native: the same guest code compiled for this machine.
    let native_out = opml_minilm::run_native(&input);
    let native = median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(opml_minilm::run_native(&input));
                t.elapsed()
            })
            .collect(),
    );

    // Fast path: compile once (into a scratch module cache), load it back as `opml run` and
    // the roles do on later runs, then run (instantiate + every segment).
    let cache_dir = std::env::temp_dir().join(format!("opml-modelpack-{}", std::process::id()));
    let engine = FastEngine::new()?.with_cache(ModuleCache::new(&cache_dir));
    let t = Instant::now();
    engine.compile(&wasm, opts.limits)?;
    let compile = t.elapsed();
    let t = Instant::now();
    let module = engine.compile(&wasm, opts.limits)?;
    let cached = t.elapsed();
    if !module.from_cache() {
        bail!("the module cache did not keep the compiled module");
    }
    // Each run instantiates the module and runs every segment, as the roles do (one
    // compiled program, many requests).
    let fp = opml_executor::FastProgram::with_program(
        &engine,
        &wasm,
        std::sync::Arc::new(Program::load(&wasm, opts.limits)?),
    );
    let _ = std::fs::remove_dir_all(&cache_dir);
    let fp = fp?;
    let mut fast_out = Vec::new();
    let (mut fuel, mut segments) = (0, 0);
    let mut times = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let run = fp.run(&input, opts.max_steps, Boundaries::None)?;
        times.push(t.elapsed());
        if run.submission.status != RunStatus::Halted {
            bail!("fast path: {}", run.submission.status);
        }
        fast_out = run.submission.output;
        (fuel, segments) = (run.submission.work, run.submission.segments);
    }
    let fast = median(times);
    if fast_out != native_out {
        bail!("fast path and native outputs differ");
    }
    println!(
        "wasm code: {} bytes of {} total",
        code_size(&wasm)?,
        wasm.len()
    );
    println!(
        "fast path: compile + cache {compile:.2?} (once per module), from the cache {cached:.2?} (VM loader check included), run {fast:.2?} (instantiation and {segments} segments; median of {reps}); fuel {fuel}"
    );
    println!(
        "native: {native:.2?} (median of {reps}); fast / native = {:.2}",
        fast.as_secs_f64() / native.as_secs_f64()
    );
    if no_vm {
        return Ok(());
    }
    let t = Instant::now();
    let sub = opml_executor::run(Engine::Vm, &wasm, &input, &Entry::Main, &opts)?;
    let vm = t.elapsed();
    if sub.status != RunStatus::Halted || sub.output != native_out {
        bail!("VM: {} or output differs from native", sub.status);
    }
    println!(
        "VM: {} steps, {vm:.2?} ({:.1} M steps/s); {:.1} steps per multiply-add; output identical on VM, fast path and native",
        sub.work,
        sub.work as f64 / vm.as_secs_f64() / 1e6,
        sub.work as f64 / macs as f64
    );
    Ok(())
}

fn code_size(wasm: &[u8]) -> Result<usize> {
    for p in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionStart { size, .. } = p? {
            return Ok(size as usize);
        }
    }
    Ok(0)
}

/// Multiply-adds of one forward pass over `n` tokens.
fn multiply_adds(n: u64, c: &opml_minilm::blob::Config) -> u64 {
    let (h, i) = (c.hidden as u64, c.intermediate as u64);
    c.layers as u64 * (n * h * 3 * h + 2 * n * n * h + n * h * h + 2 * n * h * i)
}

fn check(program: &Path, model: &Path, expected: &Path, vm: bool) -> Result<()> {
    let wasm = read(program)?;
    let reference: opml_modelpack::check::Reference = serde_json::from_slice(&read(expected)?)?;
    opml_minilm::blob::set_native(&blob(model)?);
    let report = opml_modelpack::check::run(&wasm, &reference, &opts(&wasm)?, vm)?;
    print!("{report}");
    Ok(())
}
