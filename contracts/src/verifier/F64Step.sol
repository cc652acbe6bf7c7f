// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {StepBase} from "./StepBase.sol";
import {FloatOps} from "./float/FloatOps.sol";

/// @title F64Step
/// @notice f64 opcodes `0xd0–0xef` (`float/FloatOps.sol`; docs/floats.md). None traps.
contract F64Step is StepBase {
    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= FloatOps.F64_BASE && op < FloatOps.TRUNC_BASE;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        uint256 k = c.op - FloatOps.F64_BASE;
        if (k >= FloatOps.K_COUNT) revert BadOpcode(c.op);
        return _pushNext(c, FloatOps.arith(k, 64, c.x0, c.x1));
    }
}
