//! End-to-end: real anvil, real contracts (the real step verifier), `opml submitter` and
//! `opml challenger` as child processes. Each test has its own chain. One test binary; the
//! modules below are more of the same.

#[path = "e2e/cast_integrator.rs"]
mod cast_integrator;
#[path = "e2e/commands.rs"]
mod commands;
#[path = "e2e/explorer.rs"]
mod explorer;
#[path = "e2e/faults.rs"]
mod faults;
#[path = "e2e/load.rs"]
mod load;
#[path = "e2e/pricing.rs"]
mod pricing;
#[path = "e2e/reorg.rs"]
mod reorg;
#[path = "e2e/two_phase.rs"]
mod two_phase;

use opml_bindings::status::{GAME_CHALLENGER_WON, GAME_VOIDED, RESULT_REVEALED};
use opml_e2e::{Guard, Net, wait};
use opml_service::programs::StoredProgram;

const TRUTH: &[u8] =
    br#"{"digit":2,"scores":[-3844,4278,11842,3335,-13112,-2556,-2059,-9633,-1506,-6095]}"#;
/// The lie a dishonest submitter posts (another digit), hex.
fn lie() -> String {
    hex::encode(String::from_utf8_lossy(TRUTH).replace("\"digit\":2", "\"digit\":7"))
}

/// Waits for result `id` to be revealed, then skips its window.
async fn skip_window_of(net: &Net, id: u64) {
    wait(120, "the result", || async {
        (net.result_status(id).await == RESULT_REVEALED).then_some(())
    })
    .await;
    // Give a challenger time to check it, then let the window pass.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    net.advance(net.window + 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn honest_submitter_no_challenge_finalizes_and_calls_back() {
    let Some(net) = Net::start("honest", 60, 600).await else {
        return;
    };
    let _s = Guard(net.spawn("submitter", 2, "submitter", &["--fetch-programs"]));
    let req = net.ask().await;
    skip_window_of(&net, 1).await;
    let out = wait(120, "the callback", || net.answer(req)).await;
    assert_eq!(out.as_ref(), TRUTH);

    // The same program registered deeper than its segment depth (32) has two-phase games
    // (D1 = 1: its final state is B_1, padded to B_2): the submitter serves it too.
    let wasm = std::fs::read(opml_e2e::root().join("guests/wasm/digits.wasm")).expect("digits");
    let prog = StoredProgram::from_wasm("digits", wasm).expect("load");
    let two_phase = opml_deploy::register(&net.admin, *net.oracle.address(), &prog, 33, "e2e")
        .await
        .expect("register at D = 33");
    let fee = net.oracle.requestFee(0).call().await.expect("fee");
    net.request(two_phase, &net.input, fee).await;
    wait(60, "the two-phase program's result", || async {
        (net.results_committed(0).await.len() == 2).then_some(())
    })
    .await;

    // A program the submitter does not hold is fetched from its metadata URI
    // (`--fetch-programs`) and checked against its id: kernels registered with a URI that
    // points at another program is refused; registered with its own, it is served.
    let kernels_path = opml_e2e::root().join("guests/wasm/kernels.wasm");
    let kernels =
        StoredProgram::from_wasm("kernels", std::fs::read(&kernels_path).expect("kernels"))
            .expect("load kernels");
    let wrong_uri = format!(
        "file://{}",
        opml_e2e::root().join("guests/wasm/digits.wasm").display()
    );
    let right_uri = format!("file://{}", kernels_path.display());
    let rounds = 1u32.to_le_bytes().to_vec();
    for (uri, log_line, results) in [
        (&wrong_uri, "is not program", 2),
        (&right_uri, "program fetched from its metadata URI", 3),
    ] {
        let id = opml_deploy::register(&net.admin, *net.oracle.address(), &kernels, 24, uri)
            .await
            .expect("register kernels");
        net.request(id, &rounds, fee).await;
        wait(60, log_line, || async {
            net.log("submitter").contains(log_line).then_some(())
        })
        .await;
        wait(60, "the results committed", || async {
            (net.results_committed(0).await.len() == results).then_some(())
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn lying_submitter_loses_and_the_correct_result_finalizes() {
    let Some(net) = Net::start("liar", 60, 600).await else {
        return;
    };
    let before = net.balance(net.addr(3)).await;
    let _s = Guard(net.spawn("submitter", 2, "submitter", &["--lie-output", &lie()]));
    let _c = Guard(net.spawn("challenger", 3, "challenger", &[]));
    let req = net.ask().await;
    // An honest submitter that comes once the lie took the request: it must serve the request
    // when the rejection reopens it (the challenger does not resubmit here).
    wait(120, "the lie revealed", || async {
        (net.result_status(1).await == RESULT_REVEALED).then_some(())
    })
    .await;
    let _h = Guard(net.spawn("submitter", 4, "honest-submitter", &[]));
    wait(180, "the challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    skip_window_of(&net, 2).await;
    let out = wait(120, "the callback", || net.answer(req)).await;
    assert_eq!(out.as_ref(), TRUTH);
    // Bonds moved: the challenger ends richer despite its gas (it won the result bond).
    wait(60, "the challenger's withdrawal", || async {
        (net.balance(net.addr(3)).await > before).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lying_challenger_loses_to_an_honest_submitter() {
    let Some(net) = Net::start("badchallenger", 60, 600).await else {
        return;
    };
    let _s = Guard(net.spawn("submitter", 2, "submitter", &[]));
    let _c = Guard(net.spawn("challenger", 3, "challenger", &["--lie-from-step", "1000"]));
    let req = net.ask().await;
    // D = 24, k = 16: six bisections, then the liar must prove a step it cannot (the
    // verifier's post is the honest hash); it stalls and loses when its clock runs out.
    net.liar_stalls_at_its_step_proof(4, 180).await;
    net.advance(net.window + 1).await;
    let out = wait(120, "the callback", || net.answer(req)).await;
    assert_eq!(out.as_ref(), TRUTH);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_submitter_loses_by_its_clock() {
    let Some(net) = Net::start("silent", 60, 120).await else {
        return;
    };
    let mut s = Guard(net.spawn("submitter", 2, "submitter", &["--lie-output", &lie()]));
    let _c = Guard(net.spawn("challenger", 3, "challenger", &[]));
    net.ask().await;
    wait(120, "the challenge", || async {
        (net.rounds().await >= 1).then_some(())
    })
    .await;
    let _ = s.0.kill(); // the submitter goes silent
    net.advance(net.clock + 1).await;
    wait(60, "the win by timeout", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    // The challenger's log says how it won (written once its transaction is confirmed).
    wait(30, "the challenger's log", || async {
        net.log("challenger")
            .contains("clock ran out")
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_challenger_killed_mid_game_resumes_and_wins() {
    let Some(net) = Net::start("restart", 60, 600).await else {
        return;
    };
    let _s = Guard(net.spawn("submitter", 2, "submitter", &["--lie-output", &lie()]));
    let mut c = Guard(net.spawn("challenger", 3, "challenger", &[]));
    net.ask().await;
    wait(180, "two rounds", || async {
        (net.rounds().await >= 2).then_some(())
    })
    .await;
    // kill -9: no chance to clean up.
    let _ = std::process::Command::new("kill")
        .args(["-9", &c.0.id().to_string()])
        .status();
    let _ = c.0.wait();
    let _c2 = Guard(net.spawn("challenger", 3, "challenger", &[]));
    wait(180, "the restarted challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    assert_eq!(
        net.oracle.gameCount().call().await.unwrap(),
        alloy::primitives::U256::from(1),
        "no second game opened"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_challengers_on_one_lie_one_wins_the_other_is_refunded() {
    let Some(net) = Net::start("two", 60, 600).await else {
        return;
    };
    let _s = Guard(net.spawn("submitter", 2, "submitter", &["--lie-output", &lie()]));
    let _a = Guard(net.spawn("challenger", 3, "challenger-a", &[]));
    let _b = Guard(net.spawn("challenger", 4, "challenger-b", &[]));
    net.ask().await;
    wait(180, "a challenger's win", || async {
        let (a, b) = (net.game_status(1).await, net.game_status(2).await);
        (a == GAME_CHALLENGER_WON || b == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    // The other game is voided (its challenger's bond refunded), never played twice.
    wait(60, "the other game voided", || async {
        let (a, b) = (net.game_status(1).await, net.game_status(2).await);
        ((a == GAME_VOIDED) ^ (b == GAME_VOIDED)).then_some(())
    })
    .await;
    assert_eq!(
        net.oracle.gameCount().call().await.unwrap(),
        alloy::primitives::U256::from(2)
    );
}
