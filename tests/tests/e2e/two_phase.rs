//! Two-phase games on anvil (`docs/protocol.md` §5.3): the segmented example (1,024 segments on
//! an empty input) registered with D = 36 and segment depth 26, so a game bisects 2^10
//! boundaries from the fast path, opens one segment and bisects its 2^26 steps replayed in the
//! VM from that boundary.

use alloy::primitives::{Address, B256, U256};
use opml_bindings::oracle::OpMLOracle;
use opml_bindings::status::GAME_CHALLENGER_WON;
use opml_e2e::{Guard, Net, root, wait};
use opml_service::programs::StoredProgram;

const SEGMENTS_WASM: &str = "guests/wasm/segments.wasm";
/// `D`, and `D2`: 2^10 segments of 2^26 steps (the devnet allows D ≤ 36, D2 ≤ 33).
const DEPTH: u8 = 36;
const SEGMENT_DEPTH: u8 = 26;

/// Registers the segmented example two-phase; returns its id.
async fn register_segments(net: &Net) -> B256 {
    let wasm = std::fs::read(root().join(SEGMENTS_WASM)).expect("segments.wasm");
    let prog = StoredProgram::with_segment_depth("segments", wasm, SEGMENT_DEPTH).expect("load");
    opml_deploy::register(
        &net.admin,
        *net.oracle.address(),
        &prog,
        DEPTH,
        "e2e:segments",
    )
    .await
    .expect("register two-phase")
}

/// The extra flags every role of these stories takes: the segmented program in its store.
fn with_segments(extra: &[&str]) -> Vec<String> {
    let mut v = vec![
        "--programs".to_string(),
        root().join(SEGMENTS_WASM).display().to_string(),
    ];
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn spawn(net: &Net, role: &str, i: usize, db: &str, extra: &[&str]) -> Guard {
    let args = with_segments(extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Guard(net.spawn(role, i, db, &args))
}

/// The `SegmentOpened` events of game 1.
async fn segments_opened(net: &Net) -> Vec<OpMLOracle::SegmentOpened> {
    net.oracle
        .SegmentOpened_filter()
        .from_block(0u64)
        .query()
        .await
        .map(|v| v.into_iter().map(|(e, _)| e).collect())
        .unwrap_or_default()
}

/// The `StepProved` events, with their movers.
async fn steps_proved(net: &Net) -> Vec<(Address, u64)> {
    net.oracle
        .StepProved_filter()
        .from_block(0u64)
        .query()
        .await
        .map(|v| v.into_iter().map(|(e, _)| (e.mover, e.step)).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_submitter_loses_a_two_phase_game_to_a_challenger_killed_between_the_phases() {
    let Some(net) = Net::start("twophase", 60, 600).await else {
        return;
    };
    let pid = register_segments(&net).await;
    let _s = spawn(
        &net,
        "submitter",
        2,
        "submitter",
        &["--lie-output", "6c6965"],
    );
    let mut c = spawn(&net, "challenger", 3, "challenger", &[]);
    let fee = net.oracle.requestFee(0).call().await.expect("fee");
    // Phase 1 over 2^10 boundaries, k = 16: the challenger's opening, the submitter's
    // bisection, the challenger's bisection down to single segments. Then it is killed
    // (kill -9), before the submitter opens the segment. The test mines every block after the
    // request's and stops once the submitter has bisected, so the challenger's answer and
    // the submitter's opening wait in the pool until the test lets them in, however slow the
    // machine.
    net.request(pid, &[], fee).await;
    net.pause_mining().await;
    let mut blocks = 0;
    while net.rounds().await < 2 {
        assert!(
            blocks < 600,
            "the submitter's phase-1 bisection after {blocks} blocks"
        );
        net.mine(1).await;
        blocks += 1;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    assert_eq!(net.rounds().await, 2, "the submitter's bisection, not more");
    wait(
        120,
        "the challenger's last phase-1 bisection in the pool",
        || async { net.in_pool(3).await.then_some(()) },
    )
    .await;
    net.mine(1).await;
    assert_eq!(net.rounds().await, 3, "phase 1's last bisection");
    wait(
        60,
        "the challenger counts its bisection as sent",
        || async { net.log("challenger").contains("move sent").then_some(()) },
    )
    .await;
    let _ = std::process::Command::new("kill")
        .args(["-9", &c.0.id().to_string()])
        .status();
    let _ = c.0.wait();
    assert!(
        segments_opened(&net).await.is_empty(),
        "killed before phase 2"
    );
    net.resume_mining().await;
    let opened = wait(240, "the segment opened", || async {
        segments_opened(&net).await.pop()
    })
    .await;
    // The lie is in the final state: the last segment is disputed, opened by the liar.
    assert_eq!(opened.segment, 1023);
    assert_eq!(opened.mover, net.addr(2));
    let g = net.oracle.game(U256::from(1)).call().await.expect("game");
    assert_eq!((g.phase, g.segment, g.lenLog), (2, 1023, SEGMENT_DEPTH));
    // Restarted on its database, the challenger plays phase 2 from the chain alone.
    let _c2 = spawn(&net, "challenger", 3, "challenger", &[]);
    wait(300, "the restarted challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    let proved = steps_proved(&net).await;
    assert_eq!(proved.len(), 1);
    assert_eq!(
        proved[0].0,
        net.addr(3),
        "won by the challenger's step proof"
    );
    let log = net.log("challenger");
    assert!(log.contains("phase 2: segment opened"), "{log}");
    assert!(log.contains("segment replayed in the VM"), "{log}");
    assert_eq!(
        net.oracle.gameCount().call().await.unwrap(),
        U256::from(1),
        "no second game opened"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_honest_submitter_wins_a_two_phase_game_against_a_lying_challenger() {
    let Some(net) = Net::start("twophase-liar", 60, 600).await else {
        return;
    };
    let pid = register_segments(&net).await;
    let _s = spawn(&net, "submitter", 2, "submitter", &[]);
    // Wrong boundaries from B_500 on, and wrong steps in every segment from 499 on.
    let _c = spawn(
        &net,
        "challenger",
        3,
        "challenger",
        &["--lie-from-step", "500"],
    );
    let fee = net.oracle.requestFee(0).call().await.expect("fee");
    net.request(pid, &[], fee).await;
    let opened = wait(240, "the segment opened", || async {
        segments_opened(&net).await.pop()
    })
    .await;
    // Facing single segments, the honest submitter opens the first it disputes.
    assert_eq!((opened.segment, opened.mover), (499, net.addr(2)));
    // Phase 2 over 2^26 steps, k = 16: the transition and six bisections, then the liar must
    // prove a step it cannot; it stalls and loses when its clock runs out.
    net.liar_stalls_at_its_step_proof(2, 240).await;
    assert!(steps_proved(&net).await.is_empty(), "no step proof passed");
}
