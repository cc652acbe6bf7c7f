// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Test} from "../utils/Test.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {AIOracleAdapter} from "../../src/protocol/AIOracleAdapter.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {IStepVerifier} from "../../src/interfaces/IStepVerifier.sol";

/// Exposes the environment reader to the test.
contract DeployHarness is Deploy {
    function envUint(string memory name, uint256 dflt, uint256 max) external view returns (uint256) {
        return _envUint(name, dflt, max);
    }
}

contract DeployTest is Test {
    /// A value above its field's width is refused, not wrapped (300 would be 44 in a uint8).
    function test_envValueAboveItsField_reverts() public {
        DeployHarness d = new DeployHarness();
        // A name of this test's own: tests run in parallel and share the environment.
        vm.setEnv("OPML_TEST_DEPLOY_ENV_UINT", "300");
        assertEq(d.envUint("OPML_TEST_DEPLOY_ENV_UINT", 7, 300), 300);
        assertEq(d.envUint("OPML_TEST_DEPLOY_ENV_UNSET", 7, type(uint8).max), 7);
        vm.expectRevert(abi.encodeWithSelector(Deploy.ValueTooLarge.selector, "OPML_TEST_DEPLOY_ENV_UINT", 300, 255));
        d.envUint("OPML_TEST_DEPLOY_ENV_UINT", 7, type(uint8).max);
    }

    function test_defaults_areValidAndDiffer() public {
        Deploy d = new Deploy();
        IOpMLOracle.Config memory dev = d.defaults(false);
        IOpMLOracle.Config memory main = d.defaults(true);
        assertEq(dev.kLog, 4);
        assertGt(main.challengeWindow, dev.challengeWindow);
        assertGt(main.clock, dev.clock);
        // 2^32 steps in at most 8 bisection moves.
        assertLe((32 + main.kLog - 1) / main.kLog, 8);
        // Both profiles are inside the constructor's bounds.
        dev.verifier = IStepVerifier(address(1));
        main.verifier = IStepVerifier(address(1));
        new OpMLOracle(dev);
        new OpMLOracle(main);
        assertLt(dev.revealWindow, dev.challengeWindow);
        assertLt(main.revealWindow, main.challengeWindow);
    }

    function test_run_deploysVerifierOracleAdapter() public {
        Deploy d = new Deploy();
        (OpMLOracle oracle, AIOracleAdapter adapter) = d.run();
        IOpMLOracle.Config memory c = oracle.config();
        assertTrue(address(c.verifier).code.length > 0, "verifier deployed");
        assertEq(c.challengeWindow, 5 minutes);
        assertEq(address(adapter.oracle()), address(oracle));
        // A halted pre-state steps to itself through the real dispatcher.
        bytes32 halted = bytes32(uint256(1) << 248 | 7);
        assertEq(c.verifier.step(halted, ""), halted);
    }
}
