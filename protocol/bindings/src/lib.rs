#![doc = include_str!("../README.md")]

pub mod state;

/// The generated bindings: alloy `sol!` expansions of the committed artifacts in `artifacts/`
/// (`scripts/update-bindings.sh` refreshes them; `tests/committed.rs` fails while they are
/// stale). One module per contract, because the artifacts repeat the interface types.
#[allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]
mod generated {
    /// The oracle: programs, requests, results, games, payments.
    pub mod oracle {
        // The enums and the file-level `ProgramFields`, from the Solidity sources (a compiled
        // ABI keeps neither).
        alloy::sol!(
            #![sol(all_derives)]
            "artifacts/types.sol"
        );

        alloy::sol!(
            #[sol(rpc)]
            #[derive(Debug)]
            OpMLOracle,
            "artifacts/OpMLOracle.json"
        );

        /// The same struct, as the oracle's functions name it: converted through its ABI
        /// encoding, so no field is listed by hand.
        impl From<ProgramFields> for OpMLOracle::ProgramFields {
            fn from(p: ProgramFields) -> Self {
                use alloy::sol_types::SolValue;
                <OpMLOracle::ProgramFields as SolValue>::abi_decode(&p.abi_encode())
                    .expect("the same Solidity struct")
            }
        }
    }

    /// The one-step verifier dispatcher and its instruction-group contracts.
    pub mod verifier {
        /// The dispatcher.
        pub mod dispatcher {
            alloy::sol!(
                #[sol(rpc)]
                StepVerifier,
                "artifacts/StepVerifier.json"
            );
        }
        /// Control-flow group.
        pub mod control {
            alloy::sol!(
                #[sol(rpc)]
                ControlStep,
                "artifacts/ControlStep.json"
            );
        }
        /// Memory group.
        pub mod memory {
            alloy::sol!(
                #[sol(rpc)]
                MemoryStep,
                "artifacts/MemoryStep.json"
            );
        }
        /// Bulk-memory and host group.
        pub mod bulk {
            alloy::sol!(
                #[sol(rpc)]
                BulkStep,
                "artifacts/BulkStep.json"
            );
        }
        /// 32-bit integer group.
        pub mod i32 {
            alloy::sol!(
                #[sol(rpc)]
                I32Step,
                "artifacts/I32Step.json"
            );
        }
        /// 64-bit integer group.
        pub mod i64 {
            alloy::sol!(
                #[sol(rpc)]
                I64Step,
                "artifacts/I64Step.json"
            );
        }
        /// f32 group.
        pub mod f32 {
            alloy::sol!(
                #[sol(rpc)]
                F32Step,
                "artifacts/F32Step.json"
            );
        }
        /// f64 group.
        pub mod f64 {
            alloy::sol!(
                #[sol(rpc)]
                F64Step,
                "artifacts/F64Step.json"
            );
        }
        /// Float-to-integer group.
        pub mod float_conv {
            alloy::sol!(
                #[sol(rpc)]
                FloatConvStep,
                "artifacts/FloatConvStep.json"
            );
        }
    }

    /// The example consumer that stores the outputs it receives.
    pub mod consumer {
        alloy::sol!(
            #[sol(rpc)]
            #[derive(Debug)]
            ExampleConsumer,
            "artifacts/ExampleConsumer.json"
        );
    }

    /// The adapter with ORA's `IAIOracle` shape.
    pub mod adapter {
        alloy::sol!(
            #[sol(rpc)]
            AIOracleAdapter,
            "artifacts/AIOracleAdapter.json"
        );
    }
}

pub use generated::*;

/// The contracts' enum values as the ABI carries them (`uint8`), taken from the generated
/// enums (`oracle::RequestStatus`, …), never written down a second time.
pub mod status {
    use crate::oracle::{GameStatus, RequestStatus, ResultStatus};

    /// `RequestStatus.Open`.
    pub const REQUEST_OPEN: u8 = RequestStatus::Open as u8;
    /// `ResultStatus.Committed`.
    pub const RESULT_COMMITTED: u8 = ResultStatus::Committed as u8;
    /// `ResultStatus.Revealed`.
    pub const RESULT_REVEALED: u8 = ResultStatus::Revealed as u8;
    /// `ResultStatus.Refunded`.
    pub const RESULT_REFUNDED: u8 = ResultStatus::Refunded as u8;
    /// `ResultStatus.Forfeited`.
    pub const RESULT_FORFEITED: u8 = ResultStatus::Forfeited as u8;
    /// `ResultStatus.Rejected`.
    pub const RESULT_REJECTED: u8 = ResultStatus::Rejected as u8;
    /// `ResultStatus.Finalized`.
    pub const RESULT_FINALIZED: u8 = ResultStatus::Finalized as u8;
    /// `GameStatus.Active`.
    pub const GAME_ACTIVE: u8 = GameStatus::Active as u8;
    /// `GameStatus.SubmitterWon`.
    pub const GAME_SUBMITTER_WON: u8 = GameStatus::SubmitterWon as u8;
    /// `GameStatus.ChallengerWon`.
    pub const GAME_CHALLENGER_WON: u8 = GameStatus::ChallengerWon as u8;
    /// `GameStatus.Voided`.
    pub const GAME_VOIDED: u8 = GameStatus::Voided as u8;
}
