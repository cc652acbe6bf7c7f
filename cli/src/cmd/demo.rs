//! `opml demo`: the whole story on a local anvil, in one command. A consumer asks for a digit
//! classification; a (test-only) lying submitter posts a wrong class; the challenger re-runs
//! it, disputes, and wins the game on-chain round by round; it then posts the right class,
//! which finalizes, and the consumer contract receives it. Prints the figures of issue 6.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use anyhow::{Context, bail};
use clap::Args;
use opml_executor::submitter::WasmtimeFastPath;
use opml_protocol::agent::{Agent, FastPath, Role};
use opml_protocol::bindings::consumer::ExampleConsumer;
use opml_protocol::bindings::status::{GAME_ACTIVE, GAME_CHALLENGER_WON, RESULT_PENDING};
use opml_protocol::config::RoleConfig;
use opml_protocol::deploy;
use opml_protocol::programs::StoredProgram;
use opml_protocol::store::Side;

use super::devnet::{depth_for, sample_input, start_anvil};

/// Demo settings.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The model.
    #[arg(long, default_value = "guests/wasm/digits.wasm")]
    wasm: PathBuf,
    /// The image to classify (64 bytes, 0..=16); default: the guest's sample, a "2".
    #[arg(long)]
    input: Option<PathBuf>,
    /// Seconds per anvil block.
    #[arg(long, default_value_t = 1)]
    block_time: u64,
    /// Trace depth D of the registration (2^D steps); 0 picks the least that covers the run.
    #[arg(long, default_value_t = 24)]
    depth: u8,
    /// Challenge window, seconds (fast-forwarded once nobody disputes).
    #[arg(long, default_value_t = 60)]
    challenge_window: u64,
}

const ETH: f64 = 1e18;

fn eth(x: U256) -> String {
    format!("{:.4} ETH", f64::from(x) / ETH)
}

/// The lie: the same output with another digit.
fn wrong_output(out: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(out);
    if let Some(i) = s.find("\"digit\":") {
        let mut v = out.to_vec();
        let d = &mut v[i + 8];
        if d.is_ascii_digit() {
            *d = b'0' + (*d - b'0' + 3) % 10;
            return v;
        }
    }
    let mut v = out.to_vec();
    if let Some(b) = v.last_mut() {
        *b ^= 1;
    } else {
        v.push(0);
    }
    v
}

struct Story {
    t0: Instant,
}

impl Story {
    fn say(&self, what: &str) {
        println!("[{:>5.1}s] {what}", self.t0.elapsed().as_secs_f64());
    }
}

/// `opml demo`.
pub(crate) fn run(args: DemoArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(demo(args))
}

async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let story = Story { t0: Instant::now() };
    println!("opml demo — optimistic ML with a fraud proof, on a local chain\n");
    let anvil = start_anvil(None, args.block_time)?;
    story.say(&format!(
        "started anvil at {} (a block every {} s)",
        anvil.endpoint(),
        args.block_time
    ));
    let key = |i: usize| format!("0x{}", hex::encode(anvil.keys()[i].to_bytes()));
    let url = anvil.endpoint();

    // The model and its trace depth.
    let wasm =
        std::fs::read(&args.wasm).with_context(|| format!("reading {}", args.wasm.display()))?;
    let input = match &args.input {
        Some(p) => std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
        None => sample_input(&args.wasm),
    };
    let prog = StoredProgram::from_wasm("digits", wasm.clone())?;
    let (steps, least) = depth_for(&prog, &input);
    let depth = if args.depth == 0 { least } else { args.depth };
    if steps > 1u64 << depth.min(63) {
        bail!("--depth {depth} is too small: the run takes {steps} steps");
    }
    story.say(&format!("model {}: {steps} VM steps on this input; registered with trace depth D = {depth} (2^{depth} steps)", args.wasm.display()));

    // Deploy and register.
    let admin =
        opml_protocol::chain::provider(&url, opml_protocol::chain::signer_from_key(&key(0))?)?;
    let mut cfg = deploy::default_config("devnet")?;
    cfg.challengeWindow = args.challenge_window;
    let d = deploy::deploy(&admin, cfg.clone()).await?;
    let program_id = deploy::register(&admin, d.oracle, &prog, depth, "demo:digits").await?;
    story.say(&format!(
        "deployed the step verifier {} and the oracle {}",
        d.verifier, d.oracle
    ));
    story.say(&format!(
        "registered the model: program id {program_id}; window {} s, clock {} s per side, k = {}, bonds {}",
        cfg.challengeWindow, cfg.clock, 1u32 << cfg.kLog, eth(cfg.resultBond)
    ));

    // The two roles, in this process, each with its own key and database.
    let dir = std::env::temp_dir().join(format!("opml-demo-{}", std::process::id()));
    let fast: Arc<dyn FastPath> = Arc::new(WasmtimeFastPath::new()?);
    let truth = fast
        .output(&wasm, &input, 1 << depth)?
        .context("the model does not halt")?;
    let lie = wrong_output(&truth);
    let role = |i: usize, name: &str| RoleConfig {
        rpc_url: Some(url.clone()),
        oracle: Some(d.oracle),
        private_key: Some(key(i)),
        programs: vec![args.wasm.clone()],
        db: Some(dir.join(format!("{name}.redb"))),
        confirmations: Some(1),
        checkpoint_interval: Some(1024),
        ..RoleConfig::default()
    };
    let submitter = RoleConfig {
        lie_output: Some(hex::encode(&lie)),
        ..role(2, "submitter")
    }
    .agent(Role::Submitter, Arc::clone(&fast))
    .await?;
    let challenger = RoleConfig {
        submit_after_win: Some(true),
        ..role(3, "challenger")
    }
    .agent(Role::Challenger, Arc::clone(&fast))
    .await?;
    story.say(&format!(
        "submitter {} (TEST-ONLY liar) and challenger {} are watching",
        submitter.me(),
        challenger.me()
    ));

    // The consumer asks.
    let user =
        opml_protocol::chain::provider(&url, opml_protocol::chain::signer_from_key(&key(1))?)?;
    let consumer_addr = deploy::deploy_consumer(&user, d.oracle, program_id).await?;
    let consumer = ExampleConsumer::new(consumer_addr, user.clone());
    let fee = submitter.chain.oracle.requestFee(500_000).call().await?;
    let r = consumer
        .ask(input.clone().into())
        .value(fee)
        .send()
        .await?
        .get_receipt()
        .await?;
    let asked = r
        .decoded_log::<ExampleConsumer::Asked>()
        .context("no Asked event")?;
    let request_id = asked.requestId;
    story.say(&format!("consumer contract {consumer_addr} asks to classify an 8×8 image (request {request_id}, fee {})", eth(fee)));
    story.say(&format!(
        "the true answer (fast path): {}",
        String::from_utf8_lossy(&truth)
    ));

    let figures = play(
        &story,
        &submitter,
        &challenger,
        &admin,
        request_id,
        consumer_addr,
    )
    .await?;
    let out = consumer.outputs(request_id).call().await?;
    story.say(&format!(
        "consumer received: {}",
        String::from_utf8_lossy(&out)
    ));
    if out.as_ref() != truth.as_slice() {
        bail!("the consumer received a wrong output");
    }
    figures.print(&submitter, &challenger)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// What the demo measures.
#[derive(Default)]
struct Figures {
    challenge_at: Option<Instant>,
    resolved_at: Option<Instant>,
    rounds: usize,
    fast_forwarded: u64,
}

impl Figures {
    fn print(&self, sub: &Agent, cha: &Agent) -> anyhow::Result<()> {
        println!("\nfigures (digits model, anvil):");
        if let (Some(a), Some(b)) = (self.challenge_at, self.resolved_at) {
            let ff = if self.fast_forwarded > 0 {
                format!(" ({} s of chain time fast-forwarded)", self.fast_forwarded)
            } else {
                String::new()
            };
            println!(
                "  wall time challenge → resolution: {:.1} s{ff}",
                (b - a).as_secs_f64()
            );
        }
        println!("  bisection rounds: {}", self.rounds);
        let mut queries = Vec::new();
        for (name, agent, side) in [
            ("submitter", sub, Side::Submitter),
            ("challenger", cha, Side::Challenger),
        ] {
            let games = agent.store.games()?;
            let moves: Vec<_> = games
                .iter()
                .filter(|g| g.side == side)
                .flat_map(|g| g.moves.iter())
                .collect();
            let gas: u64 = moves.iter().map(|m| m.gas_used).sum();
            let kinds: Vec<&str> = moves.iter().map(|m| m.kind.as_str()).collect();
            println!(
                "  gas, {name}'s game moves: {gas} ({} txs: {})",
                moves.len(),
                kinds.join(" ")
            );
            queries.extend(
                moves
                    .iter()
                    .filter(|m| m.kind != "timeout")
                    .map(|m| m.compute_secs),
            );
        }
        if !queries.is_empty() {
            let max = queries.iter().cloned().fold(0.0, f64::max);
            let avg = queries.iter().sum::<f64>() / queries.len() as f64;
            println!(
                "  time to answer one bisection query: avg {:.3} s, max {:.3} s ({} moves)",
                avg,
                max,
                queries.len()
            );
        }
        Ok(())
    }
}

/// Runs both roles until the consumer has its answer, narrating from the chain's events and
/// fast-forwarding the devnet clock when the only thing left is waiting.
async fn play(
    story: &Story,
    sub: &Agent,
    cha: &Agent,
    admin: &alloy::providers::DynProvider,
    request_id: U256,
    _consumer: Address,
) -> anyhow::Result<Figures> {
    let o = &sub.chain.oracle;
    let mut f = Figures::default();
    let mut from = 0u64;
    let mut idle = 0u32;
    let deadline = Instant::now() + Duration::from_secs(600);
    let who = |a: Address| {
        if a == sub.me() {
            "submitter"
        } else if a == cha.me() {
            "challenger"
        } else {
            "someone"
        }
    };
    loop {
        if Instant::now() > deadline {
            bail!("the demo did not finish in 10 minutes");
        }
        for (name, a) in [("submitter", sub), ("challenger", cha)] {
            if let Err(e) = a.tick().await {
                tracing::warn!(role = name, error = %e, "pass failed");
            }
        }
        let head = sub.chain.head().await?;
        let mut news = false;
        if from > head {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        for (ev, _) in o
            .ResultSubmitted_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            story.say(&format!(
                "{} posts result {} with a bond: {}",
                who(ev.submitter),
                ev.resultId,
                String::from_utf8_lossy(&ev.output)
            ));
        }
        for (ev, _) in o
            .GameStarted_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            f.challenge_at.get_or_insert_with(Instant::now);
            story.say(&format!(
                "challenger re-ran it, disagrees, and opens game {} against result {}",
                ev.gameId, ev.resultId
            ));
        }
        for (ev, _) in o
            .Bisected_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            f.rounds += 1;
            let end = ev.start as u128 + (1u128 << ev.lenLog);
            story.say(&format!(
                "round {}: {} splits steps [{}, {end}] into {} parts (its state hashes, committed as one Merkle root)",
                f.rounds, who(ev.mover), ev.start, ev.hashes.len()
            ));
        }
        for (ev, _) in o
            .StepProved_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            story.say(&format!("{} proves step {} on-chain: the verifier re-executes it and gets {} — not the opponent's hash", who(ev.mover), ev.step, ev.post));
        }
        for (ev, _) in o
            .GameResolved_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            f.resolved_at.get_or_insert_with(Instant::now);
            let w = if ev.status == GAME_CHALLENGER_WON {
                "the challenger"
            } else {
                "the submitter"
            };
            let how = if ev.byTimeout {
                "the other side's clock ran out"
            } else {
                "step proof"
            };
            story.say(&format!("game {} resolved: {w} wins ({how}); the loser's bond goes to the winner, 20% burned", ev.gameId));
        }
        for (ev, _) in o
            .ResultRejected_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            story.say(&format!(
                "result {} rejected: request {} is open again",
                ev.resultId, ev.requestId
            ));
        }
        let mut done = false;
        for (ev, _) in o
            .ResultFinalized_filter()
            .from_block(from)
            .to_block(head)
            .query()
            .await?
        {
            news = true;
            story.say(&format!(
                "request {} finalized (callback ok: {})",
                ev.requestId, ev.callbackSucceeded
            ));
            done |= ev.requestId == request_id;
        }
        from = head + 1;
        if done {
            for (name, a) in [("submitter", sub), ("challenger", cha)] {
                a.tick().await?;
                let bal = a.chain.provider.get_balance(a.me()).await?;
                story.say(&format!("{name} balance now {}", eth(bal)));
            }
            return Ok(f);
        }
        idle = if news { 0 } else { idle + 1 };
        if idle >= 3
            && let Some(secs) = wait_needed(sub).await?
        {
            story.say(&format!(
                "⏩ nothing to do but wait: fast-forwarding the devnet clock by {secs} s"
            ));
            admin
                .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (secs,))
                .await?;
            admin
                .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
                .await?;
            if f.challenge_at.is_some() && f.resolved_at.is_none() {
                f.fast_forwarded += secs;
            }
            idle = 0;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Seconds until the next deadline (an open game's clock, else a pending result's window).
async fn wait_needed(a: &Agent) -> anyhow::Result<Option<u64>> {
    let o = &a.chain.oracle;
    let now = a.chain.now().await?;
    let games: u64 = o.gameCount().call().await?.try_into()?;
    for id in 1..=games {
        let g = o.game(U256::from(id)).call().await?;
        if g.status == GAME_ACTIVE {
            let c = o.clocks(U256::from(id)).call().await?;
            let left: u64 = (if g.challengerTurn {
                c.challenger
            } else {
                c.submitter
            })
            .try_into()?;
            return Ok(Some(left + 1));
        }
    }
    let results: u64 = o.resultCount().call().await?.try_into()?;
    for id in 1..=results {
        let r = o.result(U256::from(id)).call().await?;
        if r.status == RESULT_PENDING {
            let end = r.submittedAt + a.params().challengeWindow;
            return Ok(Some(end.saturating_sub(now) + 1));
        }
    }
    Ok(None)
}
