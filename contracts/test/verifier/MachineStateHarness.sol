// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {MachineState, ProgramFields, State} from "../../src/lib/MachineState.sol";

/// Exposes what the protocol computes on-chain from `MachineState` (program id, `S_0`, the
/// halted-with-output check) so `opml-stepcheck` can compare it with the Rust machine.
contract MachineStateHarness {
    function programHash(ProgramFields calldata p) external pure returns (bytes32) {
        return MachineState.programHash(p);
    }

    function initialStateHash(ProgramFields calldata p, bytes calldata input) external pure returns (bytes32) {
        return MachineState.initialStateHash(p, input);
    }

    function stateHash(bytes calldata packed) external pure returns (bytes32) {
        return MachineState.hash(MachineState.decode(packed));
    }

    function isHaltedWithOutput(bytes calldata packed, bytes calldata output) external pure returns (bool) {
        State memory s = MachineState.decode(packed);
        return MachineState.isHaltedWithOutput(s, output);
    }
}
