//! Errors keep their causes, and the pass retries only what may succeed later: a revert is
//! never retried, a dropped connection is.

use alloy::primitives::{Address, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolError;
use alloy::transports::{RpcError, TransportErrorKind};
use opml_bindings::oracle::OpMLOracle::{self, OpMLOracleErrors};

use super::isolate;
use crate::chain::{Chain, contract_error};
use crate::{Error, Result};

/// A node's JSON-RPC error answer.
fn node_error(payload: serde_json::Value) -> alloy::contract::Error {
    alloy::contract::Error::TransportError(RpcError::ErrorResp(
        serde_json::from_value(payload).expect("an error payload"),
    ))
}

/// What a node answers to a call or gas estimate that reverts with `data`.
fn reverted_with(data: &[u8]) -> alloy::contract::Error {
    node_error(serde_json::json!({
        "code": 3,
        "message": "execution reverted",
        "data": format!("0x{}", hex::encode(data)),
    }))
}

fn already_challenged() -> Error {
    let revert = OpMLOracle::AlreadyChallenged {
        resultId: U256::from(7),
        challenger: Address::repeat_byte(1),
    };
    contract_error("challenge", reverted_with(&revert.abi_encode()))
}

#[test]
fn a_revert_keeps_the_oracles_error_and_is_not_retryable() {
    let e = already_challenged();
    match &e {
        Error::Reverted {
            op,
            error: OpMLOracleErrors::AlreadyChallenged(c),
        } => {
            assert_eq!(op, "challenge");
            assert_eq!(c.resultId, U256::from(7));
        }
        other => panic!("not decoded to the oracle's error: {other:?}"),
    }
    assert!(!e.retryable());
    assert!(e.to_string().contains("AlreadyChallenged"), "{e}");
}

#[test]
fn a_revert_with_foreign_data_or_none_is_still_a_revert() {
    let foreign = contract_error("bisect", reverted_with(&[0xde, 0xad, 0xbe, 0xef]));
    assert!(
        matches!(&foreign, Error::RevertedRaw { data, .. } if data.as_ref() == [0xde, 0xad, 0xbe, 0xef]),
        "{foreign:?}"
    );
    assert!(!foreign.retryable());

    let bare = contract_error(
        "bisect",
        node_error(serde_json::json!({"code": -32000, "message": "execution reverted"})),
    );
    assert!(matches!(bare, Error::RevertedRaw { .. }), "{bare:?}");
    assert!(!bare.retryable());
}

#[test]
fn a_mined_failure_is_not_retryable() {
    let e = Error::Failed {
        op: "finalize".into(),
        tx: B256::repeat_byte(2),
    };
    assert!(!e.retryable());
}

#[test]
fn a_node_refusal_or_a_dropped_connection_is_retryable() {
    let refused = contract_error(
        "commitResult",
        node_error(serde_json::json!({"code": -32000, "message": "nonce too low"})),
    );
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");
    assert!(refused.retryable());

    let gone = contract_error(
        "reading the game",
        alloy::contract::Error::TransportError(TransportErrorKind::backend_gone()),
    );
    assert!(
        matches!(&gone, Error::Transport { cause, .. } if cause.is_transport_error()),
        "{gone:?}"
    );
    assert!(gone.retryable());
}

/// A real connection to a port nobody listens on: the transport's own error, retryable.
#[tokio::test]
async fn no_node_at_the_url_is_a_retryable_transport_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let chain = Chain::connect(&url, PrivateKeySigner::random(), Address::ZERO, 1).unwrap();
    let e = chain.head().await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.retryable());
}

#[test]
fn an_engine_failure_is_retryable_as_the_engine_says() {
    let host = Error::from(opml_executor::Error::Engine("out of memory".into()));
    assert!(host.retryable());
    let program = Error::from(opml_executor::Error::Entry("no main".into()));
    assert!(!program.retryable());
}

#[test]
fn isolate_ends_the_pass_on_a_transport_failure_only() {
    // A revert is the item's own: the pass goes on, and the caller settles the item.
    let revert: Result<()> = Err(already_challenged());
    let settled = isolate(revert).expect("a revert does not end the pass");
    assert!(matches!(settled, Err(Error::Reverted { .. })));

    // A dropped connection ends the pass, which runs again after the back-off.
    let dropped: Result<()> = Err(contract_error(
        "challenge",
        alloy::contract::Error::TransportError(TransportErrorKind::backend_gone()),
    ));
    assert!(matches!(isolate(dropped), Err(Error::Transport { .. })));

    assert!(matches!(isolate(Ok(5)), Ok(Ok(5))));
}

/// A pass runs every stage even when an earlier one failed, and ends with the first failure
/// (so it still backs off), or with whether any stage is still busy.
#[tokio::test]
async fn a_pass_runs_every_stage_and_ends_with_the_first_failure() {
    let transport = || {
        contract_error(
            "scan",
            alloy::contract::Error::TransportError(TransportErrorKind::backend_gone()),
        )
    };
    let ran = std::sync::atomic::AtomicU32::new(0);
    let count = || async {
        ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok::<bool, Error>(true)
    };
    let mut pass = super::Pass::default();
    pass.step(async { Err::<(), _>(transport()) }).await;
    pass.stage(count()).await;
    pass.stage(async { Err(already_challenged()) }).await;
    pass.stage(count()).await;
    assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 2);
    let failure = pass.end().expect_err("the scan's failure");
    assert!(
        failure.retryable(),
        "the first failure, not the revert: {failure}"
    );

    let mut pass = super::Pass::default();
    pass.step(async { Ok::<_, Error>(7u8) }).await;
    pass.stage(async { Ok(false) }).await;
    assert!(!pass.end().unwrap(), "nothing owed");
    let mut pass = super::Pass::default();
    pass.stage(async { Ok(true) }).await;
    pass.stage(async { Ok(false) }).await;
    assert!(pass.end().unwrap(), "a busy stage makes a busy pass");
}

/// The back-off stays well inside the shortest deadline a role keeps: the faults run's 30 s
/// reveal window (`tests/tests/e2e/faults.rs`) saw a minute's back-off forfeit honest bonds.
#[test]
fn the_back_off_fits_the_deadlines() {
    use super::max_backoff;
    use std::time::Duration;
    // The faults run's reveal window, challenge window and clock.
    assert_eq!(max_backoff(30, 300, 600), Duration::from_secs(7));
    // Whichever deadline is shortest.
    assert_eq!(max_backoff(600, 300, 40), Duration::from_secs(10));
    // The mainnet profile: a minute at most.
    assert_eq!(
        max_backoff(43_200, 259_200, 302_400),
        Duration::from_secs(60)
    );
    // A second at least.
    assert_eq!(max_backoff(2, 2, 2), Duration::from_secs(1));
}

/// The loop: a pass that fails on the transport is run again (after the back-off), and so is
/// one that fails otherwise (the next pass reads the chain afresh); the loop itself never
/// stops on an error.
#[tokio::test]
async fn run_passes_keeps_going_after_either_failure() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let passes = AtomicU32::new(0);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = std::sync::Mutex::new(Some(tx));
    super::run_passes(
        std::time::Duration::from_millis(1),
        std::time::Duration::from_millis(4),
        async {
            let _ = rx.await;
        },
        || {
            let n = passes.fetch_add(1, Ordering::SeqCst);
            let out: Result<bool> = match n {
                0 => Err(contract_error(
                    "head",
                    alloy::contract::Error::TransportError(TransportErrorKind::backend_gone()),
                )),
                1 => Err(already_challenged()),
                _ => {
                    if let Some(tx) = tx.lock().unwrap().take() {
                        let _ = tx.send(());
                    }
                    Ok(false)
                }
            };
            async move { out }
        },
    )
    .await
    .unwrap();
    assert!(passes.load(Ordering::SeqCst) >= 3);
}
