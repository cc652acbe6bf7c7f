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
    #[arg(long, default_value = "devnet")]
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

/// Overrides of the oracle's parameters.
#[derive(Debug, Args)]
pub(crate) struct Params {
    /// An already deployed step verifier to reuse.
    #[arg(long)]
    pub(crate) step_verifier: Option<alloy::primitives::Address>,
    /// Challenge window, seconds.
    #[arg(long)]
    pub(crate) challenge_window: Option<u64>,
    /// Chess clock per side, seconds.
    #[arg(long)]
    pub(crate) clock: Option<u64>,
    /// log2 of the bisection arity k.
    #[arg(long)]
    pub(crate) k_log: Option<u8>,
    /// Result bond, wei.
    #[arg(long)]
    pub(crate) result_bond: Option<u128>,
    /// Challenge bond, wei.
    #[arg(long)]
    pub(crate) challenge_bond: Option<u128>,
}

impl Params {
    pub(crate) fn config(&self, profile: &str) -> anyhow::Result<IOpMLOracle::Config> {
        use alloy::primitives::U256;
        let mut c = opml_deploy::default_config(profile)?;
        if let Some(v) = self.step_verifier {
            c.verifier = v;
        }
        c.challengeWindow = self.challenge_window.unwrap_or(c.challengeWindow);
        c.clock = self.clock.unwrap_or(c.clock);
        c.kLog = self.k_log.unwrap_or(c.kLog);
        c.resultBond = self.result_bond.map(U256::from).unwrap_or(c.resultBond);
        c.challengeBond = self
            .challenge_bond
            .map(U256::from)
            .unwrap_or(c.challengeBond);
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
        let d = opml_deploy::deploy(&p, cfg).await?;
        print(&d);
        for path in &args.register {
            let prog = load_program(path)?;
            let id =
                opml_deploy::register(&p, d.oracle, &prog, args.depth, &args.metadata_uri).await?;
            println!("program {}: {id} (D = {})", prog.name, args.depth);
        }
        anyhow::Ok(())
    })
}
