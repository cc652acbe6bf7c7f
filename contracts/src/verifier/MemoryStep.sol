// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Narrowing casts below store values into state fields whose width the machine fixes
// (docs/machine.md §4); the machine truncates the same way.
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {StepBase} from "./StepBase.sol";
import {Consensus as C} from "../lib/Consensus.sol";
import {State} from "../lib/MachineState.sol";
import {Opcodes as O} from "../lib/Opcodes.sol";

/// @title MemoryStep
/// @notice Memory opcodes `0x20–0x3f`: loads, stores, `memory.size`, `memory.grow`. An access
///         reveals one memory leaf, or two when it straddles a leaf boundary (`docs/proof.md`).
contract MemoryStep is StepBase {
    uint256 private constant MEMORY_OUT_OF_BOUNDS = C.TRAP_MEMORY_OUT_OF_BOUNDS;

    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= C.GROUP_MEMORY_FIRST && op < C.GROUP_MEMORY_END;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        uint256 op = c.op;
        if (op <= O.OP_I64Load32U) return _load(c, op);
        if (op <= O.OP_I64Store32) return _store(c, op);
        State memory s = c.s;
        if (op == O.OP_MemorySize) return _pushNext(c, s.memoryPages);
        if (op == O.OP_MemoryGrow) {
            uint256 next = uint256(s.memoryPages) + uint32(c.x0);
            if (next > s.maxPages) return _pushNext(c, 0xffffffff);
            uint256 old = s.memoryPages;
            s.memoryPages = uint32(next);
            return _pushNext(c, old);
        }
        revert BadOpcode(op);
    }

    /// Width in bytes and sign-extension source width (0: zero-extend) of a load.
    function _loadShape(uint256 op) private pure returns (uint256 w, uint256 signBits, uint256 outBits) {
        if (op == O.OP_I32Load) return (4, 0, 32);
        if (op == O.OP_I64Load) return (8, 0, 64);
        if (op == O.OP_I32Load8S) return (1, 8, 32);
        if (op == O.OP_I32Load8U) return (1, 0, 32);
        if (op == O.OP_I32Load16S) return (2, 16, 32);
        if (op == O.OP_I32Load16U) return (2, 0, 32);
        if (op == O.OP_I64Load8S) return (1, 8, 64);
        if (op == O.OP_I64Load8U) return (1, 0, 64);
        if (op == O.OP_I64Load16S) return (2, 16, 64);
        if (op == O.OP_I64Load16U) return (2, 0, 64);
        if (op == O.OP_I64Load32S) return (4, 32, 64);
        return (4, 0, 64); // I64Load32U
    }

    function _load(Ctx memory c, uint256 op) private pure returns (bytes32) {
        (uint256 w, uint256 signBits, uint256 outBits) = _loadShape(op);
        uint256 addr = c.x0 + c.imm;
        if (addr + w > _memSize(c)) return _trap(c, MEMORY_OUT_OF_BOUNDS);
        bytes32 root = c.s.memoryRoot;
        uint256 pos = addr % 32;
        (uint256 lo,) = _readBytes(c, root, addr / 32);
        uint256 hi;
        if (pos + w > 32) (hi,) = _readBytes(c, root, addr / 32 + 1);
        uint256 v = _le(_window(lo, hi, pos), w);
        if (signBits != 0 && (v >> (signBits - 1)) & 1 == 1) {
            v |= ((1 << outBits) - 1) & ~((1 << signBits) - 1);
        }
        return _pushNext(c, v);
    }

    function _store(Ctx memory c, uint256 op) private pure returns (bytes32) {
        uint256 w;
        if (op == O.OP_I32Store) w = 4;
        else if (op == O.OP_I64Store) w = 8;
        else if (op == O.OP_I32Store8 || op == O.OP_I64Store8) w = 1;
        else if (op == O.OP_I32Store16 || op == O.OP_I64Store16) w = 2;
        else w = 4; // I64Store32
        uint256 addr = c.x1 + c.imm;
        if (addr + w > _memSize(c)) return _trap(c, MEMORY_OUT_OF_BOUNDS);
        uint256 bytes_ = _toLe(c.x0, w);
        uint256 pos = addr % 32;
        uint256 first = _min(w, 32 - pos);
        uint256 index = addr / 32;
        (uint256 leaf, uint256 path) = _readBytes(c, c.s.memoryRoot, index);
        c.s.memoryRoot = _rootWith(_put(leaf, pos, bytes_, first), index, path);
        if (first < w) {
            (leaf, path) = _readBytes(c, c.s.memoryRoot, index + 1);
            c.s.memoryRoot = _rootWith(_put(leaf, 0, bytes_ << (8 * first), w - first), index + 1, path);
        }
        return _next(c);
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
