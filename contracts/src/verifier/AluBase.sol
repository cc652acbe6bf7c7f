// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Narrowing casts below store values into state fields whose width the machine fixes
// (docs/machine.md §4); the machine truncates the same way.
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {StepBase} from "./StepBase.sol";
import {Consensus as C} from "../lib/Consensus.sol";
import {Opcodes as O} from "../lib/Opcodes.sol";

/// @title AluBase
/// @notice Integer semantics shared by the i32 and i64 groups, for a width of 32 or 64 bits.
///         Both groups number their common ops in the same order from their `Eqz`
///         (`vm/src/isa.rs`; a forge test pins it), so `k = op - Eqz` selects the operation.
abstract contract AluBase is StepBase {
    uint256 internal constant DIVIDE_BY_ZERO = C.TRAP_INTEGER_DIVIDE_BY_ZERO;
    uint256 internal constant OVERFLOW = C.TRAP_INTEGER_OVERFLOW;

    uint256 internal constant K_EQZ = O.OP_I32Eqz - O.OP_I32Eqz;
    uint256 internal constant K_EQ = O.OP_I32Eq - O.OP_I32Eqz;
    uint256 internal constant K_NE = O.OP_I32Ne - O.OP_I32Eqz;
    uint256 internal constant K_LT_S = O.OP_I32LtS - O.OP_I32Eqz;
    uint256 internal constant K_LT_U = O.OP_I32LtU - O.OP_I32Eqz;
    uint256 internal constant K_GT_S = O.OP_I32GtS - O.OP_I32Eqz;
    uint256 internal constant K_GT_U = O.OP_I32GtU - O.OP_I32Eqz;
    uint256 internal constant K_LE_S = O.OP_I32LeS - O.OP_I32Eqz;
    uint256 internal constant K_LE_U = O.OP_I32LeU - O.OP_I32Eqz;
    uint256 internal constant K_GE_S = O.OP_I32GeS - O.OP_I32Eqz;
    uint256 internal constant K_GE_U = O.OP_I32GeU - O.OP_I32Eqz;
    uint256 internal constant K_CLZ = O.OP_I32Clz - O.OP_I32Eqz;
    uint256 internal constant K_CTZ = O.OP_I32Ctz - O.OP_I32Eqz;
    uint256 internal constant K_POPCNT = O.OP_I32Popcnt - O.OP_I32Eqz;
    uint256 internal constant K_ADD = O.OP_I32Add - O.OP_I32Eqz;
    uint256 internal constant K_SUB = O.OP_I32Sub - O.OP_I32Eqz;
    uint256 internal constant K_MUL = O.OP_I32Mul - O.OP_I32Eqz;
    uint256 internal constant K_DIV_S = O.OP_I32DivS - O.OP_I32Eqz;
    uint256 internal constant K_DIV_U = O.OP_I32DivU - O.OP_I32Eqz;
    uint256 internal constant K_REM_S = O.OP_I32RemS - O.OP_I32Eqz;
    uint256 internal constant K_REM_U = O.OP_I32RemU - O.OP_I32Eqz;
    uint256 internal constant K_AND = O.OP_I32And - O.OP_I32Eqz;
    uint256 internal constant K_OR = O.OP_I32Or - O.OP_I32Eqz;
    uint256 internal constant K_XOR = O.OP_I32Xor - O.OP_I32Eqz;
    uint256 internal constant K_SHL = O.OP_I32Shl - O.OP_I32Eqz;
    uint256 internal constant K_SHR_S = O.OP_I32ShrS - O.OP_I32Eqz;
    uint256 internal constant K_SHR_U = O.OP_I32ShrU - O.OP_I32Eqz;
    uint256 internal constant K_ROTL = O.OP_I32Rotl - O.OP_I32Eqz;
    uint256 internal constant K_ROTR = O.OP_I32Rotr - O.OP_I32Eqz;
    /// First `k` past the shared block: width-specific conversions follow.
    uint256 internal constant K_SHARED_END = K_ROTR + 1;

    /// @notice Executes shared op `k` at width `bits`; unary ops read `x0`, binary `x1 op x0`.
    function _alu(Ctx memory c, uint256 k, uint256 bits) internal pure returns (bytes32) {
        uint256 m = (1 << bits) - 1;
        uint256 b = c.x0 & m;
        if (k == K_EQZ) return _pushNext(c, b == 0 ? 1 : 0);
        if (k == K_CLZ) return _pushNext(c, b == 0 ? bits : bits - _bitLen(b));
        if (k == K_CTZ) return _pushNext(c, b == 0 ? bits : _ctz(b));
        if (k == K_POPCNT) return _pushNext(c, _popcnt(b));
        uint256 a = c.x1 & m;
        if (k <= K_GE_U) return _pushNext(c, _cmp(k, a, b, bits) ? 1 : 0);
        if (k == K_ADD) return _pushNext(c, (a + b) & m);
        if (k == K_SUB) return _pushNext(c, (a + (1 << bits) - b) & m);
        if (k == K_MUL) return _pushNext(c, (a * b) & m);
        if (k >= K_DIV_S && k <= K_REM_U) {
            if (b == 0) return _trap(c, DIVIDE_BY_ZERO);
            if (k == K_DIV_U) return _pushNext(c, a / b);
            if (k == K_REM_U) return _pushNext(c, a % b);
            bool minByMinusOne = a == 1 << (bits - 1) && b == m;
            if (k == K_DIV_S) {
                if (minByMinusOne) return _trap(c, OVERFLOW);
                return _pushNext(c, uint256(_signed(a, bits) / _signed(b, bits)) & m);
            }
            if (minByMinusOne) return _pushNext(c, 0);
            return _pushNext(c, uint256(_signed(a, bits) % _signed(b, bits)) & m);
        }
        if (k == K_AND) return _pushNext(c, a & b);
        if (k == K_OR) return _pushNext(c, a | b);
        if (k == K_XOR) return _pushNext(c, a ^ b);
        uint256 sh = b % bits;
        if (k == K_SHL) return _pushNext(c, (a << sh) & m);
        if (k == K_SHR_S) return _pushNext(c, uint256(_signed(a, bits) >> sh) & m);
        if (k == K_SHR_U) return _pushNext(c, a >> sh);
        if (k == K_ROTL) return _pushNext(c, ((a << sh) | (a >> (bits - sh))) & m);
        if (k == K_ROTR) return _pushNext(c, ((a >> sh) | (a << (bits - sh))) & m);
        revert BadOpcode(c.op);
    }

    /// @notice Sign-extends the low `bits` of `v` to 256 bits, as a signed integer.
    function _signed(uint256 v, uint256 bits) internal pure returns (int256 r) {
        uint256 byteIndex = bits / 8 - 1;
        assembly ("memory-safe") {
            r := signextend(byteIndex, v)
        }
    }

    /// @notice The low `from` bits of `v` sign-extended to `bits` bits, unsigned.
    function _extend(uint256 v, uint256 from, uint256 bits) internal pure returns (uint256) {
        return uint256(_signed(v, from)) & ((1 << bits) - 1);
    }

    function _cmp(uint256 k, uint256 a, uint256 b, uint256 bits) private pure returns (bool) {
        if (k == K_EQ) return a == b;
        if (k == K_NE) return a != b;
        if (k == K_LT_U) return a < b;
        if (k == K_GT_U) return a > b;
        if (k == K_LE_U) return a <= b;
        if (k == K_GE_U) return a >= b;
        (int256 sa, int256 sb) = (_signed(a, bits), _signed(b, bits));
        if (k == K_LT_S) return sa < sb;
        if (k == K_GT_S) return sa > sb;
        if (k == K_LE_S) return sa <= sb;
        return sa >= sb; // K_GE_S
    }

    function _bitLen(uint256 v) private pure returns (uint256 n) {
        while (v != 0) {
            v >>= 1;
            n++;
        }
    }

    function _ctz(uint256 v) private pure returns (uint256 n) {
        while (v & 1 == 0) {
            v >>= 1;
            n++;
        }
    }

    function _popcnt(uint256 v) private pure returns (uint256 n) {
        while (v != 0) {
            v &= v - 1;
            n++;
        }
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
