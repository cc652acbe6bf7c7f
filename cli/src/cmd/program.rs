//! `opml program-id` (no chain) and `opml register`: a program's id, and its registration.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use opml_bindings::oracle::OpMLOracle::ProgramFields;
use opml_bindings::state::{program_fields, program_hash, program_id};
use opml_executor::{DeclaredBounds, RunOptions};
use opml_vm::{Machine, Program};

use super::chain::{ChainArgs, ONE_SHOT, block_on, print_json};

/// What makes a program id: the program, its trace depth, its segment depth, its metadata URI.
#[derive(Debug, Args)]
pub(crate) struct ProgramArgs {
    /// The program: binary wasm, or the text format (`.wat`).
    file: PathBuf,
    /// Trace depth D: results claim the state after 2^D steps (1..=63).
    #[arg(long, default_value_t = 24)]
    depth: u8,
    /// Segment depth D2 (a segment is at most 2^D2 steps, 1..=63). Without it, the default
    /// the roles load programs with (32): a program of up to 2^32 steps is one segment.
    #[arg(long, value_name = "D2")]
    segment_depth: Option<u8>,
    /// Where the wasm and weights are published (file://…, http(s)://…); part of the id.
    #[arg(long, default_value = "")]
    metadata_uri: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

impl ProgramArgs {
    /// The registration fields of the program (the input-independent initial state).
    fn fields(&self) -> anyhow::Result<ProgramFields> {
        if !(1..=63).contains(&self.depth) {
            bail!("--depth {} outside 1..=63", self.depth);
        }
        let wasm = opml_executor::read_module(&self.file)
            .with_context(|| format!("reading {}", self.file.display()))?;
        // The limits every party loads a program with (`StoredProgram::from_wasm`): the
        // defaults, with the memory maximum the program declares.
        let mut limits = DeclaredBounds::of(&wasm)
            .with_context(|| format!("loading {}", self.file.display()))?
            .options(RunOptions::default())
            .limits;
        if let Some(d2) = self.segment_depth {
            if !(1..=63).contains(&d2) {
                bail!("--segment-depth {d2} outside 1..=63");
            }
            limits.segment_depth = d2;
        }
        let program = Program::load(&wasm, limits)
            .with_context(|| format!("loading {}", self.file.display()))?;
        Ok(program_fields(&mut Machine::new(&Arc::new(program), &[])))
    }
}

/// `opml program-id`.
pub(crate) fn program_id_cmd(args: ProgramArgs) -> anyhow::Result<()> {
    let fields = args.fields()?;
    let id = program_id(&fields, args.depth, &args.metadata_uri);
    if args.json {
        print_json(&serde_json::json!({
            "program_id": id,
            "program_hash": program_hash(&fields),
            "trace_depth": args.depth,
            "segment_depth": fields.segmentDepth,
            "metadata_uri": args.metadata_uri,
        }))
    } else {
        println!("{id}");
        Ok(())
    }
}

/// `opml register`.
#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    #[command(flatten)]
    program: ProgramArgs,
    #[command(flatten)]
    chain: ChainArgs,
}

/// `opml register`: registers the program, or finds it registered; prints its id.
pub(crate) fn register(args: RegisterArgs) -> anyhow::Result<()> {
    let fields = args.program.fields()?;
    let client = args.chain.signing()?;
    let (depth, uri) = (args.program.depth, args.program.metadata_uri.clone());
    let (id, new) = block_on(Some(ONE_SHOT), async {
        Ok(client.register(&fields, depth, &uri).await?)
    })?;
    if args.program.json {
        return print_json(&serde_json::json!({ "program_id": id, "registered_now": new }));
    }
    if !new {
        eprintln!("already registered");
    }
    println!("{id}");
    Ok(())
}
