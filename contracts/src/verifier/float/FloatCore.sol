// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Exponents are small signed integers (|e| < 2^12) and significands stay below 2^250; every
// cast and shift below is bounded by that (docs/floats.md, "The verifier's float code").
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

/// @title FloatCore
/// @notice IEEE 754 binary32/binary64 in 256-bit integers: unpacking, the one rounding step
///         (round to nearest, ties to even, gradual underflow, overflow to infinity) and an
///         integer square root. A format is named by its width `bits` (32 or 64); values are
///         bit patterns in the low `bits` bits. A finite value unpacks to
///         `(-1)^sign * sig * 2^e` with an integer significand.
library FloatCore {
    uint256 internal constant NAN32 = 0x7fc00000;
    uint256 internal constant NAN64 = 0x7ff8000000000000;

    /// @notice Fraction bits of the format: 23 or 52.
    function fracBits(uint256 bits) internal pure returns (uint256) {
        return bits == 32 ? 23 : 52;
    }

    /// @notice The sign bit of the format.
    function signBit(uint256 bits) internal pure returns (uint256) {
        return 1 << (bits - 1);
    }

    /// @notice The positive infinity pattern; a magnitude above it is a NaN.
    function inf(uint256 bits) internal pure returns (uint256) {
        return bits == 32 ? 0x7f800000 : 0x7ff0000000000000;
    }

    /// @notice The canonical NaN (positive, quiet, zero payload): docs/floats.md "NaN rules".
    function nan(uint256 bits) internal pure returns (uint256) {
        return bits == 32 ? NAN32 : NAN64;
    }

    /// @notice The exponent bias plus the fraction bits: `e = biasedExponent - expOffset`.
    function expOffset(uint256 bits) internal pure returns (int256) {
        return bits == 32 ? int256(127 + 23) : int256(1023 + 52);
    }

    /// @notice Splits the pattern `x` into sign, exponent and integer significand. Zero gives
    ///         `sig = 0`; an infinity unpacks like a normal number of exponent `2^(bits - fb - 1) - 1`
    ///         (larger than any integer the conversions produce); NaNs must be handled first.
    function unpack(uint256 x, uint256 bits) internal pure returns (uint256 sign, int256 e, uint256 sig) {
        uint256 fb = fracBits(bits);
        sign = x >> (bits - 1);
        uint256 be = (x >> fb) & ((1 << (bits - 1 - fb)) - 1);
        sig = x & ((1 << fb) - 1);
        if (be == 0) be = 1;
        else sig |= 1 << fb;
        e = int256(be) - expOffset(bits);
    }

    /// @notice The format's value nearest to `(-1)^sign * sig * 2^e` (ties to even), as a bit
    ///         pattern; `sig < 2^250`. A caller that has dropped nonzero low bits ORs a sticky 1
    ///         into `sig`'s bit 0 after making sure at least two bits are rounded off.
    function roundPack(uint256 sign, uint256 sig, int256 e, uint256 bits) internal pure returns (uint256) {
        uint256 signed = sign << (bits - 1);
        if (sig == 0) return signed;
        uint256 fb = fracBits(bits);
        int256 emin = 1 - expOffset(bits); // exponent of the lowest subnormal bit
        uint256 len = bitLen(sig);
        // The result's lowest bit: fb below the leading bit, never below the subnormal step.
        int256 lsb = e + int256(len) - 1 - int256(fb);
        if (lsb < emin) lsb = emin;
        if (lsb > e) {
            uint256 sh = uint256(lsb - e);
            // Below half the smallest step: rounds to zero whatever the bits.
            if (sh > len + 1) sh = len + 1;
            sig = shiftRound(sig, sh);
        } else {
            sig <<= uint256(e - lsb);
        }
        // Now value = sig * 2^lsb with sig <= 2^(fb+1). Adding the significand (hidden bit
        // included) to the exponent field carries a rounding overflow or a subnormal rounding
        // up to the smallest normal into the exponent by itself.
        uint256 mag = (uint256(lsb - emin) << fb) + sig;
        uint256 top = inf(bits);
        if (mag >= top) mag = top;
        return signed | mag;
    }

    /// @notice `sig / 2^sh` rounded to nearest, ties to even (`1 <= sh <= 255`).
    function shiftRound(uint256 sig, uint256 sh) internal pure returns (uint256 q) {
        q = sig >> sh;
        uint256 rem = sig & ((1 << sh) - 1);
        uint256 half = 1 << (sh - 1);
        if (rem > half || (rem == half && q & 1 == 1)) q += 1;
    }

    /// @notice Number of significant bits of `x` (0 for 0): a binary search, no loop.
    function bitLen(uint256 x) internal pure returns (uint256 n) {
        assembly ("memory-safe") {
            n := shl(7, gt(x, 0xffffffffffffffffffffffffffffffff))
            n := or(n, shl(6, gt(shr(n, x), 0xffffffffffffffff)))
            n := or(n, shl(5, gt(shr(n, x), 0xffffffff)))
            n := or(n, shl(4, gt(shr(n, x), 0xffff)))
            n := or(n, shl(3, gt(shr(n, x), 0xff)))
            n := or(n, shl(2, gt(shr(n, x), 0xf)))
            n := or(n, shl(1, gt(shr(n, x), 0x3)))
            n := or(n, gt(shr(n, x), 0x1))
            n := add(n, iszero(iszero(x)))
        }
    }

    /// @notice `floor(sqrt(n))` for `0 < n < 2^200`: Newton's iteration from the power of two
    ///         above the root. The start is within a factor 2, the relative error then falls as
    ///         `e^2 / 2` per step: after 7 steps the iterate is the root or the root plus one.
    function isqrt(uint256 n) internal pure returns (uint256 x) {
        x = 1 << ((bitLen(n) + 1) >> 1);
        assembly ("memory-safe") {
            x := shr(1, add(x, div(n, x)))
            x := shr(1, add(x, div(n, x)))
            x := shr(1, add(x, div(n, x)))
            x := shr(1, add(x, div(n, x)))
            x := shr(1, add(x, div(n, x)))
            x := shr(1, add(x, div(n, x)))
            x := shr(1, add(x, div(n, x)))
            x := sub(x, lt(div(n, x), x))
        }
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
