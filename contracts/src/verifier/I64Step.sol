// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {AluBase} from "./AluBase.sol";
import {Consensus as C} from "../lib/Consensus.sol";
import {Opcodes as O} from "../lib/Opcodes.sol";

/// @title I64Step
/// @notice i64 opcodes `0x80–0xaf`.
contract I64Step is AluBase {
    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= C.GROUP_I64_FIRST && op < C.GROUP_I64_END;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        uint256 op = c.op;
        uint256 k = op - O.OP_I64Eqz;
        if (k < K_SHARED_END) return _alu(c, k, 64);
        if (op == O.OP_I64ExtendI32S) return _pushNext(c, _extend(c.x0, 32, 64));
        if (op == O.OP_I64ExtendI32U) return _pushNext(c, c.x0 & 0xffffffff);
        if (op == O.OP_I64Extend8S) return _pushNext(c, _extend(c.x0, 8, 64));
        if (op == O.OP_I64Extend16S) return _pushNext(c, _extend(c.x0, 16, 64));
        if (op == O.OP_I64Extend32S) return _pushNext(c, _extend(c.x0, 32, 64));
        revert BadOpcode(op);
    }
}
