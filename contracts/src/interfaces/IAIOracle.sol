// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// @title IAIOracle
/// @notice The request interface of ORA's AI oracle, so consumers written against it switch
///         to opml unchanged (see `AIOracleAdapter`). Here `modelId` is an opml `programId`.
interface IAIOracle {
    /// @notice A request was made through this oracle.
    event AICallbackRequest(
        address indexed account,
        uint256 indexed requestId,
        uint256 modelId,
        bytes input,
        address callbackContract,
        uint64 gasLimit,
        bytes callbackData
    );

    /// @notice A request's result is final and is being delivered to its callback contract.
    event AICallbackResult(address indexed account, uint256 indexed requestId, address invoker, bytes output);

    /// @notice Requests `modelId(input)`; the result goes to
    ///         `callbackContract.aiOracleCallback(requestId, output, callbackData)` with `gasLimit`.
    /// @dev Payable: `msg.value` must be at least `estimateFee(modelId, gasLimit)`. Anyone can
    ///      name any `callbackContract` and any `callbackData`: a receiver must accept only
    ///      request ids it made itself (see `IAICallbackReceiver`).
    /// @return requestId The request's id (the same as the underlying oracle's).
    function requestCallback(
        uint256 modelId,
        bytes calldata input,
        address callbackContract,
        uint64 gasLimit,
        bytes calldata callbackData
    ) external payable returns (uint256 requestId);

    /// @notice The fee `requestCallback` needs for a callback with `gasLimit`.
    function estimateFee(uint256 modelId, uint256 gasLimit) external view returns (uint256);

    /// @notice Whether the result of `requestId` is final.
    function isFinalized(uint256 requestId) external view returns (bool);
}

/// @title IAICallbackReceiver
/// @notice The receiver side of ORA's AI oracle.
interface IAICallbackReceiver {
    /// @notice Delivers the output of `requestId` with the data given at request time.
    /// @dev Implementations must check that `msg.sender` is the oracle they requested from AND
    ///      that `requestId` is one they requested themselves (recorded when `requestCallback`
    ///      returned it): anyone can request with any callback contract and callback data, so
    ///      neither the sender check nor `callbackData` alone says the result is for you.
    function aiOracleCallback(uint256 requestId, bytes calldata output, bytes calldata callbackData) external;
}
