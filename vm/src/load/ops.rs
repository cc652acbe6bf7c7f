//! Straight-line operators: how each lowers, independent of control flow.

use crate::ValType;
use crate::isa::Opcode as Op;
use wasmparser::Operator;

/// The lowering of one straight-line operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simple {
    /// One instruction without a meaningful immediate.
    Plain(Op),
    /// A memory access: the immediate is the static offset.
    Mem(Op, u64),
    /// `memory.size` / `memory.grow` (touch memory, no immediate).
    MemCtl(Op),
    /// A bulk op: start opcode and step opcode, both with this immediate.
    Bulk(Op, Op, u64),
    /// `data.drop`.
    DataDrop(u64),
    /// Push a constant.
    Const(u64),
    /// Nothing at all (`nop`, reinterpretations).
    Nothing,
    /// A bitwise float op lowered to integer instructions.
    Seq(&'static [(Op, u64)]),
    /// A call into the soft-float library.
    Float(Routine),
}

const F32_SIGN: u64 = 0x8000_0000;
const F64_SIGN: u64 = 1 << 63;

/// `f32.abs`: clear the sign bit.
const F32_ABS: &[(Op, u64)] = &[(Op::Const, F32_SIGN - 1), (Op::I32And, 0)];
/// `f32.neg`: flip the sign bit.
const F32_NEG: &[(Op, u64)] = &[(Op::Const, F32_SIGN), (Op::I32Xor, 0)];
/// `f32.copysign a b`: `(a & !SIGN) | (b & SIGN)`, keeping `b & SIGN` on the aux stack.
const F32_COPYSIGN: &[(Op, u64)] = &[
    (Op::Const, F32_SIGN),
    (Op::I32And, 0),
    (Op::MoveToAux, 0),
    (Op::Const, F32_SIGN - 1),
    (Op::I32And, 0),
    (Op::MoveFromAux, 0),
    (Op::I32Or, 0),
];
const F64_ABS: &[(Op, u64)] = &[(Op::Const, F64_SIGN - 1), (Op::I64And, 0)];
const F64_NEG: &[(Op, u64)] = &[(Op::Const, F64_SIGN), (Op::I64Xor, 0)];
const F64_COPYSIGN: &[(Op, u64)] = &[
    (Op::Const, F64_SIGN),
    (Op::I64And, 0),
    (Op::MoveToAux, 0),
    (Op::Const, F64_SIGN - 1),
    (Op::I64And, 0),
    (Op::MoveFromAux, 0),
    (Op::I64Or, 0),
];

/// The lowering of a straight-line operator; `None` for control flow, locals, globals, calls
/// and anything outside the profile (handled by the caller).
pub(crate) fn simple(op: &Operator<'_>) -> Option<Simple> {
    use Operator as O;
    use Simple::*;
    Some(match *op {
        O::Nop => Nothing,
        O::Drop => Plain(Op::Drop),
        O::Select | O::TypedSelect { .. } => Plain(Op::Select),
        O::I32Const { value } => Const(u64::from(value as u32)),
        O::I64Const { value } => Const(value as u64),
        O::F32Const { value } => Const(u64::from(value.bits())),
        O::F64Const { value } => Const(value.bits()),

        O::I32Load { memarg } | O::F32Load { memarg } => Mem(Op::I32Load, memarg.offset),
        O::I64Load { memarg } | O::F64Load { memarg } => Mem(Op::I64Load, memarg.offset),
        O::I32Load8S { memarg } => Mem(Op::I32Load8S, memarg.offset),
        O::I32Load8U { memarg } => Mem(Op::I32Load8U, memarg.offset),
        O::I32Load16S { memarg } => Mem(Op::I32Load16S, memarg.offset),
        O::I32Load16U { memarg } => Mem(Op::I32Load16U, memarg.offset),
        O::I64Load8S { memarg } => Mem(Op::I64Load8S, memarg.offset),
        O::I64Load8U { memarg } => Mem(Op::I64Load8U, memarg.offset),
        O::I64Load16S { memarg } => Mem(Op::I64Load16S, memarg.offset),
        O::I64Load16U { memarg } => Mem(Op::I64Load16U, memarg.offset),
        O::I64Load32S { memarg } => Mem(Op::I64Load32S, memarg.offset),
        O::I64Load32U { memarg } => Mem(Op::I64Load32U, memarg.offset),
        O::I32Store { memarg } | O::F32Store { memarg } => Mem(Op::I32Store, memarg.offset),
        O::I64Store { memarg } | O::F64Store { memarg } => Mem(Op::I64Store, memarg.offset),
        O::I32Store8 { memarg } => Mem(Op::I32Store8, memarg.offset),
        O::I32Store16 { memarg } => Mem(Op::I32Store16, memarg.offset),
        O::I64Store8 { memarg } => Mem(Op::I64Store8, memarg.offset),
        O::I64Store16 { memarg } => Mem(Op::I64Store16, memarg.offset),
        O::I64Store32 { memarg } => Mem(Op::I64Store32, memarg.offset),
        O::MemorySize { .. } => MemCtl(Op::MemorySize),
        O::MemoryGrow { .. } => MemCtl(Op::MemoryGrow),
        O::MemoryFill { .. } => Bulk(Op::MemoryFill, Op::FillStep, 0),
        O::MemoryCopy { .. } => Bulk(Op::MemoryCopy, Op::CopyStep, 0),
        O::MemoryInit { data_index, .. } => {
            Bulk(Op::MemoryInit, Op::InitStep, u64::from(data_index))
        }
        O::DataDrop { data_index } => DataDrop(u64::from(data_index)),

        O::I32Eqz => Plain(Op::I32Eqz),
        O::I32Eq => Plain(Op::I32Eq),
        O::I32Ne => Plain(Op::I32Ne),
        O::I32LtS => Plain(Op::I32LtS),
        O::I32LtU => Plain(Op::I32LtU),
        O::I32GtS => Plain(Op::I32GtS),
        O::I32GtU => Plain(Op::I32GtU),
        O::I32LeS => Plain(Op::I32LeS),
        O::I32LeU => Plain(Op::I32LeU),
        O::I32GeS => Plain(Op::I32GeS),
        O::I32GeU => Plain(Op::I32GeU),
        O::I32Clz => Plain(Op::I32Clz),
        O::I32Ctz => Plain(Op::I32Ctz),
        O::I32Popcnt => Plain(Op::I32Popcnt),
        O::I32Add => Plain(Op::I32Add),
        O::I32Sub => Plain(Op::I32Sub),
        O::I32Mul => Plain(Op::I32Mul),
        O::I32DivS => Plain(Op::I32DivS),
        O::I32DivU => Plain(Op::I32DivU),
        O::I32RemS => Plain(Op::I32RemS),
        O::I32RemU => Plain(Op::I32RemU),
        O::I32And => Plain(Op::I32And),
        O::I32Or => Plain(Op::I32Or),
        O::I32Xor => Plain(Op::I32Xor),
        O::I32Shl => Plain(Op::I32Shl),
        O::I32ShrS => Plain(Op::I32ShrS),
        O::I32ShrU => Plain(Op::I32ShrU),
        O::I32Rotl => Plain(Op::I32Rotl),
        O::I32Rotr => Plain(Op::I32Rotr),
        O::I32WrapI64 => Plain(Op::I32WrapI64),
        O::I32Extend8S => Plain(Op::I32Extend8S),
        O::I32Extend16S => Plain(Op::I32Extend16S),

        O::I64Eqz => Plain(Op::I64Eqz),
        O::I64Eq => Plain(Op::I64Eq),
        O::I64Ne => Plain(Op::I64Ne),
        O::I64LtS => Plain(Op::I64LtS),
        O::I64LtU => Plain(Op::I64LtU),
        O::I64GtS => Plain(Op::I64GtS),
        O::I64GtU => Plain(Op::I64GtU),
        O::I64LeS => Plain(Op::I64LeS),
        O::I64LeU => Plain(Op::I64LeU),
        O::I64GeS => Plain(Op::I64GeS),
        O::I64GeU => Plain(Op::I64GeU),
        O::I64Clz => Plain(Op::I64Clz),
        O::I64Ctz => Plain(Op::I64Ctz),
        O::I64Popcnt => Plain(Op::I64Popcnt),
        O::I64Add => Plain(Op::I64Add),
        O::I64Sub => Plain(Op::I64Sub),
        O::I64Mul => Plain(Op::I64Mul),
        O::I64DivS => Plain(Op::I64DivS),
        O::I64DivU => Plain(Op::I64DivU),
        O::I64RemS => Plain(Op::I64RemS),
        O::I64RemU => Plain(Op::I64RemU),
        O::I64And => Plain(Op::I64And),
        O::I64Or => Plain(Op::I64Or),
        O::I64Xor => Plain(Op::I64Xor),
        O::I64Shl => Plain(Op::I64Shl),
        O::I64ShrS => Plain(Op::I64ShrS),
        O::I64ShrU => Plain(Op::I64ShrU),
        O::I64Rotl => Plain(Op::I64Rotl),
        O::I64Rotr => Plain(Op::I64Rotr),
        O::I64ExtendI32S => Plain(Op::I64ExtendI32S),
        O::I64ExtendI32U => Plain(Op::I64ExtendI32U),
        O::I64Extend8S => Plain(Op::I64Extend8S),
        O::I64Extend16S => Plain(Op::I64Extend16S),
        O::I64Extend32S => Plain(Op::I64Extend32S),

        O::I32ReinterpretF32
        | O::I64ReinterpretF64
        | O::F32ReinterpretI32
        | O::F64ReinterpretI64 => Nothing,
        O::F32Abs => Seq(F32_ABS),
        O::F32Neg => Seq(F32_NEG),
        O::F32Copysign => Seq(F32_COPYSIGN),
        O::F64Abs => Seq(F64_ABS),
        O::F64Neg => Seq(F64_NEG),
        O::F64Copysign => Seq(F64_COPYSIGN),
        _ => return float_routine(op).map(Float),
    })
}

use ValType::{I32 as W, I64 as D};

/// Integer signatures of the routines: `(params, result)`.
const UN_W: (&[ValType], ValType) = (&[W], W);
const BIN_W: (&[ValType], ValType) = (&[W, W], W);
const UN_D: (&[ValType], ValType) = (&[D], D);
const BIN_D: (&[ValType], ValType) = (&[D, D], D);
const CMP_D: (&[ValType], ValType) = (&[D, D], W);
const D_TO_W: (&[ValType], ValType) = (&[D], W);
const W_TO_D: (&[ValType], ValType) = (&[W], D);

/// A routine's export name and its integer signature.
pub(crate) type Routine = (&'static str, (&'static [ValType], ValType));

/// The soft-float routine a float operator calls, named after the operator (`.` → `_`).
pub(crate) fn float_routine(op: &Operator<'_>) -> Option<Routine> {
    use Operator as O;
    Some(match op {
        O::F32Eq => ("f32_eq", BIN_W),
        O::F32Ne => ("f32_ne", BIN_W),
        O::F32Lt => ("f32_lt", BIN_W),
        O::F32Gt => ("f32_gt", BIN_W),
        O::F32Le => ("f32_le", BIN_W),
        O::F32Ge => ("f32_ge", BIN_W),
        O::F64Eq => ("f64_eq", CMP_D),
        O::F64Ne => ("f64_ne", CMP_D),
        O::F64Lt => ("f64_lt", CMP_D),
        O::F64Gt => ("f64_gt", CMP_D),
        O::F64Le => ("f64_le", CMP_D),
        O::F64Ge => ("f64_ge", CMP_D),
        O::F32Ceil => ("f32_ceil", UN_W),
        O::F32Floor => ("f32_floor", UN_W),
        O::F32Trunc => ("f32_trunc", UN_W),
        O::F32Nearest => ("f32_nearest", UN_W),
        O::F32Sqrt => ("f32_sqrt", UN_W),
        O::F32Add => ("f32_add", BIN_W),
        O::F32Sub => ("f32_sub", BIN_W),
        O::F32Mul => ("f32_mul", BIN_W),
        O::F32Div => ("f32_div", BIN_W),
        O::F32Min => ("f32_min", BIN_W),
        O::F32Max => ("f32_max", BIN_W),
        O::F64Ceil => ("f64_ceil", UN_D),
        O::F64Floor => ("f64_floor", UN_D),
        O::F64Trunc => ("f64_trunc", UN_D),
        O::F64Nearest => ("f64_nearest", UN_D),
        O::F64Sqrt => ("f64_sqrt", UN_D),
        O::F64Add => ("f64_add", BIN_D),
        O::F64Sub => ("f64_sub", BIN_D),
        O::F64Mul => ("f64_mul", BIN_D),
        O::F64Div => ("f64_div", BIN_D),
        O::F64Min => ("f64_min", BIN_D),
        O::F64Max => ("f64_max", BIN_D),
        O::I32TruncF32S => ("i32_trunc_f32_s", UN_W),
        O::I32TruncF32U => ("i32_trunc_f32_u", UN_W),
        O::I32TruncF64S => ("i32_trunc_f64_s", D_TO_W),
        O::I32TruncF64U => ("i32_trunc_f64_u", D_TO_W),
        O::I64TruncF32S => ("i64_trunc_f32_s", W_TO_D),
        O::I64TruncF32U => ("i64_trunc_f32_u", W_TO_D),
        O::I64TruncF64S => ("i64_trunc_f64_s", UN_D),
        O::I64TruncF64U => ("i64_trunc_f64_u", UN_D),
        O::I32TruncSatF32S => ("i32_trunc_sat_f32_s", UN_W),
        O::I32TruncSatF32U => ("i32_trunc_sat_f32_u", UN_W),
        O::I32TruncSatF64S => ("i32_trunc_sat_f64_s", D_TO_W),
        O::I32TruncSatF64U => ("i32_trunc_sat_f64_u", D_TO_W),
        O::I64TruncSatF32S => ("i64_trunc_sat_f32_s", W_TO_D),
        O::I64TruncSatF32U => ("i64_trunc_sat_f32_u", W_TO_D),
        O::I64TruncSatF64S => ("i64_trunc_sat_f64_s", UN_D),
        O::I64TruncSatF64U => ("i64_trunc_sat_f64_u", UN_D),
        O::F32ConvertI32S => ("f32_convert_i32_s", UN_W),
        O::F32ConvertI32U => ("f32_convert_i32_u", UN_W),
        O::F32ConvertI64S => ("f32_convert_i64_s", D_TO_W),
        O::F32ConvertI64U => ("f32_convert_i64_u", D_TO_W),
        O::F64ConvertI32S => ("f64_convert_i32_s", W_TO_D),
        O::F64ConvertI32U => ("f64_convert_i32_u", W_TO_D),
        O::F64ConvertI64S => ("f64_convert_i64_s", UN_D),
        O::F64ConvertI64U => ("f64_convert_i64_u", UN_D),
        O::F32DemoteF64 => ("f32_demote_f64", D_TO_W),
        O::F64PromoteF32 => ("f64_promote_f32", W_TO_D),
        _ => return None,
    })
}
