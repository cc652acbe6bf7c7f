// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Vm} from "../test/utils/Vm.sol";
import {console} from "../test/utils/console.sol";
import {OpMLOracle} from "../src/protocol/OpMLOracle.sol";
import {AIOracleAdapter} from "../src/protocol/AIOracleAdapter.sol";
import {IOpMLOracle} from "../src/interfaces/IOpMLOracle.sol";
import {IStepVerifier} from "../src/interfaces/IStepVerifier.sol";
import {StepVerifier} from "../src/verifier/StepVerifier.sol";
import {ControlStep} from "../src/verifier/ControlStep.sol";
import {MemoryStep} from "../src/verifier/MemoryStep.sol";
import {BulkStep} from "../src/verifier/BulkStep.sol";
import {I32Step} from "../src/verifier/I32Step.sol";
import {I64Step} from "../src/verifier/I64Step.sol";
import {F32Step} from "../src/verifier/F32Step.sol";
import {F64Step} from "../src/verifier/F64Step.sol";
import {FloatConvStep} from "../src/verifier/FloatConvStep.sol";
import {DeployDefaults} from "./DeployDefaults.sol";

/// @notice Deploys the step verifier (unless `OPML_STEP_VERIFIER` names one), the oracle and
///         the ORA-shaped adapter. Parameters come from the environment, with defaults per
///         `OPML_PROFILE` (`devnet`, the default, or `mainnet`); see `deploy/README.md`.
///
///   forge script script/Deploy.s.sol --rpc-url $ETH_RPC_URL --private-key $KEY --broadcast
///
/// Prints one `name: address` line per contract.
contract Deploy {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error UnknownProfile(string profile);
    /// @notice The environment variable `name` holds `value`, above its field's `max`.
    error ValueTooLarge(string name, uint256 value, uint256 max);

    /// Defaults of one profile: `opml deploy`'s, generated into `DeployDefaults.sol`.
    function defaults(bool mainnet) public pure returns (IOpMLOracle.Config memory c) {
        return DeployDefaults.config(mainnet);
    }

    /// The configuration: profile defaults, each overridable by an `OPML_*` variable.
    function configFromEnv(IStepVerifier verifier) public view returns (IOpMLOracle.Config memory c) {
        string memory profile = vm.envOr("OPML_PROFILE", string("devnet"));
        bool mainnet = keccak256(bytes(profile)) == keccak256("mainnet");
        if (!mainnet && keccak256(bytes(profile)) != keccak256("devnet")) {
            revert UnknownProfile(profile);
        }
        c = defaults(mainnet);
        c.verifier = verifier;
        c.challengeWindow = uint64(_envUint("OPML_CHALLENGE_WINDOW", c.challengeWindow, type(uint64).max));
        c.revealWindow = uint64(_envUint("OPML_REVEAL_WINDOW", c.revealWindow, type(uint64).max));
        c.clock = uint64(_envUint("OPML_CLOCK", c.clock, type(uint64).max));
        c.kLog = uint8(_envUint("OPML_K_LOG", c.kLog, type(uint8).max));
        c.maxSegmentDepth = uint8(_envUint("OPML_MAX_SEGMENT_DEPTH", c.maxSegmentDepth, type(uint8).max));
        c.maxTraceDepth = uint8(_envUint("OPML_MAX_TRACE_DEPTH", c.maxTraceDepth, type(uint8).max));
        c.resultBond = vm.envOr("OPML_RESULT_BOND", c.resultBond);
        c.challengeBond = vm.envOr("OPML_CHALLENGE_BOND", c.challengeBond);
        c.burnBps = uint16(_envUint("OPML_BURN_BPS", c.burnBps, type(uint16).max));
        c.baseFee = vm.envOr("OPML_BASE_FEE", c.baseFee);
        c.callbackGasPrice = vm.envOr("OPML_CALLBACK_GAS_PRICE", c.callbackGasPrice);
        c.maxCallbackGas = uint64(_envUint("OPML_MAX_CALLBACK_GAS", c.maxCallbackGas, type(uint64).max));
        c.maxInputBytes = uint32(_envUint("OPML_MAX_INPUT_BYTES", c.maxInputBytes, type(uint32).max));
        c.maxOutputBytes = uint32(_envUint("OPML_MAX_OUTPUT_BYTES", c.maxOutputBytes, type(uint32).max));
        c.requestTimeout = uint64(_envUint("OPML_REQUEST_TIMEOUT", c.requestTimeout, type(uint64).max));
    }

    /// `name` from the environment (`dflt` when unset), refused above `max`: a silent cast
    /// would wrap a mistyped 300 into 44, a value the constructor may accept.
    function _envUint(string memory name, uint256 dflt, uint256 max) internal view returns (uint256 v) {
        v = vm.envOr(name, dflt);
        if (v > max) revert ValueTooLarge(name, v, max);
    }

    function run() external returns (OpMLOracle oracle, AIOracleAdapter adapter) {
        address verifier = vm.envOr("OPML_STEP_VERIFIER", address(0));
        vm.startBroadcast();
        if (verifier == address(0)) verifier = address(deployVerifier());
        oracle = new OpMLOracle(configFromEnv(IStepVerifier(verifier)));
        adapter = new AIOracleAdapter(oracle);
        vm.stopBroadcast();
        console.log("StepVerifier:", verifier);
        console.log("OpMLOracle:", address(oracle));
        console.log("AIOracleAdapter:", address(adapter));
        IOpMLOracle.Config memory c = oracle.config();
        console.log("maxSegmentDepth, maxTraceDepth:", c.maxSegmentDepth, c.maxTraceDepth);
    }

    /// The dispatcher and its eight instruction-group contracts, in opcode order.
    function deployVerifier() public returns (StepVerifier) {
        return new StepVerifier(
            [
                IStepVerifier(address(new ControlStep())),
                IStepVerifier(address(new MemoryStep())),
                IStepVerifier(address(new BulkStep())),
                IStepVerifier(address(new I32Step())),
                IStepVerifier(address(new I64Step())),
                IStepVerifier(address(new F32Step())),
                IStepVerifier(address(new F64Step())),
                IStepVerifier(address(new FloatConvStep()))
            ]
        );
    }
}
