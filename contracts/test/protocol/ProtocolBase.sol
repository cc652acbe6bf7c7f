// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Test} from "../utils/Test.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {IStepVerifier} from "../../src/interfaces/IStepVerifier.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {MachineState, ProgramFields, State} from "../../src/lib/MachineState.sol";
import {ToyVerifier} from "./ToyVerifier.sol";

/// @notice The true trace of one toy run: `T_0 = S_0`, `T_{i+1} = next(T_i)` for `i + 1 < n`,
///         then the halted state forever. Kept as an array, as a player's checkpoints would be.
contract Trace {
    bytes32[] internal _t;

    constructor(ToyVerifier v, bytes32 s0, uint256 n, bytes32 halted) {
        require(n >= 1, "n");
        _t.push(s0);
        for (uint256 i = 1; i < n; i++) {
            _t.push(v.next(_t[i - 1]));
        }
        _t.push(halted);
        v.setHalt(_t[n - 1], halted);
    }

    function hashAt(uint256 i) external view returns (bytes32) {
        return i < _t.length ? _t[i] : _t[_t.length - 1];
    }

    function length() external view returns (uint256) {
        return _t.length;
    }
}

/// @notice Shared fixture: an oracle over the toy verifier, a program, and the moves of an
///         honest player (following a `Trace`) and of arbitrary ones.
abstract contract ProtocolBase is Test {
    OpMLOracle internal oracle;
    ToyVerifier internal toy;

    uint64 internal constant WINDOW = 1 hours;
    uint64 internal constant REVEAL = 10 minutes;
    uint64 internal constant CLOCK = 2 hours;
    uint256 internal constant RESULT_BOND = 1 ether;
    uint256 internal constant CHALLENGE_BOND = 0.5 ether;
    uint16 internal constant BURN_BPS = 2000;
    uint256 internal constant BASE_FEE = 0.01 ether;
    uint256 internal constant GAS_PRICE = 1 gwei;
    uint64 internal constant MAX_CB_GAS = 2_000_000;
    uint64 internal constant TIMEOUT = 7 days;

    address internal requester = makeAddr("requester");
    address internal alice = makeAddr("alice"); // usually the honest side
    address internal bob = makeAddr("bob"); // usually the dishonest side
    address internal carol = makeAddr("carol");

    /// Last bisection posted in each game, as a client reads it from `Bisected`.
    mapping(uint256 => bytes32[]) internal lastHashes;

    function config(IStepVerifier v, uint8 kLog) internal pure returns (IOpMLOracle.Config memory c) {
        c = IOpMLOracle.Config({
            verifier: v,
            challengeWindow: WINDOW,
            revealWindow: REVEAL,
            clock: CLOCK,
            kLog: kLog,
            maxSegmentDepth: 63,
            maxTraceDepth: 63,
            resultBond: RESULT_BOND,
            challengeBond: CHALLENGE_BOND,
            burnBps: BURN_BPS,
            baseFee: BASE_FEE,
            callbackGasPrice: GAS_PRICE,
            maxCallbackGas: MAX_CB_GAS,
            maxInputBytes: 4096,
            maxOutputBytes: 1024,
            requestTimeout: TIMEOUT
        });
    }

    function deploy(uint8 kLog) internal {
        toy = new ToyVerifier();
        oracle = new OpMLOracle(config(toy, kLog));
        vm.deal(requester, 100 ether);
        vm.deal(alice, 100 ether);
        vm.deal(bob, 100 ether);
        vm.deal(carol, 100 ether);
    }

    function fields(bytes32 salt) internal pure returns (ProgramFields memory f) {
        f.maxCallDepth = 1024;
        f.codeRoot = keccak256(abi.encode("code", salt));
        f.codeDepth = 10;
        f.globals = keccak256("globals");
        f.table = keccak256("table");
        f.tableSize = 3;
        f.memoryRoot = keccak256("memory");
        f.memoryPages = 2;
        f.maxPages = 16;
        f.segments = keccak256("segments");
        // One segment of up to 2^63 steps: a single-phase game (D1 = 0) at every D. Two-phase
        // tests (`TwoPhase.t.sol`) register their own segment depth.
        f.segmentDepth = 63;
    }

    function register(uint8 depth) internal returns (bytes32) {
        return oracle.registerProgram(fields(bytes32(uint256(depth))), depth, "ipfs://weights");
    }

    function newRequest(bytes32 programId, bytes memory input) internal returns (uint256 id) {
        vm.prank(requester);
        id = oracle.requestInference{value: BASE_FEE}(programId, input, address(0), 0);
    }

    /// A packed halted state with `output` (other fields derived from `salt`).
    function haltedState(bytes memory output, bytes32 salt) internal pure returns (bytes memory) {
        State memory s;
        s.status = MachineState.HALTED;
        s.pc = 7;
        s.codeRoot = salt;
        s.codeDepth = 10;
        (s.outputChain, s.outputPending, s.outputLen) = MachineState.outputCommitment(output);
        return MachineState.encode(s);
    }

    // ------------------------------------------------------------------ results

    /// Commits `who` to the halted state `fs` for request `id` (with the result bond).
    function commitAs(address who, uint256 id, bytes memory fs) internal returns (uint256 rid) {
        bytes32 c = oracle.commitmentHash(id, who, stateHash(fs));
        vm.prank(who);
        rid = oracle.commitResult{value: RESULT_BOND}(id, c);
    }

    function revealAs(address who, uint256 rid, bytes memory out, bytes memory fs) internal {
        vm.prank(who);
        oracle.revealResult(rid, out, fs);
    }

    /// Commit and reveal: with no other commitment on the request, the result is pending at
    /// once (its challenge window is open).
    function submitAs(address who, uint256 id, bytes memory out, bytes32 salt) internal returns (uint256 rid) {
        bytes memory fs = haltedState(out, salt);
        rid = commitAs(who, id, fs);
        revealAs(who, rid, out, fs);
    }

    function stateHash(bytes memory packed) internal view returns (bytes32) {
        return this.hashPacked(packed);
    }

    function decodePacked(bytes calldata packed) external pure returns (State memory) {
        return MachineState.decode(packed);
    }

    function hashPacked(bytes calldata packed) external pure returns (bytes32) {
        return MachineState.hash(MachineState.decode(packed));
    }

    /// The true trace of request `id`: halts after `n` steps with `output`.
    function trueTrace(uint256 id, uint256 n, bytes memory output) internal returns (Trace) {
        bytes32 halted = stateHash(haltedState(output, "true"));
        return new Trace(toy, oracle.request(id).startState, n, halted);
    }

    // ------------------------------------------------------------------ game moves

    function kLogOf() internal view returns (uint256) {
        return oracle.config().kLog;
    }

    /// Number of sub-ranges and log2 of their length for a range of 2^lenLog steps.
    function split(uint256 lenLog) internal view returns (uint256 m, uint256 subLog) {
        uint256 mLog = lenLog < kLogOf() ? lenLog : kLogOf();
        return (2 ** mLog, lenLog - mLog);
    }

    /// The trace's hashes at the sub-range ends of `[start, start + 2^lenLog]`.
    function bisection(Trace t, uint256 start, uint256 lenLog) internal view returns (bytes32[] memory h) {
        (uint256 m, uint256 subLog) = split(lenLog);
        h = new bytes32[](m);
        for (uint256 j = 0; j < m; j++) {
            h[j] = t.hashAt(start + ((j + 1) << subLog));
        }
    }

    function merkleProof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 n = leaves.length;
        uint256 depth;
        while (2 ** depth < n) depth++;
        proof = new bytes32[](depth);
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            level[i] = leaves[i];
        }
        for (uint256 d = 0; d < depth; d++) {
            proof[d] = level[index ^ 1];
            n >>= 1;
            for (uint256 i = 0; i < n; i++) {
                level[i] = Hashing.node(level[2 * i], level[2 * i + 1]);
            }
            index >>= 1;
        }
    }

    /// Selection of sub-range `index` of the last bisection in game `gameId`.
    function selection(uint256 gameId, uint256 index) internal view returns (IOpMLOracle.Selection memory s) {
        bytes32[] storage h = lastHashes[gameId];
        bytes32[] memory leaves = h;
        s.index = index;
        s.agreed = index == 0 ? oracle.game(gameId).startHash : leaves[index - 1];
        s.agreedProof = index == 0 ? new bytes32[](0) : merkleProof(leaves, index - 1);
        s.disputed = leaves[index];
        s.disputedProof = merkleProof(leaves, index);
    }

    /// The first sub-range of the last bisection that disagrees with `t`.
    function firstDisagreement(uint256 gameId, Trace t) internal view returns (uint256) {
        IOpMLOracle.Game memory g = oracle.game(gameId);
        (, uint256 subLog) = split(g.lenLog);
        bytes32[] storage h = lastHashes[gameId];
        for (uint256 j = 0; j < h.length; j++) {
            if (h[j] != t.hashAt(g.start + ((j + 1) << subLog))) return j;
        }
        revert("no disagreement");
    }

    function challengeAs(address who, uint256 resultId, bytes32[] memory hashes) internal returns (uint256 gameId) {
        vm.prank(who);
        gameId = oracle.challenge{value: CHALLENGE_BOND}(resultId, hashes);
        lastHashes[gameId] = hashes;
    }

    /// What the next move in `gameId` must send: the submitter's match with its first move.
    function due(uint256 gameId) internal view returns (uint256) {
        IOpMLOracle.Game memory g = oracle.game(gameId);
        return g.challengerTurn || g.funded ? 0 : CHALLENGE_BOND;
    }

    function bisectAs(address who, uint256 gameId, IOpMLOracle.Selection memory s, bytes32[] memory hashes) internal {
        uint256 value = due(gameId);
        vm.prank(who);
        oracle.bisect{value: value}(gameId, s, hashes);
        lastHashes[gameId] = hashes;
    }

    function proveAs(address who, uint256 gameId, IOpMLOracle.Selection memory s, bytes memory proof) internal {
        uint256 value = due(gameId);
        vm.prank(who);
        oracle.proveStep{value: value}(gameId, s, proof);
    }

    /// One honest move in `gameId` (whose turn it must be): bisect the first disagreeing
    /// sub-range, or prove its step. Returns true when the game ended.
    function honestMove(address who, uint256 gameId, Trace t) internal returns (bool ended) {
        IOpMLOracle.Game memory g = oracle.game(gameId);
        uint256 j = firstDisagreement(gameId, t);
        IOpMLOracle.Selection memory s = selection(gameId, j);
        (, uint256 subLog) = split(g.lenLog);
        if (subLog == 0) {
            proveAs(who, gameId, s, abi.encodePacked(s.agreed));
            return true;
        }
        bisectAs(who, gameId, s, bisection(t, g.start + (j << subLog), subLog));
        return false;
    }

    /// A wrong bisection of sub-range `index`: the trace with every hash from `from` on
    /// replaced by junk, so its last hash differs from the truth.
    function wrongBisection(Trace t, uint256 start, uint256 lenLog, uint256 from, bytes32 salt)
        internal
        view
        returns (bytes32[] memory h)
    {
        h = bisection(t, start, lenLog);
        if (from >= h.length) from = h.length - 1;
        for (uint256 j = from; j < h.length; j++) {
            h[j] = keccak256(abi.encode(salt, start, j));
        }
    }
}
