// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// @title IOpMLConsumer
/// @notice A contract that receives finalized inference results from an `IOpMLOracle`.
interface IOpMLConsumer {
    /// @notice Called once by the oracle when the result of `requestId` is final.
    /// @dev Runs with the gas limit the request named. A revert or out-of-gas here does not
    ///      undo finality: the oracle records the result first and only reports the failure.
    ///      Implementations must check that `msg.sender` is the oracle AND that `requestId` is
    ///      one they requested themselves (recorded when `requestInference` returned it):
    ///      anyone can make a request naming any contract as its callback.
    /// @param requestId The id `requestInference` returned.
    /// @param output The program's output bytes, as committed by its halted final state.
    function onInferenceResult(uint256 requestId, bytes calldata output) external;
}
