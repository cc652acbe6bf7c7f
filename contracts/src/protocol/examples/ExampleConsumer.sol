// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IOpMLConsumer} from "../../interfaces/IOpMLConsumer.sol";
import {IOpMLOracle} from "../../interfaces/IOpMLOracle.sol";

/// @title ExampleConsumer
/// @notice The smallest useful opml consumer: asks one program for inferences and keeps the
///         outputs of the requests it made (anyone can name it as a callback, so it checks).
contract ExampleConsumer is IOpMLConsumer {
    /// @notice The oracle this consumer trusts for callbacks.
    IOpMLOracle public immutable oracle;
    /// @notice The program it asks.
    bytes32 public immutable programId;
    /// @notice Gas its callback needs (storing the output).
    uint64 public constant CALLBACK_GAS = 500_000;

    /// @notice Who asked each request this consumer made (they get the fee back if cancelled).
    mapping(uint256 => address) public askedBy;
    /// @notice Outputs received, by request id.
    mapping(uint256 => bytes) public outputs;
    /// @notice Whether a request's output arrived.
    mapping(uint256 => bool) public answered;

    event Asked(uint256 indexed requestId, bytes input);
    event Answered(uint256 indexed requestId, bytes output);

    error NotOracle();
    error NotMine(uint256 requestId);
    error TransferFailed();

    constructor(IOpMLOracle oracle_, bytes32 programId_) {
        oracle = oracle_;
        programId = programId_;
    }

    /// @notice Asks for `program(input)`, paying the oracle's fee from `msg.value`.
    function ask(bytes calldata input) external payable returns (uint256 requestId) {
        requestId = oracle.requestInference{value: msg.value}(programId, input, address(this), CALLBACK_GAS);
        askedBy[requestId] = msg.sender;
        emit Asked(requestId, input);
    }

    /// @inheritdoc IOpMLConsumer
    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(oracle)) revert NotOracle();
        if (askedBy[requestId] == address(0)) revert NotMine(requestId);
        outputs[requestId] = output;
        answered[requestId] = true;
        emit Answered(requestId, output);
    }

    /// @notice Sends the fee of a cancelled request back to whoever asked it. The oracle
    ///         refunds this contract, the requester; anyone may call.
    function reclaim(uint256 requestId) external {
        address to = askedBy[requestId];
        IOpMLOracle.Request memory q = oracle.request(requestId);
        if (to == address(0) || q.status != IOpMLOracle.RequestStatus.Cancelled) revert NotMine(requestId);
        delete askedBy[requestId];
        if (oracle.balanceOf(address(this)) != 0) oracle.withdraw(payable(address(this)));
        (bool ok,) = to.call{value: q.fee}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Accepts the oracle's refunds only.
    receive() external payable {
        if (msg.sender != address(oracle)) revert NotOracle();
    }
}
