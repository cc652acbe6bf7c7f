// SPDX-License-Identifier: MIT OR Apache-2.0
// GENERATED from the Rust definitions in vm/src by
// `OPML_BLESS=1 cargo test -p opml-vm --test generated`. Do not edit: these are consensus
// data defined once, in Rust (`vm/src/generated.rs`).
pragma solidity ^0.8.20;

/// @title Opcodes
/// @notice The lowered opcode numbering of `vm/src/isa.rs`, and how many values each pops.
library Opcodes {
    uint256 internal constant OP_Unreachable = 0x00;
    uint256 internal constant OP_Halt = 0x01;
    uint256 internal constant OP_Jump = 0x02;
    uint256 internal constant OP_JumpIf = 0x03;
    uint256 internal constant OP_JumpIfNot = 0x04;
    uint256 internal constant OP_BrTable = 0x05;
    uint256 internal constant OP_Call = 0x06;
    uint256 internal constant OP_CallIndirect = 0x07;
    uint256 internal constant OP_Return = 0x08;
    uint256 internal constant OP_Drop = 0x09;
    uint256 internal constant OP_Select = 0x0a;
    uint256 internal constant OP_MoveToAux = 0x0b;
    uint256 internal constant OP_MoveFromAux = 0x0c;
    uint256 internal constant OP_LocalGet = 0x0d;
    uint256 internal constant OP_LocalSet = 0x0e;
    uint256 internal constant OP_LocalTee = 0x0f;
    uint256 internal constant OP_GlobalGet = 0x10;
    uint256 internal constant OP_GlobalSet = 0x11;
    uint256 internal constant OP_Const = 0x12;
    uint256 internal constant OP_Trap = 0x13;
    uint256 internal constant OP_Yield = 0x14;
    uint256 internal constant OP_I32Load = 0x20;
    uint256 internal constant OP_I64Load = 0x21;
    uint256 internal constant OP_I32Load8S = 0x22;
    uint256 internal constant OP_I32Load8U = 0x23;
    uint256 internal constant OP_I32Load16S = 0x24;
    uint256 internal constant OP_I32Load16U = 0x25;
    uint256 internal constant OP_I64Load8S = 0x26;
    uint256 internal constant OP_I64Load8U = 0x27;
    uint256 internal constant OP_I64Load16S = 0x28;
    uint256 internal constant OP_I64Load16U = 0x29;
    uint256 internal constant OP_I64Load32S = 0x2a;
    uint256 internal constant OP_I64Load32U = 0x2b;
    uint256 internal constant OP_I32Store = 0x2c;
    uint256 internal constant OP_I64Store = 0x2d;
    uint256 internal constant OP_I32Store8 = 0x2e;
    uint256 internal constant OP_I32Store16 = 0x2f;
    uint256 internal constant OP_I64Store8 = 0x30;
    uint256 internal constant OP_I64Store16 = 0x31;
    uint256 internal constant OP_I64Store32 = 0x32;
    uint256 internal constant OP_MemorySize = 0x33;
    uint256 internal constant OP_MemoryGrow = 0x34;
    uint256 internal constant OP_MemoryFill = 0x40;
    uint256 internal constant OP_MemoryCopy = 0x41;
    uint256 internal constant OP_MemoryInit = 0x42;
    uint256 internal constant OP_DataDrop = 0x43;
    uint256 internal constant OP_FillStep = 0x44;
    uint256 internal constant OP_CopyStep = 0x45;
    uint256 internal constant OP_InitStep = 0x46;
    uint256 internal constant OP_InputLen = 0x47;
    uint256 internal constant OP_InputRead = 0x48;
    uint256 internal constant OP_InputReadStep = 0x49;
    uint256 internal constant OP_OutputWrite = 0x4a;
    uint256 internal constant OP_OutputWriteStep = 0x4b;
    uint256 internal constant OP_I32Eqz = 0x50;
    uint256 internal constant OP_I32Eq = 0x51;
    uint256 internal constant OP_I32Ne = 0x52;
    uint256 internal constant OP_I32LtS = 0x53;
    uint256 internal constant OP_I32LtU = 0x54;
    uint256 internal constant OP_I32GtS = 0x55;
    uint256 internal constant OP_I32GtU = 0x56;
    uint256 internal constant OP_I32LeS = 0x57;
    uint256 internal constant OP_I32LeU = 0x58;
    uint256 internal constant OP_I32GeS = 0x59;
    uint256 internal constant OP_I32GeU = 0x5a;
    uint256 internal constant OP_I32Clz = 0x5b;
    uint256 internal constant OP_I32Ctz = 0x5c;
    uint256 internal constant OP_I32Popcnt = 0x5d;
    uint256 internal constant OP_I32Add = 0x5e;
    uint256 internal constant OP_I32Sub = 0x5f;
    uint256 internal constant OP_I32Mul = 0x60;
    uint256 internal constant OP_I32DivS = 0x61;
    uint256 internal constant OP_I32DivU = 0x62;
    uint256 internal constant OP_I32RemS = 0x63;
    uint256 internal constant OP_I32RemU = 0x64;
    uint256 internal constant OP_I32And = 0x65;
    uint256 internal constant OP_I32Or = 0x66;
    uint256 internal constant OP_I32Xor = 0x67;
    uint256 internal constant OP_I32Shl = 0x68;
    uint256 internal constant OP_I32ShrS = 0x69;
    uint256 internal constant OP_I32ShrU = 0x6a;
    uint256 internal constant OP_I32Rotl = 0x6b;
    uint256 internal constant OP_I32Rotr = 0x6c;
    uint256 internal constant OP_I32WrapI64 = 0x6d;
    uint256 internal constant OP_I32Extend8S = 0x6e;
    uint256 internal constant OP_I32Extend16S = 0x6f;
    uint256 internal constant OP_I64Eqz = 0x80;
    uint256 internal constant OP_I64Eq = 0x81;
    uint256 internal constant OP_I64Ne = 0x82;
    uint256 internal constant OP_I64LtS = 0x83;
    uint256 internal constant OP_I64LtU = 0x84;
    uint256 internal constant OP_I64GtS = 0x85;
    uint256 internal constant OP_I64GtU = 0x86;
    uint256 internal constant OP_I64LeS = 0x87;
    uint256 internal constant OP_I64LeU = 0x88;
    uint256 internal constant OP_I64GeS = 0x89;
    uint256 internal constant OP_I64GeU = 0x8a;
    uint256 internal constant OP_I64Clz = 0x8b;
    uint256 internal constant OP_I64Ctz = 0x8c;
    uint256 internal constant OP_I64Popcnt = 0x8d;
    uint256 internal constant OP_I64Add = 0x8e;
    uint256 internal constant OP_I64Sub = 0x8f;
    uint256 internal constant OP_I64Mul = 0x90;
    uint256 internal constant OP_I64DivS = 0x91;
    uint256 internal constant OP_I64DivU = 0x92;
    uint256 internal constant OP_I64RemS = 0x93;
    uint256 internal constant OP_I64RemU = 0x94;
    uint256 internal constant OP_I64And = 0x95;
    uint256 internal constant OP_I64Or = 0x96;
    uint256 internal constant OP_I64Xor = 0x97;
    uint256 internal constant OP_I64Shl = 0x98;
    uint256 internal constant OP_I64ShrS = 0x99;
    uint256 internal constant OP_I64ShrU = 0x9a;
    uint256 internal constant OP_I64Rotl = 0x9b;
    uint256 internal constant OP_I64Rotr = 0x9c;
    uint256 internal constant OP_I64ExtendI32S = 0x9d;
    uint256 internal constant OP_I64ExtendI32U = 0x9e;
    uint256 internal constant OP_I64Extend8S = 0x9f;
    uint256 internal constant OP_I64Extend16S = 0xa0;
    uint256 internal constant OP_I64Extend32S = 0xa1;
    uint256 internal constant OP_F32Eq = 0xb0;
    uint256 internal constant OP_F32Ne = 0xb1;
    uint256 internal constant OP_F32Lt = 0xb2;
    uint256 internal constant OP_F32Gt = 0xb3;
    uint256 internal constant OP_F32Le = 0xb4;
    uint256 internal constant OP_F32Ge = 0xb5;
    uint256 internal constant OP_F32Abs = 0xb6;
    uint256 internal constant OP_F32Neg = 0xb7;
    uint256 internal constant OP_F32Ceil = 0xb8;
    uint256 internal constant OP_F32Floor = 0xb9;
    uint256 internal constant OP_F32Trunc = 0xba;
    uint256 internal constant OP_F32Nearest = 0xbb;
    uint256 internal constant OP_F32Sqrt = 0xbc;
    uint256 internal constant OP_F32Add = 0xbd;
    uint256 internal constant OP_F32Sub = 0xbe;
    uint256 internal constant OP_F32Mul = 0xbf;
    uint256 internal constant OP_F32Div = 0xc0;
    uint256 internal constant OP_F32Min = 0xc1;
    uint256 internal constant OP_F32Max = 0xc2;
    uint256 internal constant OP_F32Copysign = 0xc3;
    uint256 internal constant OP_F32ConvertI32S = 0xc4;
    uint256 internal constant OP_F32ConvertI32U = 0xc5;
    uint256 internal constant OP_F32ConvertI64S = 0xc6;
    uint256 internal constant OP_F32ConvertI64U = 0xc7;
    uint256 internal constant OP_F32DemoteF64 = 0xc8;
    uint256 internal constant OP_F64Eq = 0xd0;
    uint256 internal constant OP_F64Ne = 0xd1;
    uint256 internal constant OP_F64Lt = 0xd2;
    uint256 internal constant OP_F64Gt = 0xd3;
    uint256 internal constant OP_F64Le = 0xd4;
    uint256 internal constant OP_F64Ge = 0xd5;
    uint256 internal constant OP_F64Abs = 0xd6;
    uint256 internal constant OP_F64Neg = 0xd7;
    uint256 internal constant OP_F64Ceil = 0xd8;
    uint256 internal constant OP_F64Floor = 0xd9;
    uint256 internal constant OP_F64Trunc = 0xda;
    uint256 internal constant OP_F64Nearest = 0xdb;
    uint256 internal constant OP_F64Sqrt = 0xdc;
    uint256 internal constant OP_F64Add = 0xdd;
    uint256 internal constant OP_F64Sub = 0xde;
    uint256 internal constant OP_F64Mul = 0xdf;
    uint256 internal constant OP_F64Div = 0xe0;
    uint256 internal constant OP_F64Min = 0xe1;
    uint256 internal constant OP_F64Max = 0xe2;
    uint256 internal constant OP_F64Copysign = 0xe3;
    uint256 internal constant OP_F64ConvertI32S = 0xe4;
    uint256 internal constant OP_F64ConvertI32U = 0xe5;
    uint256 internal constant OP_F64ConvertI64S = 0xe6;
    uint256 internal constant OP_F64ConvertI64U = 0xe7;
    uint256 internal constant OP_F64PromoteF32 = 0xe8;
    uint256 internal constant OP_I32TruncF32S = 0xf0;
    uint256 internal constant OP_I32TruncF32U = 0xf1;
    uint256 internal constant OP_I32TruncF64S = 0xf2;
    uint256 internal constant OP_I32TruncF64U = 0xf3;
    uint256 internal constant OP_I64TruncF32S = 0xf4;
    uint256 internal constant OP_I64TruncF32U = 0xf5;
    uint256 internal constant OP_I64TruncF64S = 0xf6;
    uint256 internal constant OP_I64TruncF64U = 0xf7;
    uint256 internal constant OP_I32TruncSatF32S = 0xf8;
    uint256 internal constant OP_I32TruncSatF32U = 0xf9;
    uint256 internal constant OP_I32TruncSatF64S = 0xfa;
    uint256 internal constant OP_I32TruncSatF64U = 0xfb;
    uint256 internal constant OP_I64TruncSatF32S = 0xfc;
    uint256 internal constant OP_I64TruncSatF32U = 0xfd;
    uint256 internal constant OP_I64TruncSatF64S = 0xfe;
    uint256 internal constant OP_I64TruncSatF64U = 0xff;

    /// @notice Bit `op` is set for every defined opcode.
    uint256 internal constant VALID = 0xffff01ffffff01ffffff0003ffffffff0000ffffffff0fff001fffff001fffff;
    /// @notice Two bits per opcode `0..128`: values popped.
    uint256 internal constant POPS_LO = 0x0000000056aaaaaaa56aaaa90023003f0000012aaa5555550000000450744540;
    /// @notice Two bits per opcode `128..256`: values popped.
    uint256 internal constant POPS_HI = 0x55555555000155aaa9555aaa000155aaa9555aaa0000000556aaaaaaa56aaaa9;

    /// @notice Whether `op` is a defined opcode.
    function isValid(uint256 op) internal pure returns (bool) {
        return op < 256 && (VALID >> op) & 1 == 1;
    }

    /// @notice How many values `op` pops from the value stack (`op` must be valid).
    function pops(uint256 op) internal pure returns (uint256) {
        return op < 128 ? (POPS_LO >> (2 * op)) & 3 : (POPS_HI >> (2 * (op - 128))) & 3;
    }
}
