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

/// @title ControlStep
/// @notice Control opcodes `0x00–0x1f`: branches, calls, returns, stack shuffles, locals and
///         globals, constants, traps, halt and yield (`docs/machine.md` §5). The proofs of steps
///         decided by the state alone (`StepBase.step`) are routed here by the dispatcher.
contract ControlStep is StepBase {
    /// A local or global index must be inside its depth-16 tree.
    uint256 private constant TREE_LEAVES = 1 << C.SMALL_DEPTH;

    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= C.GROUP_CONTROL_FIRST && op < C.GROUP_CONTROL_END;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        State memory s = c.s;
        uint256 op = c.op;
        if (op == O.OP_Const) return _pushNext(c, c.imm);
        if (op >= O.OP_LocalGet && op <= O.OP_GlobalSet && c.imm >= TREE_LEAVES) {
            return _trap(c, C.TRAP_INDEX_OUT_OF_RANGE);
        }
        if (op == O.OP_LocalGet) return _pushNext(c, _readValue(c, s.locals, c.imm));
        if (op == O.OP_LocalSet) {
            s.locals = _writeValue(c, s.locals, c.imm, c.x0);
            return _next(c);
        }
        if (op == O.OP_LocalTee) {
            s.locals = _writeValue(c, s.locals, c.imm, c.x0);
            return _pushNext(c, c.x0);
        }
        if (op == O.OP_GlobalGet) return _pushNext(c, _readValue(c, s.globals, c.imm));
        if (op == O.OP_GlobalSet) {
            s.globals = _writeValue(c, s.globals, c.imm, c.x0);
            return _next(c);
        }
        if (op == O.OP_Jump) {
            s.pc = uint32(c.imm);
            return _done(c);
        }
        if (op == O.OP_JumpIf || op == O.OP_JumpIfNot) {
            bool taken = (uint32(c.x0) != 0) == (op == O.OP_JumpIf);
            if (!taken) return _next(c);
            s.pc = uint32(c.imm);
            return _done(c);
        }
        if (op == O.OP_BrTable) {
            s.pc = uint32(uint256(s.pc) + 1 + _min(uint32(c.x0), uint64(c.imm)));
            return _done(c);
        }
        if (op == O.OP_Drop) return _next(c);
        if (op == O.OP_Select) return _pushNext(c, uint32(c.x0) != 0 ? c.x2 : c.x1);
        if (op == O.OP_MoveToAux) {
            s.auxStack = Hashing.pushValue(s.auxStack, c.x0);
            return _next(c);
        }
        if (op == O.OP_MoveFromAux) {
            if (s.auxStack == bytes32(0)) return _trap(c, C.TRAP_STACK_UNDERFLOW);
            uint256 v = _u(c, 8);
            bytes32 below = _b32(c);
            if (Hashing.pushValue(below, v) != s.auxStack) revert AuxStackMismatch();
            s.auxStack = below;
            return _pushNext(c, v);
        }
        if (op == O.OP_Call) {
            if (s.callDepth >= s.maxCallDepth) return _trap(c, C.TRAP_CALL_STACK_EXHAUSTED);
            _enter(s, uint32(c.imm));
            return _done(c);
        }
        if (op == O.OP_CallIndirect) return _callIndirect(c);
        if (op == O.OP_Return) {
            if (s.callDepth == 0) return _trap(c, C.TRAP_UNREACHABLE);
            uint256 returnPc = _u(c, 4);
            bytes32 localsRoot = _b32(c);
            bytes32 below = _b32(c);
            if (Hashing.pushFrame(below, returnPc, localsRoot) != s.frameStack) revert FrameMismatch();
            s.frameStack = below;
            s.locals = localsRoot;
            s.pc = uint32(returnPc);
            s.callDepth -= 1;
            return _done(c);
        }
        if (op == O.OP_Halt) {
            s.status = MachineState.HALTED;
            s.segmentSteps = 0;
            return _done(c);
        }
        if (op == O.OP_Yield) return _yield(c);
        if (op == O.OP_Unreachable) return _trap(c, C.TRAP_UNREACHABLE);
        // The code is `imm & 0xff`, whatever it is (`docs/machine.md` §5.1).
        if (op == O.OP_Trap) return _trap(c, uint8(c.imm));
        revert BadOpcode(op);
    }

    /// `Yield imm`: a boundary (no frame, empty stacks) becomes yielded at `pc = imm` with its
    /// locals, bulk registers and segment counter reset; anywhere else it traps.
    function _yield(Ctx memory c) private pure returns (bytes32) {
        State memory s = c.s;
        if (s.callDepth != 0 || s.stackDepth != 0 || s.auxStack != bytes32(0)) {
            return _trap(c, C.TRAP_YIELD_OUTSIDE_BOUNDARY);
        }
        s.status = MachineState.YIELDED;
        s.pc = uint32(c.imm);
        s.locals = MachineState.EMPTY_LOCALS;
        s.bulkDst = 0;
        s.bulkSrc = 0;
        s.bulkLen = 0;
        s.segmentSteps = 0;
        return _done(c);
    }

    /// `CallIndirect type_id`: bounds, presence, type, then depth (`docs/machine.md` §5).
    function _callIndirect(Ctx memory c) private pure returns (bytes32) {
        State memory s = c.s;
        uint256 i = uint32(c.x0);
        if (i >= s.tableSize) return _trap(c, C.TRAP_UNDEFINED_ELEMENT);
        uint256 present = _u(c, 1);
        uint256 typeId = _u(c, 4);
        uint256 entryPc = _u(c, 4);
        uint256 nLocals = _u(c, 4);
        uint256 path = _take(c, 32 * Merkle.SMALL_DEPTH);
        bytes32 leaf = Hashing.tableLeaf(present, typeId, entryPc, nLocals);
        if (Merkle.root(leaf, i, path, Merkle.SMALL_DEPTH) != s.table) revert LeafMismatch();
        if (present == 0) return _trap(c, C.TRAP_UNINITIALIZED_ELEMENT);
        if (typeId != c.imm) return _trap(c, C.TRAP_INDIRECT_CALL_TYPE_MISMATCH);
        if (s.callDepth >= s.maxCallDepth) return _trap(c, C.TRAP_CALL_STACK_EXHAUSTED);
        _enter(s, uint32(entryPc));
        return _done(c);
    }

    /// Pushes the frame `(pc + 1, locals)` and starts `target` with `EMPTY_LOCALS`.
    function _enter(State memory s, uint32 target) private pure {
        s.frameStack = Hashing.pushFrame(s.frameStack, uint32(uint256(s.pc) + 1), s.locals);
        s.callDepth += 1;
        s.locals = MachineState.EMPTY_LOCALS;
        s.pc = target;
    }
}
// forge-lint: disable-end(unsafe-typecast, incorrect-shift)
