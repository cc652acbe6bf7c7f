// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProgramFields} from "../lib/MachineState.sol";
import {IStepVerifier} from "./IStepVerifier.sol";

/// @title IOpMLOracle
/// @notice Optimistic ML inference: requests, bonded results, a challenge window and k-ary
///         bisection games over the execution trace, decided at one step by an
///         `IStepVerifier`. See `docs/protocol.md` for the game; no owner can change any outcome.
interface IOpMLOracle {
    // ------------------------------------------------------------------ types

    /// @notice Deployment parameters, fixed for the contract's life.
    struct Config {
        /// The one-step verifier that decides a game at a single step.
        IStepVerifier verifier;
        /// Seconds after a result's submission during which it can be challenged.
        uint64 challengeWindow;
        /// Seconds each side of a game has in total for all its moves (chess clock).
        uint64 clock;
        /// log2 of the bisection arity k (k sub-ranges per move).
        uint8 kLog;
        /// Wei a result's submitter bonds.
        uint256 resultBond;
        /// Wei a challenger bonds per game.
        uint256 challengeBond;
        /// Part of a losing bond that is burned, in basis points; the rest goes to the winner.
        uint16 burnBps;
        /// Minimum fee of a request, in wei, on top of the callback gas.
        uint256 baseFee;
        /// Wei per unit of callback gas limit included in the minimum fee.
        uint256 callbackGasPrice;
        /// Largest callback gas limit a request may name.
        uint64 maxCallbackGas;
        /// Largest input, in bytes.
        uint32 maxInputBytes;
        /// Largest output, in bytes.
        uint32 maxOutputBytes;
        /// Seconds after which a request with no pending result may be cancelled (fee refunded).
        uint64 requestTimeout;
    }

    /// @notice A registered program: the input-independent part of its initial state.
    struct Program {
        ProgramFields fields;
        /// The trace has `2^traceDepth` steps; the final state is `S_{2^traceDepth}`.
        uint8 traceDepth;
        address registrant;
    }

    enum RequestStatus {
        None,
        Open,
        Finalized,
        Cancelled
    }

    struct Request {
        bytes32 programId;
        address requester;
        uint64 createdAt;
        uint8 traceDepth;
        RequestStatus status;
        address callback;
        uint64 callbackGasLimit;
        uint256 fee;
        /// `S_0`, built on-chain from the program and the input.
        bytes32 startState;
        /// The pending result, or 0 when the request is open for a submission.
        uint256 resultId;
        /// `keccak256(output)` once finalized.
        bytes32 outputHash;
    }

    enum ResultStatus {
        None,
        Pending,
        Rejected,
        Finalized
    }

    struct Result {
        uint256 requestId;
        address submitter;
        uint64 submittedAt;
        ResultStatus status;
        /// Games on this result not yet decided.
        uint256 openGames;
        bytes32 outputHash;
        /// The claimed `S_{2^D}`: a halted state whose output fields commit to the output.
        bytes32 finalState;
    }

    enum GameStatus {
        None,
        Active,
        SubmitterWon,
        ChallengerWon,
        /// Another game rejected the result first; the challenger's bond was refunded.
        Voided
    }

    /// @notice One dispute between a result's submitter and one challenger.
    /// @dev The last move bisected the range `[start, start + 2^lenLog]` into
    ///      `m = 2^min(kLog, lenLog)` sub-ranges; `root` commits to the mover's hashes at
    ///      `start + (j+1)·2^lenLog/m`, j = 0..m-1. Both sides agree on `startHash`.
    struct Game {
        uint256 resultId;
        address challenger;
        GameStatus status;
        /// Whose move it is: true for the challenger.
        bool challengerTurn;
        uint8 lenLog;
        uint64 start;
        uint64 lastMoveAt;
        uint64 submitterClock;
        uint64 challengerClock;
        bytes32 startHash;
        bytes32 root;
    }

    /// @notice The sub-range of the opponent's last bisection a move disputes.
    /// @dev `agreed` is the opponent's hash at the sub-range start (leaf `index-1`, or the
    ///      game's `startHash` when `index == 0`, whose proof is then empty); `disputed` is
    ///      its hash at the sub-range end (leaf `index`). Proofs are sibling hashes, leaf first.
    struct Selection {
        uint256 index;
        bytes32 agreed;
        bytes32[] agreedProof;
        bytes32 disputed;
        bytes32[] disputedProof;
    }

    // ------------------------------------------------------------------ events

    /// @notice A program was registered (`registerProgram`).
    event ProgramRegistered(
        bytes32 indexed programId,
        bytes32 indexed programHash,
        address indexed registrant,
        uint8 traceDepth,
        string metadataURI,
        ProgramFields fields
    );
    /// @notice A request was made; `input` is only here, `startState` is `S_0`.
    event InferenceRequested(
        uint256 indexed requestId,
        bytes32 indexed programId,
        address indexed requester,
        address callback,
        uint64 callbackGasLimit,
        uint256 fee,
        bytes32 startState,
        bytes input
    );
    /// @notice A stale request was cancelled and its fee credited back to the requester.
    event RequestCancelled(uint256 indexed requestId);
    /// @notice A result was submitted; `finalState` is the claimed `S_{2^D}`.
    event ResultSubmitted(
        uint256 indexed resultId, uint256 indexed requestId, address indexed submitter, bytes32 finalState, bytes output
    );
    /// @notice A challenger won `gameId`: the result is rejected and its request reopened.
    event ResultRejected(uint256 indexed resultId, uint256 indexed requestId, uint256 indexed gameId);
    /// @notice A result became final; `callbackSucceeded` is false if the consumer reverted.
    event ResultFinalized(
        uint256 indexed resultId, uint256 indexed requestId, bytes32 outputHash, bool callbackSucceeded
    );
    /// @notice `challenger` opened a game on `resultId` (followed by its opening `Bisected`).
    event GameStarted(uint256 indexed gameId, uint256 indexed resultId, address indexed challenger);
    /// @notice A move bisected `[start, start + 2^lenLog]`; `hashes` are the mover's hashes at
    ///         the sub-range ends (what `root` commits to).
    event Bisected(
        uint256 indexed gameId,
        address indexed mover,
        uint64 start,
        uint8 lenLog,
        bytes32 startHash,
        bytes32 root,
        bytes32[] hashes
    );
    /// @notice The mover proved that step `step` from `pre` gives `post`, not the opponent's hash.
    event StepProved(uint256 indexed gameId, address indexed mover, uint64 step, bytes32 pre, bytes32 post);
    /// @notice A game was decided, by a step proof or (`byTimeout`) by a clock running out.
    event GameResolved(uint256 indexed gameId, GameStatus status, bool byTimeout);
    /// @notice A game of a rejected result was closed and its challenger refunded.
    event GameVoided(uint256 indexed gameId);
    /// @notice `amount` wei became withdrawable by `account`.
    event Credited(address indexed account, uint256 amount);
    /// @notice `amount` wei of a losing bond were burned (kept, never withdrawable).
    event Burned(uint256 amount);
    /// @notice `account` withdrew `amount` wei to `to`.
    event Withdrawn(address indexed account, address to, uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice A deployment parameter is out of range.
    error InvalidConfig();
    /// @notice `traceDepth` outside 1..63, a status above 2, or a zero code depth.
    error InvalidProgram();
    /// @notice The program id is already registered.
    error ProgramExists(bytes32 programId);
    /// @notice No program has this id.
    error UnknownProgram(bytes32 programId);
    /// @notice `msg.value` is below `requestFee`.
    error FeeTooLow(uint256 sent, uint256 required);
    /// @notice The callback gas limit exceeds `maxCallbackGas`.
    error CallbackGasTooHigh(uint64 gasLimit, uint64 max);
    /// @notice The input exceeds `maxInputBytes`.
    error InputTooLarge(uint256 len, uint256 max);
    /// @notice The output exceeds `maxOutputBytes`.
    error OutputTooLarge(uint256 len, uint256 max);
    /// @notice The request does not exist, is finalized or is cancelled.
    error RequestNotOpen(uint256 requestId);
    /// @notice The request already has a pending result.
    error ResultPending(uint256 requestId);
    /// @notice The request is younger than `requestTimeout`.
    error RequestNotExpired(uint256 requestId);
    /// @notice `msg.value` is not exactly the bond.
    error WrongBond(uint256 sent, uint256 required);
    /// @notice The final state is not 447 bytes, not halted, or its output fields do not match the output.
    error BadFinalState();
    /// @notice The result is not pending (none, rejected or finalized).
    error ResultNotPending(uint256 resultId);
    /// @notice The challenge window of the result is over.
    error WindowClosed(uint256 resultId);
    /// @notice The challenge window of the result is not over yet.
    error WindowOpen(uint256 resultId);
    /// @notice Games on the result are still undecided.
    error GamesOpen(uint256 resultId);
    /// @notice The output does not hash to the result's output hash.
    error OutputMismatch();
    /// @notice A submitter cannot challenge its own result.
    error OwnResult();
    /// @notice This address already has a game on this result.
    error AlreadyChallenged(uint256 resultId, address challenger);
    /// @notice The game does not exist or is decided or voided.
    error GameNotActive(uint256 gameId);
    /// @notice The caller is not the side to move.
    error NotYourTurn(uint256 gameId);
    /// @notice The side to move has no time left; see `timeout`.
    error ClockExpired(uint256 gameId);
    /// @notice The side to move still has time.
    error ClockRunning(uint256 gameId);
    /// @notice A bisection must post exactly `min(k, 2^L)` hashes.
    error WrongHashCount(uint256 sent, uint256 required);
    /// @notice A bisection's last hash must differ from the opponent's at the same step.
    error EndAgrees();
    /// @notice The selected sub-range or its Merkle proofs do not match the last bisection.
    error BadSelection();
    /// @notice The opponent's sub-ranges are single steps: use `proveStep`.
    error MustProveStep();
    /// @notice The opponent's sub-ranges are longer than one step: use `bisect`.
    error MustBisect();
    /// @notice The step from `agreed` gives the opponent's `disputed` hash: nothing to prove.
    error StepAgrees();
    /// @notice Only an active game of a rejected result can be voided.
    error NotVoidable(uint256 gameId);
    /// @notice `finalize` was sent with too little gas for the callback's limit.
    error InsufficientGasForCallback();
    /// @notice The caller has no credit.
    error NothingToWithdraw();
    /// @notice The recipient of a withdrawal rejected the transfer.
    error TransferFailed();

    // ------------------------------------------------------------------ programs

    /// @notice Registers a program permissionlessly.
    /// @param fields The input-independent initial-state fields (`docs/machine.md` §7).
    /// @param traceDepth `D`: results claim the state after `2^D` steps (1..63).
    /// @param metadataURI Where the weights and the wasm are published (not verified).
    /// @return programId `H("opml/program-id/v2:" ‖ program_hash ‖ D ‖ H(metadataURI))`.
    function registerProgram(ProgramFields calldata fields, uint8 traceDepth, string calldata metadataURI)
        external
        returns (bytes32 programId);

    /// @notice The registered program `programId` (zero `traceDepth` if unknown).
    function program(bytes32 programId) external view returns (Program memory);

    // ------------------------------------------------------------------ requests

    /// @notice The minimum fee of a request whose callback may use `callbackGasLimit`.
    function requestFee(uint64 callbackGasLimit) external view returns (uint256);

    /// @notice Requests `program(input)`; `msg.value` (at least `requestFee`) is the fee paid
    ///         to the submitter of the finalized result. Builds `S_0` on-chain.
    /// @param callback Receives `IOpMLConsumer.onInferenceResult`; zero for none.
    function requestInference(bytes32 programId, bytes calldata input, address callback, uint64 callbackGasLimit)
        external
        payable
        returns (uint256 requestId);

    /// @notice Refunds the fee of a request that has no pending result and is older than
    ///         `requestTimeout` (e.g. a program that never halts within `2^D` steps).
    function cancelRequest(uint256 requestId) external;

    function request(uint256 requestId) external view returns (Request memory);

    /// @notice Whether the request's result is final.
    function isFinalized(uint256 requestId) external view returns (bool);

    // ------------------------------------------------------------------ results

    /// @notice Submits `output` for an open request with `resultBond`.
    /// @param finalState The packed halted final state (`docs/machine.md` §4) whose output
    ///        fields commit to `output`; its hash is the claim the games dispute.
    function submitResult(uint256 requestId, bytes calldata output, bytes calldata finalState)
        external
        payable
        returns (uint256 resultId);

    /// @notice Finalizes the pending result of `requestId` after its window with no open game:
    ///         credits fee and bond to the submitter, then calls the consumer with its gas limit.
    /// @param output The result's output bytes (checked against its hash).
    function finalize(uint256 requestId, bytes calldata output) external;

    function result(uint256 resultId) external view returns (Result memory);

    // ------------------------------------------------------------------ games

    /// @notice Opens a game against a pending result with `challengeBond`, as the first move:
    ///         a bisection of `[0, 2^D]` from `S_0` whose last hash differs from the claim.
    /// @param hashes The challenger's states at the `min(k, 2^D)` sub-range ends.
    function challenge(uint256 resultId, bytes32[] calldata hashes) external payable returns (uint256 gameId);

    /// @notice Disputes a sub-range of the opponent's last bisection and bisects it.
    /// @param hashes The mover's states at the new sub-range ends; the last must differ from
    ///        `sel.disputed`.
    function bisect(uint256 gameId, Selection calldata sel, bytes32[] calldata hashes) external;

    /// @notice Wins the game by proving that one step from `sel.agreed` does not give the
    ///         opponent's `sel.disputed` (only when the opponent's sub-ranges are single steps).
    function proveStep(uint256 gameId, Selection calldata sel, bytes calldata proof) external;

    /// @notice Ends a game whose side to move has run out of clock; the other side wins.
    function timeout(uint256 gameId) external;

    /// @notice Refunds the challenger of an undecided game whose result another game rejected.
    function voidGame(uint256 gameId) external;

    function game(uint256 gameId) external view returns (Game memory);

    /// @notice The game `challenger` opened on `resultId` (0 if none).
    function gameOf(uint256 resultId, address challenger) external view returns (uint256);

    // ------------------------------------------------------------------ payments

    /// @notice Wei credited to `account` (bonds, fees, refunds), withdrawable.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Sends the caller's whole credit to `to`.
    function withdraw(address payable to) external;

    /// @notice Wei burned so far (kept in the contract, never withdrawable).
    function burned() external view returns (uint256);

    function config() external view returns (Config memory);

    /// @notice The machine version (`docs/machine.md`) of the verifier games are decided by:
    ///         program ids and state hashes are only meaningful for this version.
    function machineVersion() external view returns (uint256);
}
