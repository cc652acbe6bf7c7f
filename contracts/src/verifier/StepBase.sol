// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Narrowing casts below store values into state fields whose width the machine fixes
// (docs/machine.md §4); the machine truncates the same way.
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {IStepVerifier} from "../interfaces/IStepVerifier.sol";
import {Consensus as C} from "../lib/Consensus.sol";
import {Hashing} from "../lib/Hashing.sol";
import {Merkle} from "../lib/Merkle.sol";
import {MachineState, State} from "../lib/MachineState.sol";
import {Opcodes} from "../lib/Opcodes.sol";

/// @title StepBase
/// @notice What every group verifier shares: it opens a proof (`state ‖ instr ‖ code_path ‖
///         stack_reveal`, `docs/proof.md`), checks it against `pre`, and leaves the group to read
///         `extra` through a bounds-checked calldata cursor. Each group contract is a complete
///         `IStepVerifier` for its opcode range; the `StepVerifier` dispatcher forwards to it.
abstract contract StepBase is IStepVerifier {
    /// @notice One step in progress: the state (pre, mutated into post), the instruction, the
    ///         popped values (`x0` = top), a cursor over the rest of the proof, and what a trap
    ///         restores (the value stack and its depth before the pops).
    struct Ctx {
        State s;
        uint256 op;
        uint256 imm;
        uint256 x0;
        uint256 x1;
        uint256 x2;
        bytes32 preStack;
        uint256 cur;
        uint256 end;
        uint64 preDepth;
    }

    uint256 internal constant PAGE = C.PAGE_BYTES;

    /// @inheritdoc IStepVerifier
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32) {
        if (uint256(pre) >> 248 != 0) return pre;
        Ctx memory c = _openState(pre, proof);
        // Decided by the state alone (the proof ends here): the segment counter, then a `pc`
        // past the code tree, which reads the zero instruction `Unreachable`.
        uint256 depth = c.s.segmentDepth > C.MAX_SEGMENT_DEPTH ? C.MAX_SEGMENT_DEPTH : c.s.segmentDepth;
        if (c.s.segmentSteps >= (1 << depth) - 1) return _trap(c, C.TRAP_SEGMENT_TOO_LONG);
        if (uint256(c.s.pc) >> c.s.codeDepth != 0) return _trap(c, C.TRAP_UNREACHABLE);
        _openInstr(c);
        if (!_inGroup(c.op)) revert BadOpcode(c.op);
        uint256 n = Opcodes.pops(c.op);
        if (c.s.stackDepth < n) return _trap(c, C.TRAP_STACK_UNDERFLOW);
        _openStack(c, n);
        return _execute(c);
    }

    /// @inheritdoc IStepVerifier
    function machineVersion() external pure returns (uint256) {
        return C.MACHINE_VERSION;
    }

    /// @notice Whether `op` belongs to this contract's group.
    function _inGroup(uint256 op) internal pure virtual returns (bool);

    /// @notice Executes the opened step and returns the post-state hash.
    function _execute(Ctx memory c) internal view virtual returns (bytes32);

    // ---- opening -------------------------------------------------------------------------------

    function _openState(bytes32 pre, bytes calldata proof) private pure returns (Ctx memory c) {
        uint256 start;
        assembly ("memory-safe") {
            start := proof.offset
        }
        c.cur = start;
        c.end = start + proof.length;
        c.s = MachineState.decodeAt(_take(c, MachineState.PACKED_LEN));
        if (MachineState.hash(c.s) != pre) revert PreStateMismatch();
        c.preStack = c.s.valueStack;
        c.preDepth = c.s.stackDepth;
    }

    function _openInstr(Ctx memory c) private pure {
        c.op = _u(c, 2);
        c.imm = _u(c, 8);
        if (!Opcodes.isValid(c.op)) revert BadOpcode(c.op);
        uint256 depth = c.s.codeDepth;
        uint256 path = _take(c, 32 * depth);
        if (Merkle.root(Hashing.instrLeaf(c.op, c.imm), c.s.pc, path, depth) != c.s.codeRoot) {
            revert CodeProofMismatch();
        }
    }

    /// Reads the `n` popped values and the stack below them; checks the chain.
    function _openStack(Ctx memory c, uint256 n) private pure {
        if (n == 0) return;
        c.x0 = _u(c, 8);
        if (n > 1) c.x1 = _u(c, 8);
        if (n > 2) c.x2 = _u(c, 8);
        bytes32 base = _b32(c);
        bytes32 h = base;
        if (n > 2) h = Hashing.pushValue(h, c.x2);
        if (n > 1) h = Hashing.pushValue(h, c.x1);
        h = Hashing.pushValue(h, c.x0);
        if (h != c.s.valueStack) revert StackMismatch();
        c.s.valueStack = base;
        c.s.stackDepth -= uint64(n);
    }

    // ---- finishing -----------------------------------------------------------------------------

    /// @notice The post-state hash, once the whole proof has been read; a step that leaves the
    ///         machine running counts one more step of the segment.
    function _done(Ctx memory c) internal pure returns (bytes32) {
        if (c.cur != c.end) revert ProofTooLong();
        if (c.s.status == MachineState.RUNNING) c.s.segmentSteps += 1;
        return MachineState.hash(c.s);
    }

    /// @notice Advances `pc` and finishes.
    function _next(Ctx memory c) internal pure returns (bytes32) {
        c.s.pc = uint32(uint256(c.s.pc) + 1);
        return _done(c);
    }

    /// @notice Pushes `v`, advances `pc` and finishes.
    function _pushNext(Ctx memory c, uint256 v) internal pure returns (bytes32) {
        c.s.valueStack = Hashing.pushValue(c.s.valueStack, v);
        c.s.stackDepth += 1;
        return _next(c);
    }

    /// @notice A guest fault: the pre-state with status trapped and `code`; operands stay on
    ///         the stack and `pc` stays at the faulting instruction. Call it before changing
    ///         any other field: a trap changes only the status and the code.
    function _trap(Ctx memory c, uint256 code) internal pure returns (bytes32) {
        c.s.valueStack = c.preStack;
        c.s.stackDepth = c.preDepth;
        c.s.status = MachineState.TRAPPED;
        c.s.trapCode = uint8(code);
        return _done(c);
    }

    // ---- reading the proof ---------------------------------------------------------------------

    /// @notice Reserves `n` proof bytes and returns their calldata offset.
    function _take(Ctx memory c, uint256 n) internal pure returns (uint256 pos) {
        pos = c.cur;
        if (n > c.end - pos) revert ProofTooShort();
        c.cur = pos + n;
    }

    /// @notice The next `w`-byte big-endian integer (`w` in 1..32).
    function _u(Ctx memory c, uint256 w) internal pure returns (uint256 v) {
        uint256 pos = _take(c, w);
        assembly ("memory-safe") {
            v := shr(sub(256, shl(3, w)), calldataload(pos))
        }
    }

    /// @notice The next 32 bytes.
    function _b32(Ctx memory c) internal pure returns (bytes32 v) {
        uint256 pos = _take(c, 32);
        assembly ("memory-safe") {
            v := calldataload(pos)
        }
    }

    // ---- leaves in trees -----------------------------------------------------------------------

    /// @notice Reads a value leaf and its 16 siblings, checks it at `index` under `root`.
    function _readValue(Ctx memory c, bytes32 root, uint256 index) internal pure returns (uint256 v) {
        v = _u(c, 8);
        uint256 path = _take(c, 32 * Merkle.SMALL_DEPTH);
        if (Merkle.root(Hashing.valueLeaf(v), index, path, Merkle.SMALL_DEPTH) != root) revert LeafMismatch();
    }

    /// @notice Reads the current value leaf at `index` under `root` and returns the root with `v`
    ///         written there instead.
    function _writeValue(Ctx memory c, bytes32 root, uint256 index, uint256 v) internal pure returns (bytes32) {
        uint256 old = _u(c, 8);
        uint256 path = _take(c, 32 * Merkle.SMALL_DEPTH);
        (bytes32 oldRoot, bytes32 newRoot) =
            Merkle.update(Hashing.valueLeaf(old), Hashing.valueLeaf(v), index, path, Merkle.SMALL_DEPTH);
        if (oldRoot != root) revert LeafMismatch();
        return newRoot;
    }

    /// @notice Reads a 32-byte leaf and its 27 siblings, checks it at `index` under `root`;
    ///         returns the leaf and its path (for a later write).
    function _readBytes(Ctx memory c, bytes32 root, uint256 index) internal pure returns (uint256 leaf, uint256 path) {
        leaf = uint256(_b32(c));
        path = _take(c, 32 * Merkle.BYTES_DEPTH);
        if (Merkle.root(Hashing.bytesLeaf(bytes32(leaf)), index, path, Merkle.BYTES_DEPTH) != root) {
            revert LeafMismatch();
        }
    }

    /// @notice The root after replacing the (already checked) leaf at `index` by `leaf`.
    function _rootWith(uint256 leaf, uint256 index, uint256 path) internal pure returns (bytes32) {
        return Merkle.root(Hashing.bytesLeaf(bytes32(leaf)), index, path, Merkle.BYTES_DEPTH);
    }

    /// @notice Reads data segment `index`'s leaf (`len ‖ bytes_root`) and its 16 siblings.
    function _readSegment(Ctx memory c, uint256 index)
        internal
        pure
        returns (uint256 len, bytes32 bytesRoot, uint256 path)
    {
        len = _u(c, 8);
        bytesRoot = _b32(c);
        path = _take(c, 32 * Merkle.SMALL_DEPTH);
        if (Merkle.root(Hashing.segmentLeaf(len, bytesRoot), index, path, Merkle.SMALL_DEPTH) != c.s.segments) {
            revert LeafMismatch();
        }
    }

    // ---- bytes within leaves (big-endian words: byte 0 is the leaf's first byte) ----------------

    /// @notice Mask of the first `n` bytes of a word (`n` in 0..32).
    function _headMask(uint256 n) internal pure returns (uint256) {
        return n >= 32 ? type(uint256).max : ~(type(uint256).max >> (8 * n));
    }

    /// @notice `dst` with bytes `[pos, pos+n)` replaced by the first `n` bytes of `src`
    ///         (`pos + n <= 32`).
    function _put(uint256 dst, uint256 pos, uint256 src, uint256 n) internal pure returns (uint256) {
        uint256 mask = _headMask(n) >> (8 * pos);
        return (dst & ~mask) | ((src >> (8 * pos)) & mask);
    }

    /// @notice Bytes `[pos, pos+32)` of the 64 bytes `lo ‖ hi`, as a word.
    function _window(uint256 lo, uint256 hi, uint256 pos) internal pure returns (uint256) {
        return pos == 0 ? lo : (lo << (8 * pos)) | (hi >> (8 * (32 - pos)));
    }

    /// @notice The little-endian integer in the first `w` bytes of `word`.
    function _le(uint256 word, uint256 w) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < w; i++) {
            v |= ((word >> (248 - 8 * i)) & 0xff) << (8 * i);
        }
    }

    /// @notice A word whose first `w` bytes are `v` little-endian.
    function _toLe(uint256 v, uint256 w) internal pure returns (uint256 word) {
        for (uint256 i = 0; i < w; i++) {
            word |= ((v >> (8 * i)) & 0xff) << (248 - 8 * i);
        }
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @notice Current memory size in bytes.
    function _memSize(Ctx memory c) internal pure returns (uint256) {
        return uint256(c.s.memoryPages) * PAGE;
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
