// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IOpMLOracle} from "../interfaces/IOpMLOracle.sol";
import {IOpMLConsumer} from "../interfaces/IOpMLConsumer.sol";
import {IStepVerifier} from "../interfaces/IStepVerifier.sol";
import {MachineState, ProgramFields, State} from "../lib/MachineState.sol";
import {SegmentTree} from "./SegmentTree.sol";

/// @title OpMLOracle
/// @notice Optimistic ML inference with commit–reveal results and k-ary bisection disputes
///         (`docs/protocol.md`).
/// @dev Every parameter is immutable and every action is open to anyone: there is no owner.
///      Funds move only by crediting `balanceOf` (pull payments); the one external call made
///      with state in flux is the consumer callback in `deliver`, after all effects.
contract OpMLOracle is IOpMLOracle {
    uint256 private constant BPS = 10_000;
    /// Bounds of `burnBps` (`docs/protocol.md` §9): enough that losing on purpose to one's own
    /// challenger costs something, little enough that winning pays.
    uint256 public constant MIN_BURN_BPS = 1000;
    uint256 public constant MAX_BURN_BPS = 5000;
    /// Gas kept back around the consumer callback for the rest of `deliver`.
    uint256 private constant CALLBACK_RESERVE = 10_000;
    bytes19 private constant P_PROGRAM_ID = "opml/program-id/v2:";
    bytes14 private constant P_COMMIT = "opml/commit/v1";
    /// `Game.phase`: a single-phase game, phase 1 (segments), phase 2 (steps of one segment).
    uint8 private constant SINGLE_PHASE = 0;
    uint8 private constant PHASE_SEGMENTS = 1;
    uint8 private constant PHASE_STEPS = 2;

    IStepVerifier internal immutable VERIFIER;
    uint64 internal immutable WINDOW;
    uint64 internal immutable REVEAL_WINDOW;
    uint64 internal immutable CLOCK;
    uint8 internal immutable K_LOG;
    uint8 internal immutable MAX_SEGMENT_DEPTH;
    uint8 internal immutable MAX_TRACE_DEPTH;
    uint256 internal immutable RESULT_BOND;
    uint256 internal immutable CHALLENGE_BOND;
    uint16 internal immutable BURN_BPS;
    uint256 internal immutable BASE_FEE;
    uint256 internal immutable CALLBACK_GAS_PRICE;
    uint64 internal immutable MAX_CALLBACK_GAS;
    uint32 internal immutable MAX_INPUT;
    uint32 internal immutable MAX_OUTPUT;
    uint64 internal immutable REQUEST_TIMEOUT;

    mapping(bytes32 => Program) internal _programs;
    mapping(uint256 => Request) internal _requests;
    mapping(uint256 => Result) internal _results;
    mapping(uint256 => Game) internal _games;
    mapping(uint256 => mapping(address => uint256)) internal _gameOf;
    /// Submitters whose result was rejected on a request, which they may not serve again.
    mapping(uint256 => mapping(address => bool)) internal _barred;
    mapping(address => uint256) internal _balances;
    uint256 internal _burned;
    uint256 public requestCount;
    uint256 public resultCount;
    uint256 public gameCount;

    constructor(Config memory c) {
        if (
            address(c.verifier) == address(0) || c.challengeWindow == 0 || c.revealWindow == 0
                || c.revealWindow > c.challengeWindow || c.clock == 0 || c.kLog == 0 || c.kLog > 8 || c.resultBond == 0
                || c.challengeBond == 0 || c.burnBps < MIN_BURN_BPS || c.burnBps > MAX_BURN_BPS || c.maxOutputBytes == 0
                || c.requestTimeout < c.challengeWindow || c.maxSegmentDepth == 0 || c.maxSegmentDepth > c.maxTraceDepth
                || c.maxTraceDepth > 63
        ) revert InvalidConfig();
        VERIFIER = c.verifier;
        WINDOW = c.challengeWindow;
        REVEAL_WINDOW = c.revealWindow;
        CLOCK = c.clock;
        K_LOG = c.kLog;
        MAX_SEGMENT_DEPTH = c.maxSegmentDepth;
        MAX_TRACE_DEPTH = c.maxTraceDepth;
        RESULT_BOND = c.resultBond;
        CHALLENGE_BOND = c.challengeBond;
        BURN_BPS = c.burnBps;
        BASE_FEE = c.baseFee;
        CALLBACK_GAS_PRICE = c.callbackGasPrice;
        MAX_CALLBACK_GAS = c.maxCallbackGas;
        MAX_INPUT = c.maxInputBytes;
        MAX_OUTPUT = c.maxOutputBytes;
        REQUEST_TIMEOUT = c.requestTimeout;
    }

    // ------------------------------------------------------------------ programs

    /// @inheritdoc IOpMLOracle
    function registerProgram(ProgramFields calldata fields, uint8 traceDepth, string calldata metadataURI)
        external
        returns (bytes32 programId)
    {
        if (traceDepth == 0 || traceDepth > 63 || fields.status > MachineState.TRAPPED || fields.codeDepth == 0) {
            revert InvalidProgram();
        }
        // Machine v2: a segment is 2^segmentDepth steps, 1 to 63 (`docs/machine.md` §7).
        if (fields.segmentDepth == 0 || fields.segmentDepth > 63) revert InvalidProgram();
        // Bounded by what an honest player computes within a clock (`docs/protocol.md` §10).
        uint8 segmentDepth = _segmentDepth(traceDepth, fields.segmentDepth);
        if (segmentDepth > MAX_SEGMENT_DEPTH || traceDepth > MAX_TRACE_DEPTH) {
            revert DepthBeyondClock(traceDepth, segmentDepth, MAX_TRACE_DEPTH, MAX_SEGMENT_DEPTH);
        }
        bytes32 programHash = MachineState.programHash(fields);
        programId = keccak256(abi.encodePacked(P_PROGRAM_ID, programHash, traceDepth, keccak256(bytes(metadataURI))));
        Program storage p = _programs[programId];
        if (p.traceDepth != 0) revert ProgramExists(programId);
        p.fields = fields;
        p.traceDepth = traceDepth;
        p.registrant = msg.sender;
        emit ProgramRegistered(programId, programHash, msg.sender, traceDepth, metadataURI, fields);
    }

    /// `D2`, the depth of phase 2: the program's segment depth, or `D` if that is less (then
    /// the whole trace is one segment and the game has a single phase).
    function _segmentDepth(uint8 traceDepth, uint8 programSegmentDepth) internal pure returns (uint8) {
        return programSegmentDepth < traceDepth ? programSegmentDepth : traceDepth;
    }

    /// @inheritdoc IOpMLOracle
    function program(bytes32 programId) external view returns (Program memory) {
        return _programs[programId];
    }

    /// @inheritdoc IOpMLOracle
    function machineVersion() external view returns (uint256) {
        return VERIFIER.machineVersion();
    }

    // ------------------------------------------------------------------ requests

    /// @inheritdoc IOpMLOracle
    function requestFee(uint64 callbackGasLimit) public view returns (uint256) {
        return BASE_FEE + uint256(callbackGasLimit) * CALLBACK_GAS_PRICE;
    }

    /// @inheritdoc IOpMLOracle
    function requestInference(bytes32 programId, bytes calldata input, address callback, uint64 callbackGasLimit)
        external
        payable
        returns (uint256 requestId)
    {
        Program storage p = _programs[programId];
        uint8 depth = p.traceDepth;
        if (depth == 0) revert UnknownProgram(programId);
        if (callbackGasLimit > MAX_CALLBACK_GAS) {
            revert CallbackGasTooHigh(callbackGasLimit, MAX_CALLBACK_GAS);
        }
        if (input.length > MAX_INPUT) revert InputTooLarge(input.length, MAX_INPUT);
        uint256 minFee = requestFee(callbackGasLimit);
        if (msg.value < minFee) revert FeeTooLow(msg.value, minFee);

        requestId = ++requestCount;
        Request storage r = _requests[requestId];
        r.programId = programId;
        r.requester = msg.sender;
        r.createdAt = uint64(block.timestamp);
        r.traceDepth = depth;
        r.segmentDepth = _segmentDepth(depth, p.fields.segmentDepth);
        r.status = RequestStatus.Open;
        r.callback = callback;
        r.callbackGasLimit = callbackGasLimit;
        r.fee = msg.value;
        r.startState = MachineState.initialStateHash(p.fields, input);
        _emitRequested(requestId, r, input);
    }

    function _emitRequested(uint256 requestId, Request storage r, bytes calldata input) private {
        emit InferenceRequested(
            requestId, r.programId, msg.sender, r.callback, r.callbackGasLimit, msg.value, r.startState, input
        );
    }

    /// @inheritdoc IOpMLOracle
    function cancelRequest(uint256 requestId) external {
        Request storage r = _requests[requestId];
        if (r.status != RequestStatus.Open) revert RequestNotOpen(requestId);
        if (r.resultId != 0) revert ResultPending(requestId);
        if (block.timestamp < uint256(r.createdAt) + REQUEST_TIMEOUT) {
            revert RequestNotExpired(requestId);
        }
        r.status = RequestStatus.Cancelled;
        r.cancelledAt = uint64(block.timestamp);
        emit RequestCancelled(requestId);
        _credit(r.requester, r.fee);
    }

    /// @inheritdoc IOpMLOracle
    function request(uint256 requestId) external view returns (Request memory) {
        return _requests[requestId];
    }

    /// @inheritdoc IOpMLOracle
    function isFinalized(uint256 requestId) external view returns (bool) {
        return _requests[requestId].status == RequestStatus.Finalized;
    }

    // ------------------------------------------------------------------ results

    /// @inheritdoc IOpMLOracle
    function commitmentHash(uint256 requestId, address submitter, bytes32 finalState) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(P_COMMIT, requestId, submitter, finalState));
    }

    /// @inheritdoc IOpMLOracle
    function commitResult(uint256 requestId, bytes32 commitment) external payable returns (uint256 resultId) {
        Request storage q = _requests[requestId];
        if (q.status != RequestStatus.Open) revert RequestNotOpen(requestId);
        if (_barred[requestId][msg.sender]) revert Barred(requestId, msg.sender);
        if (msg.value != RESULT_BOND) revert WrongBond(msg.value, RESULT_BOND);
        resultId = ++resultCount;
        Result storage res = _results[resultId];
        res.requestId = _id(requestId);
        res.submitter = msg.sender;
        res.committedAt = uint64(block.timestamp);
        res.status = ResultStatus.Committed;
        res.commitment = commitment;
        res.prevCommit = q.lastCommit;
        q.lastCommit = _id(resultId);
        emit ResultCommitted(resultId, requestId, msg.sender, commitment);
    }

    /// @inheritdoc IOpMLOracle
    function revealResult(uint256 resultId, bytes calldata output, bytes calldata finalState) external {
        Result storage res = _results[resultId];
        if (res.status != ResultStatus.Committed) revert NotCommitted(resultId);
        if (msg.sender != res.submitter) revert NotCommitter(resultId);
        Request storage q = _requests[res.requestId];
        if (q.status != RequestStatus.Open) revert RequestNotOpen(res.requestId);
        if (_barred[res.requestId][msg.sender]) revert Barred(res.requestId, msg.sender);
        // An earlier candidate keeps its priority; a later one (never pending yet: its window
        // opens after this commitment's deadline) gives way in `_takePriority`.
        uint256 best = q.resultId;
        if (best != 0 && best < resultId) revert LowerPriority(resultId, best);
        uint256 deadline = _revealDeadline(res, q);
        if (resultId < q.prevBest || block.timestamp > deadline) revert RevealClosed(resultId);
        bytes32 claim = _claim(output, finalState);
        if (commitmentHash(res.requestId, msg.sender, claim) != res.commitment) revert CommitmentMismatch();
        res.status = ResultStatus.Revealed;
        res.outputHash = keccak256(output);
        res.finalState = claim;
        uint64 windowStart = _takePriority(res, q, resultId, deadline);
        emit ResultRevealed(resultId, res.requestId, msg.sender, claim, windowStart, output);
    }

    /// The state hash of a packed halted final state whose output fields commit to `output`.
    function _claim(bytes calldata output, bytes calldata finalState) internal view returns (bytes32) {
        if (output.length > MAX_OUTPUT) revert OutputTooLarge(output.length, MAX_OUTPUT);
        if (finalState.length != MachineState.PACKED_LEN) revert BadFinalState();
        State memory s = MachineState.decode(finalState);
        if (!MachineState.isHaltedWithOutput(s, output)) revert BadFinalState();
        return MachineState.hash(s);
    }

    /// Makes a just-revealed result its request's candidate, refunding the one it displaces,
    /// and sets when its window opens: at once if no commitment of this round precedes it,
    /// else just after its own reveal deadline, which no earlier commitment's exceeds.
    function _takePriority(Result storage res, Request storage q, uint256 resultId, uint256 deadline)
        internal
        returns (uint64 windowStart)
    {
        // casting to 'uint64' is safe because deadline is a uint64 timestamp plus a uint64 window
        // forge-lint: disable-next-line(unsafe-typecast)
        windowStart = res.prevCommit <= q.prevBest ? uint64(block.timestamp) : uint64(deadline + 1);
        res.windowStart = windowStart;
        uint256 displaced = q.resultId;
        q.resultId = _id(resultId);
        if (displaced != 0) {
            Result storage d = _results[displaced];
            d.status = ResultStatus.Refunded;
            emit ResultDisplaced(displaced, resultId);
            _credit(d.submitter, RESULT_BOND);
        }
    }

    /// @inheritdoc IOpMLOracle
    function settleCommitment(uint256 resultId) external {
        Result storage res = _results[resultId];
        if (res.status != ResultStatus.Committed) revert NotCommitted(resultId);
        Request storage q = _requests[res.requestId];
        bool refund;
        if (q.status == RequestStatus.Finalized) {
            // Later than the final result: it never had its turn.
            refund = resultId > q.resultId;
        } else if (resultId > q.prevBest) {
            uint256 deadline = _revealDeadline(res, q);
            if (q.status == RequestStatus.Cancelled) {
                refund = deadline >= q.cancelledAt;
            } else if ((q.resultId != 0 && resultId > q.resultId) || block.timestamp <= deadline) {
                revert NotSettleable(resultId);
            }
        } // else: it had priority in a finished round and was not revealed.
        res.status = refund ? ResultStatus.Refunded : ResultStatus.Forfeited;
        emit CommitmentSettled(resultId, refund);
        if (refund) {
            _credit(res.submitter, RESULT_BOND);
        } else {
            _burned += RESULT_BOND;
            emit Burned(RESULT_BOND);
        }
    }

    /// @inheritdoc IOpMLOracle
    function revealDeadline(uint256 resultId) external view returns (uint64) {
        Result storage res = _results[resultId];
        // casting to 'uint64' is safe because both terms are uint64 timestamps and durations
        // forge-lint: disable-next-line(unsafe-typecast)
        return res.status == ResultStatus.None ? 0 : uint64(_revealDeadline(res, _requests[res.requestId]));
    }

    /// A commitment's reveal window opens when it is made or when its request last became
    /// free (a rejection), whichever is later.
    function _revealDeadline(Result storage res, Request storage q) internal view returns (uint256) {
        uint256 opens = res.committedAt > q.freeSince ? res.committedAt : q.freeSince;
        return opens + REVEAL_WINDOW;
    }

    /// @inheritdoc IOpMLOracle
    function finalize(uint256 requestId, bytes calldata output) external {
        settle(requestId);
        if (!_requests[requestId].delivered) deliver(requestId, output);
    }

    /// @inheritdoc IOpMLOracle
    function settle(uint256 requestId) public {
        Request storage q = _requests[requestId];
        if (q.status != RequestStatus.Open) revert RequestNotOpen(requestId);
        uint256 resultId = q.resultId;
        Result storage res = _results[resultId];
        if (resultId == 0) revert ResultNotPending(resultId);
        if (block.timestamp < uint256(res.windowStart) + WINDOW) revert WindowOpen(resultId);
        if (res.openGames != 0) revert GamesOpen(resultId);

        res.status = ResultStatus.Finalized;
        q.status = RequestStatus.Finalized;
        bytes32 outputHash = res.outputHash;
        q.outputHash = outputHash;
        uint256 callbackPart = _callbackPart(q);
        if (q.callback == address(0)) q.delivered = true;
        emit ResultFinalized(resultId, requestId, outputHash);
        _credit(res.submitter, q.fee - callbackPart + RESULT_BOND);
    }

    /// @inheritdoc IOpMLOracle
    function deliver(uint256 requestId, bytes calldata output) public {
        Request storage q = _requests[requestId];
        if (q.status != RequestStatus.Finalized || q.delivered) revert NotDeliverable(requestId);
        if (keccak256(output) != q.outputHash) revert OutputMismatch();
        q.delivered = true;
        _credit(msg.sender, _callbackPart(q));
        bool ok = _callback(q.callback, q.callbackGasLimit, requestId, output);
        emit CallbackDelivered(requestId, msg.sender, ok);
    }

    /// The part of the fee that pays for the callback's gas: whoever delivers it earns it.
    function _callbackPart(Request storage q) internal view returns (uint256) {
        return q.callback == address(0) ? 0 : uint256(q.callbackGasLimit) * CALLBACK_GAS_PRICE;
    }

    /// @inheritdoc IOpMLOracle
    function result(uint256 resultId) external view returns (Result memory) {
        return _results[resultId];
    }

    /// Calls the consumer with exactly `gasLimit` available to it: the caller must supply
    /// enough gas (63/64 rule), so a finalizer cannot make the callback fail by starving it.
    /// Return data is never copied, so a consumer cannot grief with a huge revert reason.
    function _callback(address cb, uint64 gasLimit, uint256 requestId, bytes calldata output)
        internal
        returns (bool ok)
    {
        bytes memory data = abi.encodeCall(IOpMLConsumer.onInferenceResult, (requestId, output));
        if (gasleft() < uint256(gasLimit) + uint256(gasLimit) / 63 + CALLBACK_RESERVE) {
            revert InsufficientGasForCallback();
        }
        assembly ("memory-safe") {
            ok := call(gasLimit, cb, 0, add(data, 32), mload(data), 0, 0)
        }
    }

    // ------------------------------------------------------------------ games

    /// @inheritdoc IOpMLOracle
    function challenge(uint256 resultId, bytes32[] calldata hashes) external payable returns (uint256 gameId) {
        Result storage res = _results[resultId];
        Request storage q = _requests[res.requestId];
        if (res.status != ResultStatus.Revealed || q.resultId != resultId) revert ResultNotPending(resultId);
        uint256 windowStart = res.windowStart;
        if (block.timestamp < windowStart) revert WindowNotStarted(resultId);
        if (block.timestamp >= windowStart + WINDOW) revert WindowClosed(resultId);
        if (msg.sender == res.submitter) revert OwnResult();
        if (_gameOf[resultId][msg.sender] != 0) revert AlreadyChallenged(resultId, msg.sender);
        if (msg.value != CHALLENGE_BOND) revert WrongBond(msg.value, CHALLENGE_BOND);
        uint8 depth = _openingDepth(q);
        _checkBisection(depth, hashes, res.finalState);

        gameId = ++gameCount;
        _gameOf[resultId][msg.sender] = gameId;
        res.openGames += 1;
        res.unfundedGames += 1;
        Game storage g = _games[gameId];
        g.resultId = _id(resultId);
        g.challenger = msg.sender;
        g.status = GameStatus.Active;
        g.lenLog = depth;
        g.lastMoveAt = uint64(block.timestamp);
        g.submitterClock = CLOCK;
        g.challengerClock = CLOCK;
        g.startHash = q.startState;
        bytes32 root = SegmentTree.root(hashes);
        g.root = root;
        if (depth != q.traceDepth) {
            g.phase = PHASE_SEGMENTS;
            g.segmentDepth = q.segmentDepth;
        }
        emit GameStarted(gameId, resultId, msg.sender);
        emit Bisected(gameId, msg.sender, 0, depth, q.startState, root, hashes);
    }

    /// What the opening move bisects: the `2^D1` segments when `D1 = D - D2 > 0` (phase 1),
    /// else the `2^D` steps (a single-phase game).
    function _openingDepth(Request storage q) internal view returns (uint8) {
        uint8 d = q.traceDepth;
        uint8 d2 = q.segmentDepth;
        return d == d2 ? d : d - d2;
    }

    /// @inheritdoc IOpMLOracle
    function bisect(uint256 gameId, Selection calldata sel, bytes32[] calldata hashes) external payable {
        Game storage g = _games[gameId];
        _startMove(g, gameId);
        uint256 subLog = _select(g, sel);
        if (subLog == 0) {
            if (g.phase == PHASE_SEGMENTS) revert MustOpenSegment();
            revert MustProveStep();
        }
        _checkBisection(subLog, hashes, sel.disputed);

        // casting to 'uint64' is safe because index < 2^(lenLog - subLog) and lenLog <= 63
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 start = g.start + uint64(sel.index << subLog);
        bytes32 root = SegmentTree.root(hashes);
        g.start = start;
        // casting to 'uint8' is safe because subLog < lenLog <= 63
        // forge-lint: disable-next-line(unsafe-typecast)
        g.lenLog = uint8(subLog);
        g.startHash = sel.agreed;
        g.root = root;
        g.challengerTurn = !g.challengerTurn;
        emit Bisected(gameId, msg.sender, start, g.lenLog, sel.agreed, root, hashes);
    }

    /// @inheritdoc IOpMLOracle
    function proveStep(uint256 gameId, Selection calldata sel, bytes calldata proof) external payable {
        Game storage g = _games[gameId];
        _startMove(g, gameId);
        if (_select(g, sel) != 0) revert MustBisect();
        if (g.phase == PHASE_SEGMENTS) revert MustOpenSegment();
        bytes32 post = VERIFIER.step(sel.agreed, proof);
        if (post == sel.disputed) revert StepAgrees();
        // casting to 'uint64' is safe because index < k <= 256
        // forge-lint: disable-next-line(unsafe-typecast)
        emit StepProved(gameId, msg.sender, g.start + uint64(sel.index), sel.agreed, post);
        _resolve(g, gameId, g.challengerTurn, false);
    }

    /// @inheritdoc IOpMLOracle
    function openSegment(uint256 gameId, Selection calldata sel, bytes calldata agreedState, bytes32[] calldata hashes)
        external
        payable
    {
        Game storage g = _games[gameId];
        _startMove(g, gameId);
        if (g.phase != PHASE_SEGMENTS) revert NoSegmentToOpen(gameId);
        if (_select(g, sel) != 0) revert MustBisect();
        bytes32 resumed = _resumed(agreedState, sel.agreed);
        uint8 segmentDepth = g.segmentDepth;
        _checkBisection(segmentDepth, hashes, sel.disputed);

        // casting to 'uint64' is safe because index < k <= 256 and start + index < 2^D1 <= 2^62
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 segment = g.start + uint64(sel.index);
        bytes32 root = SegmentTree.root(hashes);
        g.phase = PHASE_STEPS;
        g.segment = segment;
        g.start = 0;
        g.lenLog = segmentDepth;
        g.startHash = resumed;
        g.root = root;
        g.challengerTurn = !g.challengerTurn;
        emit SegmentOpened(gameId, msg.sender, segment, sel.agreed, resumed);
        emit Bisected(gameId, msg.sender, 0, segmentDepth, resumed, root, hashes);
    }

    /// The hash of `resume(B)` for the packed boundary `B` whose hash must be `boundary`.
    function _resumed(bytes calldata packed, bytes32 boundary) internal pure returns (bytes32) {
        if (packed.length != MachineState.PACKED_LEN) revert BadBoundary();
        State memory s = MachineState.decode(packed);
        if (MachineState.hash(s) != boundary) revert BadBoundary();
        MachineState.resume(s);
        return MachineState.hash(s);
    }

    /// @inheritdoc IOpMLOracle
    function timeout(uint256 gameId) external {
        Game storage g = _games[gameId];
        if (g.status != GameStatus.Active) revert GameNotActive(gameId);
        if (_results[g.resultId].status != ResultStatus.Revealed) {
            revert ResultNotPending(g.resultId);
        }
        uint256 left = g.challengerTurn ? g.challengerClock : g.submitterClock;
        if (block.timestamp - g.lastMoveAt < left) revert ClockRunning(gameId);
        _resolve(g, gameId, !g.challengerTurn, true);
    }

    /// @inheritdoc IOpMLOracle
    function voidGame(uint256 gameId) external {
        Game storage g = _games[gameId];
        Result storage res = _results[g.resultId];
        if (g.status != GameStatus.Active || res.status != ResultStatus.Rejected) {
            revert NotVoidable(gameId);
        }
        g.status = GameStatus.Voided;
        emit GameVoided(gameId);
        _credit(g.challenger, CHALLENGE_BOND + (g.funded ? CHALLENGE_BOND : res.defaultShare));
    }

    /// @inheritdoc IOpMLOracle
    function game(uint256 gameId) external view returns (Game memory) {
        return _games[gameId];
    }

    /// @inheritdoc IOpMLOracle
    function gameOf(uint256 resultId, address challenger) external view returns (uint256) {
        return _gameOf[resultId][challenger];
    }

    /// @notice Seconds left on each side's clock now (the side to move is charged live).
    function clocks(uint256 gameId) external view returns (uint256 submitter, uint256 challenger) {
        Game storage g = _games[gameId];
        submitter = g.submitterClock;
        challenger = g.challengerClock;
        if (g.status != GameStatus.Active) return (submitter, challenger);
        uint256 used = block.timestamp - g.lastMoveAt;
        if (g.challengerTurn) challenger = used >= challenger ? 0 : challenger - used;
        else submitter = used >= submitter ? 0 : submitter - used;
    }

    /// Checks the game is live and it is the caller's move with time on the clock, charges
    /// the elapsed time to the mover's clock, and takes the submitter's match with its first
    /// move in the game.
    function _startMove(Game storage g, uint256 gameId) internal {
        if (g.status != GameStatus.Active) revert GameNotActive(gameId);
        Result storage res = _results[g.resultId];
        if (res.status != ResultStatus.Revealed) revert ResultNotPending(g.resultId);
        bool challengerTurn = g.challengerTurn;
        if (msg.sender != (challengerTurn ? g.challenger : res.submitter)) revert NotYourTurn(gameId);
        uint256 used = block.timestamp - g.lastMoveAt;
        uint256 left = challengerTurn ? g.challengerClock : g.submitterClock;
        if (used >= left) revert ClockExpired(gameId);
        uint256 due = challengerTurn || g.funded ? 0 : CHALLENGE_BOND;
        if (msg.value != due) revert WrongBond(msg.value, due);
        if (due != 0) {
            g.funded = true;
            res.unfundedGames -= 1;
        }
        // casting to 'uint64' is safe because left - used < left, itself a uint64
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 rest = uint64(left - used);
        if (challengerTurn) g.challengerClock = rest;
        else g.submitterClock = rest;
        g.lastMoveAt = uint64(block.timestamp);
    }

    /// Verifies the selected sub-range of the last bisection; returns log2 of its length.
    function _select(Game storage g, Selection calldata sel) internal view returns (uint256 subLog) {
        uint256 lenLog = g.lenLog;
        uint256 mLog = lenLog < K_LOG ? lenLog : K_LOG;
        subLog = lenLog - mLog;
        uint256 i = sel.index;
        bytes32 root = g.root;
        if (i >> mLog != 0 || sel.agreedProof.length != (i == 0 ? 0 : mLog) || sel.disputedProof.length != mLog) {
            revert BadSelection();
        }
        if (i == 0 ? sel.agreed != g.startHash : !SegmentTree.verify(root, sel.agreed, i - 1, sel.agreedProof)) {
            revert BadSelection();
        }
        if (!SegmentTree.verify(root, sel.disputed, i, sel.disputedProof)) revert BadSelection();
    }

    /// A bisection of a range of `2^lenLog` steps posts `min(k, 2^lenLog)` hashes whose last
    /// differs from the opponent's hash at the range end.
    function _checkBisection(uint256 lenLog, bytes32[] calldata hashes, bytes32 opponentEnd) internal view {
        uint256 m = 2 ** (lenLog < K_LOG ? lenLog : K_LOG);
        if (hashes.length != m) revert WrongHashCount(hashes.length, m);
        if (hashes[m - 1] == opponentEnd) revert EndAgrees();
    }

    /// Decides a game and pays out (`docs/protocol.md` §4, "Outcomes and bonds").
    function _resolve(Game storage g, uint256 gameId, bool challengerWon, bool byTimeout) internal {
        uint256 resultId = g.resultId;
        Result storage res = _results[resultId];
        res.openGames -= 1;
        bool funded = g.funded;
        GameStatus status = challengerWon ? GameStatus.ChallengerWon : GameStatus.SubmitterWon;
        g.status = status;
        emit GameResolved(gameId, status, byTimeout);
        if (!challengerWon) {
            if (!funded) res.unfundedGames -= 1;
            // The challenger's bond less the burn, and the submitter's own match back.
            uint256 burnC = _burn(CHALLENGE_BOND);
            _credit(res.submitter, CHALLENGE_BOND - burnC + (funded ? CHALLENGE_BOND : 0));
            return;
        }
        res.status = ResultStatus.Rejected;
        uint256 requestId = res.requestId;
        Request storage q = _requests[requestId];
        q.resultId = 0;
        q.prevBest = _id(resultId);
        q.freeSince = uint64(block.timestamp);
        _barred[requestId][res.submitter] = true;
        emit ResultRejected(resultId, requestId, gameId);
        // The result bond, less the burn, first matches every open game the submitter never
        // answered (up to `challengeBond` each); the rest goes to the winner. Answered games
        // hold their own match, so sybil games cannot dilute it.
        uint256 pot = RESULT_BOND - _burn(RESULT_BOND);
        uint256 n = res.unfundedGames;
        uint256 share;
        if (n != 0) {
            share = pot / n;
            if (share > CHALLENGE_BOND) share = CHALLENGE_BOND;
            res.defaultShare = share;
        }
        _credit(g.challenger, CHALLENGE_BOND + (funded ? CHALLENGE_BOND : share) + pot - n * share);
    }

    function _burn(uint256 bond) internal returns (uint256 burn) {
        burn = bond * BURN_BPS / BPS;
        _burned += burn;
        emit Burned(burn);
    }

    // ------------------------------------------------------------------ payments

    /// @inheritdoc IOpMLOracle
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IOpMLOracle
    function withdraw(address payable to) external {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _balances[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @inheritdoc IOpMLOracle
    function burned() external view returns (uint256) {
        return _burned;
    }

    /// @inheritdoc IOpMLOracle
    function config() external view returns (Config memory) {
        return Config({
            verifier: VERIFIER,
            challengeWindow: WINDOW,
            revealWindow: REVEAL_WINDOW,
            clock: CLOCK,
            kLog: K_LOG,
            maxSegmentDepth: MAX_SEGMENT_DEPTH,
            maxTraceDepth: MAX_TRACE_DEPTH,
            resultBond: RESULT_BOND,
            challengeBond: CHALLENGE_BOND,
            burnBps: BURN_BPS,
            baseFee: BASE_FEE,
            callbackGasPrice: CALLBACK_GAS_PRICE,
            maxCallbackGas: MAX_CALLBACK_GAS,
            maxInputBytes: MAX_INPUT,
            maxOutputBytes: MAX_OUTPUT,
            requestTimeout: REQUEST_TIMEOUT
        });
    }

    /// Ids are counters, stored in 64 bits to share slots with times.
    function _id(uint256 id) internal pure returns (uint64) {
        // casting to 'uint64' is safe because ids count transactions, far below 2^64
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(id);
    }

    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        _balances[account] += amount;
        emit Credited(account, amount);
    }
}
