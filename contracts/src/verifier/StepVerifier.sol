// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IStepVerifier} from "../interfaces/IStepVerifier.sol";
import {Consensus as C} from "../lib/Consensus.sol";

/// @title StepVerifier
/// @notice The one-step verifier of `docs/proof.md`: reads the opcode at its fixed offset in
///         the proof and forwards the call unchanged to the group contract for its range
///         (control, memory, bulk and host, i32, i64, f32, f64, float-to-integer), each under the
///         contract size limit. A proof that is the packed state alone (a step decided by the
///         state: the segment counter, `pc` past the code tree) goes to the control group.
///         Stateless and ownerless: the group addresses are fixed at deployment, each checked to
///         hold code; each call must return exactly one word.
contract StepVerifier is IStepVerifier {
    IStepVerifier public immutable control;
    IStepVerifier public immutable memory_;
    IStepVerifier public immutable bulk;
    IStepVerifier public immutable i32;
    IStepVerifier public immutable i64;
    IStepVerifier public immutable f32;
    IStepVerifier public immutable f64;
    IStepVerifier public immutable floatConv;

    /// @param groups The group contracts in opcode order: control, memory, bulk, i32, i64, f32,
    ///        f64, float-to-integer (`docs/isa.md`, "Groups").
    constructor(IStepVerifier[8] memory groups) {
        for (uint256 i = 0; i < 8; i++) {
            if (address(groups[i]).code.length == 0) revert GroupWithoutCode(address(groups[i]));
        }
        (control, memory_, bulk, i32, i64) = (groups[0], groups[1], groups[2], groups[3], groups[4]);
        (f32, f64, floatConv) = (groups[5], groups[6], groups[7]);
    }

    /// @inheritdoc IStepVerifier
    function machineVersion() external pure returns (uint256) {
        return C.MACHINE_VERSION;
    }

    /// @inheritdoc IStepVerifier
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32) {
        if (uint256(pre) >> 248 != 0) return pre;
        IStepVerifier target = _group(proof);
        bytes4 badReturn = BadGroupReturn.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, 0, calldatasize())
            let ok := staticcall(gas(), target, m, calldatasize(), 0, 32)
            if iszero(ok) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
            if iszero(eq(returndatasize(), 32)) {
                mstore(m, badReturn)
                mstore(add(m, 4), returndatasize())
                revert(m, 36)
            }
            return(0, 32)
        }
    }

    /// The group contract for the proof's opcode (or the control group for a state-only proof).
    function _group(bytes calldata proof) private view returns (IStepVerifier) {
        uint256 pos = C.PROOF_OPCODE_OFFSET;
        if (proof.length == pos) return control;
        if (proof.length < pos + 2) revert ProofTooShort();
        uint256 op = uint16(bytes2(proof[pos:pos + 2]));
        if (op < C.GROUP_CONTROL_END) return control;
        if (op < C.GROUP_MEMORY_END) return memory_;
        if (op < C.GROUP_BULK_END) return bulk;
        if (op < C.GROUP_I32_END) return i32;
        if (op < C.GROUP_I64_END) return i64;
        if (op < C.GROUP_F32_END) return f32;
        if (op < C.GROUP_F64_END) return f64;
        if (op < C.GROUP_FLOAT_CONV_END) return floatConv;
        revert BadOpcode(op);
    }
}
