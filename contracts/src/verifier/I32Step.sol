// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {AluBase} from "./AluBase.sol";
import {Consensus as C} from "../lib/Consensus.sol";
import {Opcodes as O} from "../lib/Opcodes.sol";

/// @title I32Step
/// @notice i32 opcodes `0x50–0x7f`. Results are zero-extended to 64 bits (`docs/machine.md` §1).
contract I32Step is AluBase {
    function _inGroup(uint256 op) internal pure override returns (bool) {
        return op >= C.GROUP_I32_FIRST && op < C.GROUP_I32_END;
    }

    function _execute(Ctx memory c) internal pure override returns (bytes32) {
        uint256 op = c.op;
        uint256 k = op - O.OP_I32Eqz;
        if (k < K_SHARED_END) return _alu(c, k, 32);
        if (op == O.OP_I32WrapI64) return _pushNext(c, c.x0 & 0xffffffff);
        if (op == O.OP_I32Extend8S) return _pushNext(c, _extend(c.x0, 8, 32));
        if (op == O.OP_I32Extend16S) return _pushNext(c, _extend(c.x0, 16, 32));
        revert BadOpcode(op);
    }
}
