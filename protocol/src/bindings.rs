//! alloy bindings generated at compile time from the forge artifacts in `contracts/out/`
//! (`build.rs` says how to make them when missing). One module per contract, because the
//! artifacts repeat the interface types (`IOpMLOracle.Selection`, `ProgramFields`, …).

#![allow(missing_docs, unreachable_pub, clippy::too_many_arguments)]

/// The oracle: programs, requests, results, games, payments.
pub mod oracle {
    // The artifact names this file-level struct without defining it (no contract prefix).
    alloy::sol! {
        #[derive(Debug, PartialEq, Eq)]
        struct ProgramFields {
            uint8 status;
            uint8 trapCode;
            uint32 maxCallDepth;
            bytes32 codeRoot;
            uint8 codeDepth;
            bytes32 globals;
            bytes32 table;
            uint32 tableSize;
            bytes32 memoryRoot;
            uint32 memoryPages;
            uint32 maxPages;
            bytes32 segments;
            uint8 segmentDepth;
        }
    }

    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug)]
        OpMLOracle,
        "../contracts/out/OpMLOracle.sol/OpMLOracle.json"
    );

    impl From<ProgramFields> for OpMLOracle::ProgramFields {
        fn from(p: ProgramFields) -> Self {
            Self {
                status: p.status,
                trapCode: p.trapCode,
                maxCallDepth: p.maxCallDepth,
                codeRoot: p.codeRoot,
                codeDepth: p.codeDepth,
                globals: p.globals,
                table: p.table,
                tableSize: p.tableSize,
                memoryRoot: p.memoryRoot,
                memoryPages: p.memoryPages,
                maxPages: p.maxPages,
                segments: p.segments,
                segmentDepth: p.segmentDepth,
            }
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
            "../contracts/out/StepVerifier.sol/StepVerifier.json"
        );
    }
    /// Control-flow group.
    pub mod control {
        alloy::sol!(
            #[sol(rpc)]
            ControlStep,
            "../contracts/out/ControlStep.sol/ControlStep.json"
        );
    }
    /// Memory group.
    pub mod memory {
        alloy::sol!(
            #[sol(rpc)]
            MemoryStep,
            "../contracts/out/MemoryStep.sol/MemoryStep.json"
        );
    }
    /// Bulk-memory and host group.
    pub mod bulk {
        alloy::sol!(
            #[sol(rpc)]
            BulkStep,
            "../contracts/out/BulkStep.sol/BulkStep.json"
        );
    }
    /// 32-bit integer group.
    pub mod i32 {
        alloy::sol!(
            #[sol(rpc)]
            I32Step,
            "../contracts/out/I32Step.sol/I32Step.json"
        );
    }
    /// 64-bit integer group.
    pub mod i64 {
        alloy::sol!(
            #[sol(rpc)]
            I64Step,
            "../contracts/out/I64Step.sol/I64Step.json"
        );
    }
    /// f32 group.
    pub mod f32 {
        alloy::sol!(
            #[sol(rpc)]
            F32Step,
            "../contracts/out/F32Step.sol/F32Step.json"
        );
    }
    /// f64 group.
    pub mod f64 {
        alloy::sol!(
            #[sol(rpc)]
            F64Step,
            "../contracts/out/F64Step.sol/F64Step.json"
        );
    }
    /// Float-to-integer group.
    pub mod float_conv {
        alloy::sol!(
            #[sol(rpc)]
            FloatConvStep,
            "../contracts/out/FloatConvStep.sol/FloatConvStep.json"
        );
    }
}

/// The example consumer that stores the outputs it receives.
pub mod consumer {
    alloy::sol!(
        #[sol(rpc)]
        #[derive(Debug)]
        ExampleConsumer,
        "../contracts/out/ExampleConsumer.sol/ExampleConsumer.json"
    );
}

/// The adapter with ORA's `IAIOracle` shape.
pub mod adapter {
    alloy::sol!(
        #[sol(rpc)]
        AIOracleAdapter,
        "../contracts/out/AIOracleAdapter.sol/AIOracleAdapter.json"
    );
}

/// The values of the contracts' enums (a JSON ABI keeps only their `uint8`).
pub mod status {
    /// `RequestStatus.Open`.
    pub const REQUEST_OPEN: u8 = 1;
    /// `ResultStatus.Pending`.
    pub const RESULT_PENDING: u8 = 1;
    /// `ResultStatus.Rejected`.
    pub const RESULT_REJECTED: u8 = 2;
    /// `ResultStatus.Finalized`.
    pub const RESULT_FINALIZED: u8 = 3;
    /// `GameStatus.Active`.
    pub const GAME_ACTIVE: u8 = 1;
    /// `GameStatus.SubmitterWon`.
    pub const GAME_SUBMITTER_WON: u8 = 2;
    /// `GameStatus.ChallengerWon`.
    pub const GAME_CHALLENGER_WON: u8 = 3;
}
