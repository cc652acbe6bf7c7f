// SPDX-License-Identifier: MIT OR Apache-2.0
// GENERATED from the Rust definitions in vm/src by
// `OPML_BLESS=1 cargo test -p opml-vm --test generated`. Do not edit: these are consensus
// data defined once, in Rust (`vm/src/generated.rs`).
pragma solidity ^0.8.20;

/// @title Consensus
/// @notice The constants the step verifier and the protocol share with the Rust machine
///         (`docs/machine.md`, `docs/proof.md`).
library Consensus {
    /// @notice The machine version this verifier implements.
    uint256 internal constant MACHINE_VERSION = 2;

    // ---- statuses: the first byte of a state hash -----------------------------------------
    uint8 internal constant STATUS_RUNNING = 0;
    uint8 internal constant STATUS_HALTED = 1;
    uint8 internal constant STATUS_TRAPPED = 2;
    uint8 internal constant STATUS_YIELDED = 3;

    // ---- trap codes ------------------------------------------------------------------------
    /// @notice `unreachable` executed (also `Return` without a frame, `pc` past the code tree).
    uint8 internal constant TRAP_UNREACHABLE = 1;
    /// @notice A memory access, bulk operation or bulk step out of bounds.
    uint8 internal constant TRAP_MEMORY_OUT_OF_BOUNDS = 2;
    /// @notice Integer division or remainder by zero.
    uint8 internal constant TRAP_INTEGER_DIVIDE_BY_ZERO = 3;
    /// @notice Signed division overflow (`MIN / -1`), or a float-to-int truncation out of range.
    uint8 internal constant TRAP_INTEGER_OVERFLOW = 4;
    /// @notice A trapping float-to-int truncation of NaN.
    uint8 internal constant TRAP_INVALID_CONVERSION_TO_INTEGER = 5;
    /// @notice `call_indirect` with an index past the table.
    uint8 internal constant TRAP_UNDEFINED_ELEMENT = 6;
    /// @notice `call_indirect` to an empty slot.
    uint8 internal constant TRAP_UNINITIALIZED_ELEMENT = 7;
    /// @notice `call_indirect` with the wrong signature.
    uint8 internal constant TRAP_INDIRECT_CALL_TYPE_MISMATCH = 8;
    /// @notice Too many nested calls.
    uint8 internal constant TRAP_CALL_STACK_EXHAUSTED = 9;
    /// @notice `opml.input_read` past the input's end.
    uint8 internal constant TRAP_INPUT_OUT_OF_BOUNDS = 10;
    /// @notice An active element segment out of the table's bounds (at instantiation).
    uint8 internal constant TRAP_TABLE_OUT_OF_BOUNDS = 11;
    /// @notice A running step with `segment_steps = 2^segment_depth - 1` (machine v2).
    uint8 internal constant TRAP_SEGMENT_TOO_LONG = 12;
    /// @notice `Yield` with a frame, or a value or aux stack not empty (machine v2).
    uint8 internal constant TRAP_YIELD_OUTSIDE_BOUNDARY = 13;
    /// @notice An opcode popping more values than the stack holds, or `MoveFromAux` on an empty aux stack (machine v2).
    uint8 internal constant TRAP_STACK_UNDERFLOW = 14;
    /// @notice A local, global or data segment index of `2^16` or more (machine v2).
    uint8 internal constant TRAP_INDEX_OUT_OF_RANGE = 15;

    // ---- instruction groups: first opcode and one past the last ------------------------------
    uint256 internal constant GROUP_CONTROL_FIRST = 0x00;
    uint256 internal constant GROUP_CONTROL_END = 0x20;
    uint256 internal constant GROUP_MEMORY_FIRST = 0x20;
    uint256 internal constant GROUP_MEMORY_END = 0x40;
    uint256 internal constant GROUP_BULK_FIRST = 0x40;
    uint256 internal constant GROUP_BULK_END = 0x50;
    uint256 internal constant GROUP_I32_FIRST = 0x50;
    uint256 internal constant GROUP_I32_END = 0x80;
    uint256 internal constant GROUP_I64_FIRST = 0x80;
    uint256 internal constant GROUP_I64_END = 0xb0;
    uint256 internal constant GROUP_F32_FIRST = 0xb0;
    uint256 internal constant GROUP_F32_END = 0xd0;
    uint256 internal constant GROUP_F64_FIRST = 0xd0;
    uint256 internal constant GROUP_F64_END = 0xf0;
    uint256 internal constant GROUP_FLOAT_CONV_FIRST = 0xf0;
    uint256 internal constant GROUP_FLOAT_CONV_END = 0x100;

    // ---- the packed state (docs/machine.md §4) -------------------------------------------------
    /// @notice Bytes of a packed state.
    uint256 internal constant STATE_PACKED_LEN = 464;
    /// @notice Fields in a state.
    uint256 internal constant STATE_FIELDS = 29;
    /// @notice Byte width of each field, in order, one byte per field (left-aligned).
    bytes32 internal constant STATE_WIDTHS = hex"0101040404200120202020202004200404202004202008080808080108";
    uint256 internal constant STATE_OFFSET_STATUS = 0;
    uint256 internal constant STATE_OFFSET_TRAP_CODE = 1;
    uint256 internal constant STATE_OFFSET_PC = 2;
    uint256 internal constant STATE_OFFSET_CALL_DEPTH = 6;
    uint256 internal constant STATE_OFFSET_MAX_CALL_DEPTH = 10;
    uint256 internal constant STATE_OFFSET_CODE_ROOT = 14;
    uint256 internal constant STATE_OFFSET_CODE_DEPTH = 46;
    uint256 internal constant STATE_OFFSET_VALUE_STACK = 47;
    uint256 internal constant STATE_OFFSET_AUX_STACK = 79;
    uint256 internal constant STATE_OFFSET_FRAME_STACK = 111;
    uint256 internal constant STATE_OFFSET_LOCALS = 143;
    uint256 internal constant STATE_OFFSET_GLOBALS = 175;
    uint256 internal constant STATE_OFFSET_TABLE = 207;
    uint256 internal constant STATE_OFFSET_TABLE_SIZE = 239;
    uint256 internal constant STATE_OFFSET_MEMORY_ROOT = 243;
    uint256 internal constant STATE_OFFSET_MEMORY_PAGES = 275;
    uint256 internal constant STATE_OFFSET_MAX_PAGES = 279;
    uint256 internal constant STATE_OFFSET_SEGMENTS = 283;
    uint256 internal constant STATE_OFFSET_INPUT_ROOT = 315;
    uint256 internal constant STATE_OFFSET_INPUT_LEN = 347;
    uint256 internal constant STATE_OFFSET_OUTPUT_CHAIN = 351;
    uint256 internal constant STATE_OFFSET_OUTPUT_PENDING = 383;
    uint256 internal constant STATE_OFFSET_OUTPUT_LEN = 415;
    uint256 internal constant STATE_OFFSET_BULK_DST = 423;
    uint256 internal constant STATE_OFFSET_BULK_SRC = 431;
    uint256 internal constant STATE_OFFSET_BULK_LEN = 439;
    uint256 internal constant STATE_OFFSET_SEGMENT_STEPS = 447;
    uint256 internal constant STATE_OFFSET_SEGMENT_DEPTH = 455;
    uint256 internal constant STATE_OFFSET_STACK_DEPTH = 456;
    /// @notice Offset of the opcode in a proof: just after the packed state.
    uint256 internal constant PROOF_OPCODE_OFFSET = 464;

    // ---- trees and sizes -----------------------------------------------------------------------
    /// @notice Depth of the memory, input and segment-bytes trees.
    uint256 internal constant BYTES_DEPTH = 27;
    /// @notice Depth of the locals, globals, table and data-segment trees.
    uint256 internal constant SMALL_DEPTH = 16;
    uint256 internal constant LEAF_BYTES = 32;
    uint256 internal constant PAGE_BYTES = 65536;
    uint256 internal constant INSTR_BYTES = 10;
    /// @notice `segment_depth` is 1 to this.
    uint256 internal constant MAX_SEGMENT_DEPTH = 63;

    // ---- domain tags (left-aligned) and their lengths -------------------------------------------
    bytes32 internal constant TAG_STATE = "opml/state/v2:";
    uint256 internal constant TAG_STATE_LEN = 14;
    bytes32 internal constant TAG_PROGRAM = "opml/program/v2:";
    uint256 internal constant TAG_PROGRAM_LEN = 16;
    bytes32 internal constant TAG_PROGRAM_ID = "opml/program-id/v2:";
    uint256 internal constant TAG_PROGRAM_ID_LEN = 19;
    bytes32 internal constant TAG_INSTR = "opml/instr:";
    uint256 internal constant TAG_INSTR_LEN = 11;
    bytes32 internal constant TAG_VALUE = "opml/value:";
    uint256 internal constant TAG_VALUE_LEN = 11;
    bytes32 internal constant TAG_BYTES = "opml/bytes:";
    uint256 internal constant TAG_BYTES_LEN = 11;
    bytes32 internal constant TAG_TABLE = "opml/table:";
    uint256 internal constant TAG_TABLE_LEN = 11;
    bytes32 internal constant TAG_SEGMENT = "opml/segment:";
    uint256 internal constant TAG_SEGMENT_LEN = 13;
    bytes32 internal constant TAG_NODE = "opml/node:";
    uint256 internal constant TAG_NODE_LEN = 10;
    bytes32 internal constant TAG_STACK = "opml/stack:";
    uint256 internal constant TAG_STACK_LEN = 11;
    bytes32 internal constant TAG_FRAME = "opml/frame:";
    uint256 internal constant TAG_FRAME_LEN = 11;
    bytes32 internal constant TAG_OUTPUT = "opml/output:";
    uint256 internal constant TAG_OUTPUT_LEN = 12;
}
