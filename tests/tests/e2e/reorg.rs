//! Reorgs before confirmations (`anvil_reorg`). Mining is paused so the test, not the clock,
//! decides how deep a block is when a role looks: an event is mined, fewer than
//! `--confirmations` blocks follow, the chain is reorged under it, and the role must neither
//! have acted on what vanished nor miss what replaced it (a request with the same id and
//! another input; the role's own result, dropped; a wrong result re-mined a block later).
//! Each test's first assertion fails when the role runs with fewer confirmations (tried:
//! K - 1 and 1).
//!
//! No step here waits for a receipt of a transaction a reorg may drop (anvil does not return
//! dropped transactions to its pool, so such a wait never ends): receipts are read once, after
//! the block that holds them is mined.

use std::time::Duration;

use alloy::consensus::Transaction as _;
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::Provider;
use alloy::sol_types::SolCall;
use opml_bindings::consumer::ExampleConsumer;
use opml_bindings::status::{GAME_CHALLENGER_WON, RESULT_COMMITTED};
use opml_deploy as deploy;
use opml_e2e::{Guard, Net, root, wait};
use opml_service::programs::StoredProgram;
use serde_json::json;

use super::{TRUTH, lie, skip_window_of};

/// The confirmations of the role under test; the reorgs are this deep.
const K: u64 = 3;
/// The submitter's account.
const SUBMITTER: usize = 2;
/// The challenger's account.
const CHALLENGER: usize = 3;

/// A devnet with mining paused and a submitter acting on events `K` deep.
async fn start(name: &str) -> Option<(Net, Guard)> {
    let net = Net::start(name, 60, 600).await?;
    net.pause_mining().await;
    let s = submitter_k_deep(&net).await;
    Some((net, s))
}

/// [`start`], with a second program registered first (kernels, which no role here serves):
/// requests for it mark how far the submitter's passes reached. Returns its id.
async fn start_marked(name: &str) -> Option<(Net, Guard, B256)> {
    let net = Net::start(name, 60, 600).await?;
    let wasm = std::fs::read(root().join("guests/wasm/kernels.wasm")).ok()?;
    let prog = StoredProgram::from_wasm("kernels", wasm).ok()?;
    let marker = deploy::register(&net.admin, *net.oracle.address(), &prog, 24, "e2e:marker")
        .await
        .expect("register the marker program");
    net.pause_mining().await;
    let s = submitter_k_deep(&net).await;
    Some((net, s, marker))
}

/// The submitter, acting on events `K` deep and logging (debug) the requests it skips.
async fn submitter_k_deep(net: &Net) -> Guard {
    started_env(
        net,
        "submitter",
        SUBMITTER,
        &["--confirmations", &K.to_string()],
        &[("RUST_LOG", "info,opml_submitter=debug")],
    )
    .await
}

/// Spawns `opml <role>` as account `i` and waits for its start line (its first pass follows).
async fn started(net: &Net, role: &str, i: usize, extra: &[&str]) -> Guard {
    started_env(net, role, i, extra, &[]).await
}

/// [`started`] with environment variables.
async fn started_env(
    net: &Net,
    role: &str,
    i: usize,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Guard {
    let g = Guard(net.spawn_with_env(role, i, role, extra, env));
    let line = format!("{role} started");
    wait(60, &line, || async {
        net.log(role).contains(&line).then_some(())
    })
    .await;
    g
}

/// A devnet with mining paused, a liar acting on events 1 deep, a challenger `K` deep, and the
/// request the liar will lie about mined.
async fn start_dispute(name: &str) -> Option<(Net, [Guard; 2])> {
    let net = Net::start(name, 60, 600).await?;
    net.pause_mining().await;
    let s = started(&net, "submitter", SUBMITTER, &["--lie-output", &lie()]).await;
    let k = K.to_string();
    let c = started(&net, "challenger", CHALLENGER, &["--confirmations", &k]).await;
    let fee = net.oracle.requestFee(500_000).call().await.expect("fee");
    ask_and_mine(&net, &net.input, fee).await;
    Some((net, [s, c]))
}

/// Lets the roles (polling every 300 ms) make about ten passes at the current head.
async fn let_it_look() {
    tokio::time::sleep(Duration::from_secs(3)).await;
}

/// The consumer asks about `input`; mines the block that holds it. Returns that block.
async fn ask_and_mine(net: &Net, input: &[u8], fee: U256) -> u64 {
    let sent = net
        .consumer
        .ask(Bytes::copy_from_slice(input))
        .value(fee)
        .send()
        .await
        .expect("ask");
    net.mine(1).await;
    let r = net
        .admin
        .get_transaction_receipt(*sent.tx_hash())
        .await
        .expect("receipt")
        .expect("the ask is mined");
    assert!(r.status(), "ask reverted");
    r.block_number.expect("block")
}

/// Another held-out image (record 1 of `heldout.bin`: a label byte, then 64 pixels).
fn other_image() -> Vec<u8> {
    let all = std::fs::read(root().join("guests/digits/testdata/heldout.bin")).expect("heldout");
    all[66..130].to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_reorged_out_before_its_confirmations_is_never_served_its_replacement_once() {
    let Some((net, _s, marker)) = start_marked("reorg-request").await else {
        return;
    };
    let fee = net.oracle.requestFee(500_000).call().await.expect("fee");
    let other = other_image();
    let (want, first) = (
        net.reference_output(&other),
        net.reference_output(&net.input),
    );
    assert_ne!(want, first, "the two images must classify apart");

    // A request for a program the submitter does not serve, in block b - 1, marks its passes:
    // the submitter logs it (and does nothing else) once the head is b + K - 1, where the test
    // stops. Request 2 (the sample) lands in block b, one short of K deep then.
    let fee0 = net.oracle.requestFee(0).call().await.expect("fee");
    let sent = net
        .oracle
        .requestInference(marker, Bytes::from(vec![0u8; 64]), Address::ZERO, 0)
        .value(fee0)
        .send()
        .await
        .expect("marker request");
    net.mine(1).await;
    assert!(
        net.admin
            .get_transaction_receipt(*sent.tx_hash())
            .await
            .expect("receipt")
            .is_some_and(|r| r.status()),
        "marker request mined"
    );
    let b = ask_and_mine(&net, &net.input, fee).await;
    net.mine(K - 1).await;
    wait(120, "the submitter's pass at this head", || async {
        net.log("submitter")
            .contains("request for a program not in the store")
            .then_some(())
    })
    .await;
    // More passes at this head: none may see request 2.
    let_it_look().await;
    assert!(
        !net.log("submitter").contains("request seen"),
        "the submitter saw an unconfirmed request"
    );
    assert_eq!(net.pending_nonce(SUBMITTER).await, 0, "nothing sent");

    // Blocks b..b+K-1 are replaced. In the new chain request 2 asks about another image, one
    // block later: the same id, other content, another block.
    let ask = ExampleConsumer::askCall {
        input: Bytes::from(other.clone()),
    }
    .abi_encode();
    let tx = json!({
        "from": net.addr(1),
        "to": net.consumer.address(),
        "data": Bytes::from(ask),
        "value": fee,
        "gas": format!("{:#x}", 2_000_000),
    });
    net.rpc("anvil_reorg", json!([K, [[tx, 1]]])).await;
    assert_eq!(net.head().await, b + K - 1, "the reorg keeps the height");
    let evs = net
        .oracle
        .InferenceRequested_filter()
        .from_block(b)
        .query()
        .await
        .expect("logs");
    assert_eq!(evs.len(), 1, "only the replacement request is past b");
    let (ev, log) = &evs[0];
    assert_eq!(ev.requestId, U256::from(2));
    assert_eq!(ev.input.as_ref(), other.as_slice());
    assert_eq!(log.block_number, Some(b + 1));

    // Blocks flow again: the replacement confirms and is served, once.
    net.resume_mining().await;
    skip_window_of(&net, 1).await;
    let out = wait(120, "the callback", || net.answer(U256::from(2))).await;
    assert_eq!(out.as_ref(), want.as_slice());
    let results = net.results_revealed(0).await;
    assert_eq!(results.len(), 1, "exactly one result");
    assert_eq!(results[0].0.requestId, U256::from(2));
    let log = net.log("submitter");
    assert_eq!(log.matches("request seen").count(), 1, "{log}");
    assert_eq!(log.matches("result committed").count(), 1, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_result_reorged_out_before_its_confirmations_is_sent_again_once() {
    let Some((net, _s)) = start("reorg-result").await else {
        return;
    };
    let fee = net.oracle.requestFee(500_000).call().await.expect("fee");
    ask_and_mine(&net, &net.input, fee).await;
    net.mine(K).await;

    // The request is K deep: the submitter runs the model and sends its result, which waits
    // in the pool (no block is mined until the test says so).
    wait(120, "the result in the pool", || async {
        (net.pending_nonce(SUBMITTER).await == 1).then_some(())
    })
    .await;
    net.mine(1).await;
    let r = net.head().await;
    assert_eq!(
        net.result_status(1).await,
        RESULT_COMMITTED,
        "commitment mined"
    );
    net.mine(K - 2).await;
    let_it_look().await;
    assert!(
        !net.log("submitter").contains("result committed"),
        "the submitter counted its commitment as made before K confirmations"
    );

    // The blocks from the result's on are replaced by empty ones: the result is gone, the
    // request open again.
    net.rpc("anvil_reorg", json!([K - 1, []])).await;
    assert_eq!(net.head().await, r + K - 2, "the reorg keeps the height");
    assert_eq!(net.result_status(1).await, 0, "the result vanished");
    assert_eq!(net.pending_nonce(SUBMITTER).await, 0, "and left no trace");

    // The submitter must notice and post it again, exactly once on the final chain.
    net.resume_mining().await;
    skip_window_of(&net, 1).await;
    let out = wait(120, "the callback", || net.answer(U256::from(1))).await;
    assert_eq!(out.as_ref(), TRUTH);
    assert_eq!(
        net.results_committed(0).await.len(),
        1,
        "exactly one commitment"
    );
    assert_eq!(net.results_revealed(0).await.len(), 1, "exactly one result");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_result_remined_at_another_block_is_challenged_once() {
    // No marker here, unlike the first test: the challenger challenges within its scan and
    // waits there for the challenge's confirmations, so a marker result would stall its
    // passes; it gets a fixed look.
    let Some((net, _roles)) = start_dispute("reorg-challenge").await else {
        return;
    };
    net.mine(1).await;

    // The liar's commitment is mined, then its reveal (the lie) lands in block r; K - 1
    // blocks on, it is one short of the challenger's depth.
    wait(120, "the commitment in the pool", || async {
        (net.pending_nonce(SUBMITTER).await == 1).then_some(())
    })
    .await;
    net.mine(1).await;
    wait(120, "the lie in the pool", || async {
        (net.pending_nonce(SUBMITTER).await == 2).then_some(())
    })
    .await;
    net.mine(1).await;
    let r = net.head().await;
    let posted = net.results_revealed(r).await;
    assert_eq!(posted.len(), 1, "the lie is in block {r}");
    net.mine(K - 1).await;
    let_it_look().await;
    assert_eq!(
        net.pending_nonce(CHALLENGER).await,
        0,
        "the challenger sent something against an unconfirmed result"
    );
    assert!(!net.log("challenger").contains("wrong result"));

    // Blocks r..r+K-1 are replaced (the commitment, in r - 1, stays); the same reveal is
    // mined again one block later.
    let sent = posted[0].1.transaction_hash.expect("tx hash");
    let tx = net
        .admin
        .get_transaction_by_hash(sent)
        .await
        .expect("tx")
        .expect("known");
    let again = json!({
        "from": net.addr(SUBMITTER),
        "to": net.oracle.address(),
        "data": tx.input(),
        "value": 0,
        "gas": format!("{:#x}", 2_000_000),
    });
    net.rpc("anvil_reorg", json!([K, [[again, 1]]])).await;
    let evs = net.results_revealed(0).await;
    assert_eq!(evs.len(), 1, "one result on the new chain");
    assert_eq!(evs[0].1.block_number, Some(r + 1), "re-mined a block later");
    assert_eq!(evs[0].0.resultId, U256::from(1));

    // The challenger challenges the re-mined result, once, and wins.
    net.resume_mining().await;
    wait(180, "the challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    assert_eq!(
        net.oracle.gameCount().call().await.expect("count"),
        U256::from(1),
        "exactly one challenge"
    );
    let log = net.log("challenger");
    assert_eq!(log.matches("challenge opened").count(), 1, "{log}");
}

/// Mines a block at a time, letting the roles look after each, until `done` holds.
async fn mine_until<F, Fut>(net: &Net, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if done().await {
            return;
        }
        net.mine(1).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("not reached after 300 blocks: {what}");
}

/// Account `who`'s bisections of game 1 on the chain as it is now: `(start, lenLog, block)`
/// each.
async fn bisections_by(net: &Net, who: usize) -> Vec<(u64, u8, u64)> {
    net.oracle
        .Bisected_filter()
        .topic1(U256::from(1))
        .topic2(net.addr(who))
        .from_block(0u64)
        .query()
        .await
        .expect("Bisected")
        .into_iter()
        .map(|(e, log)| (e.start, e.lenLog, log.block_number.unwrap_or(0)))
        .collect()
}

/// The challenger's bisections of game 1 on the chain as it is now: `(start, lenLog)` each.
async fn challenger_moves(net: &Net) -> Vec<(u64, u8)> {
    let moves = bisections_by(net, CHALLENGER).await;
    moves.into_iter().map(|(s, l, _)| (s, l)).collect()
}

/// The block of account `who`'s newest bisection of game 1 on the chain as it is now.
async fn last_move_block(net: &Net, who: usize) -> u64 {
    let moves = bisections_by(net, who).await;
    moves.into_iter().map(|(_, _, b)| b).max().unwrap_or(0)
}

/// Mines until the challenger may answer the liar's newest bisection (its turn, and that
/// bisection `K` deep), then, mining nothing, waits for the answer in the pool: a block mined
/// while the challenger sends would take the answer unseen.
async fn until_challenger_answers(net: &Net) {
    mine_until(
        net,
        "the liar's bisection K deep, the challenger to move",
        || async {
            let turn = net
                .game_turn(1)
                .await
                .is_some_and(|(_, challenger)| challenger);
            turn && net.head().await + 1 >= last_move_block(net, SUBMITTER).await + K
        },
    )
    .await;
    wait(60, "the challenger's bisection in the pool", || async {
        net.in_pool(CHALLENGER).await.then_some(())
    })
    .await;
}

/// #16 item 4. A challenger acting on events `K` deep: its bisection, mined but reorged out
/// before `K` confirmations, is sent again once; a later bisection, reorged out after the
/// challenger counted it done (a reorg `K + 1` deep), is noticed, logged and sent again once
/// (whether or not the challenger's scan had reached the move's block: `Chain::acted_on`);
/// the challenger wins, and no move stands twice on the final chain.
#[tokio::test(flavor = "multi_thread")]
async fn game_moves_reorged_out_are_sent_again_once_even_past_the_confirmations() {
    let Some((net, _roles)) = start_dispute("reorg-moves").await else {
        return;
    };

    // Until the challenger answers the liar's first bisection: its move waits in the pool.
    until_challenger_answers(&net).await;
    let before = challenger_moves(&net).await.len();
    net.mine(1).await;
    assert_eq!(challenger_moves(&net).await.len(), before + 1, "mined");
    // One block deep of K: the reorg drops it, and anvil does not return it to the pool.
    net.rpc("anvil_reorg", json!([1, []])).await;
    assert_eq!(challenger_moves(&net).await.len(), before, "reorged out");
    assert!(!net.in_pool(CHALLENGER).await, "dropped");
    mine_until(&net, "the bisection sent again and mined", || async {
        challenger_moves(&net).await.len() == before + 1
    })
    .await;

    // The next answer: mined and K deep, the challenger counts it as sent; then a reorg
    // K + 1 deep removes it with the block the challenger's scan stood on.
    let sent = |log: String| log.matches("move sent").count();
    until_challenger_answers(&net).await;
    let counted = sent(net.log("challenger"));
    let before = challenger_moves(&net).await.len();
    mine_until(&net, "the challenger counts its move as sent", || async {
        sent(net.log("challenger")) > counted
    })
    .await;
    assert_eq!(challenger_moves(&net).await.len(), before + 1, "mined");
    // K + 1 deep, or deeper if the test mined past the move's K-th confirmation before the
    // challenger looked (a slow machine): the reorg must take the move's block.
    let mined_in = last_move_block(&net, CHALLENGER).await;
    let depth = (K + 1).max(net.head().await - mined_in + 1);
    net.rpc("anvil_reorg", json!([depth, []])).await;
    assert_eq!(challenger_moves(&net).await.len(), before, "reorged out");
    mine_until(&net, "the deep reorg noticed", || async {
        net.log("challenger")
            .contains("reorg deeper than --confirmations")
    })
    .await;

    net.resume_mining().await;
    wait(240, "the challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    let moves = challenger_moves(&net).await;
    let mut distinct = moves.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        moves.len(),
        "a move stands twice: {moves:?}"
    );
    assert_eq!(
        net.oracle.gameCount().call().await.expect("count"),
        U256::from(1),
        "exactly one game"
    );
}
