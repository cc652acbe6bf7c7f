// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {FloatArith as A} from "./FloatArith.sol";
import {FloatConv as C} from "./FloatConv.sol";

/// @title FloatOps
/// @notice The float opcodes by number (docs/isa.md): the f32 group `0xb0–0xcf` and the f64
///         group `0xd0–0xef` number their operations in the same order from their base, so
///         `k = op - base` selects the operation; `0xf0–0xff` are the truncations to integers.
///         Operands are the popped values (`x0` = top); binary operations compute `x1 op x0`.
///         f32 and i32 operands are the low 32 bits of a value, results are zero-extended.
library FloatOps {
    uint256 internal constant F32_BASE = 0xb0;
    uint256 internal constant F64_BASE = 0xd0;
    uint256 internal constant TRUNC_BASE = 0xf0;
    uint256 internal constant TRUNC_END = 0x100;

    uint256 internal constant K_EQ = 0;
    uint256 internal constant K_NE = 1;
    uint256 internal constant K_LT = 2;
    uint256 internal constant K_GT = 3;
    uint256 internal constant K_LE = 4;
    uint256 internal constant K_GE = 5;
    uint256 internal constant K_ABS = 6;
    uint256 internal constant K_NEG = 7;
    uint256 internal constant K_CEIL = 8;
    uint256 internal constant K_FLOOR = 9;
    uint256 internal constant K_TRUNC = 10;
    uint256 internal constant K_NEAREST = 11;
    uint256 internal constant K_SQRT = 12;
    uint256 internal constant K_ADD = 13;
    uint256 internal constant K_SUB = 14;
    uint256 internal constant K_MUL = 15;
    uint256 internal constant K_DIV = 16;
    uint256 internal constant K_MIN = 17;
    uint256 internal constant K_MAX = 18;
    uint256 internal constant K_COPYSIGN = 19;
    uint256 internal constant K_CONVERT_I32_S = 20;
    uint256 internal constant K_CONVERT_I32_U = 21;
    uint256 internal constant K_CONVERT_I64_S = 22;
    uint256 internal constant K_CONVERT_I64_U = 23;
    /// `f32.demote_f64` in the f32 group, `f64.promote_f32` in the f64 group.
    uint256 internal constant K_OTHER_FORMAT = 24;
    uint256 internal constant K_COUNT = 25;

    /// @notice Operation `k < K_COUNT` of the group of width `bits` (32: f32, 64: f64).
    function arith(uint256 k, uint256 bits, uint256 x0, uint256 x1) internal pure returns (uint256) {
        uint256 m = (1 << bits) - 1;
        uint256 b = x0 & m;
        if (k >= K_CONVERT_I32_S) {
            if (k == K_OTHER_FORMAT) {
                return bits == 32 ? C.convert(x0 & type(uint64).max, 64, 32) : C.convert(x0 & 0xffffffff, 32, 64);
            }
            return C.fromInt(x0, k < K_CONVERT_I64_S ? 32 : 64, k & 1 == 0, bits);
        }
        if (k >= K_CEIL && k <= K_NEAREST) return A.roundInt(b, bits, _roundMode(k));
        if (k == K_SQRT) return A.sqrt(b, bits);
        uint256 sb = 1 << (bits - 1);
        if (k == K_ABS) return b & (sb - 1);
        if (k == K_NEG) return b ^ sb;
        uint256 a = x1 & m;
        if (k <= K_GE) return _compare(k, a, b, bits) ? 1 : 0;
        if (k == K_ADD) return A.add(a, b, bits);
        if (k == K_SUB) return A.add(a, b ^ sb, bits);
        if (k == K_MUL) return A.mul(a, b, bits);
        if (k == K_DIV) return A.div(a, b, bits);
        if (k == K_MIN) return A.minMax(a, b, bits, false);
        if (k == K_MAX) return A.minMax(a, b, bits, true);
        return (a & (sb - 1)) | (b & sb); // K_COPYSIGN
    }

    /// @notice Truncation `j = op - TRUNC_BASE` (0..15): bit 0 unsigned, bit 1 from f64, bit 2
    ///         to i64, bit 3 saturating. Returns `(result, trap code or 0)`.
    function trunc(uint256 j, uint256 x0) internal pure returns (uint256, uint256) {
        uint256 bits = j & 2 == 0 ? 32 : 64;
        return C.toInt(x0 & ((1 << bits) - 1), bits, j & 4 == 0 ? 32 : 64, j & 1 == 0, j & 8 != 0);
    }

    /// @notice Any float opcode: `(result, trap code or 0)`; `valid` false outside the groups.
    function exec(uint256 op, uint256 x0, uint256 x1) internal pure returns (bool valid, uint256 r, uint256 trap) {
        if (op >= F32_BASE && op < F32_BASE + K_COUNT) return (true, arith(op - F32_BASE, 32, x0, x1), 0);
        if (op >= F64_BASE && op < F64_BASE + K_COUNT) return (true, arith(op - F64_BASE, 64, x0, x1), 0);
        if (op >= TRUNC_BASE && op < TRUNC_END) {
            (r, trap) = trunc(op - TRUNC_BASE, x0);
            return (true, r, trap);
        }
    }

    function _roundMode(uint256 k) private pure returns (uint256) {
        if (k == K_CEIL) return A.CEIL;
        if (k == K_FLOOR) return A.FLOOR;
        if (k == K_TRUNC) return A.TRUNC;
        return A.NEAREST;
    }

    function _compare(uint256 k, uint256 a, uint256 b, uint256 bits) private pure returns (bool) {
        (bool ok, int256 ka, int256 kb) = A.ordered(a, b, bits);
        if (!ok) return k == K_NE;
        if (k == K_EQ) return ka == kb;
        if (k == K_NE) return ka != kb;
        if (k == K_LT) return ka < kb;
        if (k == K_GT) return ka > kb;
        if (k == K_LE) return ka <= kb;
        return ka >= kb; // K_GE
    }
}
