//! End-to-end harness: a fresh anvil with the contracts deployed and the digits model
//! registered, an example consumer, and `opml submitter` / `opml challenger` as real child
//! processes. The tests are in `tests/e2e.rs` and `tests/e2e/`; [`cast`] drives the chain the
//! way an integrator with only Foundry's `cast` does.

pub mod cast;
pub mod faults;
pub mod load;
pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::node_bindings::{Anvil, AnvilInstance};
use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::{DynProvider, Provider};
use opml_bindings::consumer::ExampleConsumer;
use opml_bindings::oracle::OpMLOracle::{self, OpMLOracleInstance};
use opml_deploy as deploy;
use opml_service::chain::{provider, signer_from_key};
use opml_service::programs::StoredProgram;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// anvil from the bootstrapped toolchain, or `None` (the test then skips; it fails under CI).
pub fn anvil_bin() -> Option<PathBuf> {
    let p = std::env::var("OPML_ANVIL")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join(".tools/bin/anvil"));
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "anvil missing under CI: run scripts/bootstrap.sh"
    );
    eprintln!(
        "skipping: {} not found (run scripts/bootstrap.sh)",
        p.display()
    );
    None
}

/// The `opml` binary and the `opml-liar` binary (`opml-testkit`: the roles with the
/// test-only lies, which `opml` does not have): `$OPML_BIN` and `$OPML_LIAR`, else built with
/// cargo into the workspace target.
pub fn role_bins() -> (PathBuf, PathBuf) {
    if let (Ok(bin), Ok(liar)) = (std::env::var("OPML_BIN"), std::env::var("OPML_LIAR")) {
        return (bin.into(), liar.into());
    }
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "opml-cli", "-p", "opml-testkit"])
        .current_dir(root())
        .status()
        .expect("cargo build -p opml-cli -p opml-testkit");
    assert!(status.success(), "building opml and opml-liar failed");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target"));
    (target.join("debug/opml"), target.join("debug/opml-liar"))
}

/// A devnet for one test.
pub struct Net {
    /// The chain.
    pub anvil: AnvilInstance,
    /// The oracle, read by the deployer.
    pub oracle: OpMLOracleInstance<DynProvider>,
    /// The consumer contract.
    pub consumer: ExampleConsumer::ExampleConsumerInstance<DynProvider>,
    /// The deployer's provider (time travel).
    pub admin: DynProvider,
    /// The model's true output on the sample.
    pub input: Vec<u8>,
    /// Scratch directory for the roles' databases.
    pub dir: PathBuf,
    /// The challenge window.
    pub window: u64,
    /// The clock per side.
    pub clock: u64,
    /// The registered digits program's id.
    pub program: B256,
    bin: PathBuf,
    liar: PathBuf,
    /// Where anvil dumps its state when it stops (`--dump-state`), if it may be restarted.
    state: Option<PathBuf>,
    /// The anvil that took over after [`Net::restart_anvil`], if any.
    restarted: std::sync::Mutex<Option<Guard>>,
}

impl Net {
    /// Starts anvil (a block a second), deploys, registers digits (D = 24), deploys a consumer.
    pub async fn start(name: &str, window: u64, clock: u64) -> Option<Net> {
        anvil_bin()?;
        let bins = role_bins();
        Self::start_with(name, window, clock, bins).await
    }

    /// [`Net::start`] with the roles run from `bins` (`opml`, `opml-liar`).
    pub async fn start_with(
        name: &str,
        window: u64,
        clock: u64,
        bins: (PathBuf, PathBuf),
    ) -> Option<Net> {
        Self::start_opts(name, window, clock, bins, false).await
    }

    /// [`Net::start_with`]; with `restartable`, anvil dumps its state when it stops, so that
    /// [`Net::restart_anvil`] can start it again from that dump.
    pub async fn start_opts(
        name: &str,
        window: u64,
        clock: u64,
        (bin, liar): (PathBuf, PathBuf),
        restartable: bool,
    ) -> Option<Net> {
        let anvil_path = anvil_bin()?;
        let dir = std::env::temp_dir().join(format!("opml-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        let state = restartable.then(|| dir.join("anvil-state.json"));
        let mut anvil = Anvil::new().path(anvil_path).block_time(1);
        if let Some(s) = &state {
            anvil = anvil.arg("--dump-state").arg(s);
        }
        let anvil = anvil.try_spawn().expect("anvil");
        let admin = provider(
            &anvil.endpoint(),
            signer_from_key(&hex::encode(anvil.keys()[0].to_bytes())).ok()?,
        )
        .ok()?;
        let mut cfg = deploy::default_config("devnet").ok()?;
        cfg.challengeWindow = window;
        cfg.revealWindow = cfg.revealWindow.min(window);
        cfg.clock = clock;
        let d = deploy::deploy(&admin, cfg).await.expect("deploy");
        let wasm = std::fs::read(root().join("guests/wasm/digits.wasm")).ok()?;
        let input = std::fs::read(root().join("guests/digits/testdata/sample.bin")).ok()?;
        let prog = StoredProgram::from_wasm("digits", wasm).ok()?;
        let pid = deploy::register(&admin, d.oracle, &prog, 24, "e2e:digits")
            .await
            .expect("register");
        let user = provider(
            &anvil.endpoint(),
            signer_from_key(&hex::encode(anvil.keys()[1].to_bytes())).ok()?,
        )
        .ok()?;
        let c = deploy::deploy_consumer(&user, d.oracle, pid)
            .await
            .expect("consumer");
        Some(Net {
            oracle: OpMLOracle::new(d.oracle, admin.clone()),
            consumer: ExampleConsumer::new(c, user),
            admin,
            anvil,
            input,
            dir,
            window,
            clock,
            program: pid,
            bin,
            liar,
            state,
            restarted: std::sync::Mutex::new(None),
        })
    }

    /// Restarts anvil from its own state dump, on the same port: mining is paused (so that no
    /// block is mined after the dump), anvil is stopped with SIGTERM (it writes its state as it
    /// exits) and started again with `--load-state`, a block a second. Every block and receipt
    /// survives; the transactions in its pool are lost, as on a node restart. Returns how long
    /// the node was down. Panics unless the net was started restartable ([`Net::start_opts`]).
    pub async fn restart_anvil(&self) -> Duration {
        let state = self.state.clone().expect("a restartable net");
        let _ = self
            .admin
            .raw_request::<_, serde_json::Value>(
                "evm_setIntervalMining".into(),
                serde_json::json!([0]),
            )
            .await;
        let t0 = Instant::now();
        let old = self.restarted.lock().expect("restarted").take();
        let pid = old.as_ref().map_or(self.anvil.child().id(), |g| g.0.id());
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        match old {
            Some(mut g) => {
                let _ = g.0.wait();
            }
            // Not ours to reap (the `AnvilInstance` does, when the net is dropped): gone once a
            // zombie or reaped.
            None => {
                wait(30, "anvil to stop", || async {
                    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok();
                    stat.is_none_or(|s| s.contains(") Z ")).then_some(())
                })
                .await
            }
        }
        let child = Command::new(anvil_bin().expect("anvil"))
            .args([
                "--port",
                &self.anvil.port().to_string(),
                "--block-time",
                "1",
            ])
            .arg("--load-state")
            .arg(&state)
            .arg("--dump-state")
            .arg(&state)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("anvil restarted");
        *self.restarted.lock().expect("restarted") = Some(Guard(child));
        wait(60, "anvil to answer after its restart", || async {
            self.admin.get_block_number().await.ok()
        })
        .await;
        t0.elapsed()
    }

    /// Anvil account `i`'s key.
    pub fn key(&self, i: usize) -> String {
        format!("0x{}", hex::encode(self.anvil.keys()[i].to_bytes()))
    }

    /// Anvil account `i`.
    pub fn addr(&self, i: usize) -> Address {
        self.anvil.addresses()[i]
    }

    /// Starts `opml <role>` as account `i` with database `db`, plus `extra` flags. A role
    /// given a test-only lie (`--lie-output`, `--lie-from-step`) runs from `opml-liar`.
    pub fn spawn(&self, role: &str, i: usize, db: &str, extra: &[&str]) -> Child {
        self.spawn_with_env(role, i, db, extra, &[])
    }

    /// [`Net::spawn`] with environment variables (`RUST_LOG` for a test that reads debug lines).
    pub fn spawn_with_env(
        &self,
        role: &str,
        i: usize,
        db: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Child {
        let log = std::fs::File::create(self.dir.join(format!("{db}.log"))).expect("log file");
        self.spawn_logged(&self.anvil.endpoint(), role, i, db, extra, env, log)
    }

    /// [`Net::spawn`] reaching the node at `url` (a proxy in front of anvil). The role's log
    /// is appended to, so a role restarted on the same database keeps one log.
    pub fn spawn_via(&self, url: &str, role: &str, i: usize, db: &str, extra: &[&str]) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{db}.log")))
            .expect("log file");
        self.spawn_logged(url, role, i, db, extra, &[], log)
    }

    #[allow(clippy::too_many_arguments)]
    fn spawn_logged(
        &self,
        url: &str,
        role: &str,
        i: usize,
        db: &str,
        extra: &[&str],
        env: &[(&str, &str)],
        log: std::fs::File,
    ) -> Child {
        let lying = extra.iter().any(|a| a.starts_with("--lie-"));
        Command::new(if lying { &self.liar } else { &self.bin })
            .envs(env.iter().copied())
            .arg(role)
            .args(["--rpc-url", url])
            .args(["--oracle", &self.oracle.address().to_string()])
            .args(["--private-key", &self.key(i)])
            .args([
                "--programs",
                &root().join("guests/wasm/digits.wasm").display().to_string(),
            ])
            .args([
                "--db",
                &self.dir.join(format!("{db}.redb")).display().to_string(),
            ])
            .args(["--poll-ms", "300"])
            .args(if extra.contains(&"--confirmations") {
                &[][..]
            } else {
                &["--confirmations", "1"][..]
            })
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn opml")
    }

    /// `opml` with this devnet's endpoint and oracle in its environment (`ETH_RPC_URL`,
    /// `OPML_ORACLE`) and account `i`'s key (`OPML_PRIVATE_KEY`): the requester and observer
    /// commands as a user runs them.
    pub fn opml(&self, i: usize) -> Command {
        let mut c = Command::new(&self.bin);
        c.env("ETH_RPC_URL", self.anvil.endpoint())
            .env("OPML_ORACLE", self.oracle.address().to_string())
            .env("OPML_PRIVATE_KEY", self.key(i))
            .current_dir(root());
        c
    }

    /// A role's log so far.
    pub fn log(&self, db: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{db}.log"))).unwrap_or_default()
    }

    /// Requests `program` on `input` with no callback (the whole fee is the submitter's),
    /// paying `fee`; returns the request id.
    pub async fn request(&self, program: B256, input: &[u8], fee: U256) -> U256 {
        let r = self
            .oracle
            .requestInference(program, Bytes::copy_from_slice(input), Address::ZERO, 0)
            .value(fee)
            .send()
            .await
            .expect("request")
            .get_receipt()
            .await
            .expect("receipt");
        r.decoded_log::<OpMLOracle::InferenceRequested>()
            .expect("InferenceRequested")
            .requestId
    }

    /// The consumer asks for the sample's classification.
    pub async fn ask(&self) -> U256 {
        let fee = self.oracle.requestFee(500_000).call().await.expect("fee");
        let r = self
            .consumer
            .ask(Bytes::from(self.input.clone()))
            .value(fee)
            .send()
            .await
            .expect("ask")
            .get_receipt()
            .await
            .expect("receipt");
        r.decoded_log::<ExampleConsumer::Asked>()
            .expect("Asked")
            .requestId
    }

    /// Advances the chain's time by `secs` and mines a block.
    pub async fn advance(&self, secs: u64) {
        self.admin
            .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (secs,))
            .await
            .expect("increaseTime");
        self.admin
            .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
            .await
            .expect("mine");
    }

    /// A raw JSON-RPC call to anvil (`anvil_*`, `evm_*`).
    pub async fn rpc(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.admin
            .raw_request::<_, serde_json::Value>(method.to_owned().into(), params)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// Stops block production: from now on blocks come only from [`Net::mine`], so a test
    /// decides how deep an event is when a role looks.
    pub async fn pause_mining(&self) {
        self.rpc("evm_setIntervalMining", serde_json::json!([0]))
            .await;
    }

    /// Back to a block a second.
    pub async fn resume_mining(&self) {
        self.rpc("evm_setIntervalMining", serde_json::json!([1]))
            .await;
    }

    /// Mines `n` blocks now.
    pub async fn mine(&self, n: u64) {
        self.rpc("anvil_mine", serde_json::json!([n])).await;
    }

    /// The head block number.
    pub async fn head(&self) -> u64 {
        self.admin.get_block_number().await.expect("block number")
    }

    /// Transactions account `i` has sent, the pool included.
    pub async fn pending_nonce(&self, i: usize) -> u64 {
        self.admin
            .get_transaction_count(self.addr(i))
            .pending()
            .await
            .expect("nonce")
    }

    /// Whether account `i` has a transaction in the pool.
    pub async fn in_pool(&self, i: usize) -> bool {
        let mined = self
            .admin
            .get_transaction_count(self.addr(i))
            .latest()
            .await
            .expect("nonce");
        self.pending_nonce(i).await > mined
    }

    /// What `opml run` (the fast path) prints as the digits model's output on `input`: the
    /// reference the chain's answer is compared with.
    pub fn reference_output(&self, input: &[u8]) -> Vec<u8> {
        let out = run_bounded(
            Command::new(&self.bin)
                .arg("run")
                .arg(root().join("guests/wasm/digits.wasm"))
                .args(["--input-hex", &hex::encode(input)]),
            60,
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("output ("))
            .unwrap_or_else(|| panic!("no output line in `opml run`: {text}"));
        let (_, hex_out) = line.split_once("): ").expect("output line");
        hex::decode(hex_out.trim()).expect("output hex")
    }

    /// The output the consumer received for `req`, if any.
    pub async fn answer(&self, req: U256) -> Option<Bytes> {
        self.consumer
            .answered(req)
            .call()
            .await
            .ok()?
            .then_some(())?;
        self.consumer.outputs(req).call().await.ok()
    }

    /// Status of game `id` (`bindings::status`).
    pub async fn game_status(&self, id: u64) -> u8 {
        self.oracle
            .game(U256::from(id))
            .call()
            .await
            .map(|g| g.status)
            .unwrap_or(0)
    }

    /// The `ResultCommitted` events from `from_block` on, with their logs.
    pub async fn results_committed(
        &self,
        from_block: u64,
    ) -> Vec<(OpMLOracle::ResultCommitted, alloy::rpc::types::Log)> {
        self.oracle
            .ResultCommitted_filter()
            .from_block(from_block)
            .query()
            .await
            .expect("ResultCommitted logs")
    }

    /// The `ResultRevealed` events from `from_block` on, with their logs.
    pub async fn results_revealed(
        &self,
        from_block: u64,
    ) -> Vec<(OpMLOracle::ResultRevealed, alloy::rpc::types::Log)> {
        self.oracle
            .ResultRevealed_filter()
            .from_block(from_block)
            .query()
            .await
            .expect("ResultRevealed logs")
    }

    /// Status of result `id`.
    pub async fn result_status(&self, id: u64) -> u8 {
        self.oracle
            .result(U256::from(id))
            .call()
            .await
            .map(|r| r.status)
            .unwrap_or(0)
    }

    /// Number of `Bisected` events so far.
    pub async fn rounds(&self) -> usize {
        self.oracle
            .Bisected_filter()
            .from_block(0u64)
            .query()
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Game `id`'s `(lenLog, challengerTurn)`, if it exists.
    pub async fn game_turn(&self, id: u64) -> Option<(u8, bool)> {
        let g = self.oracle.game(U256::from(id)).call().await.ok()?;
        (g.status != 0).then_some((g.lenLog, g.challengerTurn))
    }

    /// The lying challenger of game 1 reaches its step-proof turn (`lenLog` = `len_log`, within
    /// `secs`), cannot prove a step (the verifier's post is the honest hash), stalls, and loses
    /// when its clock runs out: the submitter wins.
    pub async fn liar_stalls_at_its_step_proof(&self, len_log: u8, secs: u64) {
        wait(secs, "the liar's step-proof turn", || async {
            (self.game_turn(1).await == Some((len_log, true))).then_some(())
        })
        .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        self.advance(self.clock + 1).await;
        wait(60, "the submitter's win", || async {
            (self.game_status(1).await == opml_bindings::status::GAME_SUBMITTER_WON).then_some(())
        })
        .await;
    }

    /// Credit of `a` plus its balance.
    pub async fn balance(&self, a: Address) -> U256 {
        self.admin.get_balance(a).await.unwrap_or_default()
    }
}

/// Every event `filter` matches from block `from` on, oldest first (a failed query fails the
/// story: the figures would be wrong).
pub async fn logs<E: alloy::sol_types::SolEvent>(
    filter: alloy::contract::Event<&DynProvider, E>,
    from: u64,
) -> Vec<(E, alloy::rpc::types::Log)> {
    let what = std::any::type_name::<E>();
    filter
        .from_block(from)
        .query()
        .await
        .unwrap_or_else(|e| panic!("reading {what} logs: {e}"))
}

/// Polls `f` every 300 ms until it returns `Some`, or panics after `secs` with `what`.
pub async fn wait<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Runs `cmd` to completion, killing it after `secs`; panics unless it exits with status 0.
/// Its output is drained by threads, so a chatty child cannot block on a full pipe.
pub fn run_bounded(cmd: &mut Command, secs: u64) -> std::process::Output {
    let what = format!("{cmd:?}");
    let out = run_capture(cmd, secs);
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` to completion whatever its exit status, killing it and panicking after `secs`
/// (a command that hangs is a failure); its output is drained by threads.
pub fn run_capture(cmd: &mut Command, secs: u64) -> std::process::Output {
    use std::io::Read;
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let end = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: no exit after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Kills a child on drop.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
