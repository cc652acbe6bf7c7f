// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Narrowing casts below store values into state fields whose width the machine fixes
// (docs/machine.md §4); the machine truncates the same way.
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {StepBase} from "./StepBase.sol";
import {Consensus as C} from "../lib/Consensus.sol";
import {Hashing} from "../lib/Hashing.sol";
import {Merkle} from "../lib/Merkle.sol";
import {MachineState, State} from "../lib/MachineState.sol";
import {Opcodes as O} from "../lib/Opcodes.sol";

/// @title BulkStep
/// @notice Bulk memory and host opcodes `0x40–0x4f`. A start opcode checks bounds and loads the
///         bulk registers; a step opcode re-checks the bounds of its chunk, moves at most one
///         leaf's worth of bytes, reading at most one source leaf and writing one destination
///         leaf, and zeroes the registers when done (`docs/machine.md` §5.3).
contract BulkStep is StepBase {
    uint256 private constant MEMORY_OUT_OF_BOUNDS = C.TRAP_MEMORY_OUT_OF_BOUNDS;
    uint256 private constant INPUT_OUT_OF_BOUNDS = C.TRAP_INPUT_OUT_OF_BOUNDS;
    /// A data segment index must be inside the depth-16 segments tree.
    uint256 private constant TREE_LEAVES = 1 << C.SMALL_DEPTH;
    /// `0x0101…01`: a byte times this fills a word.
    uint256 private constant ONES = type(uint256).max / 0xff;

    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= C.GROUP_BULK_FIRST && op < C.GROUP_BULK_END;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        uint256 op = c.op;
        State memory s = c.s;
        uint256 size = _memSize(c);
        // Start opcodes: pops are (x0, x1, x2) = (n, src-or-val, dst).
        if (op == O.OP_MemoryFill) {
            if (c.x2 + c.x0 > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
            return _start(c, c.x2, c.x1 & 0xff, c.x0);
        }
        if (op == O.OP_MemoryCopy) {
            if (c.x2 + c.x0 > size || c.x1 + c.x0 > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
            return _start(c, c.x2, c.x1, c.x0);
        }
        if ((op == O.OP_MemoryInit || op == O.OP_DataDrop) && c.imm >= TREE_LEAVES) {
            return _trap(c, C.TRAP_INDEX_OUT_OF_RANGE);
        }
        if (op == O.OP_MemoryInit) {
            (uint256 segLen,,) = _readSegment(c, c.imm);
            if (c.x1 + c.x0 > segLen || c.x2 + c.x0 > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
            return _start(c, c.x2, c.x1, c.x0);
        }
        if (op == O.OP_DataDrop) {
            (uint256 len, bytes32 bytesRoot, uint256 path) = _readSegment(c, c.imm);
            bytes32 dropped = Hashing.segmentLeaf(0, MachineState.EMPTY_BYTES_ROOT);
            (, s.segments) =
                Merkle.update(Hashing.segmentLeaf(len, bytesRoot), dropped, c.imm, path, Merkle.SMALL_DEPTH);
            return _next(c);
        }
        if (op == O.OP_InputLen) return _pushNext(c, s.inputLen);
        if (op == O.OP_InputRead) {
            // (x0, x1, x2) = (len, offset, ptr)
            if (c.x1 + c.x0 > s.inputLen) return _trap(c, INPUT_OUT_OF_BOUNDS);
            if (c.x2 + c.x0 > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
            return _start(c, c.x2, c.x1, c.x0);
        }
        if (op == O.OP_OutputWrite) {
            // (x0, x1) = (len, ptr)
            if (c.x1 + c.x0 > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
            return _start(c, 0, c.x1, c.x0);
        }
        // Step opcodes: with nothing left, the registers go back to zero and `pc` advances.
        if (s.bulkLen == 0) {
            s.bulkDst = 0;
            s.bulkSrc = 0;
            return _next(c);
        }
        if (op == O.OP_FillStep) return _fillStep(c, size);
        if (op == O.OP_CopyStep) return _copyStep(c, size);
        if (op == O.OP_InitStep) return _initStep(c, size);
        if (op == O.OP_InputReadStep) return _inputReadStep(c, size);
        if (op == O.OP_OutputWriteStep) return _outputWriteStep(c, size);
        revert BadOpcode(op);
    }

    function _start(Ctx memory c, uint256 dst, uint256 src, uint256 len) private pure returns (bytes32) {
        c.s.bulkDst = uint64(dst);
        c.s.bulkSrc = uint64(src);
        c.s.bulkLen = uint64(len);
        return _next(c);
    }

    function _fillStep(Ctx memory c, uint256 size) private pure returns (bytes32) {
        State memory s = c.s;
        uint256 d = s.bulkDst;
        uint256 n = _min(s.bulkLen, 32 - d % 32);
        if (d + n > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
        (uint256 leaf, uint256 path) = _readBytes(c, s.memoryRoot, d / 32);
        s.memoryRoot = _rootWith(_put(leaf, d % 32, (s.bulkSrc & 0xff) * ONES, n), d / 32, path);
        s.bulkDst = uint64(d + n);
        s.bulkLen -= uint64(n);
        return _done(c);
    }

    function _copyStep(Ctx memory c, uint256 size) private pure returns (bytes32) {
        State memory s = c.s;
        (uint256 d, uint256 src, uint256 len) = (s.bulkDst, s.bulkSrc, s.bulkLen);
        bool forward = d <= src;
        uint256 from;
        uint256 to;
        uint256 n;
        if (forward) {
            n = _min(len, _min(32 - d % 32, 32 - src % 32));
            (from, to) = (src, d);
        } else {
            (uint256 ed, uint256 es) = (d + len, src + len);
            n = _min(len, _min(_r(ed), _r(es)));
            (from, to) = (es - n, ed - n);
        }
        if (from + n > size || to + n > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
        (uint256 srcLeaf,) = _readBytes(c, s.memoryRoot, from / 32);
        (uint256 dstLeaf, uint256 path) = _readBytes(c, s.memoryRoot, to / 32);
        uint256 chunk = srcLeaf << (8 * (from % 32));
        s.memoryRoot = _rootWith(_put(dstLeaf, to % 32, chunk, n), to / 32, path);
        if (forward) {
            s.bulkDst = uint64(d + n);
            s.bulkSrc = uint64(src + n);
        }
        s.bulkLen = uint64(len - n);
        return _done(c);
    }

    function _initStep(Ctx memory c, uint256 size) private pure returns (bytes32) {
        if (c.imm >= TREE_LEAVES) return _trap(c, C.TRAP_INDEX_OUT_OF_RANGE);
        (uint256 segLen, bytes32 bytesRoot,) = _readSegment(c, c.imm);
        return _copyIn(c, size, bytesRoot, segLen, MEMORY_OUT_OF_BOUNDS);
    }

    function _inputReadStep(Ctx memory c, uint256 size) private pure returns (bytes32) {
        return _copyIn(c, size, c.s.inputRoot, c.s.inputLen, INPUT_OUT_OF_BOUNDS);
    }

    /// One forward chunk from a bytes tree (a segment, the input) into memory; `srcTrap` when
    /// the chunk leaves the source, `MemoryOutOfBounds` when it leaves memory.
    function _copyIn(Ctx memory c, uint256 size, bytes32 srcRoot, uint256 srcLen, uint256 srcTrap)
        private
        pure
        returns (bytes32)
    {
        State memory s = c.s;
        (uint256 d, uint256 src) = (s.bulkDst, s.bulkSrc);
        uint256 n = _min(s.bulkLen, _min(32 - d % 32, 32 - src % 32));
        if (src + n > srcLen) return _trap(c, srcTrap);
        if (d + n > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
        (uint256 srcLeaf,) = _readBytes(c, srcRoot, src / 32);
        (uint256 dstLeaf, uint256 path) = _readBytes(c, s.memoryRoot, d / 32);
        s.memoryRoot = _rootWith(_put(dstLeaf, d % 32, srcLeaf << (8 * (src % 32)), n), d / 32, path);
        s.bulkDst = uint64(d + n);
        s.bulkSrc = uint64(src + n);
        s.bulkLen -= uint64(n);
        return _done(c);
    }

    function _outputWriteStep(Ctx memory c, uint256 size) private pure returns (bytes32) {
        State memory s = c.s;
        uint256 src = s.bulkSrc;
        uint256 outAt = s.outputLen % 32;
        uint256 n = _min(s.bulkLen, _min(32 - src % 32, 32 - outAt));
        if (src + n > size) return _trap(c, MEMORY_OUT_OF_BOUNDS);
        (uint256 leaf,) = _readBytes(c, s.memoryRoot, src / 32);
        uint256 pending = _put(uint256(s.outputPending), outAt, leaf << (8 * (src % 32)), n);
        s.bulkSrc = uint64(src + n);
        s.bulkLen -= uint64(n);
        s.outputLen += uint64(n);
        if (s.outputLen % 32 == 0) {
            s.outputChain = Hashing.pushOutput(s.outputChain, bytes32(pending));
            pending = 0;
        }
        s.outputPending = bytes32(pending);
        return _done(c);
    }

    /// `x % 32`, or 32 when that is 0: the bytes of the last leaf before offset `x`.
    function _r(uint256 x) private pure returns (uint256) {
        uint256 m = x % 32;
        return m == 0 ? 32 : m;
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
