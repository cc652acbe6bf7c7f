//! The lowered instruction set: one opcode numbering, defined once, append-only.
//!
//! This table is consensus data. The Solidity verifier's opcode constants are generated from
//! it (`stepcheck/src/opcodes.rs` writes `contracts/src/lib/Opcodes.sol`, checked by a test), and
//! `docs/isa.md` lists each entry (generated, checked by a test). Never renumber
//! an opcode or change its pops/pushes: append new ones at the end of a group's range instead.
//!
//! An instruction is `(opcode: u16, imm: u64)`, 10 bytes when hashed (big-endian).

macro_rules! opcodes {
    ($( $(#[$doc:meta])* $name:ident = $num:literal, pops $pops:literal, pushes $pushes:literal; )*) => {
        /// A lowered opcode. The discriminant is its consensus number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Opcode {
            $( $(#[$doc])* $name = $num, )*
        }

        impl Opcode {
            /// Every opcode, in numbering order.
            pub const ALL: &'static [Opcode] = &[ $( Opcode::$name, )* ];

            /// The opcode with consensus number `n`, if any.
            pub const fn from_u16(n: u16) -> Option<Opcode> {
                match n {
                    $( $num => Some(Opcode::$name), )*
                    _ => None,
                }
            }

            /// The opcode's name, as used in docs and the Solidity constants (`OP_<NAME>`).
            pub const fn name(self) -> &'static str {
                match self { $( Opcode::$name => stringify!($name), )* }
            }

            /// How many values the opcode pops from the value stack (its proof reveals them).
            pub const fn pops(self) -> u8 {
                match self { $( Opcode::$name => $pops, )* }
            }

            /// How many values the opcode pushes onto the value stack.
            pub const fn pushes(self) -> u8 {
                match self { $( Opcode::$name => $pushes, )* }
            }
        }
    };
}

opcodes! {
    // ---- control: 0x00..0x1f -------------------------------------------------------------
    /// Trap with `TrapCode::Unreachable`.
    Unreachable = 0x00, pops 0, pushes 0;
    /// Set status halted. The machine then steps to itself.
    Halt = 0x01, pops 0, pushes 0;
    /// `pc = imm`.
    Jump = 0x02, pops 0, pushes 0;
    /// Pop `c` (i32); `pc = imm` if `c != 0`, else `pc + 1`.
    JumpIf = 0x03, pops 1, pushes 0;
    /// Pop `c` (i32); `pc = imm` if `c == 0`, else `pc + 1`.
    JumpIfNot = 0x04, pops 1, pushes 0;
    /// Pop `i` (i32); `pc = pc + 1 + min(i, imm)`. Followed by `imm + 1` `Jump`s.
    BrTable = 0x05, pops 1, pushes 0;
    /// Push frame `(pc + 1, locals)`; `locals = EMPTY_LOCALS`; `pc = imm & 0xffff_ffff`.
    /// `imm >> 32` is the callee's number of locals (params included).
    /// Traps `CallStackExhausted` at the call-depth limit.
    Call = 0x06, pops 0, pushes 0;
    /// Pop table index `i` (i32); the table entry must exist and have type id `imm`; then as `Call`.
    CallIndirect = 0x07, pops 1, pushes 0;
    /// Pop frame `(return_pc, locals)`; `pc = return_pc`, `locals` restored.
    Return = 0x08, pops 0, pushes 0;
    /// Pop one value.
    Drop = 0x09, pops 1, pushes 0;
    /// Pop `c`, `b`, `a`; push `c != 0 ? a : b`.
    Select = 0x0a, pops 3, pushes 1;
    /// Pop a value and push it onto the aux stack (used to keep values across a branch's drop).
    MoveToAux = 0x0b, pops 1, pushes 0;
    /// Pop the aux stack and push the value onto the value stack.
    MoveFromAux = 0x0c, pops 0, pushes 1;
    /// Push local `imm`.
    LocalGet = 0x0d, pops 0, pushes 1;
    /// Pop into local `imm`.
    LocalSet = 0x0e, pops 1, pushes 0;
    /// Set local `imm` to the top value, leaving it on the stack.
    LocalTee = 0x0f, pops 1, pushes 1;
    /// Push global `imm` (mutable globals only; immutable ones lower to `Const`).
    GlobalGet = 0x10, pops 0, pushes 1;
    /// Pop into global `imm`.
    GlobalSet = 0x11, pops 1, pushes 0;
    /// Push `imm` (i32 and f32 constants zero-extended).
    Const = 0x12, pops 0, pushes 1;
    /// Trap with trap code `imm` (the soft-float library's conversion traps lower to this).
    Trap = 0x13, pops 0, pushes 0;
    /// End a segment at a boundary: with no frame and empty value and aux stacks, status
    /// yielded, `pc = imm`, locals, bulk registers and `segment_steps` reset; otherwise trap
    /// `YieldOutsideBoundary` (machine v2).
    Yield = 0x14, pops 0, pushes 0;

    // ---- memory: 0x20..0x3f (imm = the static offset) --------------------------------------
    /// i32.load (also f32.load).
    I32Load = 0x20, pops 1, pushes 1;
    /// i64.load (also f64.load).
    I64Load = 0x21, pops 1, pushes 1;
    /// i32.load8_s
    I32Load8S = 0x22, pops 1, pushes 1;
    /// i32.load8_u
    I32Load8U = 0x23, pops 1, pushes 1;
    /// i32.load16_s
    I32Load16S = 0x24, pops 1, pushes 1;
    /// i32.load16_u
    I32Load16U = 0x25, pops 1, pushes 1;
    /// i64.load8_s
    I64Load8S = 0x26, pops 1, pushes 1;
    /// i64.load8_u
    I64Load8U = 0x27, pops 1, pushes 1;
    /// i64.load16_s
    I64Load16S = 0x28, pops 1, pushes 1;
    /// i64.load16_u
    I64Load16U = 0x29, pops 1, pushes 1;
    /// i64.load32_s
    I64Load32S = 0x2a, pops 1, pushes 1;
    /// i64.load32_u
    I64Load32U = 0x2b, pops 1, pushes 1;
    /// i32.store (also f32.store)
    I32Store = 0x2c, pops 2, pushes 0;
    /// i64.store (also f64.store)
    I64Store = 0x2d, pops 2, pushes 0;
    /// i32.store8
    I32Store8 = 0x2e, pops 2, pushes 0;
    /// i32.store16
    I32Store16 = 0x2f, pops 2, pushes 0;
    /// i64.store8
    I64Store8 = 0x30, pops 2, pushes 0;
    /// i64.store16
    I64Store16 = 0x31, pops 2, pushes 0;
    /// i64.store32
    I64Store32 = 0x32, pops 2, pushes 0;
    /// Push the memory size in pages.
    MemorySize = 0x33, pops 0, pushes 1;
    /// Pop `n`; grow by `n` pages and push the old size, or push `-1` (u32::MAX) past the limit.
    MemoryGrow = 0x34, pops 1, pushes 1;

    // ---- bulk and host: 0x40..0x4f ----------------------------------------------------------
    /// Pop `n`, `val`, `d`; trap if `d + n > memory size`; bulk = (dst d, src val & 0xff, len n).
    MemoryFill = 0x40, pops 3, pushes 0;
    /// Pop `n`, `s`, `d`; trap if out of bounds; bulk = (d, s, n).
    MemoryCopy = 0x41, pops 3, pushes 0;
    /// Pop `n`, `s`, `d`; segment `imm`; trap if out of bounds; bulk = (d, s, n).
    MemoryInit = 0x42, pops 3, pushes 0;
    /// Drop data segment `imm` (its length becomes 0).
    DataDrop = 0x43, pops 0, pushes 0;
    /// If bulk.len == 0: `pc + 1`. Else fill one chunk (within one leaf); stay at `pc`.
    FillStep = 0x44, pops 0, pushes 0;
    /// If bulk.len == 0: `pc + 1`. Else copy one chunk (one src leaf, one dst leaf); stay.
    CopyStep = 0x45, pops 0, pushes 0;
    /// If bulk.len == 0: `pc + 1`. Else copy one chunk of segment `imm` into memory; stay.
    InitStep = 0x46, pops 0, pushes 0;
    /// Host `opml.input_len() -> i32`: push the input length.
    InputLen = 0x47, pops 0, pushes 1;
    /// Host `opml.input_read(ptr, offset, len)`: pop `len`, `offset`, `ptr`; trap if out of
    /// bounds of input or memory; bulk = (ptr, offset, len).
    InputRead = 0x48, pops 3, pushes 0;
    /// If bulk.len == 0: `pc + 1`. Else copy one chunk of input into memory; stay.
    InputReadStep = 0x49, pops 0, pushes 0;
    /// Host `opml.output_write(ptr, len)`: pop `len`, `ptr`; trap if out of bounds;
    /// bulk = (0, ptr, len).
    OutputWrite = 0x4a, pops 2, pushes 0;
    /// If bulk.len == 0: `pc + 1`. Else append one chunk of memory to the output; stay.
    OutputWriteStep = 0x4b, pops 0, pushes 0;

    // ---- i32: 0x50..0x7f ------------------------------------------------------------------
    /// i32.eqz
    I32Eqz = 0x50, pops 1, pushes 1;
    /// i32.eq
    I32Eq = 0x51, pops 2, pushes 1;
    /// i32.ne
    I32Ne = 0x52, pops 2, pushes 1;
    /// i32.lt_s
    I32LtS = 0x53, pops 2, pushes 1;
    /// i32.lt_u
    I32LtU = 0x54, pops 2, pushes 1;
    /// i32.gt_s
    I32GtS = 0x55, pops 2, pushes 1;
    /// i32.gt_u
    I32GtU = 0x56, pops 2, pushes 1;
    /// i32.le_s
    I32LeS = 0x57, pops 2, pushes 1;
    /// i32.le_u
    I32LeU = 0x58, pops 2, pushes 1;
    /// i32.ge_s
    I32GeS = 0x59, pops 2, pushes 1;
    /// i32.ge_u
    I32GeU = 0x5a, pops 2, pushes 1;
    /// i32.clz
    I32Clz = 0x5b, pops 1, pushes 1;
    /// i32.ctz
    I32Ctz = 0x5c, pops 1, pushes 1;
    /// i32.popcnt
    I32Popcnt = 0x5d, pops 1, pushes 1;
    /// i32.add
    I32Add = 0x5e, pops 2, pushes 1;
    /// i32.sub
    I32Sub = 0x5f, pops 2, pushes 1;
    /// i32.mul
    I32Mul = 0x60, pops 2, pushes 1;
    /// i32.div_s (traps: divide by zero, overflow)
    I32DivS = 0x61, pops 2, pushes 1;
    /// i32.div_u (traps: divide by zero)
    I32DivU = 0x62, pops 2, pushes 1;
    /// i32.rem_s (traps: divide by zero)
    I32RemS = 0x63, pops 2, pushes 1;
    /// i32.rem_u (traps: divide by zero)
    I32RemU = 0x64, pops 2, pushes 1;
    /// i32.and
    I32And = 0x65, pops 2, pushes 1;
    /// i32.or
    I32Or = 0x66, pops 2, pushes 1;
    /// i32.xor
    I32Xor = 0x67, pops 2, pushes 1;
    /// i32.shl
    I32Shl = 0x68, pops 2, pushes 1;
    /// i32.shr_s
    I32ShrS = 0x69, pops 2, pushes 1;
    /// i32.shr_u
    I32ShrU = 0x6a, pops 2, pushes 1;
    /// i32.rotl
    I32Rotl = 0x6b, pops 2, pushes 1;
    /// i32.rotr
    I32Rotr = 0x6c, pops 2, pushes 1;
    /// i32.wrap_i64
    I32WrapI64 = 0x6d, pops 1, pushes 1;
    /// i32.extend8_s
    I32Extend8S = 0x6e, pops 1, pushes 1;
    /// i32.extend16_s
    I32Extend16S = 0x6f, pops 1, pushes 1;

    // ---- i64: 0x80..0xaf ------------------------------------------------------------------
    /// i64.eqz
    I64Eqz = 0x80, pops 1, pushes 1;
    /// i64.eq
    I64Eq = 0x81, pops 2, pushes 1;
    /// i64.ne
    I64Ne = 0x82, pops 2, pushes 1;
    /// i64.lt_s
    I64LtS = 0x83, pops 2, pushes 1;
    /// i64.lt_u
    I64LtU = 0x84, pops 2, pushes 1;
    /// i64.gt_s
    I64GtS = 0x85, pops 2, pushes 1;
    /// i64.gt_u
    I64GtU = 0x86, pops 2, pushes 1;
    /// i64.le_s
    I64LeS = 0x87, pops 2, pushes 1;
    /// i64.le_u
    I64LeU = 0x88, pops 2, pushes 1;
    /// i64.ge_s
    I64GeS = 0x89, pops 2, pushes 1;
    /// i64.ge_u
    I64GeU = 0x8a, pops 2, pushes 1;
    /// i64.clz
    I64Clz = 0x8b, pops 1, pushes 1;
    /// i64.ctz
    I64Ctz = 0x8c, pops 1, pushes 1;
    /// i64.popcnt
    I64Popcnt = 0x8d, pops 1, pushes 1;
    /// i64.add
    I64Add = 0x8e, pops 2, pushes 1;
    /// i64.sub
    I64Sub = 0x8f, pops 2, pushes 1;
    /// i64.mul
    I64Mul = 0x90, pops 2, pushes 1;
    /// i64.div_s
    I64DivS = 0x91, pops 2, pushes 1;
    /// i64.div_u
    I64DivU = 0x92, pops 2, pushes 1;
    /// i64.rem_s
    I64RemS = 0x93, pops 2, pushes 1;
    /// i64.rem_u
    I64RemU = 0x94, pops 2, pushes 1;
    /// i64.and
    I64And = 0x95, pops 2, pushes 1;
    /// i64.or
    I64Or = 0x96, pops 2, pushes 1;
    /// i64.xor
    I64Xor = 0x97, pops 2, pushes 1;
    /// i64.shl
    I64Shl = 0x98, pops 2, pushes 1;
    /// i64.shr_s
    I64ShrS = 0x99, pops 2, pushes 1;
    /// i64.shr_u
    I64ShrU = 0x9a, pops 2, pushes 1;
    /// i64.rotl
    I64Rotl = 0x9b, pops 2, pushes 1;
    /// i64.rotr
    I64Rotr = 0x9c, pops 2, pushes 1;
    /// i64.extend_i32_s
    I64ExtendI32S = 0x9d, pops 1, pushes 1;
    /// i64.extend_i32_u
    I64ExtendI32U = 0x9e, pops 1, pushes 1;
    /// i64.extend8_s
    I64Extend8S = 0x9f, pops 1, pushes 1;
    /// i64.extend16_s
    I64Extend16S = 0xa0, pops 1, pushes 1;
    /// i64.extend32_s
    I64Extend32S = 0xa1, pops 1, pushes 1;

    // ---- f32: 0xb0..0xcf (machine v2). f64 uses the same order from 0xd0, so
    // `k = op - base` selects the operation. Binary ops compute `x1 op x0` (x0 = the top);
    // NaN results are canonical (docs/floats.md).
    /// f32.eq
    F32Eq = 0xb0, pops 2, pushes 1;
    /// f32.ne
    F32Ne = 0xb1, pops 2, pushes 1;
    /// f32.lt
    F32Lt = 0xb2, pops 2, pushes 1;
    /// f32.gt
    F32Gt = 0xb3, pops 2, pushes 1;
    /// f32.le
    F32Le = 0xb4, pops 2, pushes 1;
    /// f32.ge
    F32Ge = 0xb5, pops 2, pushes 1;
    /// f32.abs
    F32Abs = 0xb6, pops 1, pushes 1;
    /// f32.neg
    F32Neg = 0xb7, pops 1, pushes 1;
    /// f32.ceil
    F32Ceil = 0xb8, pops 1, pushes 1;
    /// f32.floor
    F32Floor = 0xb9, pops 1, pushes 1;
    /// f32.trunc
    F32Trunc = 0xba, pops 1, pushes 1;
    /// f32.nearest
    F32Nearest = 0xbb, pops 1, pushes 1;
    /// f32.sqrt
    F32Sqrt = 0xbc, pops 1, pushes 1;
    /// f32.add
    F32Add = 0xbd, pops 2, pushes 1;
    /// f32.sub
    F32Sub = 0xbe, pops 2, pushes 1;
    /// f32.mul
    F32Mul = 0xbf, pops 2, pushes 1;
    /// f32.div
    F32Div = 0xc0, pops 2, pushes 1;
    /// f32.min
    F32Min = 0xc1, pops 2, pushes 1;
    /// f32.max
    F32Max = 0xc2, pops 2, pushes 1;
    /// f32.copysign
    F32Copysign = 0xc3, pops 2, pushes 1;
    /// f32.convert_i32_s
    F32ConvertI32S = 0xc4, pops 1, pushes 1;
    /// f32.convert_i32_u
    F32ConvertI32U = 0xc5, pops 1, pushes 1;
    /// f32.convert_i64_s
    F32ConvertI64S = 0xc6, pops 1, pushes 1;
    /// f32.convert_i64_u
    F32ConvertI64U = 0xc7, pops 1, pushes 1;
    /// f32.demote_f64
    F32DemoteF64 = 0xc8, pops 1, pushes 1;

    // ---- f64: 0xd0..0xef (machine v2) ---------------------------------------------------------
    /// f64.eq
    F64Eq = 0xd0, pops 2, pushes 1;
    /// f64.ne
    F64Ne = 0xd1, pops 2, pushes 1;
    /// f64.lt
    F64Lt = 0xd2, pops 2, pushes 1;
    /// f64.gt
    F64Gt = 0xd3, pops 2, pushes 1;
    /// f64.le
    F64Le = 0xd4, pops 2, pushes 1;
    /// f64.ge
    F64Ge = 0xd5, pops 2, pushes 1;
    /// f64.abs
    F64Abs = 0xd6, pops 1, pushes 1;
    /// f64.neg
    F64Neg = 0xd7, pops 1, pushes 1;
    /// f64.ceil
    F64Ceil = 0xd8, pops 1, pushes 1;
    /// f64.floor
    F64Floor = 0xd9, pops 1, pushes 1;
    /// f64.trunc
    F64Trunc = 0xda, pops 1, pushes 1;
    /// f64.nearest
    F64Nearest = 0xdb, pops 1, pushes 1;
    /// f64.sqrt
    F64Sqrt = 0xdc, pops 1, pushes 1;
    /// f64.add
    F64Add = 0xdd, pops 2, pushes 1;
    /// f64.sub
    F64Sub = 0xde, pops 2, pushes 1;
    /// f64.mul
    F64Mul = 0xdf, pops 2, pushes 1;
    /// f64.div
    F64Div = 0xe0, pops 2, pushes 1;
    /// f64.min
    F64Min = 0xe1, pops 2, pushes 1;
    /// f64.max
    F64Max = 0xe2, pops 2, pushes 1;
    /// f64.copysign
    F64Copysign = 0xe3, pops 2, pushes 1;
    /// f64.convert_i32_s
    F64ConvertI32S = 0xe4, pops 1, pushes 1;
    /// f64.convert_i32_u
    F64ConvertI32U = 0xe5, pops 1, pushes 1;
    /// f64.convert_i64_s
    F64ConvertI64S = 0xe6, pops 1, pushes 1;
    /// f64.convert_i64_u
    F64ConvertI64U = 0xe7, pops 1, pushes 1;
    /// f64.promote_f32
    F64PromoteF32 = 0xe8, pops 1, pushes 1;

    // ---- float to integer: 0xf0..0xff (machine v2). Trapping truncations trap
    // `InvalidConversionToInteger` on NaN, `IntegerOverflow` out of range; saturating ones give 0
    // for NaN and the bound past it.
    /// i32.trunc_f32_s
    I32TruncF32S = 0xf0, pops 1, pushes 1;
    /// i32.trunc_f32_u
    I32TruncF32U = 0xf1, pops 1, pushes 1;
    /// i32.trunc_f64_s
    I32TruncF64S = 0xf2, pops 1, pushes 1;
    /// i32.trunc_f64_u
    I32TruncF64U = 0xf3, pops 1, pushes 1;
    /// i64.trunc_f32_s
    I64TruncF32S = 0xf4, pops 1, pushes 1;
    /// i64.trunc_f32_u
    I64TruncF32U = 0xf5, pops 1, pushes 1;
    /// i64.trunc_f64_s
    I64TruncF64S = 0xf6, pops 1, pushes 1;
    /// i64.trunc_f64_u
    I64TruncF64U = 0xf7, pops 1, pushes 1;
    /// i32.trunc_sat_f32_s
    I32TruncSatF32S = 0xf8, pops 1, pushes 1;
    /// i32.trunc_sat_f32_u
    I32TruncSatF32U = 0xf9, pops 1, pushes 1;
    /// i32.trunc_sat_f64_s
    I32TruncSatF64S = 0xfa, pops 1, pushes 1;
    /// i32.trunc_sat_f64_u
    I32TruncSatF64U = 0xfb, pops 1, pushes 1;
    /// i64.trunc_sat_f32_s
    I64TruncSatF32S = 0xfc, pops 1, pushes 1;
    /// i64.trunc_sat_f32_u
    I64TruncSatF32U = 0xfd, pops 1, pushes 1;
    /// i64.trunc_sat_f64_s
    I64TruncSatF64S = 0xfe, pops 1, pushes 1;
    /// i64.trunc_sat_f64_u
    I64TruncSatF64U = 0xff, pops 1, pushes 1;
}

/// One lowered instruction: an opcode and a 64-bit immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instr {
    /// What the instruction does.
    pub op: Opcode,
    /// Its immediate; meaning per opcode (see [`Opcode`]). Zero when unused.
    pub imm: u64,
}

impl Instr {
    /// Width of an encoded instruction in bytes.
    pub const ENCODED_LEN: usize = 10;

    /// An instruction with immediate `imm`.
    pub const fn new(op: Opcode, imm: u64) -> Self {
        Self { op, imm }
    }

    /// An instruction without an immediate.
    pub const fn bare(op: Opcode) -> Self {
        Self { op, imm: 0 }
    }

    /// The consensus encoding: `op (u16 BE) ‖ imm (u64 BE)`.
    pub fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..2].copy_from_slice(&(self.op as u16).to_be_bytes());
        out[2..].copy_from_slice(&self.imm.to_be_bytes());
        out
    }

    /// Decodes [`Instr::encode`]'s bytes; `None` for an unknown opcode.
    pub fn decode(bytes: &[u8; Self::ENCODED_LEN]) -> Option<Self> {
        let op = Opcode::from_u16(u16::from_be_bytes([bytes[0], bytes[1]]))?;
        let mut imm = [0u8; 8];
        imm.copy_from_slice(&bytes[2..]);
        Some(Self {
            op,
            imm: u64::from_be_bytes(imm),
        })
    }
}

/// The opcode table as Markdown: `docs/isa.md` is this text (a test keeps them equal).
pub fn opcodes_markdown() -> String {
    let mut out = String::from(
        "# Opcodes of the lowered code, version 1\n\n\
         GENERATED from `vm/src/isa.rs` by `OPML_BLESS=1 cargo test -p opml-vm isa`. Do not edit.\n\
         Semantics: `docs/machine.md` and the doc comments in `vm/src/isa.rs`.\n\n\
         | number | name | pops | pushes |\n| --- | --- | --- | --- |\n",
    );
    for &op in Opcode::ALL {
        out.push_str(&format!(
            "| `0x{:02x}` | `{}` | {} | {} |\n",
            op as u16,
            op.name(),
            op.pops(),
            op.pushes()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_isa_md_is_generated() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/isa.md");
        let want = opcodes_markdown();
        if std::env::var_os("OPML_BLESS").is_some() {
            std::fs::write(path, &want).expect("write docs/isa.md");
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/isa.md is out of date: run `OPML_BLESS=1 cargo test -p opml-vm isa`"
        );
    }

    #[test]
    fn numbering_is_unique_and_round_trips() {
        let mut seen = std::collections::BTreeSet::new();
        for &op in Opcode::ALL {
            assert!(seen.insert(op as u16), "duplicate number for {}", op.name());
            assert_eq!(Opcode::from_u16(op as u16), Some(op));
            let instr = Instr::new(op, 0x0102_0304_0506_0708);
            assert_eq!(Instr::decode(&instr.encode()), Some(instr));
        }
    }
}
