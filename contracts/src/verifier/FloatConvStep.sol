// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {StepBase} from "./StepBase.sol";
import {FloatOps} from "./float/FloatOps.sol";

/// @title FloatConvStep
/// @notice Float-to-integer truncations `0xf0–0xff` (`float/FloatOps.sol`; docs/floats.md): the
///         trapping forms trap 5 on NaN and 4 out of range, the saturating forms never trap.
contract FloatConvStep is StepBase {
    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= FloatOps.TRUNC_BASE && op < FloatOps.TRUNC_END;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        (uint256 r, uint256 trap) = FloatOps.trunc(c.op - FloatOps.TRUNC_BASE, c.x0);
        if (trap != 0) return _trap(c, trap);
        return _pushNext(c, r);
    }
}
