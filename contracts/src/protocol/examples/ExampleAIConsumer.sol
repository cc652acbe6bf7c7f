// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IAIOracle, IAICallbackReceiver} from "../../interfaces/IAIOracle.sol";

/// @title ExampleAIConsumer
/// @notice A consumer written for ORA's `IAIOracle` only (prompt in, answer out, with
///         callback data); pointed at `AIOracleAdapter` it runs on opml unchanged. It accepts
///         answers only for requests it made: anyone can name it as a callback contract with
///         made-up callback data.
contract ExampleAIConsumer is IAICallbackReceiver {
    /// @notice The ORA-shaped oracle.
    IAIOracle public immutable aiOracle;
    uint64 public constant CALLBACK_GAS = 300_000;

    /// @notice Answers by model and prompt.
    mapping(uint256 => mapping(bytes => bytes)) public answers;
    /// @notice Requests this contract made that await their answer.
    mapping(uint256 => bool) public awaiting;

    event PromptRequest(uint256 indexed requestId, address indexed sender, uint256 modelId, bytes prompt);
    event PromptAnswer(uint256 indexed requestId, uint256 modelId, bytes prompt, bytes output);

    error UnauthorizedCallbackSource(address sender);
    error UnknownRequest(uint256 requestId);

    constructor(IAIOracle aiOracle_) {
        aiOracle = aiOracle_;
    }

    /// @notice Asks model `modelId` about `prompt`; `msg.value` pays `estimateFee`.
    function calculateAIResult(uint256 modelId, bytes calldata prompt) external payable returns (uint256 requestId) {
        bytes memory callbackData = abi.encode(modelId, prompt);
        requestId =
            aiOracle.requestCallback{value: msg.value}(modelId, prompt, address(this), CALLBACK_GAS, callbackData);
        awaiting[requestId] = true;
        emit PromptRequest(requestId, msg.sender, modelId, prompt);
    }

    /// @inheritdoc IAICallbackReceiver
    /// @dev The callback data is this contract's own: the request id proves it asked.
    function aiOracleCallback(uint256 requestId, bytes calldata output, bytes calldata callbackData) external {
        if (msg.sender != address(aiOracle)) revert UnauthorizedCallbackSource(msg.sender);
        if (!awaiting[requestId]) revert UnknownRequest(requestId);
        delete awaiting[requestId];
        (uint256 modelId, bytes memory prompt) = abi.decode(callbackData, (uint256, bytes));
        answers[modelId][prompt] = output;
        emit PromptAnswer(requestId, modelId, prompt, output);
    }
}
