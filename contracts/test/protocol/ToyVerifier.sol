// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IStepVerifier} from "../../src/interfaces/IStepVerifier.sol";

/// @notice A mock step verifier over a toy machine: a running state (first byte 0) steps to
///         `keccak(state)` with the first byte cleared, except registered "last" states, which
///         step to their halted successor; halted/trapped states step to themselves. The
///         "proof" must be the pre-state itself, so a bad proof reverts as a real one would.
contract ToyVerifier is IStepVerifier {
    mapping(bytes32 => bytes32) public haltsTo;

    error BadProof();

    function setHalt(bytes32 lastRunning, bytes32 halted) external {
        haltsTo[lastRunning] = halted;
    }

    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32) {
        if (keccak256(proof) != keccak256(abi.encodePacked(pre))) revert BadProof();
        if (pre[0] != 0) return pre;
        bytes32 h = haltsTo[pre];
        if (h != 0) return h;
        return next(pre);
    }

    /// Not a real machine; a non-zero version so that the oracle's forwarding is visible.
    function machineVersion() external pure returns (uint256) {
        return 1;
    }

    function next(bytes32 s) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(s)) & bytes32(type(uint256).max >> 8);
    }
}
