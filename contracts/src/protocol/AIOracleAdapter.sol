// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IAIOracle, IAICallbackReceiver} from "../interfaces/IAIOracle.sol";
import {IOpMLConsumer} from "../interfaces/IOpMLConsumer.sol";
import {IOpMLOracle} from "../interfaces/IOpMLOracle.sol";

/// @title AIOracleAdapter
/// @notice Serves ORA's `IAIOracle` on top of an `IOpMLOracle`, so a consumer written for ORA
///         (`aiOracleCallback(requestId, output, callbackData)`) works unchanged: point it at
///         this contract. `modelId` is `uint256(programId)`; request ids are the oracle's.
/// @dev No owner. Per request, the oracle calls back with the consumer's gas limit plus the
///      1/63 the inner call must keep plus this adapter's own work, priced for that request's
///      callback data and the oracle's largest output (`callbackGas`). All bookkeeping happens
///      before the consumer is called, and the call is refused unless the consumer gets its
///      full limit: nothing after the consumer returns can run out of gas and undo its state.
contract AIOracleAdapter is IAIOracle, IOpMLConsumer {
    /// @notice Largest `callbackData`, in bytes.
    uint256 public constant MAX_CALLBACK_DATA = 1024;
    /// @notice Gas of this adapter's work that does not grow with the data: checks, two cold
    ///         storage slots read and one cleared, the events' topics, the call's cold access,
    ///         and what runs after the consumer returns.
    uint256 public constant FIXED_OVERHEAD = 40_000;
    /// @notice Gas per 32-byte word copied: callback data (read, encoded) and output (encoded,
    ///         logged at 8 gas per byte, copied for the event).
    uint256 public constant GAS_PER_DATA_WORD = 40;
    uint256 public constant GAS_PER_OUTPUT_WORD = 8 * 32 + 12;
    /// Gas kept back around the consumer's call for the rest of `onInferenceResult`.
    uint256 private constant CALL_RESERVE = 10_000;

    /// @notice The oracle requests are forwarded to.
    IOpMLOracle public immutable oracle;
    /// @notice The oracle's largest output, in 32-byte words (the callback gas covers it).
    uint256 public immutable maxOutputWords;

    struct Pending {
        address account;
        uint64 gasLimit;
        address callbackContract;
        /// A code-only contract holding the callback data after a zero byte (none if empty):
        /// written once for ~200 gas a byte, read back for one cold account access.
        address data;
        /// Who gets the fee back if the oracle cancels the request.
        address refundTo;
    }

    mapping(uint256 => Pending) internal _pending;

    /// @notice Fees of cancelled requests owed back to the accounts that paid them.
    mapping(address => uint256) public refunds;

    /// @notice The fee of cancelled request `requestId` is owed back to `refundTo`.
    event Refunded(uint256 indexed requestId, address indexed refundTo, uint256 amount);
    /// @notice The consumer of `requestId` reverted or ran out of its gas: the result is final
    ///         (see `AICallbackResult`) but the consumer did not take it.
    event AICallbackFailed(address indexed account, uint256 indexed requestId);

    error NotOracle();
    error CallbackDataTooLarge(uint256 len);
    error FeeTooLow(uint256 sent, uint256 required);
    error UnknownRequest(uint256 requestId);
    error NotCancelled(uint256 requestId);
    error NothingToWithdraw();
    error TransferFailed();
    error InsufficientGasForCallback();

    constructor(IOpMLOracle oracle_) {
        oracle = oracle_;
        maxOutputWords = (uint256(oracle_.config().maxOutputBytes) + 31) / 32;
    }

    /// @notice The callback gas limit this adapter requests from the oracle for a consumer
    ///         limit `gasLimit` and `dataLength` bytes of callback data.
    function callbackGas(uint64 gasLimit, uint256 dataLength) public view returns (uint256) {
        uint256 dataWords = (dataLength + 31) / 32;
        // Memory: the call's payload (output and data) and the event's copy of the output.
        uint256 mem = 2 * maxOutputWords + dataWords + 32;
        return uint256(gasLimit) + gasLimit / 63 + FIXED_OVERHEAD + GAS_PER_DATA_WORD * dataWords + GAS_PER_OUTPUT_WORD
            * maxOutputWords + 3 * mem + mem * mem / 512;
    }

    /// @inheritdoc IAIOracle
    /// @dev Assumes the largest callback data; `feeFor` gives the exact fee.
    function estimateFee(uint256, uint256 gasLimit) external view returns (uint256) {
        return feeFor(gasLimit, MAX_CALLBACK_DATA);
    }

    /// @notice The fee `requestCallback` takes for `gasLimit` and `dataLength` bytes of data.
    function feeFor(uint256 gasLimit, uint256 dataLength) public view returns (uint256) {
        // No chain has blocks of 2^32 gas: such a limit can never be served.
        if (gasLimit > type(uint32).max) return type(uint256).max;
        // casting to 'uint64' is safe because gasLimit <= 2^32 - 1
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 gas = callbackGas(uint64(gasLimit), dataLength);
        if (gas > type(uint64).max) return type(uint256).max;
        // casting to 'uint64' is safe because of the check above
        // forge-lint: disable-next-line(unsafe-typecast)
        return oracle.requestFee(uint64(gas));
    }

    /// @inheritdoc IAIOracle
    /// @dev An ORA consumer cannot name a refund address, so a cancelled request's fee is owed
    ///      to the transaction's sender, who paid it through the consumer (`tx.origin`: a
    ///      recipient, never a check). Consumers written for opml name their own with the
    ///      six-argument form.
    function requestCallback(
        uint256 modelId,
        bytes calldata input,
        address callbackContract,
        uint64 gasLimit,
        bytes calldata callbackData
    ) external payable returns (uint256) {
        return _request(modelId, input, callbackContract, gasLimit, callbackData, tx.origin);
    }

    /// @notice `requestCallback` with the account `refundTo` that gets the fee back if the
    ///         oracle cancels the request.
    function requestCallback(
        uint256 modelId,
        bytes calldata input,
        address callbackContract,
        uint64 gasLimit,
        bytes calldata callbackData,
        address refundTo
    ) external payable returns (uint256) {
        return _request(modelId, input, callbackContract, gasLimit, callbackData, refundTo);
    }

    function _request(
        uint256 modelId,
        bytes calldata input,
        address callbackContract,
        uint64 gasLimit,
        bytes calldata callbackData,
        address refundTo
    ) internal returns (uint256 requestId) {
        if (callbackData.length > MAX_CALLBACK_DATA) {
            revert CallbackDataTooLarge(callbackData.length);
        }
        uint256 gas = callbackGas(gasLimit, callbackData.length);
        // The oracle refuses a limit above its maximum (`CallbackGasTooHigh`).
        // casting to 'uint64' is safe because of the comparison
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 oracleGas = gas > type(uint64).max ? type(uint64).max : uint64(gas);
        uint256 fee = oracle.requestFee(oracleGas);
        if (msg.value < fee) revert FeeTooLow(msg.value, fee);
        requestId = oracle.requestInference{value: msg.value}(bytes32(modelId), input, address(this), oracleGas);
        _pending[requestId] = Pending(msg.sender, gasLimit, callbackContract, _store(callbackData), refundTo);
        emit AICallbackRequest(msg.sender, requestId, modelId, input, callbackContract, gasLimit, callbackData);
    }

    /// @notice The request `requestId` awaiting its callback (`account` zero once delivered
    ///         or reclaimed).
    function pending(uint256 requestId) external view returns (Pending memory) {
        return _pending[requestId];
    }

    /// @inheritdoc IAIOracle
    function isFinalized(uint256 requestId) external view returns (bool) {
        return oracle.isFinalized(requestId);
    }

    /// @inheritdoc IOpMLConsumer
    /// @dev Clears the request and logs the result first, then calls the receiver with its
    ///      gas limit; a receiver that fails is reported by `AICallbackFailed`.
    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(oracle)) revert NotOracle();
        Pending storage p = _pending[requestId];
        address account = p.account;
        if (account == address(0)) revert UnknownRequest(requestId);
        uint64 gasLimit = p.gasLimit;
        address target = p.callbackContract;
        bytes memory data = abi.encodeCall(IAICallbackReceiver.aiOracleCallback, (requestId, output, _load(p.data)));
        p.account = address(0);
        emit AICallbackResult(account, requestId, msg.sender, output);
        if (gasleft() < uint256(gasLimit) + gasLimit / 63 + CALL_RESERVE) revert InsufficientGasForCallback();
        bool ok;
        assembly ("memory-safe") {
            ok := call(gasLimit, target, 0, add(data, 32), mload(data), 0, 0)
        }
        if (!ok) emit AICallbackFailed(account, requestId);
    }

    /// @notice Books the fee of a request the oracle cancelled (it refunds the requester, this
    ///         adapter) to the request's refund address. Anyone may call.
    function reclaim(uint256 requestId) external {
        Pending storage p = _pending[requestId];
        if (p.account == address(0)) revert UnknownRequest(requestId);
        IOpMLOracle.Request memory q = oracle.request(requestId);
        if (q.status != IOpMLOracle.RequestStatus.Cancelled) revert NotCancelled(requestId);
        address to = p.refundTo;
        delete _pending[requestId];
        refunds[to] += q.fee;
        emit Refunded(requestId, to, q.fee);
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

    /// Deploys `data` as the code of a new contract, after a zero byte (STOP) so that calling
    /// it does nothing. Init code: PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY,
    /// RETURNDATASIZE, RETURN — it returns the 10 bytes of code that follow it.
    function _store(bytes calldata data) internal returns (address ptr) {
        if (data.length == 0) return address(0);
        // casting to 'uint16' is safe because data.length <= MAX_CALLBACK_DATA
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a3d393df300", data);
        assembly ("memory-safe") {
            ptr := create(0, add(init, 32), mload(init))
        }
        if (ptr == address(0)) revert CallbackDataTooLarge(data.length);
    }

    function _load(address ptr) internal view returns (bytes memory data) {
        if (ptr == address(0)) return data;
        uint256 len = ptr.code.length - 1;
        data = new bytes(len);
        assembly ("memory-safe") {
            extcodecopy(ptr, add(data, 32), 1, len)
        }
    }
}
