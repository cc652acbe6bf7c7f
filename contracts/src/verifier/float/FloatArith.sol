// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Exponents are small signed integers and significands stay far below 2^256 (see FloatCore).
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {FloatCore as F} from "./FloatCore.sol";

/// @title FloatArith
/// @notice wasm's float arithmetic on bit patterns of width `bits` (32 or 64; operands already
///         masked to it): exact integer arithmetic in 256 bits, then one `FloatCore.roundPack`.
///         NaN results are the canonical NaN (docs/floats.md "NaN rules").
library FloatArith {
    uint256 internal constant TRUNC = 0;
    uint256 internal constant CEIL = 1;
    uint256 internal constant FLOOR = 2;
    uint256 internal constant NEAREST = 3;

    /// @notice `a + b`. Aligned exactly when the exponents differ by at most 128; beyond that
    ///         the smaller operand lies below every rounding boundary near the larger one and
    ///         stands in as one unit 128 bits below it.
    function add(uint256 a, uint256 b, uint256 bits) internal pure returns (uint256) {
        uint256 top = F.inf(bits);
        uint256 sb = F.signBit(bits);
        uint256 ma = a & (sb - 1);
        uint256 mb = b & (sb - 1);
        if (ma > top || mb > top) return F.nan(bits);
        if (ma == top) return mb == top && (a ^ b) == sb ? F.nan(bits) : a;
        if (mb == top) return b;
        if (ma == 0) return mb == 0 ? a & b : b;
        if (mb == 0) return a;
        return ma < mb ? _addOrdered(b, a, bits) : _addOrdered(a, b, bits);
    }

    /// @notice `a + b` for finite nonzero operands with `|a| >= |b|`: the result takes a's sign.
    function _addOrdered(uint256 a, uint256 b, uint256 bits) private pure returns (uint256) {
        (uint256 sa, int256 ea, uint256 siga) = F.unpack(a, bits);
        (uint256 sB, int256 eb, uint256 sigb) = F.unpack(b, bits);
        uint256 d = uint256(ea - eb);
        if (d > 128) (d, sigb) = (128, 1);
        siga <<= d;
        int256 e = ea - int256(d);
        if (sa == sB) return F.roundPack(sa, siga + sigb, e, bits);
        if (siga == sigb) return 0; // exact cancellation: +0 when rounding to nearest
        return F.roundPack(sa, siga - sigb, e, bits);
    }

    /// @notice `a * b`: the exact product of the significands (at most 106 bits), rounded once.
    function mul(uint256 a, uint256 b, uint256 bits) internal pure returns (uint256) {
        uint256 top = F.inf(bits);
        uint256 sb = F.signBit(bits);
        uint256 ma = a & (sb - 1);
        uint256 mb = b & (sb - 1);
        uint256 sign = (a ^ b) & sb;
        if (ma > top || mb > top) return F.nan(bits);
        if (ma == top || mb == top) return ma == 0 || mb == 0 ? F.nan(bits) : sign | top;
        if (ma == 0 || mb == 0) return sign;
        return _mulFinite(a, b, bits, sign >> (bits - 1));
    }

    function _mulFinite(uint256 a, uint256 b, uint256 bits, uint256 sign) private pure returns (uint256) {
        (, int256 ea, uint256 siga) = F.unpack(a, bits);
        (, int256 eb, uint256 sigb) = F.unpack(b, bits);
        return F.roundPack(sign, siga * sigb, ea + eb, bits);
    }

    /// @notice `a / b`: one 256-bit division of the dividend's significand shifted up by 128
    ///         (a quotient of at least 75 bits), the remainder folded into a sticky bit.
    function div(uint256 a, uint256 b, uint256 bits) internal pure returns (uint256) {
        uint256 top = F.inf(bits);
        uint256 sb = F.signBit(bits);
        uint256 ma = a & (sb - 1);
        uint256 mb = b & (sb - 1);
        uint256 sign = (a ^ b) & sb;
        if (ma > top || mb > top) return F.nan(bits);
        if (ma == top) return mb == top ? F.nan(bits) : sign | top;
        if (mb == top) return sign;
        if (mb == 0) return ma == 0 ? F.nan(bits) : sign | top;
        if (ma == 0) return sign;
        return _divFinite(a, b, bits, sign >> (bits - 1));
    }

    function _divFinite(uint256 a, uint256 b, uint256 bits, uint256 sign) private pure returns (uint256) {
        (, int256 ea, uint256 siga) = F.unpack(a, bits);
        (, int256 eb, uint256 sigb) = F.unpack(b, bits);
        uint256 n = siga << 128;
        uint256 q = n / sigb;
        if (q * sigb != n) q |= 1;
        return F.roundPack(sign, q, ea - eb - 128, bits);
    }

    /// @notice `sqrt(a)`: the integer root of the significand shifted up by 128 (or 129, to make
    ///         the exponent even), at least 64 bits, the inexactness folded into a sticky bit.
    function sqrt(uint256 a, uint256 bits) internal pure returns (uint256) {
        uint256 top = F.inf(bits);
        uint256 ma = a & (F.signBit(bits) - 1);
        if (ma > top) return F.nan(bits);
        if (ma == 0) return a; // sqrt(-0) = -0
        if (a != ma) return F.nan(bits); // negative
        if (ma == top) return a;
        (, int256 e, uint256 sig) = F.unpack(a, bits);
        if (e & 1 != 0) (sig, e) = (sig << 1, e - 1);
        uint256 n = sig << 128;
        uint256 r = F.isqrt(n);
        if (r * r != n) r |= 1;
        return F.roundPack(0, r, (e - 128) / 2, bits);
    }

    /// @notice ceil, floor, trunc or nearest (`mode`): rounds the magnitude to an integer, keeps
    ///         the sign (so `ceil(-0.5) = -0`).
    function roundInt(uint256 a, uint256 bits, uint256 mode) internal pure returns (uint256) {
        uint256 top = F.inf(bits);
        uint256 ma = a & (F.signBit(bits) - 1);
        if (ma > top) return F.nan(bits);
        if (ma == top || ma == 0) return a;
        (uint256 sign, int256 e, uint256 sig) = F.unpack(a, bits);
        if (e >= 0) return a; // already an integer
        uint256 sh = uint256(-e);
        if (sh > 128) sh = 128; // |a| < 2^-70: the same answers as any larger shift
        uint256 q = sig >> sh;
        uint256 rem = sig - (q << sh);
        bool up;
        if (mode == CEIL) up = sign == 0 && rem != 0;
        else if (mode == FLOOR) up = sign == 1 && rem != 0;
        else if (mode == NEAREST) up = rem > 1 << (sh - 1) || (rem == 1 << (sh - 1) && q & 1 == 1);
        if (up) q += 1;
        return F.roundPack(sign, q, 0, bits);
    }

    /// @notice wasm `min` (`isMax` false) or `max`: NaN if either is NaN; -0 below +0.
    function minMax(uint256 a, uint256 b, uint256 bits, bool isMax) internal pure returns (uint256) {
        uint256 top = F.inf(bits);
        uint256 sb = F.signBit(bits);
        if (a & (sb - 1) > top || b & (sb - 1) > top) return F.nan(bits);
        (int256 ka, int256 kb) = (_key(a, sb), _key(b, sb));
        if (ka == kb) return isMax ? a & b : a | b; // equal patterns, or -0 and +0
        return (ka < kb) == isMax ? b : a;
    }

    /// @notice Whether `a` and `b` are ordered (neither is a NaN), and their order keys.
    function ordered(uint256 a, uint256 b, uint256 bits) internal pure returns (bool ok, int256 ka, int256 kb) {
        uint256 top = F.inf(bits);
        uint256 sb = F.signBit(bits);
        if (a & (sb - 1) > top || b & (sb - 1) > top) return (false, 0, 0);
        return (true, _key(a, sb), _key(b, sb));
    }

    /// @notice A sign-magnitude pattern as a signed integer that orders like the value
    ///         (both zeros map to 0).
    function _key(uint256 x, uint256 sb) private pure returns (int256) {
        int256 mag = int256(x & (sb - 1));
        return x & sb == 0 ? mag : -mag;
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
