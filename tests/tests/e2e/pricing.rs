//! A submitter's price (`--fee-floor`): of two requests, the one paying less than the floor is
//! skipped (one log line, `opml_requests_skipped_total{reason="below_floor"}`) and stays open,
//! with no result, for another submitter or its requester's cancel; the other is served. A
//! restart keeps the decision without running the request again. A run over the work bound
//! (`--program-price ID:max_work=…`) or below the price of its work (`--fee-per-million`) is
//! skipped too, and served once a restart drops the price.

use alloy::primitives::U256;
use opml_bindings::status::{REQUEST_OPEN, RESULT_REVEALED};
use opml_e2e::{Guard, Net, wait};

use super::commands::{free_port, metric, metric_reaches};

const SKIPPED: &str = "opml_requests_skipped_total{reason=\"below_floor\"}";

/// Requests the digits sample with no callback, paying `fee`; returns the request id.
async fn request(net: &Net, fee: U256) -> U256 {
    net.request(net.program, &net.input, fee).await
}

/// The log's `request skipped` lines, without the terminal colours.
fn skip_lines(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("request skipped"))
        .map(plain)
        .collect()
}

/// `line` without ANSI escape sequences (`ESC [ … m`).
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&rest[..i]);
        rest = rest[i..].find('m').map_or("", |j| &rest[i + j + 1..]);
    }
    out + rest
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submitter_serves_only_the_request_that_pays_its_floor() {
    let Some(net) = Net::start("pricing", 60, 600).await else {
        return;
    };
    let base = net.oracle.requestFee(0).call().await.expect("fee");
    let cheap = request(&net, base).await;
    let paying = request(&net, base * U256::from(3)).await;
    let floor = base * U256::from(2);
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let flags = ["--fee-floor", &floor.to_string(), "--metrics", &metrics];
    let mut s = Guard(net.spawn("submitter", 2, "submitter", &flags));

    assert_eq!(
        first_result_serves(&net).await,
        paying,
        "result 1 serves the paying request"
    );
    metric_reaches(port, SKIPPED, 1.0).await;
    let log = net.log("submitter");
    let lines = skip_lines(&log);
    assert_eq!(lines.len(), 1, "one line for the skipped request: {log}");
    for needle in [
        format!("request={cheap}"),
        format!("fee={base}"),
        format!("price={floor}"),
        "work=not run".into(),
        "below_floor".into(),
    ] {
        assert!(lines[0].contains(&needle), "`{needle}` in {}", lines[0]);
    }

    // The served request finalizes and pays; the skipped one is not re-run on later passes.
    net.advance(net.window + 1).await;
    wait(120, "the paying request finalized", || async {
        net.oracle
            .isFinalized(paying)
            .call()
            .await
            .ok()
            .filter(|&f| f)
    })
    .await;
    let passes = metric(port, "opml_passes_total").expect("passes");
    metric_reaches(port, "opml_passes_total", passes + 3.0).await;
    assert_eq!(skip_lines(&net.log("submitter")).len(), 1, "skipped once");

    // A restart on the same database keeps the decision: no new line, the count stays.
    let _ = s.0.kill();
    let _ = s.0.wait();
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let flags = ["--fee-floor", &floor.to_string(), "--metrics", &metrics];
    let _s = Guard(net.spawn("submitter", 2, "submitter", &flags));
    metric_reaches(port, "opml_passes_total", 3.0).await;
    assert_eq!(
        metric(port, SKIPPED),
        Some(1.0),
        "counted from the database"
    );
    let log = net.log("submitter");
    assert!(skip_lines(&log).is_empty(), "not decided again: {log}");
    assert!(
        !log.contains("result committed"),
        "nothing served again: {log}"
    );

    // The skipped request waits, open and without a result, for another submitter or a cancel.
    let q = net.oracle.request(cheap).call().await.expect("request");
    assert_eq!((q.status, q.resultId), (REQUEST_OPEN, 0));
    assert_eq!(net.results_committed(0).await.len(), 1, "one result in all");
}

/// Starts a submitter on database `submitter` with `flags` and a fresh metrics port.
/// The request that result 1 serves, once it is revealed.
async fn first_result_serves(net: &Net) -> U256 {
    wait(180, "result 1 revealed", || async {
        (net.result_status(1).await == RESULT_REVEALED).then_some(())
    })
    .await;
    let res = net
        .oracle
        .result(U256::from(1))
        .call()
        .await
        .expect("result");
    U256::from(res.requestId)
}

fn submitter(net: &Net, flags: &[&str]) -> (Guard, u16) {
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let mut all = vec!["--metrics", metrics.as_str()];
    all.extend_from_slice(flags);
    (Guard(net.spawn("submitter", 2, "submitter", &all)), port)
}

/// Waits for the submitter's one skip line with `reason`, and returns it.
async fn skip_line(net: &Net, port: u16, reason: &str) -> String {
    metric_reaches(
        port,
        &format!("opml_requests_skipped_total{{reason=\"{reason}\"}}"),
        1.0,
    )
    .await;
    let lines = skip_lines(&net.log("submitter"));
    assert_eq!(lines.len(), 1, "one skip line: {lines:?}");
    assert!(
        lines[0].contains(&format!("reason={reason}")),
        "{}",
        lines[0]
    );
    lines[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_over_the_work_bound_then_below_the_price_is_served_once_the_price_drops() {
    let Some(net) = Net::start("pricework", 60, 600).await else {
        return;
    };
    let base = net.oracle.requestFee(0).call().await.expect("fee");
    let req = request(&net, base).await;

    // A per-program bound far below the digits model's run (about 35,000 steps): skipped
    // after the fast path.
    let bound = format!("{}:max_work=1000", net.program);
    let (s, port) = submitter(&net, &["--program-price", &bound]);
    let line = skip_line(&net, port, "work_bound").await;
    assert!(line.contains(&format!("request={req}")), "{line}");
    assert!(line.contains("work=1000 "), "stopped at the bound: {line}");
    drop(s);

    // No bound, but a price of work the fee cannot pay: run in full, then skipped.
    let (s, port) = submitter(&net, &["--fee-per-million", "1ether"]);
    let line = skip_line(&net, port, "below_price").await;
    let work: u64 = line
        .split("work=")
        .nth(1)
        .and_then(|w| w.split_whitespace().next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("a work figure in {line}"));
    assert!(work > 1000, "the whole run's work: {line}");
    assert!(line.contains(&format!("fee={base}")), "{line}");
    assert_eq!(
        net.results_committed(0).await.len(),
        0,
        "nothing served yet"
    );
    drop(s);

    // The default price (serve everything) re-decides the request and serves it.
    let (_s, _) = submitter(&net, &[]);
    assert_eq!(
        first_result_serves(&net).await,
        req,
        "result 1 serves the request"
    );
}
