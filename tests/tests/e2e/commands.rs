//! The requester's and observer's commands as a user runs them, against a devnet with real
//! roles: `opml program-id`, `register`, `request --wait`, `status`, `cancel`, `withdraw`,
//! and one clear line with a non-zero exit for each kind of bad input; the roles' metrics
//! (`--metrics`) scraped as the story runs.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::time::{Duration, Instant};

use opml_bindings::status::{GAME_CHALLENGER_WON, RESULT_REVEALED};
use opml_e2e::{Guard, Net, run_bounded, run_capture, wait};

const DIGITS: &str = "guests/wasm/digits.wasm";
const SAMPLE: &str = "guests/digits/testdata/sample.bin";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `output (…)` lines of a command's stdout.
fn output_lines(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("output ("))
        .map(str::to_owned)
        .collect()
}

/// What `opml run` prints for the digits model on the sample.
fn run_lines(net: &Net) -> Vec<String> {
    let lines = output_lines(&run_bounded(
        net.opml(1).args(["run", DIGITS, "--input", SAMPLE]),
        120,
    ));
    assert_eq!(lines.len(), 2, "hex and json lines: {lines:?}");
    lines
}

/// Runs `opml ARGS` as account `i` and expects it to fail fast with one `error:` line
/// containing `needle`.
fn fails(net: &Net, i: usize, args: &[&str], needle: &str) {
    let t = Instant::now();
    let out = run_capture(net.opml(i).args(args), 60);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "opml {args:?} succeeded: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "opml {args:?}: one line, got {err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(needle),
        "opml {args:?}: expected `{needle}` in {err}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "opml {args:?} took {:?}",
        t.elapsed()
    );
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

/// `opml request … --wait` in the background: follows request `1` while the test moves time.
fn request_and_wait(net: &Net, program: &str) -> tokio::task::JoinHandle<Output> {
    let mut cmd = net.opml(1);
    cmd.args([
        "request",
        program,
        "--input",
        SAMPLE,
        "--wait",
        "--poll-ms",
        "300",
    ]);
    tokio::task::spawn_blocking(move || run_bounded(&mut cmd, 400))
}

/// A free local port for a role's `--metrics`.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `GET path` on a role's metrics server: the status line and the body (`None` while the
/// server is not up).
fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let (head, body) = resp.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_owned(), body.to_owned()))
}

/// The value of the sample named exactly `name` (labels included) in the role's metrics.
pub(crate) fn metric(port: u16, name: &str) -> Option<f64> {
    let (_, body) = get(port, "/metrics")?;
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Waits until metric `name` reaches `at_least`.
pub(crate) async fn metric_reaches(port: u16, name: &str, at_least: f64) {
    wait(60, name, || async {
        metric(port, name).filter(|&v| v >= at_least)
    })
    .await;
}

/// Waits for result `id` to be revealed, then lets its window pass.
async fn skip_window_of(net: &Net, id: u64) {
    wait(180, "the revealed result", || async {
        (net.result_status(id).await == RESULT_REVEALED).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    net.advance(net.window + 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn register_request_wait_status_cancel_withdraw() {
    let Some(net) = Net::start("commands", 60, 600).await else {
        return;
    };
    let id_args = [DIGITS, "--depth", "24", "--metadata-uri", "e2e:commands"];
    // The id needs no chain.
    let mut no_chain = net.opml(1);
    no_chain.env_remove("ETH_RPC_URL").env_remove("OPML_ORACLE");
    let pid = text(&run_bounded(no_chain.arg("program-id").args(id_args), 60).stdout)
        .trim()
        .to_owned();
    assert!(
        pid.starts_with("0x") && pid.len() == 66,
        "program id: {pid}"
    );
    let reg = run_bounded(net.opml(1).arg("register").args(id_args), 60);
    assert_eq!(text(&reg.stdout).trim(), pid);
    // Registering again prints the id and succeeds.
    let again = run_bounded(net.opml(1).arg("register").args(id_args), 60);
    assert_eq!(text(&again.stdout).trim(), pid);
    assert!(text(&again.stderr).contains("already registered"));

    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let mut submitter = Guard(net.spawn("submitter", 2, "submitter", &["--metrics", &metrics]));
    wait(60, "the submitter's /healthz", || async {
        get(port, "/healthz").filter(|(status, _)| status.contains(" 200 "))
    })
    .await;
    assert_eq!(metric(port, "opml_requests_seen_total"), Some(0.0));
    assert_eq!(metric(port, "opml_results_posted_total"), Some(0.0));
    let waiting = request_and_wait(&net, &pid);
    skip_window_of(&net, 1).await;
    let out = waiting.await.expect("request --wait");
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("request: 1\n"), "{stdout}");
    assert!(stdout.contains("status: finalized"), "{stdout}");
    assert_eq!(output_lines(&out), run_lines(&net), "request --wait vs run");
    // The submitter's counters moved with the story.
    metric_reaches(port, "opml_requests_served_total", 1.0).await;
    assert_eq!(metric(port, "opml_requests_seen_total"), Some(1.0));
    assert_eq!(metric(port, "opml_results_posted_total"), Some(1.0));
    assert_eq!(metric(port, "opml_results_lost_total"), Some(0.0));
    assert!(metric(port, "opml_passes_total") > Some(1.0));
    assert_eq!(
        metric(port, "opml_replays_total"),
        Some(0.0),
        "the happy path runs no VM: the result is posted from the fast path"
    );

    let status = text(&run_bounded(net.opml(1).args(["status", "request", "1"]), 60).stdout);
    assert!(status.starts_with("request 1: finalized"), "{status}");
    assert!(
        status.contains("result 1 (request 1): finalized"),
        "{status}"
    );
    for line in run_lines(&net) {
        assert!(status.contains(&line), "status shows the output: {status}");
    }
    let v = json(&run_bounded(
        net.opml(1).args(["status", "request", "1", "--json"]),
        60,
    ));
    assert_eq!(v["status"], "finalized");
    assert_eq!(v["result"], 1);
    assert_eq!(v["results"][0]["status"], "finalized");
    let r = json(&run_bounded(
        net.opml(1).args(["status", "result", "1", "--json"]),
        60,
    ));
    assert_eq!(
        r["submitter"].as_str().map(str::to_lowercase),
        Some(net.addr(2).to_string().to_lowercase())
    );
    let p = json(&run_bounded(
        net.opml(1).args(["status", "program", &pid, "--json"]),
        60,
    ));
    assert_eq!(p["trace_depth"], 24);
    assert_eq!(p["metadata_uri"], "e2e:commands");

    // Bad input: one line, a non-zero exit, no hang.
    fails(&net, 1, &["status", "request", "99"], "no request 99");
    fails(&net, 1, &["status", "game", "1"], "no game 1");
    let unknown = format!("0x{}", "11".repeat(32));
    fails(
        &net,
        1,
        &["request", &unknown, "--input-hex", "00"],
        "no program",
    );
    fails(
        &net,
        1,
        &["request", &pid, "--input-hex", "00", "--fee", "1"],
        "below the oracle's minimum",
    );
    fails(
        &net,
        1,
        &["request", &pid, "--input-hex", "zz"],
        "--input-hex",
    );
    fails(
        &net,
        1,
        &["status", "request", "1", "--rpc-url", "http://127.0.0.1:9"],
        "reading",
    );
    fails(&net, 1, &["cancel", "1"], "not open");
    let eoa = net.addr(5).to_string();
    fails(
        &net,
        1,
        &["register", DIGITS, "--oracle", &eoa],
        "no contract at",
    );

    // A request nobody serves: cancelled after the timeout, its fee withdrawn.
    let _ = submitter.0.kill();
    let _ = submitter.0.wait();
    let made =
        text(&run_bounded(net.opml(1).args(["request", &pid, "--input-hex", "00"]), 60).stdout);
    assert_eq!(made.trim(), "request: 2");
    fails(&net, 1, &["cancel", "2"], "can be cancelled in");
    let timeout = net
        .oracle
        .config()
        .call()
        .await
        .expect("config")
        .requestTimeout;
    net.advance(timeout + 1).await;
    let c = text(&run_bounded(net.opml(1).args(["cancel", "2"]), 60).stdout);
    assert!(c.starts_with("request 2 cancelled"), "{c}");
    // A transfer the recipient refuses reverts: the oracle takes no ether.
    let oracle = net.oracle.address().to_string();
    fails(&net, 1, &["withdraw", "--to", &oracle], "withdraw reverted");
    let w = text(&run_bounded(net.opml(1).arg("withdraw"), 60).stdout);
    assert!(w.starts_with("withdrew "), "{w}");
    let w = text(&run_bounded(net.opml(1).arg("withdraw"), 60).stdout);
    assert_eq!(w.trim(), "nothing to withdraw");
}

#[tokio::test(flavor = "multi_thread")]
async fn request_wait_follows_a_dispute_and_status_shows_the_game() {
    let Some(net) = Net::start("commands-dispute", 60, 600).await else {
        return;
    };
    let lie = hex::encode(br#"{"digit":7}"#);
    let _s = Guard(net.spawn("submitter", 2, "submitter", &["--lie-output", &lie]));
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let _c = Guard(net.spawn(
        "challenger",
        3,
        "challenger",
        &["--submit-after-win", "--metrics", &metrics],
    ));
    let waiting = request_and_wait(&net, &net.program.to_string());
    // While the game runs: one active game, both its clocks.
    metric_reaches(port, "opml_games_active", 1.0).await;
    assert!(metric(port, r#"opml_game_clock_seconds{game="1",side="mine"}"#) > Some(0.0));
    let live = json(&run_bounded(
        net.opml(1).args(["status", "game", "1", "--json"]),
        60,
    ));
    assert_eq!(live["id"], 1);
    assert!(live["clocks"]["total"] == 600, "{live}");
    wait(240, "the challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    skip_window_of(&net, 2).await;
    let out = waiting.await.expect("request --wait");
    // Through the dispute and the reopened request, the right output.
    assert_eq!(output_lines(&out), run_lines(&net), "request --wait vs run");
    let stages = text(&out.stderr);
    assert!(stages.contains("result 1 disputed"), "{stages}");
    assert!(stages.contains("result 1 rejected"), "{stages}");

    metric_reaches(port, "opml_games_won_total", 1.0).await;
    assert_eq!(metric(port, "opml_challenges_opened_total"), Some(1.0));
    assert_eq!(
        metric(port, r#"opml_moves_sent_total{kind="challenge"}"#),
        Some(1.0)
    );
    assert!(metric(port, r#"opml_moves_sent_total{kind="bisect"}"#) >= Some(2.0));
    assert_eq!(metric(port, "opml_games_active"), Some(0.0));
    assert_eq!(
        metric(port, r#"opml_game_clock_seconds{game="1",side="mine"}"#),
        None
    );
    assert_eq!(metric(port, "opml_games_lost_total"), Some(0.0));

    let game = text(&run_bounded(net.opml(1).args(["status", "game", "1"]), 60).stdout);
    assert!(
        game.starts_with("game 1 on result 1 (request 1): challenger_won"),
        "{game}"
    );
    assert!(game.contains("verdict: challenger won"), "{game}");
    let g = json(&run_bounded(
        net.opml(1).args(["status", "game", "1", "--json"]),
        60,
    ));
    assert_eq!(g["status"], "challenger_won");
    let rounds = g["rounds"].as_array().expect("rounds");
    // D = 24, k = 16: the opening and five more bisections, then the step.
    assert_eq!(rounds.len(), 6, "{g}");
    assert_eq!(rounds[0]["mover"], "challenger");
    assert_eq!(rounds[0]["len_log"], 24);
    assert!(rounds.iter().all(|r| r["disputed"].is_u64()), "{g}");
    assert_eq!(g["step"]["mover"], "challenger");
    let q = json(&run_bounded(
        net.opml(1).args(["status", "request", "1", "--json"]),
        60,
    ));
    assert_eq!(q["status"], "finalized");
    let statuses: Vec<&str> = q["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert!(
        statuses.contains(&"rejected") && statuses.contains(&"finalized"),
        "{q}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn devnet_prints_rpc_and_oracle_for_scripts() {
    use std::io::BufRead;
    if opml_e2e::anvil_bin().is_none() {
        return;
    }
    let (bin, _) = opml_e2e::role_bins();
    let port = free_port().to_string();
    let mut devnet = Guard(
        std::process::Command::new(bin)
            .args(["devnet", "--port", &port, "--programs", DIGITS])
            .current_dir(opml_e2e::root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("opml devnet"),
    );
    let stdout = devnet.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(120))
            .expect("a devnet line")
    };
    // The first two lines, as soon as the contracts are deployed.
    let rpc = next();
    let oracle = next();
    let rpc = rpc
        .strip_prefix("rpc: ")
        .unwrap_or_else(|| panic!("{rpc}"))
        .to_owned();
    let oracle = oracle
        .strip_prefix("oracle: ")
        .unwrap_or_else(|| panic!("{oracle}"))
        .to_owned();
    assert!(rpc.ends_with(&port), "{rpc}");
    let (program, depth) = loop {
        let l = next();
        if let Some(rest) = l.strip_prefix("program digits: ") {
            let depth = rest
                .rsplit("D = ")
                .next()
                .expect("depth")
                .trim_end_matches(')');
            break (
                rest.split_whitespace().next().expect("id").to_owned(),
                depth.to_owned(),
            );
        }
    };
    // `opml program-id` computes the id the devnet registered (as the roles load programs).
    let uri = format!("file:{DIGITS}");
    let local = run_bounded(
        std::process::Command::new(opml_e2e::role_bins().0)
            .args([
                "program-id",
                DIGITS,
                "--depth",
                &depth,
                "--metadata-uri",
                &uri,
            ])
            .current_dir(opml_e2e::root()),
        60,
    );
    assert_eq!(text(&local.stdout).trim(), program);
    // What a script does with them.
    let shown = text(
        &run_bounded(
            std::process::Command::new(opml_e2e::role_bins().0)
                .args(["status", "program", &program])
                .env("ETH_RPC_URL", &rpc)
                .env("OPML_ORACLE", &oracle),
            60,
        )
        .stdout,
    );
    assert!(shown.starts_with(&format!("program {program}")), "{shown}");
    // SIGTERM: the devnet stops its anvil on the way out.
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &devnet.0.id().to_string()])
        .status();
    let _ = devnet.0.wait();
}
