//! Deploying the contracts from Rust (what `contracts/script/Deploy.s.sol` does, for
//! `opml deploy` and `opml devnet`), registering programs, and the example consumer.

use alloy::primitives::{Address, B256, U256};
use alloy::providers::DynProvider;
use opml_bindings::oracle::IOpMLOracle;
use opml_bindings::state::program_id;
use opml_bindings::{adapter, consumer, oracle, verifier};
use opml_service::chain::failed;
use opml_service::programs::StoredProgram;

use crate::{Error, Result};

const ETHER: u128 = 1_000_000_000_000_000_000;
const GWEI: u128 = 1_000_000_000;

/// The oracle's parameters: the defaults of `deploy/README.md` for a profile
/// (`devnet` or `mainnet`), with a zero verifier to fill in. The only definition: the forge
/// script's `DeployDefaults.sol` is generated from it ([`crate::solidity`]).
pub fn default_config(profile: &str) -> Result<IOpMLOracle::Config> {
    let mainnet = match profile {
        "devnet" => false,
        "mainnet" => true,
        p => {
            return Err(Error::Config(format!(
                "unknown profile `{p}` (devnet or mainnet)"
            )));
        }
    };
    let (window, reveal, clock, bond, cb_price, timeout) = if mainnet {
        (
            3 * 86_400,
            43_200,              // 12 hours: bounds the delay junk commitments cause
            3 * 86_400 + 43_200, // per side, like Optimism's fault dispute game
            ETHER,
            50 * GWEI,
            14 * 86_400,
        )
    } else {
        (300, 60, 600, ETHER / 10, GWEI, 3_600)
    };
    // What an honest player computes within a clock (`docs/protocol.md` §10): one segment in
    // the VM at 10^8 steps/s ([`segment_clock_secs`]), the whole trace on the fast path at
    // 10^9 steps/s, 4x margin.
    let (max_segment_depth, max_trace_depth) = if mainnet { (42, 45) } else { (33, 36) };
    Ok(IOpMLOracle::Config {
        verifier: Address::ZERO,
        challengeWindow: window,
        revealWindow: reveal,
        clock,
        kLog: 4, // k = 16: 2^32 steps in 8 bisection moves
        maxSegmentDepth: max_segment_depth,
        maxTraceDepth: max_trace_depth,
        resultBond: U256::from(bond),
        challengeBond: U256::from(bond),
        burnBps: 2000, // 20 % of a losing bond is burned
        baseFee: U256::from(ETHER / 1000),
        callbackGasPrice: U256::from(cb_price),
        maxCallbackGas: 5_000_000,
        maxInputBytes: 128 * 1024,
        maxOutputBytes: 16 * 1024,
        requestTimeout: timeout,
    })
}

/// The shortest clock, in seconds, within which an honest player replays one segment of
/// `2^segment_depth` steps in the VM (`docs/protocol.md` §10): at 10^8 steps/s with hashing,
/// with a 4x margin. The profiles' clocks are at least this for their `maxSegmentDepth`, and
/// `opml demo` raises its own oracle's clock to it when it raises the depth.
pub fn segment_clock_secs(segment_depth: u8) -> u64 {
    const VM_STEPS_PER_SEC: f64 = 1e8;
    const MARGIN: f64 = 4.0;
    (MARGIN * 2f64.powi(i32::from(segment_depth)) / VM_STEPS_PER_SEC).ceil() as u64
}

/// Addresses of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployment {
    /// The step verifier dispatcher.
    pub verifier: Address,
    /// The oracle.
    pub oracle: Address,
    /// The ORA-shaped adapter.
    pub adapter: Address,
}

fn dep(what: &str) -> impl FnOnce(alloy::contract::Error) -> opml_service::Error + '_ {
    move |e| opml_service::chain::contract_error(&format!("deploy {what}"), e)
}

/// Deploys the step verifier (unless `cfg.verifier` is set), the oracle and the adapter.
pub async fn deploy(p: &DynProvider, mut cfg: IOpMLOracle::Config) -> Result<Deployment> {
    if cfg.verifier == Address::ZERO {
        let c = verifier::control::ControlStep::deploy(p.clone())
            .await
            .map_err(dep("ControlStep"))?;
        let m = verifier::memory::MemoryStep::deploy(p.clone())
            .await
            .map_err(dep("MemoryStep"))?;
        let b = verifier::bulk::BulkStep::deploy(p.clone())
            .await
            .map_err(dep("BulkStep"))?;
        let i32s = verifier::i32::I32Step::deploy(p.clone())
            .await
            .map_err(dep("I32Step"))?;
        let i64s = verifier::i64::I64Step::deploy(p.clone())
            .await
            .map_err(dep("I64Step"))?;
        let f32s = verifier::f32::F32Step::deploy(p.clone())
            .await
            .map_err(dep("F32Step"))?;
        let f64s = verifier::f64::F64Step::deploy(p.clone())
            .await
            .map_err(dep("F64Step"))?;
        let conv = verifier::float_conv::FloatConvStep::deploy(p.clone())
            .await
            .map_err(dep("FloatConvStep"))?;
        let groups = [
            *c.address(),
            *m.address(),
            *b.address(),
            *i32s.address(),
            *i64s.address(),
            *f32s.address(),
            *f64s.address(),
            *conv.address(),
        ];
        let v = verifier::dispatcher::StepVerifier::deploy(p.clone(), groups)
            .await
            .map_err(dep("StepVerifier"))?;
        cfg.verifier = *v.address();
    }
    let o = oracle::OpMLOracle::deploy(p.clone(), cfg.clone())
        .await
        .map_err(dep("OpMLOracle"))?;
    let a = adapter::AIOracleAdapter::deploy(p.clone(), *o.address())
        .await
        .map_err(dep("AIOracleAdapter"))?;
    Ok(Deployment {
        verifier: cfg.verifier,
        oracle: *o.address(),
        adapter: *a.address(),
    })
}

/// Registers `prog` with trace depth `depth` (idempotent: an existing registration is kept).
pub async fn register(
    p: &DynProvider,
    oracle_addr: Address,
    prog: &StoredProgram,
    depth: u8,
    uri: &str,
) -> Result<B256> {
    let o = oracle::OpMLOracle::new(oracle_addr, p.clone());
    let id = program_id(&prog.fields, depth, uri);
    let existing = o
        .program(id)
        .call()
        .await
        .map_err(failed("reading the program"))?;
    if existing.traceDepth != 0 {
        return Ok(id);
    }
    let r = o
        .registerProgram(prog.fields.clone(), depth, uri.to_string())
        .send()
        .await
        .map_err(failed("registerProgram"))?
        .get_receipt()
        .await
        .map_err(failed("registerProgram"))?;
    if !r.status() {
        return Err(opml_service::Error::Failed {
            op: "registerProgram".into(),
            tx: r.transaction_hash,
        }
        .into());
    }
    Ok(id)
}

/// Deploys the example consumer for `program_id`.
pub async fn deploy_consumer(
    p: &DynProvider,
    oracle_addr: Address,
    program_id: B256,
) -> Result<Address> {
    let c = consumer::ExampleConsumer::deploy(p.clone(), oracle_addr, program_id)
        .await
        .map_err(dep("ExampleConsumer"))?;
    Ok(*c.address())
}

/// The least `D` with `2^D ≥ steps` (at least 1).
pub fn depth_for(steps: u64) -> u8 {
    (64 - steps.saturating_sub(1).leading_zeros()).max(1) as u8
}

/// Steps of a VM run of `prog` on `input` (at most 2^40), and the depth that covers twice
/// that: room for a larger input of the same model.
pub fn depth_for_run(prog: &StoredProgram, input: &[u8]) -> (u64, u8) {
    let mut m = opml_vm::Machine::new(&prog.program, input);
    let steps = m.run(1 << 40);
    (steps, depth_for(steps.saturating_mul(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_covers_the_steps() {
        assert_eq!(depth_for(0), 1);
        assert_eq!(depth_for(2), 1);
        assert_eq!(depth_for(3), 2);
        assert_eq!(depth_for(1 << 20), 20);
        assert_eq!(depth_for((1 << 20) + 1), 21);
    }

    #[test]
    fn profiles() {
        assert_eq!(default_config("devnet").unwrap().challengeWindow, 300);
        assert_eq!(default_config("mainnet").unwrap().kLog, 4);
        // docs/protocol.md §10's table.
        let dev = default_config("devnet").unwrap();
        assert_eq!((dev.maxSegmentDepth, dev.maxTraceDepth), (33, 36));
        let main = default_config("mainnet").unwrap();
        assert_eq!((main.maxSegmentDepth, main.maxTraceDepth), (42, 45));
        assert!(default_config("x").is_err());
    }

    #[test]
    fn profile_clocks_cover_a_segment_replay() {
        assert_eq!(segment_clock_secs(33), 344); // §10's table: ≈ 344 s
        assert_eq!(segment_clock_secs(42), 175_922); // ≈ 2.0 days
        for profile in ["devnet", "mainnet"] {
            let cfg = default_config(profile).unwrap();
            assert!(
                cfg.clock >= segment_clock_secs(cfg.maxSegmentDepth),
                "{profile}: a clock of {} s is short of one segment's replay",
                cfg.clock
            );
        }
    }
}
