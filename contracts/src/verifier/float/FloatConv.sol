// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Exponents are small signed integers; integer widths are 32 or 64 (see FloatCore).
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {FloatCore as F} from "./FloatCore.sol";

/// @title FloatConv
/// @notice wasm's conversions between the float formats and integers, on bit patterns
///         (floats of width `bits`, integers of width `w`, both 32 or 64).
library FloatConv {
    /// Trap codes (docs/machine.md §5).
    uint256 internal constant INTEGER_OVERFLOW = 4;
    uint256 internal constant INVALID_CONVERSION = 5;

    /// @notice `convert_i{w}_{s,u}`: the integer in the low `w` bits of `v`, rounded to the format.
    function fromInt(uint256 v, uint256 w, bool signed, uint256 bits) internal pure returns (uint256) {
        v &= (1 << w) - 1;
        if (signed && v >> (w - 1) == 1) return F.roundPack(1, (1 << w) - v, 0, bits);
        return F.roundPack(0, v, 0, bits);
    }

    /// @notice `promote` / `demote`: the value of format `from` rounded to format `to`; a NaN
    ///         becomes the canonical NaN of `to`.
    function convert(uint256 x, uint256 from, uint256 to) internal pure returns (uint256) {
        uint256 top = F.inf(from);
        uint256 mag = x & (F.signBit(from) - 1);
        uint256 sign = x >> (from - 1);
        if (mag > top) return F.nan(to);
        if (mag == top) return (sign << (to - 1)) | F.inf(to);
        (, int256 e, uint256 sig) = F.unpack(x, from);
        return F.roundPack(sign, sig, e, to);
    }

    /// @notice `i{w}.trunc_f{bits}_{s,u}` and their `_sat` forms: `(result, trap)`, the result
    ///         in the low `w` bits, `trap` 0 or a trap code (never for `sat`).
    function toInt(uint256 x, uint256 bits, uint256 w, bool signed, bool sat)
        internal
        pure
        returns (uint256 r, uint256 trap)
    {
        if (x & (F.signBit(bits) - 1) > F.inf(bits)) return (0, sat ? 0 : INVALID_CONVERSION);
        // An infinity unpacks as 2^128 or 2^1024: out of range like any huge value.
        (uint256 sign, int256 e, uint256 sig) = F.unpack(x, bits);
        uint256 t; // the magnitude truncated toward zero, or 2^65 for anything larger
        if (e > 64) t = 1 << 65;
        else if (e >= 0) t = sig << uint256(e);
        else t = sig >> uint256(-e); // a shift past 255 gives 0
        uint256 limit;
        if (sign == 0) limit = signed ? (1 << (w - 1)) - 1 : (1 << w) - 1;
        else limit = signed ? 1 << (w - 1) : 0;
        if (t > limit) {
            if (!sat) return (0, INTEGER_OVERFLOW);
            t = limit;
        }
        r = sign == 0 ? t : ((1 << w) - t) & ((1 << w) - 1);
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
