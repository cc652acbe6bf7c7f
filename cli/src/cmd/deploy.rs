//! `opml deploy`: deploy the step verifier, the oracle and the adapter to any EVM chain, and
//! optionally register programs.

use std::path::PathBuf;

use clap::Args;
use opml_bindings::oracle::IOpMLOracle;
use opml_deploy::Deployment;
use opml_deploy::devnet::load_program;

/// Deployment settings; unset parameters take the profile's defaults (`deploy/README.md`).
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// JSON-RPC endpoint.
    #[arg(long, env = "ETH_RPC_URL")]
    rpc_url: String,
    /// Hex private key of the deploying account.
    #[arg(long, env = "OPML_PRIVATE_KEY", hide_env_values = true)]
    private_key: String,
    /// `devnet` or `mainnet`.
    #[arg(long, env = "OPML_PROFILE", default_value = "devnet")]
    profile: String,
    #[command(flatten)]
    params: Params,
    /// Programs to register after deploying.
    #[arg(long, num_args = 1..)]
    register: Vec<PathBuf>,
    /// Their trace depth `D` (2^D steps cover every run).
    #[arg(long, default_value_t = 24)]
    depth: u8,
    /// Their metadata URI (where the wasm and weights are published).
    #[arg(long, default_value = "")]
    metadata_uri: String,
}

/// Overrides of the oracle's parameters: each a flag, or the `OPML_*` variable the forge
/// script reads (`deploy/README.md`); unset ones take the profile's defaults.
#[derive(Debug, Args)]
pub(crate) struct Params {
    /// An already deployed step verifier to reuse.
    #[arg(long, env = "OPML_STEP_VERIFIER")]
    pub(crate) step_verifier: Option<alloy::primitives::Address>,
    /// Challenge window, seconds.
    #[arg(long, env = "OPML_CHALLENGE_WINDOW")]
    pub(crate) challenge_window: Option<u64>,
    /// Reveal window of a commitment, seconds (1 to the challenge window).
    #[arg(long, env = "OPML_REVEAL_WINDOW")]
    pub(crate) reveal_window: Option<u64>,
    /// Chess clock per side, seconds.
    #[arg(long, env = "OPML_CLOCK")]
    pub(crate) clock: Option<u64>,
    /// log2 of the bisection arity k.
    #[arg(long, env = "OPML_K_LOG")]
    pub(crate) k_log: Option<u8>,
    /// Deepest segment a registration may ask for (`D2`; `docs/protocol.md` §10).
    #[arg(long, env = "OPML_MAX_SEGMENT_DEPTH")]
    pub(crate) max_segment_depth: Option<u8>,
    /// Deepest trace a registration may ask for (`D`; `docs/protocol.md` §10).
    #[arg(long, env = "OPML_MAX_TRACE_DEPTH")]
    pub(crate) max_trace_depth: Option<u8>,
    /// Result bond, wei.
    #[arg(long, env = "OPML_RESULT_BOND")]
    pub(crate) result_bond: Option<u128>,
    /// Challenge bond, wei.
    #[arg(long, env = "OPML_CHALLENGE_BOND")]
    pub(crate) challenge_bond: Option<u128>,
    /// Part of a losing bond that is burned, basis points.
    #[arg(long, env = "OPML_BURN_BPS")]
    pub(crate) burn_bps: Option<u16>,
    /// Minimum fee of a request, wei.
    #[arg(long, env = "OPML_BASE_FEE")]
    pub(crate) base_fee: Option<u128>,
    /// Wei per unit of callback gas in the minimum fee.
    #[arg(long, env = "OPML_CALLBACK_GAS_PRICE")]
    pub(crate) callback_gas_price: Option<u128>,
    /// Largest callback gas limit a request may name.
    #[arg(long, env = "OPML_MAX_CALLBACK_GAS")]
    pub(crate) max_callback_gas: Option<u64>,
    /// Largest input, bytes.
    #[arg(long, env = "OPML_MAX_INPUT_BYTES")]
    pub(crate) max_input_bytes: Option<u32>,
    /// Largest output, bytes.
    #[arg(long, env = "OPML_MAX_OUTPUT_BYTES")]
    pub(crate) max_output_bytes: Option<u32>,
    /// Seconds after which a request with no pending result can be cancelled.
    #[arg(long, env = "OPML_REQUEST_TIMEOUT")]
    pub(crate) request_timeout: Option<u64>,
}

impl Params {
    pub(crate) fn config(&self, profile: &str) -> anyhow::Result<IOpMLOracle::Config> {
        use alloy::primitives::U256;
        let wei = |v: Option<u128>, d: U256| v.map(U256::from).unwrap_or(d);
        let mut c = opml_deploy::default_config(profile)?;
        c.verifier = self.step_verifier.unwrap_or(c.verifier);
        c.challengeWindow = self.challenge_window.unwrap_or(c.challengeWindow);
        c.revealWindow = self.reveal_window.unwrap_or(c.revealWindow);
        c.clock = self.clock.unwrap_or(c.clock);
        c.kLog = self.k_log.unwrap_or(c.kLog);
        c.maxSegmentDepth = self.max_segment_depth.unwrap_or(c.maxSegmentDepth);
        c.maxTraceDepth = self.max_trace_depth.unwrap_or(c.maxTraceDepth);
        c.resultBond = wei(self.result_bond, c.resultBond);
        c.challengeBond = wei(self.challenge_bond, c.challengeBond);
        c.burnBps = self.burn_bps.unwrap_or(c.burnBps);
        c.baseFee = wei(self.base_fee, c.baseFee);
        c.callbackGasPrice = wei(self.callback_gas_price, c.callbackGasPrice);
        c.maxCallbackGas = self.max_callback_gas.unwrap_or(c.maxCallbackGas);
        c.maxInputBytes = self.max_input_bytes.unwrap_or(c.maxInputBytes);
        c.maxOutputBytes = self.max_output_bytes.unwrap_or(c.maxOutputBytes);
        c.requestTimeout = self.request_timeout.unwrap_or(c.requestTimeout);
        Ok(c)
    }
}

pub(crate) fn print(d: &Deployment) {
    println!("StepVerifier:    {}", d.verifier);
    println!("OpMLOracle:      {}", d.oracle);
    println!("AIOracleAdapter: {}", d.adapter);
}

/// `opml deploy`.
pub(crate) fn run(args: DeployArgs) -> anyhow::Result<()> {
    let cfg = args.params.config(&args.profile)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let signer = opml_service::chain::signer_from_key(&args.private_key)?;
        let p = opml_service::chain::provider(&args.rpc_url, signer)?;
        let bounds = (cfg.maxSegmentDepth, cfg.maxTraceDepth);
        let d = opml_deploy::deploy(&p, cfg).await?;
        print(&d);
        println!(
            "depth bounds: D2 <= {}, D <= {} (registrations beyond revert DepthBeyondClock)",
            bounds.0, bounds.1
        );
        for path in &args.register {
            let prog = load_program(path)?;
            let id =
                opml_deploy::register(&p, d.oracle, &prog, args.depth, &args.metadata_uri).await?;
            println!("program {}: {id} (D = {})", prog.name, args.depth);
        }
        anyhow::Ok(())
    })
}
