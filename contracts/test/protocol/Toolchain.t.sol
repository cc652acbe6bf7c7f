// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {console} from "../utils/console.sol";

contract Counter {
    uint256 public n;

    function bump(uint256 by) external returns (uint256) {
        n += by;
        return n;
    }
}

/// Smoke test of the toolchain: compile, cheatcodes, assertions, fuzzing, console.
contract ToolchainTest is Test {
    Counter c;

    function setUp() public {
        c = new Counter();
    }

    function test_bump() public {
        vm.warp(1000);
        assertEq(c.bump(2), 2);
        assertEq(block.timestamp, 1000);
        console.log("counter", c.n());
    }

    function testFuzz_bump(uint64 by) public {
        assertEq(c.bump(by), by);
    }
}
