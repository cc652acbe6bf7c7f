// SPDX-License-Identifier: MIT OR Apache-2.0
// GENERATED from deploy/src/contracts.rs (`default_config`) by
// `OPML_BLESS=1 cargo test -p opml-deploy defaults_sol`. Do not edit: the deploy defaults
// are defined once, in Rust, and `opml deploy` and this script use the same.
pragma solidity ^0.8.20;

import {IOpMLOracle} from "../src/interfaces/IOpMLOracle.sol";

/// @title DeployDefaults
/// @notice The oracle's parameters of each profile (`devnet`, `mainnet`); see `deploy/README.md`.
library DeployDefaults {
    function config(bool mainnet) internal pure returns (IOpMLOracle.Config memory c) {
        if (mainnet) {
            c.challengeWindow = 259_200;
            c.revealWindow = 43_200;
            c.clock = 302_400;
            c.kLog = 4;
            c.maxSegmentDepth = 42;
            c.maxTraceDepth = 45;
            c.resultBond = 1_000_000_000_000_000_000;
            c.challengeBond = 1_000_000_000_000_000_000;
            c.burnBps = 2000;
            c.baseFee = 1_000_000_000_000_000;
            c.callbackGasPrice = 50_000_000_000;
            c.maxCallbackGas = 5_000_000;
            c.maxInputBytes = 131_072;
            c.maxOutputBytes = 16_384;
            c.requestTimeout = 1_209_600;
        } else {
            c.challengeWindow = 300;
            c.revealWindow = 60;
            c.clock = 600;
            c.kLog = 4;
            c.maxSegmentDepth = 33;
            c.maxTraceDepth = 36;
            c.resultBond = 100_000_000_000_000_000;
            c.challengeBond = 100_000_000_000_000_000;
            c.burnBps = 2000;
            c.baseFee = 1_000_000_000_000_000;
            c.callbackGasPrice = 1_000_000_000;
            c.maxCallbackGas = 5_000_000;
            c.maxInputBytes = 131_072;
            c.maxOutputBytes = 16_384;
            c.requestTimeout = 3600;
        }
    }
}
