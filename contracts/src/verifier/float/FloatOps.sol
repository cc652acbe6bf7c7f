// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {FloatArith as A} from "./FloatArith.sol";
import {FloatConv as C} from "./FloatConv.sol";
import {Opcodes as O} from "../../lib/Opcodes.sol";

/// @title FloatOps
/// @notice The float opcodes by number (docs/isa.md): the f32 group `0xb0–0xcf` and the f64
///         group `0xd0–0xef` number their operations in the same order from their base, so
///         `k = op - base` selects the operation; `0xf0–0xff` are the truncations to integers.
///         Operands are the popped values (`x0` = top); binary operations compute `x1 op x0`.
///         f32 and i32 operands are the low 32 bits of a value, results are zero-extended.
library FloatOps {
    uint256 internal constant F32_BASE = O.OP_F32Eq;
    uint256 internal constant F64_BASE = O.OP_F64Eq;
    uint256 internal constant TRUNC_BASE = O.OP_I32TruncF32S;
    uint256 internal constant TRUNC_END = O.OP_I64TruncSatF64U + 1;

    uint256 internal constant K_EQ = O.OP_F32Eq - O.OP_F32Eq;
    uint256 internal constant K_NE = O.OP_F32Ne - O.OP_F32Eq;
    uint256 internal constant K_LT = O.OP_F32Lt - O.OP_F32Eq;
    uint256 internal constant K_GT = O.OP_F32Gt - O.OP_F32Eq;
    uint256 internal constant K_LE = O.OP_F32Le - O.OP_F32Eq;
    uint256 internal constant K_GE = O.OP_F32Ge - O.OP_F32Eq;
    uint256 internal constant K_ABS = O.OP_F32Abs - O.OP_F32Eq;
    uint256 internal constant K_NEG = O.OP_F32Neg - O.OP_F32Eq;
    uint256 internal constant K_CEIL = O.OP_F32Ceil - O.OP_F32Eq;
    uint256 internal constant K_FLOOR = O.OP_F32Floor - O.OP_F32Eq;
    uint256 internal constant K_TRUNC = O.OP_F32Trunc - O.OP_F32Eq;
    uint256 internal constant K_NEAREST = O.OP_F32Nearest - O.OP_F32Eq;
    uint256 internal constant K_SQRT = O.OP_F32Sqrt - O.OP_F32Eq;
    uint256 internal constant K_ADD = O.OP_F32Add - O.OP_F32Eq;
    uint256 internal constant K_SUB = O.OP_F32Sub - O.OP_F32Eq;
    uint256 internal constant K_MUL = O.OP_F32Mul - O.OP_F32Eq;
    uint256 internal constant K_DIV = O.OP_F32Div - O.OP_F32Eq;
    uint256 internal constant K_MIN = O.OP_F32Min - O.OP_F32Eq;
    uint256 internal constant K_MAX = O.OP_F32Max - O.OP_F32Eq;
    uint256 internal constant K_COPYSIGN = O.OP_F32Copysign - O.OP_F32Eq;
    uint256 internal constant K_CONVERT_I32_S = O.OP_F32ConvertI32S - O.OP_F32Eq;
    uint256 internal constant K_CONVERT_I32_U = O.OP_F32ConvertI32U - O.OP_F32Eq;
    uint256 internal constant K_CONVERT_I64_S = O.OP_F32ConvertI64S - O.OP_F32Eq;
    uint256 internal constant K_CONVERT_I64_U = O.OP_F32ConvertI64U - O.OP_F32Eq;
    /// `f32.demote_f64` in the f32 group, `f64.promote_f32` in the f64 group.
    uint256 internal constant K_OTHER_FORMAT = O.OP_F32DemoteF64 - O.OP_F32Eq;
    uint256 internal constant K_COUNT = K_OTHER_FORMAT + 1;

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
