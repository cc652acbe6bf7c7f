// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// @title IStepVerifier
/// @notice Re-executes one step of the opml machine (`docs/machine.md`), proved by `docs/proof.md`.
/// @dev The dispute game trusts nothing but `step`: at a single disputed step it takes the agreed
///      pre-state hash and the mover's proof and compares the result with the opponent's claimed
///      post-state hash. The one definition: the verifier, the oracle and the tests import it.
interface IStepVerifier {
    /// @notice The proof ends before a field the step needs.
    error ProofTooShort();
    /// @notice The proof has bytes past what the step reads.
    error ProofTooLong();
    /// @notice The packed state in the proof does not hash to `pre`.
    error PreStateMismatch();
    /// @notice The instruction is not at `pc` in the code tree.
    error CodeProofMismatch();
    /// @notice `pc` lies outside the code tree.
    error PcOutOfRange();
    /// @notice Not a defined opcode (or not one of this group's).
    error BadOpcode(uint256 op);
    /// @notice The revealed stack values do not rebuild the value stack.
    error StackMismatch();
    /// @notice The revealed aux value does not rebuild the aux stack.
    error AuxStackMismatch();
    /// @notice The revealed frame does not rebuild the frame stack.
    error FrameMismatch();
    /// @notice A revealed leaf (local, global, table slot, segment, memory, input) is not in its tree.
    error LeafMismatch();
    /// @notice A group contract address holds no code (checked at deployment).
    error GroupWithoutCode(address group);
    /// @notice A group contract returned something other than one 32-byte word.
    error BadGroupReturn(uint256 size);

    /// @notice The post-state hash after one step from `pre`; `pre` itself if `pre` is halted,
    ///         trapped or yielded. Reverts on any proof inconsistent with `pre`.
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32 post);

    /// @notice The machine version this verifier implements (`docs/machine.md`).
    function machineVersion() external view returns (uint256);
}
