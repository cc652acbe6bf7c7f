//! The compiled step verifier deployed in an in-process EVM (revm), called as a transaction so
//! that gas figures include the intrinsic cost and calldata.

use revm::ExecuteCommitEvm;
use revm::context::result::{ExecutionResult, Output};
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainContext, MainnetContext, MainnetEvm};
use revm::primitives::{Address, Bytes, TxKind, U256};

use crate::artifacts::{DISPATCHER, creation_code, groups};
use crate::{Error, Result};

/// `bytes4(keccak256("step(bytes32,bytes)"))`.
pub const STEP_SELECTOR: [u8; 4] = [0x88, 0xa9, 0x24, 0x98];

/// What one `step(pre, proof)` transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepCall {
    /// Returned a post-state hash.
    Post {
        /// The returned hash.
        post: [u8; 32],
        /// Gas of the whole transaction (intrinsic + calldata + execution).
        gas: u64,
    },
    /// Reverted (or halted); the revert data.
    Reverted(Vec<u8>),
}

impl StepCall {
    /// The post hash, if the call returned one.
    pub fn post(&self) -> Option<[u8; 32]> {
        match self {
            StepCall::Post { post, .. } => Some(*post),
            StepCall::Reverted(_) => None,
        }
    }
}

/// The group contracts and the dispatcher, deployed on a fresh in-memory chain.
pub struct StepEvm {
    evm: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
    caller: Address,
    nonce: u64,
    /// Address of the `StepVerifier` dispatcher.
    pub verifier: Address,
}

impl std::fmt::Debug for StepEvm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepEvm")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

impl StepEvm {
    /// Deploys the verifier from the forge artifacts (building them if needed).
    pub fn new() -> Result<Self> {
        let evm = Context::mainnet()
            .with_db(CacheDB::<EmptyDB>::default())
            .build_mainnet();
        let mut me = Self {
            evm,
            caller: Address::repeat_byte(0xc2),
            nonce: 0,
            verifier: Address::ZERO,
        };
        let mut addrs = Vec::new();
        for name in groups() {
            let code = creation_code(name)?;
            addrs.push(me.deploy(name, code)?);
        }
        // The constructor takes `IStepVerifier[8]`: eight words, one address each.
        let mut code = creation_code(DISPATCHER)?;
        for g in &addrs {
            code.extend_from_slice(&[0u8; 12]);
            code.extend_from_slice(g.as_slice());
        }
        me.verifier = me.deploy(DISPATCHER, code)?;
        Ok(me)
    }

    /// Deploys another contract from its forge artifact (no constructor arguments).
    pub fn deploy_artifact(&mut self, name: &'static str) -> Result<Address> {
        let code = creation_code(name)?;
        self.deploy(name, code)
    }

    /// Calls `to` with `data` as a transaction: `Ok(output)` or `Err(revert data)`.
    pub fn call(
        &mut self,
        to: Address,
        data: Vec<u8>,
    ) -> Result<std::result::Result<Vec<u8>, Vec<u8>>> {
        Ok(match self.transact(TxKind::Call(to), data)? {
            ExecutionResult::Success {
                output: Output::Call(out),
                ..
            } => Ok(out.to_vec()),
            ExecutionResult::Revert { output, .. } => Err(output.to_vec()),
            other => Err(format!("{other:?}").into_bytes()),
        })
    }

    fn deploy(&mut self, name: &'static str, code: Vec<u8>) -> Result<Address> {
        match self.transact(TxKind::Create, code)? {
            ExecutionResult::Success {
                output: Output::Create(_, Some(addr)),
                ..
            } => Ok(addr),
            other => Err(Error::Deploy(name, format!("{other:?}"))),
        }
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>) -> Result<ExecutionResult> {
        let tx = TxEnv::builder()
            .caller(self.caller)
            .kind(kind)
            .data(Bytes::from(data))
            .nonce(self.nonce)
            .gas_limit(16_000_000)
            .gas_price(0)
            .value(U256::ZERO)
            .build()
            .map_err(|e| Error::Evm(format!("{e:?}")))?;
        self.nonce += 1;
        self.evm
            .transact_commit(tx)
            .map_err(|e| Error::Evm(format!("{e:?}")))
    }

    /// Calls `step(pre, proof)` on the dispatcher as a transaction.
    pub fn step(&mut self, pre: &[u8; 32], proof: &[u8]) -> Result<StepCall> {
        self.call_step(self.verifier, pre, proof)
    }

    /// Calls `step(pre, proof)` on any verifier contract (the dispatcher or a group).
    pub fn call_step(&mut self, to: Address, pre: &[u8; 32], proof: &[u8]) -> Result<StepCall> {
        match self.transact(TxKind::Call(to), step_calldata(pre, proof))? {
            ExecutionResult::Success {
                output: Output::Call(out),
                gas,
                ..
            } if out.len() == 32 => {
                let mut post = [0u8; 32];
                post.copy_from_slice(&out);
                Ok(StepCall::Post {
                    post,
                    gas: gas.total_gas_spent(),
                })
            }
            ExecutionResult::Revert { output, .. } => Ok(StepCall::Reverted(output.to_vec())),
            other => Ok(StepCall::Reverted(format!("{other:?}").into_bytes())),
        }
    }
}

/// ABI encoding of `step(bytes32 pre, bytes proof)`.
pub fn step_calldata(pre: &[u8; 32], proof: &[u8]) -> Vec<u8> {
    let padded = proof.len().div_ceil(32) * 32;
    let mut data = Vec::with_capacity(4 + 96 + padded);
    data.extend_from_slice(&STEP_SELECTOR);
    data.extend_from_slice(pre);
    data.extend_from_slice(&U256::from(64).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(proof.len()).to_be_bytes::<32>());
    data.extend_from_slice(proof);
    data.resize(4 + 96 + padded, 0);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_is_step_bytes32_bytes() {
        let h = revm::primitives::keccak256(b"step(bytes32,bytes)");
        assert_eq!(h[..4], STEP_SELECTOR);
    }
}
