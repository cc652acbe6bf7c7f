//! `opml run`: print a run's output, status and figures.

use crate::progress::Replay;
use anyhow::{Context, bail};
use clap::Args;
use opml_executor::fast::{FastEngine, ModuleCache};
use opml_executor::{DeclaredBounds, Engine, Entry, RunOptions, RunStatus, Submission};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The program or module: binary wasm, or the text format (`.wat`).
    module: PathBuf,
    /// With `--invoke`: the arguments, as `i32:-5`, `i64:7`, `f32:0x3f800000`, `f64:0x…`.
    #[arg(requires = "invoke")]
    args: Vec<String>,
    /// The engine: `fast` (wasmtime) or `vm` (the provable machine).
    #[arg(long, default_value = "fast")]
    engine: Engine,
    /// The request input, read from a file.
    #[arg(long, conflicts_with = "input_hex")]
    input: Option<PathBuf>,
    /// The request input, as hex.
    #[arg(long)]
    input_hex: Option<String>,
    /// Instead of running `main`, instantiate afresh and call this export with ARGS.
    #[arg(long)]
    invoke: Option<String>,
    /// Step bound (VM steps; fuel on the fast path) [default: the program's `opml.max_steps`
    /// section, else 2^32].
    #[arg(long)]
    max_steps: Option<u64>,
    /// Memory bound in 64 KiB pages [default: the program's declared memory maximum, else 1024].
    #[arg(long)]
    max_memory_pages: Option<u32>,
    /// Compile afresh rather than use the compiled-module cache (`$OPML_CACHE_DIR/modules`,
    /// else `$XDG_CACHE_HOME/opml/modules`, else `~/.cache/opml/modules`).
    #[arg(long)]
    no_cache: bool,
}

pub(crate) fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let wasm = opml_executor::read_module(&args.module)
        .with_context(|| format!("reading {}", args.module.display()))?;
    let input = match (&args.input, &args.input_hex) {
        (Some(path), _) => {
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
        }
        (None, Some(h)) => hex::decode(h.trim().trim_start_matches("0x")).context("--input-hex")?,
        (None, None) => Vec::new(),
    };
    let entry = match &args.invoke {
        Some(export) => Entry::Invoke {
            export: export.clone(),
            args: args
                .args
                .iter()
                .map(|a| opml_executor::parse_value(a))
                .collect::<Result<_, _>>()?,
        },
        None if !args.args.is_empty() => bail!("arguments given without --invoke"),
        None => Entry::Main,
    };
    let mut opts = DeclaredBounds::of(&wasm)?.options(RunOptions::default());
    if let Some(pages) = args.max_memory_pages {
        opts.limits.max_memory_pages = pages;
    }
    if let Some(steps) = args.max_steps {
        opts.max_steps = steps;
    }
    tracing::info!(
        engine = args.engine.name(),
        module = %args.module.display(),
        max_steps = opts.max_steps,
        max_memory_pages = opts.limits.max_memory_pages,
        "run"
    );
    let sub = match args.engine {
        Engine::Vm => run_vm(&wasm, &input, &entry, &opts)?,
        Engine::Fast => {
            let mut engine = FastEngine::new()?;
            match ModuleCache::user() {
                Some(cache) if !args.no_cache => {
                    tracing::info!(dir = %cache.dir().display(), "compiled-module cache");
                    engine = engine.with_cache(cache);
                }
                _ => {}
            }
            opml_executor::run_fast(&engine, &wasm, &input, &entry, &opts)?
        }
    };
    tracing::info!(work = sub.work, status = %sub.status, "done");
    if args.invoke.is_some() {
        print_invoke(&sub)
    } else {
        print_program(&sub)
    }
    Ok(exit_code(sub.status))
}

/// A VM run, with the replay progress (a spinner on a terminal; its length is unknown).
fn run_vm(
    wasm: &[u8],
    input: &[u8],
    entry: &Entry,
    opts: &RunOptions,
) -> anyhow::Result<Submission> {
    let mut progress = Replay::new("VM run", None);
    let mut on_progress = |steps: u64| progress.update(steps);
    Ok(opml_executor::vm::run(
        wasm,
        input,
        entry,
        opts,
        Some(&mut on_progress),
    )?)
}

fn print_invoke(sub: &Submission) {
    match sub.status {
        RunStatus::Halted => {
            for v in &sub.results {
                println!("{}", opml_executor::format_value(*v));
            }
        }
        RunStatus::Trapped(code) => println!("trap: {}", code.spec_message()),
        RunStatus::OutOfSteps => println!("out of steps after {} {}", sub.work, work_unit(sub)),
    }
}

fn print_program(sub: &Submission) {
    println!("engine: {}", sub.engine.name());
    println!("status: {}", sub.status);
    if let RunStatus::Trapped(code) = sub.status {
        println!("trap: {}", code.spec_message());
    }
    for line in crate::output::output_lines(&sub.output) {
        println!("{line}");
    }
    for v in &sub.results {
        println!("result: {}", opml_executor::format_value(*v));
    }
    println!("segments: {}", sub.segments);
    println!("{}: {}", work_unit(sub), sub.work);
    if let Some(h) = sub.state_hash {
        println!("state hash: 0x{}", hex::encode(h));
    }
}

fn work_unit(sub: &Submission) -> &'static str {
    match sub.engine {
        Engine::Vm => "steps",
        _ => "fuel",
    }
}

fn exit_code(status: RunStatus) -> ExitCode {
    match status {
        RunStatus::Halted => ExitCode::SUCCESS,
        RunStatus::Trapped(_) => ExitCode::from(crate::EXIT_TRAP),
        RunStatus::OutOfSteps => ExitCode::from(crate::EXIT_OUT_OF_STEPS),
    }
}
