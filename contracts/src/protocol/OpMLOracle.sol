// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IOpMLOracle} from "../interfaces/IOpMLOracle.sol";
import {IOpMLConsumer} from "../interfaces/IOpMLConsumer.sol";
import {IStepVerifier} from "../interfaces/IStepVerifier.sol";
import {MachineState, ProgramFields, State} from "../lib/MachineState.sol";
import {SegmentTree} from "./SegmentTree.sol";

/// @title OpMLOracle
/// @notice Optimistic ML inference with k-ary bisection disputes (`docs/protocol.md`).
/// @dev Every parameter is immutable and every action is open to anyone: there is no owner.
///      Funds move only by crediting `balanceOf` (pull payments); the one external call made
///      with state in flux is the consumer callback in `finalize`, after all effects.
contract OpMLOracle is IOpMLOracle {
    uint256 private constant BPS = 10_000;
    /// Gas kept back around the consumer callback for the rest of `finalize`.
    uint256 private constant CALLBACK_RESERVE = 10_000;
    bytes19 private constant P_PROGRAM_ID = "opml/program-id/v2:";

    IStepVerifier internal immutable VERIFIER;
    uint64 internal immutable WINDOW;
    uint64 internal immutable CLOCK;
    uint8 internal immutable K_LOG;
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
    mapping(address => uint256) internal _balances;
    uint256 internal _burned;
    uint256 public requestCount;
    uint256 public resultCount;
    uint256 public gameCount;

    constructor(Config memory c) {
        if (
            address(c.verifier) == address(0) || c.challengeWindow == 0 || c.clock == 0 || c.kLog == 0 || c.kLog > 8
                || c.burnBps > BPS || c.maxOutputBytes == 0
        ) revert InvalidConfig();
        VERIFIER = c.verifier;
        WINDOW = c.challengeWindow;
        CLOCK = c.clock;
        K_LOG = c.kLog;
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
        bytes32 programHash = MachineState.programHash(fields);
        programId = keccak256(abi.encodePacked(P_PROGRAM_ID, programHash, traceDepth, keccak256(bytes(metadataURI))));
        Program storage p = _programs[programId];
        if (p.traceDepth != 0) revert ProgramExists(programId);
        p.fields = fields;
        p.traceDepth = traceDepth;
        p.registrant = msg.sender;
        emit ProgramRegistered(programId, programHash, msg.sender, traceDepth, metadataURI, fields);
    }

    /// @inheritdoc IOpMLOracle
    function program(bytes32 programId) external view returns (Program memory) {
        return _programs[programId];
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
    function submitResult(uint256 requestId, bytes calldata output, bytes calldata finalState)
        external
        payable
        returns (uint256 resultId)
    {
        Request storage q = _requests[requestId];
        if (q.status != RequestStatus.Open) revert RequestNotOpen(requestId);
        if (q.resultId != 0) revert ResultPending(requestId);
        if (msg.value != RESULT_BOND) revert WrongBond(msg.value, RESULT_BOND);
        if (output.length > MAX_OUTPUT) revert OutputTooLarge(output.length, MAX_OUTPUT);
        if (finalState.length != MachineState.PACKED_LEN) revert BadFinalState();
        State memory s = MachineState.decode(finalState);
        if (!MachineState.isHaltedWithOutput(s, output)) revert BadFinalState();
        bytes32 claim = MachineState.hash(s);

        resultId = ++resultCount;
        Result storage res = _results[resultId];
        res.requestId = requestId;
        res.submitter = msg.sender;
        res.submittedAt = uint64(block.timestamp);
        res.status = ResultStatus.Pending;
        res.outputHash = keccak256(output);
        res.finalState = claim;
        q.resultId = resultId;
        emit ResultSubmitted(resultId, requestId, msg.sender, claim, output);
    }

    /// @inheritdoc IOpMLOracle
    function finalize(uint256 requestId, bytes calldata output) external {
        Request storage q = _requests[requestId];
        if (q.status != RequestStatus.Open) revert RequestNotOpen(requestId);
        uint256 resultId = q.resultId;
        Result storage res = _results[resultId];
        if (resultId == 0) revert ResultNotPending(resultId);
        if (block.timestamp < uint256(res.submittedAt) + WINDOW) revert WindowOpen(resultId);
        if (res.openGames != 0) revert GamesOpen(resultId);
        bytes32 outputHash = keccak256(output);
        if (outputHash != res.outputHash) revert OutputMismatch();

        res.status = ResultStatus.Finalized;
        q.status = RequestStatus.Finalized;
        q.outputHash = outputHash;
        _credit(res.submitter, q.fee + RESULT_BOND);

        bool ok = true;
        address cb = q.callback;
        if (cb != address(0)) ok = _callback(cb, q.callbackGasLimit, requestId, output);
        emit ResultFinalized(resultId, requestId, outputHash, ok);
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
        if (res.status != ResultStatus.Pending) revert ResultNotPending(resultId);
        if (block.timestamp >= uint256(res.submittedAt) + WINDOW) revert WindowClosed(resultId);
        if (msg.sender == res.submitter) revert OwnResult();
        if (_gameOf[resultId][msg.sender] != 0) revert AlreadyChallenged(resultId, msg.sender);
        if (msg.value != CHALLENGE_BOND) revert WrongBond(msg.value, CHALLENGE_BOND);
        Request storage q = _requests[res.requestId];
        uint8 depth = q.traceDepth;
        _checkBisection(depth, hashes, res.finalState);

        gameId = ++gameCount;
        _gameOf[resultId][msg.sender] = gameId;
        res.openGames += 1;
        Game storage g = _games[gameId];
        g.resultId = resultId;
        g.challenger = msg.sender;
        g.status = GameStatus.Active;
        g.challengerTurn = false;
        g.lenLog = depth;
        g.start = 0;
        g.lastMoveAt = uint64(block.timestamp);
        g.submitterClock = CLOCK;
        g.challengerClock = CLOCK;
        g.startHash = q.startState;
        bytes32 root = SegmentTree.root(hashes);
        g.root = root;
        emit GameStarted(gameId, resultId, msg.sender);
        emit Bisected(gameId, msg.sender, 0, depth, q.startState, root, hashes);
    }

    /// @inheritdoc IOpMLOracle
    function bisect(uint256 gameId, Selection calldata sel, bytes32[] calldata hashes) external {
        Game storage g = _games[gameId];
        _startMove(g, gameId);
        uint256 subLog = _select(g, sel);
        if (subLog == 0) revert MustProveStep();
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
    function proveStep(uint256 gameId, Selection calldata sel, bytes calldata proof) external {
        Game storage g = _games[gameId];
        _startMove(g, gameId);
        if (_select(g, sel) != 0) revert MustBisect();
        bytes32 post = VERIFIER.step(sel.agreed, proof);
        if (post == sel.disputed) revert StepAgrees();
        // casting to 'uint64' is safe because index < k <= 256
        // forge-lint: disable-next-line(unsafe-typecast)
        emit StepProved(gameId, msg.sender, g.start + uint64(sel.index), sel.agreed, post);
        _resolve(g, gameId, g.challengerTurn, false);
    }

    /// @inheritdoc IOpMLOracle
    function timeout(uint256 gameId) external {
        Game storage g = _games[gameId];
        if (g.status != GameStatus.Active) revert GameNotActive(gameId);
        if (_results[g.resultId].status != ResultStatus.Pending) {
            revert ResultNotPending(g.resultId);
        }
        uint256 left = g.challengerTurn ? g.challengerClock : g.submitterClock;
        if (block.timestamp - g.lastMoveAt < left) revert ClockRunning(gameId);
        _resolve(g, gameId, !g.challengerTurn, true);
    }

    /// @inheritdoc IOpMLOracle
    function voidGame(uint256 gameId) external {
        Game storage g = _games[gameId];
        if (g.status != GameStatus.Active || _results[g.resultId].status != ResultStatus.Rejected) {
            revert NotVoidable(gameId);
        }
        g.status = GameStatus.Voided;
        emit GameVoided(gameId);
        _credit(g.challenger, CHALLENGE_BOND);
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

    /// Checks the game is live and it is the caller's move with time on the clock, and charges
    /// the elapsed time to the mover's clock.
    function _startMove(Game storage g, uint256 gameId) internal {
        if (g.status != GameStatus.Active) revert GameNotActive(gameId);
        if (_results[g.resultId].status != ResultStatus.Pending) {
            revert ResultNotPending(g.resultId);
        }
        bool challengerTurn = g.challengerTurn;
        if (msg.sender != (challengerTurn ? g.challenger : _results[g.resultId].submitter)) {
            revert NotYourTurn(gameId);
        }
        uint256 used = block.timestamp - g.lastMoveAt;
        uint256 left = challengerTurn ? g.challengerClock : g.submitterClock;
        if (used >= left) revert ClockExpired(gameId);
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

    /// Decides a game and pays out: the loser's bond, less the burned part, to the winner. A
    /// challenger's win rejects the result and reopens its request; the result's other games
    /// are then voided (their bonds refunded) by `voidGame`.
    function _resolve(Game storage g, uint256 gameId, bool challengerWon, bool byTimeout) internal {
        Result storage res = _results[g.resultId];
        res.openGames -= 1;
        uint256 loserBond;
        address winner;
        if (challengerWon) {
            g.status = GameStatus.ChallengerWon;
            res.status = ResultStatus.Rejected;
            _requests[res.requestId].resultId = 0;
            emit GameResolved(gameId, GameStatus.ChallengerWon, byTimeout);
            emit ResultRejected(g.resultId, res.requestId, gameId);
            winner = g.challenger;
            loserBond = RESULT_BOND;
        } else {
            g.status = GameStatus.SubmitterWon;
            emit GameResolved(gameId, GameStatus.SubmitterWon, byTimeout);
            winner = res.submitter;
            loserBond = CHALLENGE_BOND;
        }
        uint256 burn = loserBond * BURN_BPS / BPS;
        if (burn != 0) {
            _burned += burn;
            emit Burned(burn);
        }
        // The winner's own bond comes back with the loser's, less the burn.
        uint256 ownBond = challengerWon ? CHALLENGE_BOND : 0;
        _credit(winner, ownBond + loserBond - burn);
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
    function machineVersion() external view returns (uint256) {
        return VERIFIER.machineVersion();
    }

    function config() external view returns (Config memory) {
        return Config({
            verifier: VERIFIER,
            challengeWindow: WINDOW,
            clock: CLOCK,
            kLog: K_LOG,
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

    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        _balances[account] += amount;
        emit Credited(account, amount);
    }
}
