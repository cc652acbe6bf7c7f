//! `opml status request|result|game|program ID`: where it stands, readable to a person;
//! complete in `--json`.

use alloy::primitives::{Address, B256};
use clap::{Args, Subcommand};
use opml_client::views::{GameView, ProgramView, RequestView, ResultView};

use super::chain::{ChainArgs, ONE_SHOT, block_on, print_json};
use crate::output::output_lines;

/// `opml status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(subcommand)]
    what: What,
    /// Print JSON (every field).
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    chain: ChainArgs,
}

#[derive(Debug, Subcommand)]
enum What {
    /// A request: its state, its deadlines, every result posted for it.
    Request {
        /// The request id.
        id: u64,
    },
    /// A result: its state, its challenge window, its output, its games.
    Result {
        /// The result id.
        id: u64,
    },
    /// A game: whose move, both clocks, the bonds, every bisection round, the verdict.
    Game {
        /// The game id.
        id: u64,
    },
    /// A registered program.
    Program {
        /// The program id.
        id: B256,
    },
}

/// `opml status`.
pub(crate) fn run(args: StatusArgs) -> anyhow::Result<()> {
    let client = args.chain.read_only()?;
    let json = args.json;
    block_on(Some(ONE_SHOT), async move {
        match args.what {
            What::Request { id } => show(json, client.request(id).await?, print_request),
            What::Result { id } => show(json, client.result(id).await?, |r| print_result(r, "")),
            What::Game { id } => show(json, client.game(id).await?, print_game),
            What::Program { id } => show(json, client.program(id).await?, print_program),
        }
    })
}

/// Prints `v` as JSON, or for a person with `human`.
fn show<T: serde::Serialize>(json: bool, v: T, human: impl FnOnce(&T)) -> anyhow::Result<()> {
    if json {
        print_json(&v)
    } else {
        human(&v);
        Ok(())
    }
}

/// `in 42 s` or `12 s ago`.
fn rel(t: u64, now: u64) -> String {
    if t > now {
        format!("in {} s", t - now)
    } else {
        format!("{} s ago", now - t)
    }
}

fn print_program(p: &ProgramView) {
    println!("program {}", p.id);
    println!("trace depth: {} (2^{} steps)", p.trace_depth, p.trace_depth);
    println!("segment depth: {}", p.segment_depth);
    println!("registrant: {}", p.registrant);
    println!("metadata uri: {}", p.metadata_uri.as_deref().unwrap_or("?"));
    println!("program hash: {}", p.program_hash);
}

fn print_request(q: &RequestView) {
    println!("request {}: {}", q.id, q.status);
    println!("program: {} (D = {})", q.program_id, q.trace_depth);
    println!("requester: {}", q.requester);
    println!("fee: {} wei", q.fee_wei);
    println!("made: {}", rel(q.created_at, q.now));
    if q.callback != Address::ZERO {
        let delivered = if q.status == "finalized" && !q.delivered {
            ", not delivered yet"
        } else {
            ""
        };
        println!(
            "callback: {} ({} gas){delivered}",
            q.callback, q.callback_gas_limit
        );
    }
    println!("input: {} bytes", q.input.len());
    match q.result {
        Some(r) if q.status == "finalized" => println!("final result: {r}"),
        Some(r) => println!("result with priority: {r}"),
        None if q.status == "open" => println!(
            "result: none revealed yet; cancellable {}",
            rel(q.cancellable_at, q.now)
        ),
        None => {}
    }
    for r in &q.results {
        println!();
        print_result(r, "  ");
    }
}

fn print_result(r: &ResultView, pad: &str) {
    println!(
        "{pad}result {} (request {}): {}",
        r.id, r.request_id, r.status
    );
    println!("{pad}submitter: {} (bond {} wei)", r.submitter, r.bond_wei);
    println!("{pad}committed: {}", rel(r.committed_at, r.now));
    if let Some(d) = r.reveal_deadline {
        println!("{pad}reveal deadline: {}", rel(d, r.now));
    }
    if let (Some(start), Some(end)) = (r.window_start, r.window_ends_at)
        && r.status == "revealed"
    {
        println!(
            "{pad}challenge window: opens {}, ends {}",
            rel(start, r.now),
            rel(end, r.now)
        );
        println!(
            "{pad}open games: {} ({} unanswered by the submitter)",
            r.open_games, r.unfunded_games
        );
    }
    if let Some(out) = &r.output {
        for line in output_lines(out) {
            println!("{pad}{line}");
        }
    }
    if let Some(s) = r.final_state {
        println!("{pad}claimed final state: {s}");
    }
    for g in &r.games {
        let turn = if g.status == "active" {
            format!(", the {} to move", g.turn)
        } else {
            String::new()
        };
        println!(
            "{pad}game {}: {} (challenger {}{turn})",
            g.id, g.status, g.challenger
        );
    }
}

fn print_game(g: &GameView) {
    println!(
        "game {} on result {} (request {}): {}",
        g.id, g.result_id, g.request_id, g.status
    );
    println!(
        "submitter:  {} (bond {} wei)",
        g.submitter, g.bonds.result_bond_wei
    );
    println!(
        "challenger: {} (bond {} wei)",
        g.challenger, g.bonds.challenge_bond_wei
    );
    println!(
        "submitter's match: {}",
        if g.bonds.match_escrowed {
            "escrowed"
        } else {
            "not escrowed (it has not moved)"
        }
    );
    println!(
        "clocks: submitter {} s, challenger {} s left of {} s{}",
        g.clocks.submitter_left,
        g.clocks.challenger_left,
        g.clocks.total,
        if g.status == "active" {
            format!("; the {} is to move", g.turn)
        } else {
            String::new()
        }
    );
    println!("trace: [0, 2^{}], k = {}", g.trace_depth, 1u64 << g.k_log);
    if g.segment_depth < g.trace_depth {
        let segments = g.trace_depth - g.segment_depth;
        println!(
            "two phases: 2^{segments} segments of 2^{} steps; {}",
            g.segment_depth,
            match g.phase {
                1 => "phase 1 (bisecting segments)".to_string(),
                _ => format!("phase 2 (steps of segment {})", g.segment),
            }
        );
    }
    for r in &g.rounds {
        let end = r
            .start
            .saturating_add(1u64.checked_shl(u32::from(r.len_log)).unwrap_or(u64::MAX));
        let disputed = r
            .disputed
            .map(|j| format!(", sub-range {j} disputed"))
            .unwrap_or_default();
        println!(
            "round {:>2} {:<10} [{}, {}] 2^{} {}, {} hashes{disputed}",
            r.n,
            r.mover,
            r.start,
            end,
            r.len_log,
            if r.phase == 1 { "segments" } else { "steps" },
            r.hashes.len()
        );
    }
    if let Some(s) = &g.step {
        println!(
            "step {}: verifier took {} to {} (proved by the {})",
            s.step, s.pre, s.post, s.mover
        );
    }
    let verdict = match g.status.as_str() {
        "active" => format!(
            "in progress: [{}, {}] disputed",
            g.start,
            g.start
                .saturating_add(1u64.checked_shl(u32::from(g.len_log)).unwrap_or(u64::MAX))
        ),
        "voided" => "voided: another game rejected the result; the challenger was paid out".into(),
        s => format!(
            "{}{}; the loser's bond goes to the winner, {} % of it burned",
            s.replace('_', " "),
            if g.by_timeout {
                " (the other side's clock ran out)"
            } else {
                ""
            },
            g.bonds.burn_bps as f64 / 100.0
        ),
    };
    println!("verdict: {verdict}");
}
