// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IStepVerifier} from "./IStepVerifier.sol";
import {MachineState} from "../lib/MachineState.sol";

/// @title StepVerifier
/// @notice The one-step verifier of `docs/proof.md`: reads the opcode at its fixed offset in
///         the proof and forwards the call unchanged to the group contract for its range
///         (control, memory, bulk and host, i32, i64), each under the contract size limit.
///         Stateless and ownerless: the group addresses are fixed at deployment.
contract StepVerifier is IStepVerifier {
    IStepVerifier public immutable control;
    IStepVerifier public immutable memory_;
    IStepVerifier public immutable bulk;
    IStepVerifier public immutable i32;
    IStepVerifier public immutable i64;

    constructor(
        IStepVerifier control_,
        IStepVerifier mem,
        IStepVerifier bulk_,
        IStepVerifier i32_,
        IStepVerifier i64_
    ) {
        control = control_;
        memory_ = mem;
        bulk = bulk_;
        i32 = i32_;
        i64 = i64_;
    }

    /// @inheritdoc IStepVerifier
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32) {
        if (uint256(pre) >> 248 != 0) return pre;
        uint256 pos = MachineState.PACKED_LEN;
        if (proof.length < pos + 2) revert ProofTooShort();
        uint256 op = uint16(bytes2(proof[pos:pos + 2]));
        IStepVerifier target;
        if (op < 0x20) target = control;
        else if (op < 0x40) target = memory_;
        else if (op < 0x50) target = bulk;
        else if (op < 0x80) target = i32;
        else if (op < 0xb0) target = i64;
        else revert BadOpcode(op);
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, 0, calldatasize())
            let ok := staticcall(gas(), target, m, calldatasize(), 0, 32)
            if iszero(ok) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
            return(0, 32)
        }
    }
}
