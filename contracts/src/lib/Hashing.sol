// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Consensus as C} from "./Consensus.sol";

/// @title Hashing
/// @notice The domain-separated hashes of `docs/machine.md` §3. Every preimage is
///         `prefix ‖ fields`, big-endian, no padding, so a hash of one kind can never be
///         mistaken for another. Scratch memory past the free pointer is used and not reserved.
library Hashing {
    // The domain tags are generated (`Consensus.sol`); the lengths the assembly below relies on
    // are pinned by `Libraries.t.sol` (`test_tagLengths`).
    bytes32 internal constant P_INSTR = C.TAG_INSTR; // 11
    bytes32 internal constant P_VALUE = C.TAG_VALUE; // 11
    bytes32 internal constant P_BYTES = C.TAG_BYTES; // 11
    bytes32 internal constant P_TABLE = C.TAG_TABLE; // 11
    bytes32 internal constant P_SEGMENT = C.TAG_SEGMENT; // 13
    bytes32 internal constant P_NODE = C.TAG_NODE; // 10
    bytes32 internal constant P_STACK = C.TAG_STACK; // 11
    bytes32 internal constant P_FRAME = C.TAG_FRAME; // 11
    bytes32 internal constant P_OUTPUT = C.TAG_OUTPUT; // 12

    /// @notice `H("opml/instr:" ‖ op:u16 ‖ imm:u64)`.
    function instrLeaf(uint256 op, uint256 imm) internal pure returns (bytes32 h) {
        bytes32 p = P_INSTR;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 11), shl(240, op))
            mstore(add(m, 13), shl(192, imm))
            h := keccak256(m, 21)
        }
    }

    /// @notice `H("opml/value:" ‖ v:u64)`: a local or global.
    function valueLeaf(uint256 v) internal pure returns (bytes32 h) {
        bytes32 p = P_VALUE;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 11), shl(192, v))
            h := keccak256(m, 19)
        }
    }

    /// @notice `H("opml/bytes:" ‖ b:bytes32)`: a memory, input or segment leaf.
    function bytesLeaf(bytes32 b) internal pure returns (bytes32 h) {
        bytes32 p = P_BYTES;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 11), b)
            h := keccak256(m, 43)
        }
    }

    /// @notice `H("opml/table:" ‖ present:u8 ‖ type_id:u32 ‖ pc:u32 ‖ n_locals:u32)`.
    function tableLeaf(uint256 present, uint256 typeId, uint256 entryPc, uint256 nLocals)
        internal
        pure
        returns (bytes32 h)
    {
        bytes32 p = P_TABLE;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 11), shl(248, present))
            mstore(add(m, 12), shl(224, typeId))
            mstore(add(m, 16), shl(224, entryPc))
            mstore(add(m, 20), shl(224, nLocals))
            h := keccak256(m, 24)
        }
    }

    /// @notice `H("opml/segment:" ‖ len:u64 ‖ bytes_root)`: one data segment.
    function segmentLeaf(uint256 len, bytes32 bytesRoot) internal pure returns (bytes32 h) {
        bytes32 p = P_SEGMENT;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 13), shl(192, len))
            mstore(add(m, 21), bytesRoot)
            h := keccak256(m, 53)
        }
    }

    /// @notice `H("opml/node:" ‖ left ‖ right)`: a Merkle node.
    function node(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        bytes32 p = P_NODE;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 10), left)
            mstore(add(m, 42), right)
            h := keccak256(m, 74)
        }
    }

    /// @notice Value or aux stack push: `H("opml/stack:" ‖ h ‖ v:u64)`; empty is zero.
    function pushValue(bytes32 stack, uint256 v) internal pure returns (bytes32 h) {
        bytes32 p = P_STACK;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 11), stack)
            mstore(add(m, 43), shl(192, v))
            h := keccak256(m, 51)
        }
    }

    /// @notice Frame stack push: `H("opml/frame:" ‖ h ‖ return_pc:u32 ‖ locals_root)`.
    function pushFrame(bytes32 frames, uint256 returnPc, bytes32 localsRoot) internal pure returns (bytes32 h) {
        bytes32 p = P_FRAME;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 11), frames)
            mstore(add(m, 43), shl(224, returnPc))
            mstore(add(m, 47), localsRoot)
            h := keccak256(m, 79)
        }
    }

    /// @notice Output chain fold: `H("opml/output:" ‖ h ‖ block)`; no output is zero.
    function pushOutput(bytes32 chain, bytes32 block_) internal pure returns (bytes32 h) {
        bytes32 p = P_OUTPUT;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            mstore(add(m, 12), chain)
            mstore(add(m, 44), block_)
            h := keccak256(m, 76)
        }
    }
}
