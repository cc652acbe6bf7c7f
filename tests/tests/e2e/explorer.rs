//! The dispute explorer in a real browser: `opml explorer` over a devnet where an honest
//! challenger disputes a lying submitter's result. Headless Chromium loads the game's page
//! while the game runs and after the challenger wins; the test reads the DOM the page's script
//! built (its `data-*` attributes), so it fails if the script breaks. Chromium comes from
//! `scripts/chromium.sh` (or `$OPML_CHROMIUM`); where there is none the test skips, under
//! `CI=true` it fails.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use opml_bindings::status::{GAME_ACTIVE, GAME_CHALLENGER_WON};
use opml_e2e::{Guard, Net, root, run_capture, wait};

/// A usable Chromium, found or installed by `scripts/chromium.sh` (which honours
/// `$OPML_CHROMIUM`); `None` where there is none, a failure under CI.
fn chromium() -> Option<PathBuf> {
    let out = run_capture(
        Command::new("bash").arg(root().join("scripts/chromium.sh")),
        900,
    );
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !path.is_empty() {
        return Some(path.into());
    }
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no Chromium under CI for the explorer's browser test: {why}"
    );
    eprintln!(
        "skipping the explorer's browser test: no Chromium ({})",
        why.trim()
    );
    None
}

/// The DOM of `url` once the page's script has run for a few seconds of virtual time (its
/// polls included: the browser waits for each fetch before moving the clock on), up to the
/// script itself: what the script built, not its source (whose templates hold the same
/// markers).
fn dom(browser: &Path, profile: &Path, url: &str) -> String {
    let out = run_capture(
        Command::new(browser).args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            "--virtual-time-budget=3500",
            url,
        ]),
        180,
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium on {url}: {}\n{dom}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let built = dom.split("<script").next().unwrap_or_default();
    assert!(built.contains("</main>"), "the page's body: {dom}");
    built.to_owned()
}

/// The attributes of every element whose opening tag contains `marker` (`id="game"`,
/// `class="round"`), in document order.
fn tags(dom: &str, marker: &str) -> Vec<HashMap<String, String>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = dom[from..].find(marker).map(|i| from + i) {
        let open = dom[..at].rfind('<').expect("a tag");
        let close = at + dom[at..].find('>').expect("a tag's end");
        let mut attrs = HashMap::new();
        let mut rest = &dom[open + 1..close];
        rest = rest.split_once(' ').map_or("", |(_, a)| a);
        while let Some((name, value)) = rest.split_once("=\"") {
            let (value, after) = value.split_once('"').expect("a quoted value");
            attrs.insert(name.trim().to_owned(), value.replace("&amp;", "&"));
            rest = after;
        }
        found.push(attrs);
        from = close;
    }
    found
}

/// The one element whose tag contains `marker`.
fn tag(dom: &str, marker: &str) -> HashMap<String, String> {
    let mut all = tags(dom, marker);
    assert_eq!(all.len(), 1, "one {marker} in the page: {dom}");
    all.remove(0)
}

/// A number-valued attribute.
fn num(attrs: &HashMap<String, String>, name: &str) -> u64 {
    attrs
        .get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} in {attrs:?}"))
}

/// `opml explorer ARGS` fails fast with one `error:` line containing `needle`.
fn explorer_fails(net: &Net, args: &[&str], needle: &str) {
    let out = run_capture(net.opml(1).arg("explorer").args(args), 60);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "opml explorer {args:?} served");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "expected `{needle}`: {err}"
    );
}

/// `opml explorer` on a free port: the process and the URL it printed.
fn start_explorer(net: &Net) -> (Guard, String) {
    let log = std::fs::File::create(net.dir.join("explorer.log")).expect("log file");
    let mut child = Guard(
        net.opml(1)
            .args(["explorer", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("opml explorer"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("opml explorer's first line");
    let url = line
        .trim()
        .strip_prefix("explorer: ")
        .unwrap_or_else(|| panic!("opml explorer printed {line:?}"))
        .to_owned();
    (child, url)
}

/// `GET url`: the status code and the body.
fn get(url: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let (head, body) = resp.split_once("\r\n\r\n").expect("a response");
    let code = head.split(' ').nth(1).and_then(|c| c.parse().ok());
    (code.expect("a status code"), body.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_explorer_draws_a_dispute_live_and_its_verdict() {
    let Some(browser) = chromium() else {
        return;
    };
    let Some(net) = Net::start("explorer", 60, 600).await else {
        return;
    };
    let profile = net.dir.join("chromium-profile");
    // A wrong endpoint or oracle: one line, a non-zero exit, before serving anything.
    explorer_fails(
        &net,
        &["--rpc-url", "http://127.0.0.1:9"],
        "reading the oracle's code",
    );
    explorer_fails(
        &net,
        &["--oracle", &net.addr(5).to_string()],
        "no contract at",
    );

    let (_explorer, url) = start_explorer(&net);
    // Its address taken: one line too.
    let taken = url.trim_start_matches("http://").trim_end_matches('/');
    explorer_fails(&net, &["--listen", taken], "serving the explorer on");
    let _s = Guard(net.spawn(
        "submitter",
        2,
        "submitter",
        &["--lie-output", &super::lie()],
    ));
    let _c = Guard(net.spawn("challenger", 3, "challenger", &[]));
    net.ask().await;

    // While the game runs: frozen (no blocks) after the submitter's first answer, so the page
    // shows a known state.
    wait(180, "the submitter's first bisection", || async {
        (net.rounds().await >= 2).then_some(())
    })
    .await;
    net.pause_mining().await;
    let rounds = net.rounds().await;
    assert_eq!(net.game_status(1).await, GAME_ACTIVE, "the game still runs");
    let live = dom(&browser, &profile, &format!("{url}#/game/1"));
    net.resume_mining().await;
    let game = tag(&live, r#"id="game""#);
    let turn = game["data-turn"].clone();
    eprintln!(
        "explorer, game 1 live: {:?}, {} rounds drawn, clocks {:?} / {:?}",
        game,
        tags(&live, r#"class="round""#).len(),
        tag(&live, r#"id="clock-submitter""#),
        tag(&live, r#"id="clock-challenger""#)
    );
    assert_eq!(game["data-status"], "active");
    assert_eq!(num(&game, "data-rounds"), rounds as u64);
    let drawn = tags(&live, r#"class="round""#);
    assert_eq!(drawn.len(), rounds, "one row per round");
    assert_eq!(drawn[0]["data-mover"], "challenger");
    assert_eq!(num(&drawn[0], "data-len-log"), 24);
    assert!(
        num(&drawn[0], "data-disputed") < 16,
        "the opening's disputed sub-range: {drawn:?}"
    );
    assert!(num(&drawn[1], "data-len-log") < 24, "the range narrows");
    assert_eq!(drawn[1]["data-mover"], "submitter");
    for side in ["submitter", "challenger"] {
        let clock = tag(&live, &format!(r#"id="clock-{side}""#));
        assert_eq!(num(&clock, "data-total"), 600);
        let left = num(&clock, "data-left");
        assert!(left > 0 && left <= 600, "{side}'s clock: {clock:?}");
        assert_eq!(
            clock["data-running"],
            (side == turn).to_string(),
            "{clock:?}"
        );
    }
    assert!(live.contains(r#"id="to-move""#), "the next move is awaited");
    assert!(
        num(&tag(&live, r#"id="live""#), "data-polls") >= 2,
        "the page polls"
    );

    // After the challenger's win: the verdict and the step.
    wait(240, "the challenger's win", || async {
        (net.game_status(1).await == GAME_CHALLENGER_WON).then_some(())
    })
    .await;
    let proved = net
        .oracle
        .StepProved_filter()
        .from_block(0)
        .query()
        .await
        .expect("StepProved");
    assert_eq!(proved.len(), 1, "one step proof");
    let done = dom(&browser, &profile, &format!("{url}#/game/1"));
    let game = tag(&done, r#"id="game""#);
    let verdict = tag(&done, r#"id="verdict""#);
    let step = tag(&done, r#"id="step""#);
    eprintln!("explorer, game 1 decided: {game:?}, verdict {verdict:?}, step {step:?}");
    assert_eq!(game["data-status"], "challenger_won");
    assert_eq!(verdict["data-winner"], "challenger");
    assert_eq!(verdict["data-by-timeout"], "false");
    assert!(done.contains("challenger won by the one-step proof of step"));
    assert_eq!(num(&step, "data-step"), proved[0].0.step);
    assert_eq!(step["data-mover"], "challenger");
    // D = 24, k = 16: the opening and five more bisections, each with its disputed sub-range.
    let drawn = tags(&done, r#"class="round""#);
    assert_eq!(drawn.len(), 6, "{drawn:?}");
    assert!(
        drawn.iter().all(|r| num(r, "data-disputed") < 16),
        "{drawn:?}"
    );
    assert_eq!(num(&drawn[5], "data-len-log"), 4);
    let cfg = net.oracle.config().call().await.expect("config");
    let bond = tag(&done, r#"data-bond="challenge""#);
    assert_eq!(bond["data-wei"], cfg.challengeBond.to_string());

    // The front page lists the game, decided; the API says what is missing.
    let front = dom(&browser, &profile, &format!("{url}#/"));
    let listed = tag(&front, r#"data-game="1""#);
    assert_eq!(listed["data-status"], "challenger_won", "{front}");
    let (code, body) = get(&format!("{url}api/game/99"));
    assert_eq!(
        (code, body.as_str()),
        (404, r#"{"error":"no game 99 on this oracle"}"#)
    );
}
