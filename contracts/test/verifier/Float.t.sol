// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {FloatHarness} from "./FloatHarness.sol";
import {FloatCore} from "../../src/verifier/float/FloatCore.sol";
import {FloatOps} from "../../src/verifier/float/FloatOps.sol";
import {Opcodes as O} from "../../src/lib/Opcodes.sol";
import {console} from "../utils/console.sol";

/// The verifier's float code on the edge cases that docs/floats.md spells out: rounding ties,
/// subnormals, overflow, canonical NaNs, signed zeros, wasm min/max and nearest, and the
/// conversion bounds. Each opcode is `base + k` (f32 0xb0, f64 0xd0, truncations 0xf0); a
/// binary op computes `x1 op x0`. The breadth is in `floatcheck` (Rust, against hardware).
contract FloatTest is Test {
    FloatHarness h;

    uint256 constant F32 = 0xb0;
    uint256 constant F64 = 0xd0;
    uint256 constant EQ = 0;
    uint256 constant NE = 1;
    uint256 constant LT = 2;
    uint256 constant LE = 4;
    uint256 constant ABS = 6;
    uint256 constant NEG = 7;
    uint256 constant CEIL = 8;
    uint256 constant FLOOR = 9;
    uint256 constant TRUNC = 10;
    uint256 constant NEAREST = 11;
    uint256 constant SQRT = 12;
    uint256 constant ADD = 13;
    uint256 constant SUB = 14;
    uint256 constant MUL = 15;
    uint256 constant DIV = 16;
    uint256 constant MIN = 17;
    uint256 constant MAX = 18;
    uint256 constant COPYSIGN = 19;
    uint256 constant CONVERT_I32_S = 20;
    uint256 constant CONVERT_I64_S = 22;
    uint256 constant CONVERT_I64_U = 23;
    uint256 constant OTHER_FORMAT = 24;

    uint256 constant NAN32 = 0x7fc00000;
    uint256 constant NAN64 = 0x7ff8000000000000;
    uint256 constant ONE32 = 0x3f800000;
    uint256 constant ONE64 = 0x3ff0000000000000;

    function setUp() public {
        h = new FloatHarness();
    }

    /// `x1 op x0`, asserting no trap.
    function _bin(uint256 op, uint256 x1, uint256 x0) internal view returns (uint256 r) {
        uint256 trap;
        (r, trap) = h.exec(op, x0, x1);
        assertEq(trap, 0, "no trap");
    }

    function _un(uint256 op, uint256 x0) internal view returns (uint256) {
        return _bin(op, 0, x0);
    }

    function _trap(uint256 op, uint256 x0) internal view returns (uint256 trap) {
        (, trap) = h.exec(op, x0, 0);
    }

    /// The numbering `FloatOps` decodes arithmetically (generated from `vm/src/isa.rs`): the
    /// f64 group in the f32 group's order, the conversions' signedness in bit 0 of `k`, and the
    /// truncations' bits (unsigned, from f64, to i64, saturating).
    function test_opcodeLayoutsMatch() public pure {
        assertEq(F32, O.OP_F32Eq);
        assertEq(F64, O.OP_F64Eq);
        assertEq(O.OP_F64Add - F64, O.OP_F32Add - F32);
        assertEq(O.OP_F64Copysign - F64, O.OP_F32Copysign - F32);
        assertEq(O.OP_F64Sqrt - F64, O.OP_F32Sqrt - F32);
        assertEq(O.OP_F64Nearest - F64, O.OP_F32Nearest - F32);
        assertEq(O.OP_F64ConvertI64U - F64, O.OP_F32ConvertI64U - F32);
        assertEq(O.OP_F64PromoteF32 - F64, O.OP_F32DemoteF64 - F32);
        assertEq(O.OP_F64PromoteF32 - F64, OTHER_FORMAT);
        assertEq(O.OP_F32ConvertI32S - F32, CONVERT_I32_S);
        assertEq(CONVERT_I32_S % 2, 0, "signed conversions at even k");
        assertEq(O.OP_F32Ceil + 3, O.OP_F32Nearest, "ceil, floor, trunc, nearest contiguous");
        uint256 t = O.OP_I32TruncF32S;
        assertEq(t, FloatOps.TRUNC_BASE);
        assertEq(O.OP_I32TruncF32U, t + 1);
        assertEq(O.OP_I32TruncF64S, t + 2);
        assertEq(O.OP_I64TruncF32S, t + 4);
        assertEq(O.OP_I64TruncF64U, t + 7);
        assertEq(O.OP_I32TruncSatF32S, t + 8);
        assertEq(O.OP_I64TruncSatF64U, t + 15);
        assertEq(FloatOps.TRUNC_END, 0x100);
        for (uint256 op = O.OP_F32Eq; op < 0x100; op++) {
            bool isFloat = (op >= F32 && op <= O.OP_F32DemoteF64) || (op >= F64 && op <= O.OP_F64PromoteF32) || op >= t;
            assertEq(O.isValid(op), isFloat);
        }
    }

    function test_roundsToNearestEven() public view {
        assertEq(_bin(F64 + ADD, 0x3fb999999999999a, 0x3fc999999999999a), 0x3fd3333333333334, "0.1 + 0.2");
        assertEq(_bin(F32 + ADD, ONE32, 0x33800000), ONE32, "1 + 2^-24: tie to even (down)");
        assertEq(_bin(F32 + ADD, 0x3f800001, 0x33800000), 0x3f800002, "(1 + 2^-23) + 2^-24: tie up");
        assertEq(_bin(F64 + DIV, ONE64, 0x4008000000000000), 0x3fd5555555555555, "1 / 3");
        assertEq(_un(F64 + SQRT, 0x4000000000000000), 0x3ff6a09e667f3bcd, "sqrt 2 (f64)");
        assertEq(_un(F32 + SQRT, 0x40000000), 0x3fb504f3, "sqrt 2 (f32)");
        assertEq(_un(F64 + SQRT, 0x4022000000000000), 0x4008000000000000, "sqrt 9 exact");
    }

    function test_subnormalsAreKept() public view {
        assertEq(_bin(F64 + MUL, 1, 0x3fe0000000000000), 0, "min subnormal * 0.5: tie to even 0");
        assertEq(_bin(F64 + MUL, 1, 0x3ff8000000000000), 2, "min subnormal * 1.5: tie to even 2");
        assertEq(_bin(F64 + MUL, 0x8000000000000001, 0x3fe0000000000000), 1 << 63, "-0 on underflow");
        assertEq(_bin(F32 + ADD, 0x007fffff, 1), 0x00800000, "max subnormal + min subnormal");
        assertEq(_bin(F32 + SUB, 0x00800000, 1), 0x007fffff, "min normal - min subnormal");
        assertEq(_bin(F32 + DIV, 0x00800000, 0x40000000), 0x00400000, "min normal / 2");
        assertEq(_un(F64 + SQRT, 1), 0x1e60000000000000, "sqrt of the min subnormal: 2^-537");
    }

    function test_overflowsToInfinity() public view {
        assertEq(_bin(F32 + MUL, 0x7f7fffff, 0x40000000), 0x7f800000, "max * 2");
        assertEq(_bin(F32 + ADD, 0x7f7fffff, 0x73000000), 0x7f800000, "max + half ulp: tie rounds to inf");
        assertEq(_bin(F32 + ADD, 0x7f7fffff, 0x72800000), 0x7f7fffff, "max + quarter ulp");
        assertEq(_bin(F64 + ADD, 0xffefffffffffffff, 0xffefffffffffffff), 0xfff0000000000000, "-max - max");
        assertEq(_bin(F64 + DIV, ONE64, 0x8000000000000000), 0xfff0000000000000, "1 / -0");
    }

    function test_nanResultsAreCanonical() public view {
        assertEq(_bin(F64 + DIV, 0, 0), NAN64, "0 / 0");
        assertEq(_bin(F32 + SUB, 0x7f800000, 0x7f800000), NAN32, "inf - inf");
        assertEq(_bin(F64 + MUL, 0x7ff0000000000000, 0), NAN64, "inf * 0");
        assertEq(_un(F32 + SQRT, 0xbf800000), NAN32, "sqrt -1");
        assertEq(_bin(F32 + ADD, 0x7f800001, ONE32), NAN32, "sNaN + 1");
        assertEq(_bin(F32 + MUL, 0xffc12345, ONE32), NAN32, "negative NaN with payload * 1");
        assertEq(_un(F64 + NEAREST, 0xfff0000000000001), NAN64, "nearest sNaN");
        assertEq(_un(F64 + OTHER_FORMAT, 0xff812345), NAN64, "promote NaN");
        assertEq(_un(F32 + OTHER_FORMAT, 0x7ff0000000000001), NAN32, "demote sNaN");
        assertEq(_bin(F32 + MIN, 0x7fc00001, ONE32), NAN32, "min with NaN");
    }

    function test_abs_neg_copysign_areBitwise() public view {
        assertEq(_un(F32 + ABS, 0xffc12345), 0x7fc12345, "abs keeps the payload");
        assertEq(_un(F32 + NEG, 0x7f800001), 0xff800001, "neg of sNaN");
        assertEq(_un(F64 + NEG, 0), 1 << 63, "neg 0");
        assertEq(_bin(F32 + COPYSIGN, 0x7fc12345, 0xbf800000), 0xffc12345, "copysign(NaN, -1)");
        assertEq(_bin(F64 + COPYSIGN, ONE64, 0xfff8000000000000), ONE64 | (1 << 63), "copysign(1, -NaN)");
    }

    function test_signedZeros() public view {
        assertEq(_bin(F32 + ADD, 0x80000000, 0x80000000), 0x80000000, "-0 + -0");
        assertEq(_bin(F32 + ADD, 0x80000000, 0), 0, "-0 + 0");
        assertEq(_bin(F64 + SUB, 0x3ff8000000000000, 0x3ff8000000000000), 0, "x - x");
        assertEq(_un(F64 + SQRT, 1 << 63), 1 << 63, "sqrt -0");
        assertEq(_bin(F32 + MIN, 0x80000000, 0), 0x80000000, "min(-0, 0)");
        assertEq(_bin(F32 + MIN, 0, 0x80000000), 0x80000000, "min(0, -0)");
        assertEq(_bin(F64 + MAX, 1 << 63, 0), 0, "max(-0, 0)");
        assertEq(_bin(F64 + MAX, 0, 1 << 63), 0, "max(0, -0)");
    }

    function test_roundToInteger() public view {
        assertEq(_un(F32 + CEIL, 0xbf000000), 0x80000000, "ceil -0.5 = -0");
        assertEq(_un(F32 + FLOOR, 0xbf000000), 0xbf800000, "floor -0.5 = -1");
        assertEq(_un(F32 + FLOOR, 0x3f000000), 0, "floor 0.5 = 0");
        assertEq(_un(F32 + TRUNC, 0xbff33333), 0xbf800000, "trunc -1.9 = -1");
        assertEq(_un(F32 + NEAREST, 0x40200000), 0x40000000, "nearest 2.5 = 2");
        assertEq(_un(F32 + NEAREST, 0x40600000), 0x40800000, "nearest 3.5 = 4");
        assertEq(_un(F32 + NEAREST, 0xbf000000), 0x80000000, "nearest -0.5 = -0");
        assertEq(_un(F64 + CEIL, 1), ONE64, "ceil min subnormal = 1");
        assertEq(_un(F64 + NEAREST, 0x4330000000000001), 0x4330000000000001, "2^52 + 1 is an integer");
    }

    function test_comparisons() public view {
        assertEq(_bin(F32 + EQ, NAN32, NAN32), 0, "NaN == NaN");
        assertEq(_bin(F32 + NE, NAN32, NAN32), 1, "NaN != NaN");
        assertEq(_bin(F64 + LT, 0x7ff0000000000001, ONE64), 0, "sNaN < 1");
        assertEq(_bin(F32 + EQ, 0x80000000, 0), 1, "-0 == 0");
        assertEq(_bin(F32 + LT, 0x80000000, 0), 0, "-0 < 0");
        assertEq(_bin(F64 + LE, 0xfff0000000000000, 0xffefffffffffffff), 1, "-inf <= -max");
        assertEq(_bin(F64 + LT, 0xbff0000000000000, 0xbfe0000000000000), 1, "-1 < -0.5");
    }

    function test_intToFloat() public view {
        assertEq(_un(F32 + CONVERT_I32_S, 0x80000000), 0xcf000000, "i32 min");
        assertEq(_un(F32 + CONVERT_I32_S, 16_777_217), 0x4b800000, "2^24 + 1: tie to even");
        assertEq(_un(F32 + CONVERT_I32_S, 16_777_219), 0x4b800002, "2^24 + 3: tie up");
        assertEq(_un(F32 + CONVERT_I64_U, type(uint64).max), 0x5f800000, "u64 max rounds to 2^64");
        assertEq(_un(F64 + CONVERT_I64_S, 1 << 63), 0xc3e0000000000000, "i64 min");
        assertEq(_un(F64 + CONVERT_I64_U, (1 << 53) + 1), 0x4340000000000000, "2^53 + 1");
        assertEq(_un(F64 + CONVERT_I32_S, 0xffffffff), 0xbff0000000000000, "i32 -1");
        assertEq(_un(F64 + CONVERT_I32_S + 1, 0xffffffff), 0x41efffffffe00000, "u32 max");
    }

    function test_demoteAndPromote() public view {
        assertEq(_un(F32 + OTHER_FORMAT, 0x7fefffffffffffff), 0x7f800000, "f64 max overflows");
        assertEq(_un(F32 + OTHER_FORMAT, 0x3ff0000010000000), ONE32, "1 + 2^-24: tie down");
        assertEq(_un(F32 + OTHER_FORMAT, 0x3ff0000030000000), 0x3f800002, "1 + 3 * 2^-24: tie up");
        assertEq(_un(F32 + OTHER_FORMAT, 0x3690000000000000), 0, "2^-150: tie to even 0");
        assertEq(_un(F32 + OTHER_FORMAT, 0x3698000000000000), 1, "1.5 * 2^-150: min subnormal");
        assertEq(_un(F32 + OTHER_FORMAT, 0x8000000000000001), 0x80000000, "-min f64 subnormal to -0");
        assertEq(_un(F64 + OTHER_FORMAT, 1), 0x36a0000000000000, "f32 min subnormal is 2^-149");
        assertEq(_un(F64 + OTHER_FORMAT, 0xff800000), 0xfff0000000000000, "-inf");
    }

    function test_truncationsTrapOrSaturate() public view {
        uint256 i32f32s = 0xf0;
        assertEq(_trap(i32f32s, 0x4f000000), 4, "2^31 out of range");
        assertEq(_un(i32f32s, 0xcf000000), 0x80000000, "-2^31 in range");
        assertEq(_trap(i32f32s, 0xcf000001), 4, "below -2^31");
        assertEq(_trap(i32f32s, 0x7fc00000), 5, "NaN");
        assertEq(_trap(i32f32s, 0xffa00000), 5, "negative sNaN");
        assertEq(_trap(i32f32s, 0x7f800000), 4, "inf");
        assertEq(_un(0xf1, 0xbf666666), 0, "u32 of -0.9");
        assertEq(_trap(0xf1, 0xbf800000), 4, "u32 of -1");
        assertEq(_un(0xf1, 0x4f7fffff), 0xffffff00, "u32 of 4294967040");
        assertEq(_un(0xf2, 0xc1e00000001ccccd), 0x80000000, "i32 of -2147483648.9");
        assertEq(_un(0xf2, 0x41dffffffff9999a), 0x7fffffff, "i32 of 2147483647.9");
        assertEq(_trap(0xf6, 0x43e0000000000000), 4, "i64 of 2^63");
        assertEq(_un(0xf6, 0xc3e0000000000000), 1 << 63, "i64 of -2^63");
        assertEq(_un(0xf7, 0x43efffffffffffff), 0xfffffffffffff800, "u64 of 2^64 - 2048");
        assertEq(_un(0xf8, 0x7fc00000), 0, "sat NaN");
        assertEq(_un(0xf8, 0x7f800000), 0x7fffffff, "sat inf");
        assertEq(_un(0xf8, 0xff800000), 0x80000000, "sat -inf");
        assertEq(_un(0xfb, 0x7ff0000000000000), 0xffffffff, "sat u32 of inf");
        assertEq(_un(0xff, 0xc014000000000000), 0, "sat u64 of -5");
        assertEq(_un(0xff, 0x7e37e43c8800759c), type(uint64).max, "sat u64 of 1e300");
    }

    function test_nonFloatOpcodesAreRejected() public {
        vm.expectRevert(bytes("not a float opcode"));
        h.exec(0xaf, 0, 0);
        vm.expectRevert(bytes("not a float opcode"));
        h.exec(0xc9, 0, 0);
        vm.expectRevert(bytes("not a float opcode"));
        h.exec(0xe9, 0, 0);
    }

    /// isqrt is exact: the root and the root plus one bracket n.
    function testFuzz_isqrt(uint200 n) public pure {
        vm.assume(n > 0);
        uint256 r = FloatCore.isqrt(n);
        assertLe(r * r, n);
        assertGt((r + 1) * (r + 1), n);
    }

    function testFuzz_bitLen(uint256 x) public pure {
        uint256 n = FloatCore.bitLen(x);
        if (x == 0) return assertEq(n, 0);
        assertEq(x >> (n - 1), 1);
    }

    /// The float math of one step stays far below the 80k step budget (the rest of a step, the
    /// proof opening and state hashing, costs about 52-58k): every opcode on operands that take
    /// its longest path (normal and subnormal operands, long significands).
    function test_mathGasStaysSmall() public view {
        uint256[6] memory xs = [
            uint256(0x3ff6a09e667f3bcd),
            0x000fffffffffffff,
            0x7fefffffffffffff,
            0x0000000000000001,
            0x3fb504f3,
            0x007fffff
        ];
        uint256 worst;
        uint256 worstOp;
        for (uint256 op = 0xb0; op < 0x100; op++) {
            for (uint256 i = 0; i < xs.length; i++) {
                uint256 g = gasleft();
                (bool valid,,) = FloatOps.exec(op, xs[i], xs[(i + 1) % xs.length]);
                g -= gasleft();
                if (valid && g > worst) (worst, worstOp) = (g, op);
            }
        }
        console.log("most gas of one float op: %d (opcode %x)", worst, worstOp);
        assertLe(worst, 10_000, "float math of one step");
    }
}
