// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

// Narrowing casts below store values into state fields whose width the machine fixes
// (docs/machine.md §4); the machine truncates the same way.
// forge-lint: disable-start(unsafe-typecast, incorrect-shift)

import {StepBase} from "./StepBase.sol";
import {Hashing} from "../lib/Hashing.sol";
import {Merkle} from "../lib/Merkle.sol";
import {MachineState, State} from "../lib/MachineState.sol";
import {Opcodes as O} from "../lib/Opcodes.sol";

/// @title ControlStep
/// @notice Control opcodes `0x00–0x1f`: branches, calls, returns, stack shuffles, locals and
///         globals, constants and traps (`docs/machine.md` §5).
contract ControlStep is StepBase {
    uint256 private constant UNREACHABLE = 1;
    uint256 private constant UNDEFINED_ELEMENT = 6;
    uint256 private constant UNINITIALIZED_ELEMENT = 7;
    uint256 private constant INDIRECT_CALL_TYPE_MISMATCH = 8;
    uint256 private constant CALL_STACK_EXHAUSTED = 9;
    uint256 private constant MAX_TRAP_CODE = 10;

    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op < 0x20;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        State memory s = c.s;
        uint256 op = c.op;
        if (op == O.OP_Const) return _pushNext(c, c.imm);
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
            uint256 v = _u(c, 8);
            bytes32 below = _b32(c);
            if (Hashing.pushValue(below, v) != s.auxStack) revert AuxStackMismatch();
            s.auxStack = below;
            return _pushNext(c, v);
        }
        if (op == O.OP_Call) {
            if (s.callDepth >= s.maxCallDepth) return _trap(c, CALL_STACK_EXHAUSTED);
            _enter(s, uint32(c.imm));
            return _done(c);
        }
        if (op == O.OP_CallIndirect) return _callIndirect(c);
        if (op == O.OP_Return) {
            if (s.callDepth == 0) return _trap(c, UNREACHABLE);
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
            return _done(c);
        }
        if (op == O.OP_Unreachable) return _trap(c, UNREACHABLE);
        if (op == O.OP_Trap) {
            uint256 code = uint8(c.imm);
            return _trap(c, code == 0 || code > MAX_TRAP_CODE ? UNREACHABLE : code);
        }
        revert BadOpcode(op);
    }

    /// `CallIndirect type_id`: bounds, presence, type, then depth (`docs/machine.md` §5).
    function _callIndirect(Ctx memory c) private pure returns (bytes32) {
        State memory s = c.s;
        uint256 i = uint32(c.x0);
        if (i >= s.tableSize) return _trap(c, UNDEFINED_ELEMENT);
        uint256 present = _u(c, 1);
        uint256 typeId = _u(c, 4);
        uint256 entryPc = _u(c, 4);
        uint256 nLocals = _u(c, 4);
        uint256 path = _take(c, 32 * Merkle.SMALL_DEPTH);
        bytes32 leaf = Hashing.tableLeaf(present, typeId, entryPc, nLocals);
        if (Merkle.root(leaf, i, path, Merkle.SMALL_DEPTH) != s.table) revert LeafMismatch();
        if (present == 0) return _trap(c, UNINITIALIZED_ELEMENT);
        if (typeId != c.imm) return _trap(c, INDIRECT_CALL_TYPE_MISMATCH);
        if (s.callDepth >= s.maxCallDepth) return _trap(c, CALL_STACK_EXHAUSTED);
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
