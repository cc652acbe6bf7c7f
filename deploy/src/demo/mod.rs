//! The demo's story (`opml demo`) on a chain the caller started (a local anvil): deploy,
//! register a model, a consumer asks, a test-only lying submitter posts a wrong output, the
//! challenger wins the game on-chain round by round and posts the right output, which
//! finalizes and reaches the consumer. Each step is narrated through a callback; the figures
//! of issue 6 come back as [`Figures`].

mod depths;
mod figures;
mod play;

use std::path::PathBuf;
use std::sync::Arc;

use alloy::primitives::U256;
use alloy::providers::DynProvider;
use opml_bindings::consumer::ExampleConsumer;
use opml_bindings::oracle::IOpMLOracle;
use opml_challenger::{Challenger, ChallengerConfig};
use opml_executor::fast::FastEngine;
use opml_service::behaviour::Honest;
use opml_service::chain::{failed, provider, signer_from_key};
use opml_service::programs::StoredProgram;
use opml_service::progress::Progress;
use opml_service::settings::Settings;
use opml_submitter::Submitter;
use opml_testkit::{Liar, wrong_output};

use crate::contracts as deploy;
use crate::{Error, Result};

pub use depths::{Depths, FastBoundaries, pick as pick_depths};
pub use figures::{Figures, SideFigures};

/// What the story runs on.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The chain's JSON-RPC endpoint.
    pub url: String,
    /// Funded hex keys: 0 deploys, 1 is the consumer's user, 2 the submitter, 3 the challenger.
    pub keys: Vec<String>,
    /// The model.
    pub wasm: PathBuf,
    /// Its input.
    pub input: Vec<u8>,
    /// Trace depth D of the registration; 0 picks the least that covers twice the run.
    pub depth: u8,
    /// Challenge window, seconds.
    pub challenge_window: u64,
    /// The lying submitter's trace leaves the truth at this step, so its game ends with a step
    /// proof there; `None`: it lies only about the final state (and loses on its clock).
    pub lie_from_step: Option<u64>,
}

/// Narrates one step of the story.
pub type Narrate<'a> = &'a mut dyn FnMut(&str);

/// Tells the whole story, narrating each step through `say`; the roles' VM replays report to
/// `progress`. Fails when the consumer does not receive the fast path's answer.
pub async fn run(setup: &Setup, progress: Arc<dyn Progress>, say: Narrate<'_>) -> Result<Figures> {
    let key = |i: usize| {
        setup.keys.get(i).cloned().ok_or_else(|| {
            Error::Config(format!(
                "the demo needs 4 funded keys, got {}",
                setup.keys.len()
            ))
        })
    };

    // The model and its trace depth.
    let wasm = std::fs::read(&setup.wasm).map_err(|e| Error::Io {
        path: setup.wasm.clone(),
        source: e,
    })?;
    let name = crate::devnet::file_stem(&setup.wasm);
    let prog = StoredProgram::from_wasm(&name, wasm.clone())?;
    let mut cfg = deploy::default_config("devnet")?;
    say(
        "measuring the program: its VM run (the demo's own, for the depths and the figures) and, if segmented, the fast path hashing every boundary",
    );
    let depths = depths::pick(&prog, &setup.input, setup.depth, cfg.kLog)?;
    let (steps, depth) = (depths.steps, depths.depth);
    if !depths.fits(cfg.maxTraceDepth, cfg.maxSegmentDepth) {
        fit(&mut cfg, &depths, say)?;
    }
    let max_steps = 1u64.checked_shl(depth.into()).unwrap_or(u64::MAX);
    let prog = match depths.segment_depth {
        Some(d2) => {
            say(&format!(
                "program {}: {steps} VM steps in {} segments on this input; registered two-phase: D = {depth}, segment depth D2 = {d2} (2^{} segments of 2^{d2} steps)",
                setup.wasm.display(),
                depths.segments,
                depth - d2
            ));
            StoredProgram::with_segment_depth(&name, wasm.clone(), d2)?
        }
        None => {
            say(&format!(
                "model {}: {steps} VM steps on this input; registered with trace depth D = {depth} (2^{depth} steps)",
                setup.wasm.display()
            ));
            prog
        }
    };

    // Deploy and register.
    let admin = provider(&setup.url, signer_from_key(&key(0)?)?)?;
    cfg.challengeWindow = setup.challenge_window;
    cfg.revealWindow = cfg.revealWindow.min(cfg.challengeWindow);
    let d = deploy::deploy(&admin, cfg.clone()).await?;
    let program_id =
        deploy::register(&admin, d.oracle, &prog, depth, &format!("demo:{name}")).await?;
    say(&format!(
        "deployed the step verifier {} and the oracle {}",
        d.verifier, d.oracle
    ));
    say(&format!(
        "registered the model: program id {program_id}; window {} s, clock {} s per side, k = {}, bonds {}",
        cfg.challengeWindow,
        cfg.clock,
        1u32 << cfg.kLog,
        eth(cfg.resultBond)
    ));

    // The two roles, in this process, each with its own key and database.
    let dir = std::env::temp_dir().join(format!("opml-demo-{}", std::process::id()));
    let truth = FastEngine::new()?
        .output(&wasm, &setup.input, max_steps)?
        .ok_or_else(|| Error::Demo("the model does not halt".into()))?;
    let role = |i: usize, name: &str| -> Result<Settings> {
        Ok(Settings {
            rpc_url: Some(setup.url.clone()),
            oracle: Some(d.oracle),
            private_key: Some(key(i)?),
            programs: vec![setup.wasm.clone()],
            db: Some(dir.join(format!("{name}.redb"))),
            confirmations: Some(1),
            checkpoint_interval: Some(1024),
            ..Settings::default()
        })
    };
    // The liar is the demo's own, in this process: no flag of `opml submitter` makes one.
    let liar = Arc::new(Liar {
        output: Some(wrong_output(&truth)),
        from_step: setup.lie_from_step,
    });
    let submitter = role(2, "submitter")?
        .service(opml_submitter::DEFAULT_DB, Arc::clone(&progress), liar)
        .await?;
    let submitter = Submitter::new(submitter);
    let challenger = role(3, "challenger")?
        .service(
            opml_challenger::DEFAULT_DB,
            Arc::clone(&progress),
            Arc::new(Honest),
        )
        .await?;
    let own = ChallengerConfig {
        submit_after_win: true,
    };
    let challenger = Challenger::new(challenger, own);
    say(&format!(
        "submitter {} (TEST-ONLY liar) and challenger {} are watching",
        submitter.service().me(),
        challenger.service().me()
    ));

    // The consumer asks.
    let user = provider(&setup.url, signer_from_key(&key(1)?)?)?;
    let (consumer, request_id) =
        ask(&submitter, &user, d.oracle, program_id, &setup.input, say).await?;
    say(&format!("the true answer (fast path): {}", shown(&truth)));

    let figures = play::play(say, &submitter, &challenger, &admin, request_id).await?;
    let out = consumer
        .outputs(request_id)
        .call()
        .await
        .map_err(failed("reading the output"))?;
    say(&format!("consumer received: {}", shown(&out)));
    if out.as_ref() != truth.as_slice() {
        return Err(Error::Demo("the consumer received a wrong output".into()));
    }
    let figures = figures
        .collect(&name, &depths, &submitter, &challenger)
        .await?;
    drop((submitter, challenger));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figures)
}

/// Raises this deployment's depth bounds to `d` (a two-phase registration), with the clock
/// they need (`docs/protocol.md` §10, the devnet's assumptions: `f = 4`,
/// `v_vm = 10^8`, `v_fast = 10^9` steps/s). The devnet's bounds are for any program that
/// really runs `2^D` steps; the demo deploys its own oracle for one program whose run it
/// measured, and a segmented program's `D2` covers the fast path's bound on its segments,
/// which may lie far above their VM steps (`docs/machine.md` §9): padding that costs bisection
/// rounds, not compute.
fn fit(cfg: &mut IOpMLOracle::Config, d: &Depths, say: Narrate<'_>) -> Result<()> {
    let Some(d2) = d.segment_depth else {
        return Err(Error::Config(format!(
            "the run takes {} steps: D = {} is above the devnet's {} (single-phase: {})",
            d.steps, d.depth, cfg.maxTraceDepth, cfg.maxSegmentDepth
        )));
    };
    let (was_d, was_d2) = (cfg.maxTraceDepth, cfg.maxSegmentDepth);
    cfg.maxTraceDepth = cfg.maxTraceDepth.max(d.depth);
    cfg.maxSegmentDepth = cfg.maxSegmentDepth.max(d2);
    // Phase 2 replays one segment of up to 2^D2 steps in the VM within a clock.
    cfg.clock = cfg.clock.max(deploy::segment_clock_secs(d2));
    say(&format!(
        "segments of up to {} VM steps, which the fast path bounds by {}, need D = {}, D2 = {d2}, above the devnet's {was_d} / {was_d2}: this demo's own oracle allows them, with {} s clocks (docs/protocol.md §10)",
        d.longest, d.fast_bound, d.depth, cfg.clock
    ));
    Ok(())
}

/// Deploys the example consumer and has it ask for `input`; returns it and the request id.
async fn ask(
    sub: &Submitter,
    user: &DynProvider,
    oracle: alloy::primitives::Address,
    program_id: alloy::primitives::B256,
    input: &[u8],
    say: Narrate<'_>,
) -> Result<(ExampleConsumer::ExampleConsumerInstance<DynProvider>, U256)> {
    let addr = deploy::deploy_consumer(user, oracle, program_id).await?;
    let consumer = ExampleConsumer::new(addr, user.clone());
    let fee = sub
        .service()
        .chain
        .oracle
        .requestFee(500_000)
        .call()
        .await
        .map_err(failed("reading the fee"))?;
    let r = consumer
        .ask(input.to_vec().into())
        .value(fee)
        .send()
        .await
        .map_err(failed("ask"))?
        .get_receipt()
        .await
        .map_err(failed("ask"))?;
    let request_id = r
        .decoded_log::<ExampleConsumer::Asked>()
        .ok_or_else(|| Error::Demo("ask: no Asked event".into()))?
        .requestId;
    say(&format!(
        "consumer contract {addr} asks for the model's answer on a {}-byte input (request {request_id}, fee {})",
        input.len(),
        eth(fee)
    ));
    Ok((consumer, request_id))
}

/// An output as the story prints it: as text when it is printable UTF-8 (digits' JSON), else
/// as `0x` hex (MiniLM's `classify` answer, ABI-encoded).
pub(crate) fn shown(output: &[u8]) -> String {
    match std::str::from_utf8(output) {
        Ok(text) if !text.chars().any(|c| c.is_control() && c != '\n') => text.to_string(),
        _ => format!("0x{}", hex::encode(output)),
    }
}

/// An amount of wei in ETH, for the story.
pub(crate) fn eth(x: U256) -> String {
    format!("{:.4} ETH", f64::from(x) / 1e18)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn binary_outputs_print_as_hex_and_text_as_text() {
        assert_eq!(shown(br#"{"class":2}"#), r#"{"class":2}"#);
        assert_eq!(shown(&[0, 0, 0, 2, 0xff]), "0x00000002ff");
        assert_eq!(shown(b"ok\0"), "0x6f6b00");
    }
}
