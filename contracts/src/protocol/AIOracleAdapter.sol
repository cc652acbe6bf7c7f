// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IAIOracle, IAICallbackReceiver} from "../interfaces/IAIOracle.sol";
import {IOpMLConsumer} from "../interfaces/IOpMLConsumer.sol";
import {IOpMLOracle} from "../interfaces/IOpMLOracle.sol";

/// @title AIOracleAdapter
/// @notice Serves ORA's `IAIOracle` on top of an `IOpMLOracle`, so a consumer written for ORA
///         (`aiOracleCallback(requestId, output, callbackData)`) works unchanged: point it at
///         this contract. `modelId` is `uint256(programId)`; request ids are the oracle's.
/// @dev Stateless apart from the pending callbacks; no owner. The oracle calls back with the
///      consumer's gas limit plus `OVERHEAD` (this contract's own work) plus the 1/63 the
///      inner call needs to keep, so the consumer always gets its full `gasLimit`.
contract AIOracleAdapter is IAIOracle, IOpMLConsumer {
    /// @notice Gas this adapter spends around the consumer's callback (reading up to
    ///         `MAX_CALLBACK_DATA` bytes of callback data from storage, the event, the call).
    uint64 public constant OVERHEAD = 120_000;
    /// @notice Largest `callbackData`, in bytes (bounds `OVERHEAD`).
    uint256 public constant MAX_CALLBACK_DATA = 1024;

    /// @notice The oracle requests are forwarded to.
    IOpMLOracle public immutable oracle;

    struct Pending {
        address account;
        address callbackContract;
        uint64 gasLimit;
        bytes callbackData;
    }

    mapping(uint256 => Pending) internal _pending;

    /// @notice Fees of cancelled requests owed back to the accounts that paid them.
    mapping(address => uint256) public refunds;

    /// @notice The fee of cancelled request `requestId` is owed back to `account`.
    event Refunded(uint256 indexed requestId, address indexed account, uint256 amount);

    error NotOracle();
    error CallbackDataTooLarge(uint256 len);
    error FeeTooLow(uint256 sent, uint256 required);
    error UnknownRequest(uint256 requestId);
    error NotCancelled(uint256 requestId);
    error NothingToWithdraw();
    error TransferFailed();

    constructor(IOpMLOracle oracle_) {
        oracle = oracle_;
    }

    /// @inheritdoc IAIOracle
    function estimateFee(uint256, uint256 gasLimit) public view returns (uint256) {
        // No chain has blocks of 2^32 gas: such a limit can never be served.
        if (gasLimit > type(uint32).max) return type(uint256).max;
        // casting to 'uint64' is safe because gasLimit <= 2^32 - 1
        // forge-lint: disable-next-line(unsafe-typecast)
        return oracle.requestFee(_oracleGas(uint64(gasLimit)));
    }

    /// @inheritdoc IAIOracle
    function requestCallback(
        uint256 modelId,
        bytes calldata input,
        address callbackContract,
        uint64 gasLimit,
        bytes calldata callbackData
    ) external payable returns (uint256 requestId) {
        if (callbackData.length > MAX_CALLBACK_DATA) {
            revert CallbackDataTooLarge(callbackData.length);
        }
        uint64 oracleGas = _oracleGas(gasLimit);
        uint256 fee = oracle.requestFee(oracleGas);
        if (msg.value < fee) revert FeeTooLow(msg.value, fee);
        requestId = oracle.requestInference{value: msg.value}(bytes32(modelId), input, address(this), oracleGas);
        _pending[requestId] = Pending(msg.sender, callbackContract, gasLimit, callbackData);
        emit AICallbackRequest(msg.sender, requestId, modelId, input, callbackContract, gasLimit, callbackData);
    }

    /// @inheritdoc IAIOracle
    function isFinalized(uint256 requestId) external view returns (bool) {
        return oracle.isFinalized(requestId);
    }

    /// @inheritdoc IOpMLConsumer
    /// @dev Forwards to the ORA-style receiver with its gas limit; a failing receiver is
    ///      ignored, as the oracle ignores a failing adapter.
    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(oracle)) revert NotOracle();
        Pending memory p = _pending[requestId];
        if (p.account == address(0)) revert UnknownRequest(requestId);
        delete _pending[requestId];
        bytes memory data = abi.encodeCall(IAICallbackReceiver.aiOracleCallback, (requestId, output, p.callbackData));
        address target = p.callbackContract;
        uint64 gasLimit = p.gasLimit;
        assembly ("memory-safe") {
            pop(call(gasLimit, target, 0, add(data, 32), mload(data), 0, 0))
        }
        emit AICallbackResult(p.account, requestId, msg.sender, output);
    }

    /// @notice Books the fee of a request the oracle cancelled (it refunds the requester, this
    ///         adapter) to the account that paid it. Anyone may call.
    function reclaim(uint256 requestId) external {
        Pending storage p = _pending[requestId];
        address account = p.account;
        if (account == address(0)) revert UnknownRequest(requestId);
        IOpMLOracle.Request memory q = oracle.request(requestId);
        if (q.status != IOpMLOracle.RequestStatus.Cancelled) revert NotCancelled(requestId);
        delete _pending[requestId];
        refunds[account] += q.fee;
        emit Refunded(requestId, account, q.fee);
    }

    /// @notice Sends the caller's refunds to `to`, pulling this adapter's credit from the oracle.
    function withdrawRefund(address payable to) external {
        uint256 amount = refunds[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        refunds[msg.sender] = 0;
        if (oracle.balanceOf(address(this)) != 0) oracle.withdraw(payable(address(this)));
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Accepts the oracle's refunds only.
    receive() external payable {
        if (msg.sender != address(oracle)) revert NotOracle();
    }

    function _oracleGas(uint64 gasLimit) internal pure returns (uint64) {
        return gasLimit + gasLimit / 63 + OVERHEAD;
    }
}
