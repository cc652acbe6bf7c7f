// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IOpMLConsumer} from "../../interfaces/IOpMLConsumer.sol";
import {IOpMLOracle} from "../../interfaces/IOpMLOracle.sol";

/// @title ClassifyConsumer
/// @notice Zero-shot text classification on-chain with the MiniLM program
///         (`guests/minilm`): asks which of a few labels is closest in meaning to a query,
///         and stores the decoded answer. The program's `classify` mode takes
///         `{"mode":"classify","texts":[query, label_1, …, label_n]}` and outputs
///         `abi.encode(uint8 best, int32[] scores)`, `best` the 0-based index of the most
///         similar label and `scores[i] = round(cos(query, label_i) · 10^6)`.
contract ClassifyConsumer is IOpMLConsumer {
    /// @notice The oracle this consumer trusts for callbacks.
    IOpMLOracle public immutable oracle;
    /// @notice The MiniLM program's id (registered from `models/minilm.wasm`).
    bytes32 public immutable programId;
    /// @notice Gas its callback needs: decoding and storing up to `MAX_LABELS` scores.
    uint64 public constant CALLBACK_GAS = 400_000;
    /// @notice The program takes at most 8 texts: the query and 7 labels.
    uint256 public constant MAX_LABELS = 7;

    /// @notice One classification this consumer asked for.
    struct Classification {
        /// Who asked (they get the fee back if the request is cancelled).
        address asker;
        /// Whether an answer arrived (readable or not).
        bool answered;
        /// Whether the answer decoded to one score per label with `best` among them.
        bool readable;
        /// The index of the label closest to the query.
        uint8 best;
        /// The labels, in the order they were sent.
        string[] labels;
        /// `round(cos(query, label_i) · 10^6)` for each label.
        int32[] scores;
    }

    mapping(uint256 => Classification) internal asked;

    event Asked(uint256 indexed requestId, string query, string[] labels);
    event Classified(uint256 indexed requestId, uint8 best, string label, int32[] scores);
    /// @notice The program's output for this request was not a classification of its labels.
    event Unreadable(uint256 indexed requestId, bytes output);

    error NotOracle();
    error NotMine(uint256 requestId);
    error LabelCount(uint256 count);
    /// @notice Text `index` (0 the query) holds a `"`, a `\` or a control character, which
    ///         this contract does not escape into JSON.
    error UnsupportedText(uint256 index);
    error TransferFailed();

    constructor(IOpMLOracle oracle_, bytes32 programId_) {
        oracle = oracle_;
        programId = programId_;
    }

    /// @notice Asks which of `labels` is closest to `query`, paying the oracle's fee from
    ///         `msg.value` (`oracle.requestFee(CALLBACK_GAS)`).
    function classify(string calldata query, string[] calldata labels) external payable returns (uint256 requestId) {
        if (labels.length == 0 || labels.length > MAX_LABELS) revert LabelCount(labels.length);
        bytes memory input = abi.encodePacked('{"mode":"classify","texts":[', _quoted(query, 0));
        for (uint256 i = 0; i < labels.length; i++) {
            input = abi.encodePacked(input, ",", _quoted(labels[i], i + 1));
        }
        input = abi.encodePacked(input, "]}");
        requestId = oracle.requestInference{value: msg.value}(programId, input, address(this), CALLBACK_GAS);
        Classification storage c = asked[requestId];
        c.asker = msg.sender;
        for (uint256 i = 0; i < labels.length; i++) {
            c.labels.push(labels[i]);
        }
        emit Asked(requestId, query, labels);
    }

    /// @inheritdoc IOpMLConsumer
    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(oracle)) revert NotOracle();
        Classification storage c = asked[requestId];
        if (c.asker == address(0)) revert NotMine(requestId);
        c.answered = true;
        // A malformed output must not revert here: the result is final either way, and the
        // record says it arrived and could not be read.
        try this.decode(output) returns (uint8 best, int32[] memory scores) {
            if (scores.length == c.labels.length && best < scores.length) {
                c.readable = true;
                c.best = best;
                c.scores = scores;
                emit Classified(requestId, best, c.labels[best], scores);
                return;
            }
        } catch {}
        emit Unreadable(requestId, output);
    }

    /// @notice `abi.decode(output, (uint8, int32[]))`, external so a malformed output can be
    ///         caught (it reverts on a short output or a value outside its type).
    function decode(bytes calldata output) external pure returns (uint8 best, int32[] memory scores) {
        return abi.decode(output, (uint8, int32[]));
    }

    /// @notice The classification of `requestId`: whether it was answered and readable, the
    ///         best label and every score.
    function classification(uint256 requestId)
        external
        view
        returns (bool answered, bool readable, string memory bestLabel, int32[] memory scores)
    {
        Classification storage c = asked[requestId];
        if (c.asker == address(0)) revert NotMine(requestId);
        answered = c.answered;
        readable = c.readable;
        if (readable) bestLabel = c.labels[c.best];
        scores = c.scores;
    }

    /// @notice Sends the fee of a cancelled request back to whoever asked it. The oracle
    ///         refunds this contract, the requester; anyone may call.
    function reclaim(uint256 requestId) external {
        address to = asked[requestId].asker;
        IOpMLOracle.Request memory q = oracle.request(requestId);
        if (to == address(0) || q.status != IOpMLOracle.RequestStatus.Cancelled) revert NotMine(requestId);
        asked[requestId].asker = address(0);
        if (oracle.balanceOf(address(this)) != 0) oracle.withdraw(payable(address(this)));
        (bool ok,) = to.call{value: q.fee}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Accepts the oracle's refunds only.
    receive() external payable {
        if (msg.sender != address(oracle)) revert NotOracle();
    }

    /// `"text"`, refusing what would need escaping in JSON.
    function _quoted(string calldata text, uint256 index) internal pure returns (bytes memory) {
        bytes calldata b = bytes(text);
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 ch = b[i];
            if (ch == '"' || ch == "\\" || uint8(ch) < 0x20) revert UnsupportedText(index);
        }
        return abi.encodePacked('"', b, '"');
    }
}
