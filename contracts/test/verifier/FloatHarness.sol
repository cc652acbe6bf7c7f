// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {FloatOps} from "../../src/verifier/float/FloatOps.sol";

/// @title FloatHarness
/// @notice The verifier's float code, batched for the hardware differential
///         (`opml-stepcheck`'s `floatcheck`): `run(cases)` takes 18-byte cases
///         `op (2) ‖ x0 (8) ‖ x1 (8)` and returns 9 bytes per case, `trap (1) ‖ result (8)`,
///         with trap 0xff for an opcode outside the float groups.
contract FloatHarness {
    function run(bytes calldata cases) external pure returns (bytes memory out) {
        uint256 n = cases.length / 18;
        out = new bytes(n * 9);
        for (uint256 i = 0; i < n; i++) {
            uint256 word;
            assembly ("memory-safe") {
                word := calldataload(add(cases.offset, mul(i, 18)))
            }
            uint256 packed = _one(word);
            assembly ("memory-safe") {
                let p := add(add(out, 32), mul(i, 9))
                mstore(p, or(and(mload(p), not(shl(184, not(0)))), packed))
            }
        }
    }

    /// @notice The case at the top of `word`, answered as `trap ‖ result` at the top of a word.
    function _one(uint256 word) private pure returns (uint256) {
        (bool valid, uint256 r, uint256 trap) =
            FloatOps.exec(word >> 240, (word >> 176) & type(uint64).max, (word >> 112) & type(uint64).max);
        if (!valid) trap = 0xff;
        return (trap << 248) | (r << 184);
    }

    /// @notice One operation, for forge tests.
    function exec(uint256 op, uint256 x0, uint256 x1) external pure returns (uint256 r, uint256 trap) {
        bool valid;
        (valid, r, trap) = FloatOps.exec(op, x0, x1);
        require(valid, "not a float opcode");
    }
}
