// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Consensus as C} from "./Consensus.sol";
import {Hashing} from "./Hashing.sol";
import {Merkle} from "./Merkle.sol";

/// @notice The machine state of `docs/machine.md` §4, one field per word, in packed order.
struct State {
    uint8 status;
    uint8 trapCode;
    uint32 pc;
    uint32 callDepth;
    uint32 maxCallDepth;
    bytes32 codeRoot;
    uint8 codeDepth;
    bytes32 valueStack;
    bytes32 auxStack;
    bytes32 frameStack;
    bytes32 locals;
    bytes32 globals;
    bytes32 table;
    uint32 tableSize;
    bytes32 memoryRoot;
    uint32 memoryPages;
    uint32 maxPages;
    bytes32 segments;
    bytes32 inputRoot;
    uint32 inputLen;
    bytes32 outputChain;
    bytes32 outputPending;
    uint64 outputLen;
    uint64 bulkDst;
    uint64 bulkSrc;
    uint64 bulkLen;
    uint64 segmentSteps;
    uint8 segmentDepth;
    uint64 stackDepth;
}

/// @notice The input-independent fields of an initial state (`docs/machine.md` §7): what a
///         `programId` binds.
struct ProgramFields {
    uint8 status;
    uint8 trapCode;
    uint32 maxCallDepth;
    bytes32 codeRoot;
    uint8 codeDepth;
    bytes32 globals;
    bytes32 table;
    uint32 tableSize;
    bytes32 memoryRoot;
    uint32 memoryPages;
    uint32 maxPages;
    bytes32 segments;
    uint8 segmentDepth;
}

/// @title MachineState
/// @notice Packing, hashing and construction of machine states, shared by the step verifier
///         and the protocol contracts (which rebuild `S_0` and check final states).
library MachineState {
    /// @notice Bytes of a packed state (generated: `Consensus.STATE_PACKED_LEN`).
    uint256 internal constant PACKED_LEN = C.STATE_PACKED_LEN;
    /// @notice Fields in a state.
    uint256 internal constant FIELDS = C.STATE_FIELDS;
    /// Byte width of each field, in order (one byte per field, left-aligned).
    bytes32 internal constant WIDTHS = C.STATE_WIDTHS;

    uint8 internal constant RUNNING = C.STATUS_RUNNING;
    uint8 internal constant HALTED = C.STATUS_HALTED;
    uint8 internal constant TRAPPED = C.STATUS_TRAPPED;
    uint8 internal constant YIELDED = C.STATUS_YIELDED;

    /// @notice `EMPTY_LOCALS`, the all-zero depth-16 locals root (`emptyLocals()`, pinned by tests).
    bytes32 internal constant EMPTY_LOCALS = 0xe0364f499a6ef08fb40fcdb9c421ae1104a84475b9e8c95041928f7e887a6151;
    /// @notice The all-zero depth-27 bytes root (`emptyBytesRoot()`, pinned by tests).
    bytes32 internal constant EMPTY_BYTES_ROOT = 0xd009a2cb0ff060ad1d183f6d1759c9d299d832ec32d82f956f2f10fe22167dc0;

    bytes32 internal constant P_STATE = C.TAG_STATE; // 14 bytes (`_hash` relies on it)
    bytes32 internal constant P_PROGRAM = C.TAG_PROGRAM; // 16 bytes

    /// @notice The proof is shorter than a packed state.
    error StateTooShort();

    /// @notice Decodes a packed state starting at absolute calldata offset `cd`. The caller
    ///         checks that `PACKED_LEN` bytes are there.
    function decodeAt(uint256 cd) internal pure returns (State memory s) {
        bytes32 widths = WIDTHS;
        assembly ("memory-safe") {
            let off := cd
            for { let i := 0 } lt(i, 29) { i := add(i, 1) } {
                let w := byte(i, widths)
                mstore(add(s, shl(5, i)), shr(sub(256, shl(3, w)), calldataload(off)))
                off := add(off, w)
            }
        }
    }

    /// @notice Decodes the packed state at the start of `data`.
    function decode(bytes calldata data) internal pure returns (State memory s) {
        if (data.length < PACKED_LEN) revert StateTooShort();
        uint256 cd;
        assembly ("memory-safe") {
            cd := data.offset
        }
        s = decodeAt(cd);
    }

    /// @notice The packed encoding of `s` (`PACKED_LEN` bytes).
    function encode(State memory s) internal pure returns (bytes memory out) {
        out = new bytes(PACKED_LEN + 32);
        assembly ("memory-safe") {
            mstore(out, 464)
        }
        _pack(s, _ptr(out));
    }

    /// @notice `state_hash`: `H("opml/state/v2:" ‖ fields)` with its first byte replaced by
    ///         the status, so running/halted/trapped/yielded is readable from the hash alone.
    function hash(State memory s) internal pure returns (bytes32 h) {
        bytes32 p = P_STATE;
        uint256 m;
        assembly ("memory-safe") {
            m := mload(0x40)
            mstore(m, p)
        }
        _pack(s, m + 14);
        uint256 status = s.status;
        assembly ("memory-safe") {
            h := keccak256(m, 478)
            h := or(and(h, not(shl(248, 0xff))), shl(248, status))
        }
    }

    /// @notice `program_hash` of `docs/machine.md` §7.
    function programHash(ProgramFields memory p) internal pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                // casting to 'bytes16' is safe because the prefix is exactly 16 bytes
                // forge-lint: disable-next-line(unsafe-typecast)
                bytes16(P_PROGRAM),
                p.status,
                p.trapCode,
                p.maxCallDepth,
                p.codeRoot,
                p.codeDepth,
                p.globals,
                p.table,
                abi.encodePacked(p.tableSize, p.memoryRoot, p.memoryPages, p.maxPages, p.segments, p.segmentDepth)
            )
        );
    }

    /// @notice The initial state of a program on an input (`docs/machine.md` §4): `pc = 0`,
    ///         empty stacks, `EMPTY_LOCALS`, no output, bulk registers and counters zero.
    function initialState(ProgramFields memory p, bytes32 inputRoot_, uint32 inputLen)
        internal
        pure
        returns (State memory s)
    {
        s.status = p.status;
        s.trapCode = p.trapCode;
        s.maxCallDepth = p.maxCallDepth;
        s.codeRoot = p.codeRoot;
        s.codeDepth = p.codeDepth;
        s.locals = EMPTY_LOCALS;
        s.globals = p.globals;
        s.table = p.table;
        s.tableSize = p.tableSize;
        s.memoryRoot = p.memoryRoot;
        s.memoryPages = p.memoryPages;
        s.maxPages = p.maxPages;
        s.segments = p.segments;
        s.segmentDepth = p.segmentDepth;
        s.inputRoot = inputRoot_;
        s.inputLen = inputLen;
    }

    /// @notice `S_0` for a program and an input given as bytes.
    function initialStateHash(ProgramFields memory p, bytes memory input) internal pure returns (bytes32) {
        return hash(initialState(p, inputRoot(input), uint32(input.length)));
    }

    /// @notice The input root: the depth-27 bytes tree over the input, zero-padded.
    function inputRoot(bytes memory input) internal pure returns (bytes32) {
        return Merkle.bytesRoot(input);
    }

    /// @notice The output commitment of a halted state holding `output`: full 32-byte blocks
    ///         folded into the chain, the tail zero-padded as the pending block.
    function outputCommitment(bytes memory output) internal pure returns (bytes32 chain, bytes32 pending, uint64 len) {
        uint256 n = output.length;
        uint256 full = n / 32;
        for (uint256 i = 0; i < full; i++) {
            bytes32 word;
            assembly ("memory-safe") {
                word := mload(add(add(output, 32), shl(5, i)))
            }
            chain = Hashing.pushOutput(chain, word);
        }
        uint256 rest = n % 32;
        if (rest != 0) {
            assembly ("memory-safe") {
                pending := mload(add(add(output, 32), shl(5, full)))
            }
            pending &= ~bytes32(type(uint256).max >> (8 * rest));
        }
        // casting to 'uint64' is safe because a memory byte array is far shorter than 2^64
        // forge-lint: disable-next-line(unsafe-typecast)
        len = uint64(n);
    }

    /// @notice `resume` of `docs/machine.md` §9: a yielded state runs on; any other status is
    ///         left as it is. Phase 2 of a dispute starts from the resumed boundary.
    function resume(State memory s) internal pure {
        if (s.status == YIELDED) s.status = RUNNING;
    }

    /// @notice Whether `s` is halted with exactly `output` as its output.
    function isHaltedWithOutput(State memory s, bytes memory output) internal pure returns (bool) {
        (bytes32 chain, bytes32 pending, uint64 len) = outputCommitment(output);
        return s.status == HALTED && s.outputChain == chain && s.outputPending == pending && s.outputLen == len;
    }

    /// @notice `EMPTY_LOCALS`: the root of the all-zero depth-16 locals tree.
    function emptyLocals() internal pure returns (bytes32) {
        return Merkle.zeroRoot(Hashing.valueLeaf(0), Merkle.SMALL_DEPTH);
    }

    /// @notice The root of empty bytes (depth 27): a dropped segment's, an empty input's.
    function emptyBytesRoot() internal pure returns (bytes32) {
        return Merkle.zeroRoot(Hashing.bytesLeaf(bytes32(0)), Merkle.BYTES_DEPTH);
    }

    function _ptr(bytes memory b) private pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := add(b, 32)
        }
    }

    /// Writes the packed fields at memory `m`, in order; each write is left-aligned and the next
    /// overwrites the zero tail of the previous one. Writes up to 32 bytes past the end.
    function _pack(State memory s, uint256 m) private pure {
        bytes32 widths = WIDTHS;
        assembly ("memory-safe") {
            let off := m
            for { let i := 0 } lt(i, 29) { i := add(i, 1) } {
                let w := byte(i, widths)
                mstore(off, shl(sub(256, shl(3, w)), mload(add(s, shl(5, i)))))
                off := add(off, w)
            }
        }
    }
}
