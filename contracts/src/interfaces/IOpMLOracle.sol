// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProgramFields} from "../lib/MachineState.sol";
import {IStepVerifier} from "./IStepVerifier.sol";

/// @title IOpMLOracle
/// @notice Optimistic ML inference: requests, results claimed by commit–reveal with a bond, a
///         challenge window and k-ary bisection games over the execution trace, decided at one
///         step by an `IStepVerifier`. See `docs/protocol.md`; no owner can change any outcome.
interface IOpMLOracle {
    // ------------------------------------------------------------------ types

    /// @notice Deployment parameters, fixed for the contract's life (bounds: `docs/protocol.md` §9).
    struct Config {
        /// The one-step verifier that decides a game at a single step.
        IStepVerifier verifier;
        /// Seconds after a result becomes pending during which it can be challenged.
        uint64 challengeWindow;
        /// Seconds a commitment has to be revealed once its request is free (1..challengeWindow).
        uint64 revealWindow;
        /// Seconds each side of a game has in total for all its moves (chess clock).
        uint64 clock;
        /// log2 of the bisection arity k (k sub-ranges per move), 1..8.
        uint8 kLog;
        /// Deepest phase-2 game a registration may ask for: `min(D, segmentDepth) ≤ this`, so
        /// that one segment replays in the VM within `clock` (`docs/protocol.md` §10).
        uint8 maxSegmentDepth;
        /// Deepest trace a registration may ask for: `D ≤ this`, so that the fast path covers
        /// the whole trace within `challengeWindow` (1..63, at least `maxSegmentDepth`).
        uint8 maxTraceDepth;
        /// Wei a result's submitter bonds with its commitment (> 0).
        uint256 resultBond;
        /// Wei a challenger bonds per game, and the match the submitter escrows in it (> 0).
        uint256 challengeBond;
        /// Part of a losing bond that is burned, in basis points (1000..5000).
        uint16 burnBps;
        /// Minimum fee of a request, in wei, on top of the callback gas.
        uint256 baseFee;
        /// Wei per unit of callback gas limit included in the minimum fee; paid to whoever
        /// delivers the callback.
        uint256 callbackGasPrice;
        /// Largest callback gas limit a request may name.
        uint64 maxCallbackGas;
        /// Largest input, in bytes.
        uint32 maxInputBytes;
        /// Largest output, in bytes (> 0).
        uint32 maxOutputBytes;
        /// Seconds after which a request with no revealed result may be cancelled (fee
        /// refunded); at least `challengeWindow`.
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

    /// @dev Ids are counters and times are seconds: `uint64` fields pack four to a slot.
    struct Request {
        bytes32 programId;
        address requester;
        uint64 createdAt;
        uint8 traceDepth;
        /// `D2 = min(D, the program's segment depth)`: the depth of phase 2. The trace is
        /// `2^(traceDepth - segmentDepth)` segments of `2^segmentDepth` steps (one segment when
        /// they are equal: a single-phase game).
        uint8 segmentDepth;
        RequestStatus status;
        /// The consumer's callback ran (or there is none); only meaningful once finalized.
        bool delivered;
        address callback;
        uint64 callbackGasLimit;
        /// The revealed result with priority in the current round (0 if none); the final
        /// result once finalized.
        uint64 resultId;
        /// The last rejected result: commitments up to it belong to finished rounds.
        uint64 prevBest;
        /// The most recent commitment on this request.
        uint64 lastCommit;
        /// Start of the current round: 0 (the request's creation) or the last rejection.
        uint64 freeSince;
        uint256 fee;
        /// `S_0`, built on-chain from the program and the input.
        bytes32 startState;
        /// `keccak256(output)` once finalized.
        bytes32 outputHash;
        /// When the request was cancelled.
        uint64 cancelledAt;
    }

    enum ResultStatus {
        None,
        /// Committed, not revealed.
        Committed,
        /// Revealed: a candidate, pending once `windowStart` is reached (if still its
        /// request's `resultId`).
        Revealed,
        Rejected,
        Finalized,
        /// Bond returned without a result: displaced by an earlier commitment, or never got
        /// a turn.
        Refunded,
        /// Never revealed while it had priority: bond burned.
        Forfeited
    }

    struct Result {
        address submitter;
        uint64 committedAt;
        ResultStatus status;
        uint64 requestId;
        /// The commitment on the same request made just before this one (0 if none).
        uint64 prevCommit;
        /// When the challenge window opens (set at the reveal).
        uint64 windowStart;
        /// Games on this result not yet decided.
        uint32 openGames;
        /// Open games in which the submitter has not escrowed its match yet.
        uint32 unfundedGames;
        /// `commitmentHash(requestId, submitter, finalState)`.
        bytes32 commitment;
        bytes32 outputHash;
        /// The claimed `S_{2^D}`: a halted state whose output fields commit to the output.
        bytes32 finalState;
        /// Once rejected: what each game that was open and unfunded receives from the bond.
        uint256 defaultShare;
    }

    enum GameStatus {
        None,
        Active,
        SubmitterWon,
        ChallengerWon,
        /// Another game rejected the result first; the challenger was paid out.
        Voided
    }

    /// @notice One dispute between a result's submitter and one challenger.
    /// @dev The last move bisected the range `[start, start + 2^lenLog]` into
    ///      `m = 2^min(kLog, lenLog)` sub-ranges; `root` commits to the mover's hashes at
    ///      `start + (j+1)·2^lenLog/m`, j = 0..m-1. Both sides agree on `startHash`. The units
    ///      are steps from `S_0` (`phase` 0), segments (`phase` 1: the hashes are boundaries
    ///      `B_j`), or steps of segment `segment` from its resumed boundary (`phase` 2).
    struct Game {
        uint64 resultId;
        address challenger;
        GameStatus status;
        /// Whose move it is: true for the challenger.
        bool challengerTurn;
        uint8 lenLog;
        /// The submitter escrowed its match (`challengeBond`), with its first move here.
        bool funded;
        uint64 start;
        uint64 lastMoveAt;
        uint64 submitterClock;
        uint64 challengerClock;
        bytes32 startHash;
        bytes32 root;
        /// 0: a single-phase game (`D1 = 0`); 1: phase 1, bisecting segments; 2: phase 2,
        /// bisecting the steps of one segment (`docs/protocol.md` §5.3).
        uint8 phase;
        /// `D2` of a two-phase game (0 in a single-phase game).
        uint8 segmentDepth;
        /// Phase 2: the index `j` of the disputed segment, from `B_j` to `B_{j+1}`.
        uint64 segment;
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
    /// @notice `submitter` committed to a result for `requestId` with `resultBond`.
    event ResultCommitted(
        uint256 indexed resultId, uint256 indexed requestId, address indexed submitter, bytes32 commitment
    );
    /// @notice A commitment was revealed; it can be challenged from `windowStart` for
    ///         `challengeWindow` seconds if it keeps its priority. `finalState` is the claimed
    ///         `S_{2^D}`.
    event ResultRevealed(
        uint256 indexed resultId,
        uint256 indexed requestId,
        address indexed submitter,
        bytes32 finalState,
        uint64 windowStart,
        bytes output
    );
    /// @notice An earlier commitment revealed: `resultId` lost its priority; its bond is refunded.
    event ResultDisplaced(uint256 indexed resultId, uint256 indexed byResultId);
    /// @notice An unrevealed commitment was settled: bond refunded, or forfeited (burned).
    event CommitmentSettled(uint256 indexed resultId, bool refunded);
    /// @notice A challenger won `gameId`: the result is rejected and its request reopened.
    event ResultRejected(uint256 indexed resultId, uint256 indexed requestId, uint256 indexed gameId);
    /// @notice A result became final; its submitter's bond and fee were credited.
    event ResultFinalized(uint256 indexed resultId, uint256 indexed requestId, bytes32 outputHash);
    /// @notice The consumer's callback ran; `success` is false if it reverted or ran out of gas.
    event CallbackDelivered(uint256 indexed requestId, address indexed deliverer, bool success);
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
    /// @notice Phase 1 ended: the mover revealed the boundary `B_segment` (`boundary`, the
    ///         agreed hash), and phase 2 bisects the steps of segment `segment` from `resumed`,
    ///         the hash of `resume(B_segment)` (followed by the mover's `Bisected` of it).
    event SegmentOpened(
        uint256 indexed gameId, address indexed mover, uint64 segment, bytes32 boundary, bytes32 resumed
    );
    /// @notice The mover proved that step `step` from `pre` gives `post`, not the opponent's hash.
    event StepProved(uint256 indexed gameId, address indexed mover, uint64 step, bytes32 pre, bytes32 post);
    /// @notice A game was decided, by a step proof or (`byTimeout`) by a clock running out.
    event GameResolved(uint256 indexed gameId, GameStatus status, bool byTimeout);
    /// @notice A game of a rejected result was closed and its challenger paid out.
    event GameVoided(uint256 indexed gameId);
    /// @notice `amount` wei became withdrawable by `account`.
    event Credited(address indexed account, uint256 amount);
    /// @notice `amount` wei of a losing or forfeited bond were burned (kept, never withdrawable).
    event Burned(uint256 amount);
    /// @notice `account` withdrew `amount` wei to `to`.
    event Withdrawn(address indexed account, address to, uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice A deployment parameter is out of range.
    error InvalidConfig();
    /// @notice `traceDepth` outside 1..63, a status above 2, or a zero code depth.
    error InvalidProgram();
    /// @notice The trace depth `D`, or the phase-2 depth `min(D, segmentDepth)`, exceeds what an
    ///         honest player can defend within the deployment's clock and window.
    error DepthBeyondClock(uint8 traceDepth, uint8 segmentDepth, uint8 maxTraceDepth, uint8 maxSegmentDepth);
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
    /// @notice The request has a revealed result.
    error ResultPending(uint256 requestId);
    /// @notice The request is younger than `requestTimeout`.
    error RequestNotExpired(uint256 requestId);
    /// @notice `msg.value` is not exactly the bond (or the match) this call takes.
    error WrongBond(uint256 sent, uint256 required);
    /// @notice The final state is not 447 bytes, not halted, or its output fields do not match the output.
    error BadFinalState();
    /// @notice This address had a result rejected on this request and may not serve it again.
    error Barred(uint256 requestId, address submitter);
    /// @notice The result is not an unrevealed commitment.
    error NotCommitted(uint256 resultId);
    /// @notice Only the committer reveals its commitment.
    error NotCommitter(uint256 resultId);
    /// @notice The revealed final state is not what was committed to (by this sender).
    error CommitmentMismatch();
    /// @notice The commitment's reveal deadline passed, or its round is over.
    error RevealClosed(uint256 resultId);
    /// @notice A result committed earlier (`best`) has already been revealed.
    error LowerPriority(uint256 resultId, uint256 best);
    /// @notice The commitment may still be revealed (or is waiting for its turn).
    error NotSettleable(uint256 resultId);
    /// @notice The result is not pending (not revealed with priority, rejected or finalized).
    error ResultNotPending(uint256 resultId);
    /// @notice The challenge window of the result has not started yet.
    error WindowNotStarted(uint256 resultId);
    /// @notice The challenge window of the result is over.
    error WindowClosed(uint256 resultId);
    /// @notice The challenge window of the result is not over yet.
    error WindowOpen(uint256 resultId);
    /// @notice Games on the result are still undecided.
    error GamesOpen(uint256 resultId);
    /// @notice The output does not hash to the result's output hash.
    error OutputMismatch();
    /// @notice The request is not finalized, or its callback was already delivered.
    error NotDeliverable(uint256 requestId);
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
    /// @notice The opponent's sub-ranges are longer than one step (or one segment): use `bisect`.
    error MustBisect();
    /// @notice Phase 1 and the opponent's sub-ranges are single segments: use `openSegment`.
    error MustOpenSegment();
    /// @notice The game is not in phase 1: there is no segment to open.
    error NoSegmentToOpen(uint256 gameId);
    /// @notice The revealed boundary is not a packed state whose hash is the agreed one.
    error BadBoundary();
    /// @notice The step from `agreed` gives the opponent's `disputed` hash: nothing to prove.
    error StepAgrees();
    /// @notice Only an active game of a rejected result can be voided.
    error NotVoidable(uint256 gameId);
    /// @notice The callback was sent with too little gas for the callback's limit.
    error InsufficientGasForCallback();
    /// @notice The caller has no credit.
    error NothingToWithdraw();
    /// @notice The recipient of a withdrawal rejected the transfer.
    error TransferFailed();

    // ------------------------------------------------------------------ programs

    /// @notice Registers a program permissionlessly.
    /// @param fields The input-independent initial-state fields (`docs/machine.md` §7).
    /// @param traceDepth `D`: results claim the state after `2^D` steps (1..`maxTraceDepth`);
    ///        with `D2 = min(D, fields.segmentDepth)` (at most `maxSegmentDepth`), the trace is
    ///        `2^(D - D2)` segments of `2^D2` steps.
    /// @param metadataURI Where the weights and the wasm are published (not verified).
    /// @return programId `H("opml/program-id/v2:" ‖ program_hash ‖ D ‖ H(metadataURI))`.
    function registerProgram(ProgramFields calldata fields, uint8 traceDepth, string calldata metadataURI)
        external
        returns (bytes32 programId);

    /// @notice The registered program `programId` (zero `traceDepth` if unknown).
    function program(bytes32 programId) external view returns (Program memory);

    /// @notice The machine version (`docs/machine.md`) of the verifier games are decided by:
    ///         program ids and state hashes are only meaningful for this version.
    function machineVersion() external view returns (uint256);

    // ------------------------------------------------------------------ requests

    /// @notice The minimum fee of a request whose callback may use `callbackGasLimit`.
    function requestFee(uint64 callbackGasLimit) external view returns (uint256);

    /// @notice Requests `program(input)`; `msg.value` (at least `requestFee`) is the fee: the
    ///         callback gas part (`callbackGasLimit · callbackGasPrice`) to whoever delivers
    ///         the callback, the rest to the submitter of the finalized result. Builds `S_0`.
    /// @param callback Receives `IOpMLConsumer.onInferenceResult`; zero for none. Anyone can
    ///        name any contract here: a consumer must accept only requests it made.
    function requestInference(bytes32 programId, bytes calldata input, address callback, uint64 callbackGasLimit)
        external
        payable
        returns (uint256 requestId);

    /// @notice Refunds the fee of a request that has no revealed result and is older than
    ///         `requestTimeout` (e.g. a program that never halts within `2^D` steps).
    function cancelRequest(uint256 requestId) external;

    function request(uint256 requestId) external view returns (Request memory);

    /// @notice Whether the request's result is final.
    function isFinalized(uint256 requestId) external view returns (bool);

    // ------------------------------------------------------------------ results

    /// @notice The commitment binding `submitter` to the final state `finalState` (a state
    ///         hash) for `requestId`: `H("opml/commit/v1:" ‖ requestId ‖ submitter ‖ finalState)`.
    function commitmentHash(uint256 requestId, address submitter, bytes32 finalState) external pure returns (bytes32);

    /// @notice Commits to a result for an open request with exactly `resultBond`. Never locks
    ///         the request: any number of commitments may coexist, at any time; earlier ones
    ///         have priority.
    /// @return resultId The commitment's id (ids grow with time: lower is earlier).
    function commitResult(uint256 requestId, bytes32 commitment) external payable returns (uint256 resultId);

    /// @notice Reveals a commitment (its committer only): `output` and the packed halted
    ///         final state (`docs/machine.md` §4) whose output fields commit to `output`. It
    ///         becomes the request's result unless a commitment made earlier reveals before
    ///         its own deadline.
    function revealResult(uint256 resultId, bytes calldata output, bytes calldata finalState) external;

    /// @notice Settles an unrevealed commitment that can no longer be revealed: refunds its
    ///         bond if it never had its turn, burns it if it let its reveal deadline pass.
    function settleCommitment(uint256 resultId) external;

    /// @notice The last second at which `resultId` may be revealed in the current round.
    function revealDeadline(uint256 resultId) external view returns (uint64);

    /// @notice `settle` and `deliver` in one call (what a submitter normally sends).
    function finalize(uint256 requestId, bytes calldata output) external;

    /// @notice Makes the pending result of `requestId` final after its window with no open
    ///         game, and credits its submitter's bond and fee (less the callback gas part).
    ///         Runs no callback, so it costs the same at any callback gas limit.
    function settle(uint256 requestId) external;

    /// @notice Calls the consumer of a finalized request with its gas limit, once, and
    ///         credits the callback gas part of the fee to the caller.
    /// @param output The result's output bytes (checked against its hash).
    function deliver(uint256 requestId, bytes calldata output) external;

    function result(uint256 resultId) external view returns (Result memory);

    // ------------------------------------------------------------------ games

    /// @notice Opens a game against a pending result with `challengeBond`, as the first move:
    ///         a bisection of `[0, 2^D]` steps from `S_0` whose last hash differs from the
    ///         claim, or, when `D1 = D - D2 > 0`, of the `2^D1` segments (boundary hashes
    ///         `B_1 … B_{2^D1}`; phase 1).
    /// @param hashes The challenger's states at the `min(k, 2^D)` (or `min(k, 2^D1)`)
    ///        sub-range ends.
    function challenge(uint256 resultId, bytes32[] calldata hashes) external payable returns (uint256 gameId);

    /// @notice Disputes a sub-range of the opponent's last bisection and bisects it. The
    ///         submitter's first move in a game escrows its match: `msg.value = challengeBond`.
    /// @param hashes The mover's states at the new sub-range ends; the last must differ from
    ///        `sel.disputed`.
    function bisect(uint256 gameId, Selection calldata sel, bytes32[] calldata hashes) external payable;

    /// @notice Ends phase 1 when the opponent's sub-ranges are single segments: reveals the
    ///         packed state `agreedState` whose hash is `sel.agreed` (the boundary `B_j`),
    ///         resumes it, and bisects the steps of segment `j` from the resumed state to
    ///         `sel.disputed` (`docs/protocol.md` §5.3). Escrows the submitter's match like
    ///         `bisect` when it is its first move.
    /// @param hashes The mover's states at the `min(k, 2^D2)` sub-range ends of the segment;
    ///        the last must differ from `sel.disputed`.
    function openSegment(uint256 gameId, Selection calldata sel, bytes calldata agreedState, bytes32[] calldata hashes)
        external
        payable;

    /// @notice Wins the game by proving that one step from `sel.agreed` does not give the
    ///         opponent's `sel.disputed` (only when the opponent's sub-ranges are single steps).
    ///         Escrows the submitter's match like `bisect` when it is its first move.
    function proveStep(uint256 gameId, Selection calldata sel, bytes calldata proof) external payable;

    /// @notice Ends a game whose side to move has run out of clock; the other side wins.
    function timeout(uint256 gameId) external;

    /// @notice Pays out the challenger of an undecided game whose result another game rejected:
    ///         its bond, the submitter's escrowed match, or a share of the result bond if the
    ///         submitter never answered this game.
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
}
