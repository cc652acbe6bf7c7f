//! Every arithmetic opcode through the dispatch loop.

use super::{apply, assert_code_traps, run_code};
use crate::isa::Opcode::{self, *};
use crate::{Status, TrapCode};

const N1: u64 = 0xffff_ffff; // i32 -1
const M32: u64 = 0x8000_0000;
const M64: u64 = 1 << 63;

fn check(op: Opcode, args: &[u64], want: u64) {
    let m = run_code(apply(args, op, 0));
    assert_eq!(m.status(), Status::Halted, "{op:?}");
    assert_eq!(m.stack(), &[want], "{op:?}{args:?}");
}

#[test]
fn i32_ops() {
    let cases: &[(Opcode, &[u64], u64)] = &[
        (I32Eqz, &[0], 1),
        (I32Eqz, &[5], 0),
        (I32Eq, &[3, 3], 1),
        (I32Ne, &[3, 3], 0),
        (I32LtS, &[N1, 0], 1),
        (I32LtU, &[N1, 0], 0),
        (I32GtS, &[N1, 0], 0),
        (I32GtU, &[N1, 0], 1),
        (I32LeS, &[5, 5], 1),
        (I32LeU, &[6, 5], 0),
        (I32GeS, &[M32, 0], 0),
        (I32GeU, &[M32, 0], 1),
        (I32Clz, &[1], 31),
        (I32Ctz, &[M32], 31),
        (I32Popcnt, &[N1], 32),
        (I32Add, &[N1, 1], 0),
        (I32Sub, &[1, 2], N1),
        (I32Mul, &[M32, 2], 0),
        (I32DivS, &[N1 - 9, 3], N1 - 2),
        (I32DivU, &[N1, 16], 0x0fff_ffff),
        (I32RemS, &[N1 - 9, 3], N1),
        (I32RemU, &[10, 3], 1),
        (I32And, &[0b1100, 0b1010], 0b1000),
        (I32Or, &[0b1100, 0b1010], 0b1110),
        (I32Xor, &[0b1100, 0b1010], 0b0110),
        (I32Shl, &[1, 35], 8),
        (I32ShrS, &[M32, 4], 0xf800_0000),
        (I32ShrU, &[M32, 4], 0x0800_0000),
        (I32Rotl, &[M32 | 1, 1], 3),
        (I32Rotr, &[3, 1], M32 | 1),
        (I32WrapI64, &[0x1_2345_6789], 0x2345_6789),
        (I32Extend8S, &[0x80], 0xffff_ff80),
        (I32Extend16S, &[0x7fff], 0x7fff),
    ];
    for (op, args, want) in cases {
        check(*op, args, *want);
    }
}

#[test]
fn i64_ops() {
    let cases: &[(Opcode, &[u64], u64)] = &[
        (I64Eqz, &[0], 1),
        (I64Eq, &[M64, M64], 1),
        (I64Ne, &[1, 2], 1),
        (I64LtS, &[u64::MAX, 0], 1),
        (I64LtU, &[u64::MAX, 0], 0),
        (I64GtS, &[1, u64::MAX], 1),
        (I64GtU, &[1, u64::MAX], 0),
        (I64LeS, &[M64, 0], 1),
        (I64LeU, &[M64, 0], 0),
        (I64GeS, &[0, 0], 1),
        (I64GeU, &[0, 1], 0),
        (I64Clz, &[1], 63),
        (I64Ctz, &[M64], 63),
        (I64Popcnt, &[0xff00], 8),
        (I64Add, &[u64::MAX, 2], 1),
        (I64Sub, &[0, 1], u64::MAX),
        (I64Mul, &[1 << 32, 1 << 32], 0),
        (I64DivS, &[(-9i64) as u64, 2], (-4i64) as u64),
        (I64DivU, &[u64::MAX, 2], u64::MAX / 2),
        (I64RemS, &[(-9i64) as u64, 2], u64::MAX),
        (I64RemU, &[9, 4], 1),
        (I64And, &[6, 3], 2),
        (I64Or, &[6, 3], 7),
        (I64Xor, &[6, 3], 5),
        (I64Shl, &[1, 67], 8),
        (I64ShrS, &[M64, 63], u64::MAX),
        (I64ShrU, &[M64, 63], 1),
        (I64Rotl, &[M64, 1], 1),
        (I64Rotr, &[1, 1], M64),
        (I64ExtendI32S, &[M32], 0xffff_ffff_8000_0000),
        (I64ExtendI32U, &[M32], M32),
        (I64Extend8S, &[0xff], u64::MAX),
        (I64Extend16S, &[0x8000], 0xffff_ffff_ffff_8000),
        (I64Extend32S, &[0x7fff_ffff], 0x7fff_ffff),
    ];
    for (op, args, want) in cases {
        check(*op, args, *want);
    }
}

#[test]
fn division_traps_leave_the_state_unchanged() {
    for op in [
        I32DivS, I32DivU, I32RemS, I32RemU, I64DivS, I64DivU, I64RemS, I64RemU,
    ] {
        assert_code_traps(apply(&[7, 0], op, 0), TrapCode::IntegerDivideByZero);
    }
    assert_code_traps(apply(&[M32, N1], I32DivS, 0), TrapCode::IntegerOverflow);
    assert_code_traps(
        apply(&[M64, u64::MAX], I64DivS, 0),
        TrapCode::IntegerOverflow,
    );
    check(I32RemS, &[M32, N1], 0);
    check(I64RemS, &[M64, u64::MAX], 0);
}

#[test]
fn unreachable_and_trap_opcodes() {
    let m = assert_code_traps(apply(&[], Unreachable, 0), TrapCode::Unreachable);
    assert_eq!(m.pc(), 0);
    assert_code_traps(apply(&[1], Trap, 5), TrapCode::InvalidConversionToInteger);
}
