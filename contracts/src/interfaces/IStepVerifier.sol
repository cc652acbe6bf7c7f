// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// @title IStepVerifier
/// @notice Re-executes one step of the opml machine (`docs/machine.md`, `docs/proof.md`).
/// @dev The dispute game trusts nothing but this function: at a single disputed step it takes
///      the agreed pre-state hash and the mover's proof and compares the result with the
///      opponent's claimed post-state hash.
interface IStepVerifier {
    /// @notice The state hash after one step from `pre`.
    /// @param pre The pre-state hash; a halted or trapped state (first byte non-zero) steps
    ///        to itself.
    /// @param proof The one-step proof of `docs/proof.md` for `pre`.
    /// @return post The post-state hash.
    /// @dev Reverts on a proof inconsistent with `pre`; never returns a wrong `post`.
    function step(bytes32 pre, bytes calldata proof) external view returns (bytes32 post);
}
