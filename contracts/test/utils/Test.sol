// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";
import {console} from "./console.sol";

/// @notice A small forge-std-like test base: cheatcodes, assertions, fuzz bounding and
/// invariant targeting. Assertions are the `vm.assert*` cheatcodes, so a failure reverts
/// with a readable message and forge reports the test as failed.
abstract contract Test {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    bool public IS_TEST = true;

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    address[] private _targetSenders;
    FuzzSelector[] private _targetSelectors;

    // ---- invariant targeting (forge calls these getters) ----
    function targetContract(address a) internal {
        _targetContracts.push(a);
    }

    function targetSender(address a) internal {
        _targetSenders.push(a);
    }

    function targetSelector(FuzzSelector memory s) internal {
        _targetSelectors.push(s);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    // ---- assertions ----
    function assertTrue(bool c) internal pure {
        vm.assertTrue(c, "assertTrue");
    }

    function assertTrue(bool c, string memory m) internal pure {
        vm.assertTrue(c, m);
    }

    function assertFalse(bool c) internal pure {
        vm.assertFalse(c, "assertFalse");
    }

    function assertFalse(bool c, string memory m) internal pure {
        vm.assertFalse(c, m);
    }

    function assertEq(uint256 a, uint256 b) internal pure {
        vm.assertEq(a, b, "assertEq(uint)");
    }

    function assertEq(uint256 a, uint256 b, string memory m) internal pure {
        vm.assertEq(a, b, m);
    }

    function assertEq(int256 a, int256 b) internal pure {
        vm.assertEq(a, b, "assertEq(int)");
    }

    function assertEq(bool a, bool b) internal pure {
        vm.assertEq(a, b, "assertEq(bool)");
    }

    function assertEq(address a, address b) internal pure {
        vm.assertEq(a, b, "assertEq(address)");
    }

    function assertEq(address a, address b, string memory m) internal pure {
        vm.assertEq(a, b, m);
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        vm.assertEq(a, b, "assertEq(bytes32)");
    }

    function assertEq(bytes32 a, bytes32 b, string memory m) internal pure {
        vm.assertEq(a, b, m);
    }

    function assertEq(bytes memory a, bytes memory b) internal pure {
        vm.assertEq(a, b, "assertEq(bytes)");
    }

    function assertEq(bytes memory a, bytes memory b, string memory m) internal pure {
        vm.assertEq(a, b, m);
    }

    function assertEq(string memory a, string memory b) internal pure {
        vm.assertEq(a, b, "assertEq(string)");
    }

    function assertNotEq(bytes32 a, bytes32 b) internal pure {
        vm.assertNotEq(a, b, "assertNotEq(bytes32)");
    }

    function assertGt(uint256 a, uint256 b) internal pure {
        vm.assertGt(a, b, "assertGt");
    }

    function assertGt(uint256 a, uint256 b, string memory m) internal pure {
        vm.assertGt(a, b, m);
    }

    function assertGe(uint256 a, uint256 b) internal pure {
        vm.assertGe(a, b, "assertGe");
    }

    function assertGe(uint256 a, uint256 b, string memory m) internal pure {
        vm.assertGe(a, b, m);
    }

    function assertLt(uint256 a, uint256 b) internal pure {
        vm.assertLt(a, b, "assertLt");
    }

    function assertLe(uint256 a, uint256 b) internal pure {
        vm.assertLe(a, b, "assertLe");
    }

    function assertLe(uint256 a, uint256 b, string memory m) internal pure {
        vm.assertLe(a, b, m);
    }

    // ---- fuzz helpers ----
    /// @dev Maps `x` into `[lo, hi]` uniformly enough for fuzzing, keeping small values as is.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo;
        if (size == type(uint256).max) return x;
        return lo + (x % (size + 1));
    }

    function makeAddr(string memory name) internal returns (address a) {
        a = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(a, name);
    }
}
