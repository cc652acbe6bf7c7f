// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {Test} from "../utils/Test.sol";
import {console} from "../utils/console.sol";

/// Drives the oracle with one honest actor (submits true results, challenges every wrong one,
/// answers every move at once along the true trace) and two adversaries acting at random.
contract Handler is ProtocolBase {
    uint8 public constant DEPTH = 6;
    uint256 public constant STEPS = 2 ** 6;
    bytes32 public pid;
    address public honest;
    address[2] public adversaries;

    mapping(uint256 => Trace) public traceOf; // by request
    mapping(uint256 => bytes) public trueOutput; // by request; empty if it never halts in 2^D
    mapping(uint256 => bool) public halts;
    mapping(uint256 => bytes) public outputOf; // by result
    mapping(uint256 => bytes32) public finalizedHash; // by request, first seen

    uint256 public ethIn;
    uint256 public ethOut;
    uint256 public calls;

    constructor() {
        deploy(2); // k = 4
        pid = register(DEPTH);
        honest = alice;
        adversaries = [bob, carol];
        vm.deal(requester, 1e9 ether);
        vm.deal(alice, 1e9 ether);
        vm.deal(bob, 1e9 ether);
        vm.deal(carol, 1e9 ether);
    }

    function _adv(uint256 seed) internal view returns (address) {
        return adversaries[seed % 2];
    }

    // ------------------------------------------------------------------ actions

    function request(uint256 seed) external {
        calls++;
        if (oracle.requestCount() >= 12) return;
        uint256 id = newRequest(pid, abi.encode(seed));
        ethIn += BASE_FEE;
        // Halting step in [1, 2^D + 2]: a few never halt within the trace.
        uint256 n = 1 + seed % (STEPS + 2);
        bytes memory out = abi.encodePacked("out", seed);
        traceOf[id] = trueTrace(id, n, out);
        halts[id] = n <= STEPS;
        if (halts[id]) trueOutput[id] = out;
    }

    function submit(uint256 reqSeed, bool byHonest, uint256 lie) external {
        calls++;
        _honestActs();
        uint256 id = _pickRequest(reqSeed);
        if (id == 0) return;
        IOpMLOracle.Request memory q = oracle.request(id);
        if (q.status != IOpMLOracle.RequestStatus.Open || q.resultId != 0) return;
        if (byHonest && halts[id]) {
            _submitAs(honest, id, trueOutput[id], "true");
        } else if (!byHonest) {
            // A wrong output, or the true output with a wrong final state.
            if (lie % 2 == 0 || !halts[id]) {
                _submitAs(_adv(lie), id, abi.encodePacked("lie", lie), "lie");
            } else {
                _submitAs(_adv(lie), id, trueOutput[id], bytes32(lie | 1));
            }
        }
    }

    function _submitAs(address who, uint256 id, bytes memory out, bytes32 salt) internal {
        vm.prank(who);
        uint256 rid = oracle.submitResult{value: RESULT_BOND}(id, out, haltedState(out, salt));
        ethIn += RESULT_BOND;
        outputOf[rid] = out;
    }

    function advChallenge(uint256 resSeed, uint256 rnd) external {
        calls++;
        uint256 rid = _pickResult(resSeed);
        if (rid == 0) return;
        address a = _adv(rnd);
        IOpMLOracle.Result memory r = oracle.result(rid);
        if (r.status != IOpMLOracle.ResultStatus.Pending || r.submitter == a || oracle.gameOf(rid, a) != 0) return;
        if (block.timestamp >= r.submittedAt + WINDOW) return;
        Trace t = traceOf[r.requestId];
        bytes32[] memory h = wrongBisection(t, 0, DEPTH, rnd % 4, bytes32(rnd));
        if (h[h.length - 1] == r.finalState) return;
        challengeAs(a, rid, h);
        ethIn += CHALLENGE_BOND;
    }

    /// A random adversary move in a random game where it is an adversary's turn: a legal
    /// bisection of a random sub-range with random hashes, a hopeless step proof, or junk.
    function advMove(uint256 gameSeed, uint256 rnd) external {
        calls++;
        uint256 gid = _pickGame(gameSeed);
        if (gid == 0) return;
        IOpMLOracle.Game memory g = oracle.game(gid);
        if (g.status != IOpMLOracle.GameStatus.Active) return;
        IOpMLOracle.Result memory r = oracle.result(g.resultId);
        if (r.status != IOpMLOracle.ResultStatus.Pending) return;
        address mover = g.challengerTurn ? g.challenger : r.submitter;
        if (mover == honest) return;
        _advMoveIn(gid, g, mover, traceOf[r.requestId], rnd);
    }

    function _advMoveIn(uint256 gid, IOpMLOracle.Game memory g, address mover, Trace t, uint256 rnd) internal {
        (uint256 m, uint256 subLog) = split(g.lenLog);
        uint256 j = rnd % m;
        IOpMLOracle.Selection memory s = selection(gid, j);
        if (subLog == 0) {
            vm.prank(mover);
            try oracle.proveStep(gid, s, abi.encodePacked(s.agreed)) {} catch {}
            return;
        }
        uint256 start = g.start + (j << subLog);
        // The truth is only legal where it disagrees with the opponent.
        bytes32[] memory h = (rnd >> 8) % 5 == 0
            ? bisection(t, start, subLog)
            : wrongBisection(t, start, subLog, (rnd >> 16) % 4, bytes32(rnd));
        vm.prank(mover);
        try oracle.bisect(gid, s, h) {
            lastHashes[gid] = h;
        } catch {}
    }

    /// Malformed moves by an adversary or a bystander: random indices, proofs and hashes,
    /// step proofs at any length, moves out of turn. All must revert without effect.
    function junkMove(uint256 gameSeed, uint256 rnd) external {
        calls++;
        uint256 gid = _pickGame(gameSeed);
        if (gid == 0) return;
        IOpMLOracle.Selection memory s;
        s.index = rnd % 20;
        s.agreed = bytes32(rnd >> 8);
        s.disputed = keccak256(abi.encode(rnd));
        s.agreedProof = new bytes32[]((rnd >> 16) % 4);
        s.disputedProof = new bytes32[]((rnd >> 24) % 4);
        if ((rnd >> 32) % 2 == 0 && lastHashes[gid].length > 0) {
            // A well-formed selection of a real sub-range, with a bad bisection or proof.
            s = selection(gid, rnd % lastHashes[gid].length);
        }
        bytes32[] memory h = new bytes32[]((rnd >> 40) % 20);
        address who = [bob, carol, requester][(rnd >> 48) % 3];
        vm.prank(who);
        if ((rnd >> 56) % 2 == 0) {
            try oracle.bisect(gid, s, h) {
                lastHashes[gid] = h;
            } catch {}
        } else {
            try oracle.proveStep(gid, s, abi.encodePacked(rnd)) {} catch {}
        }
    }

    /// The adversary keeps playing one game, the honest side answering, until it ends or the
    /// adversary's moves stop being legal.
    function advPlayOut(uint256 gameSeed, uint256 rnd) external {
        calls++;
        _honestActs();
        uint256 gid = _pickGame(gameSeed);
        for (uint256 i = 0; gid != 0 && i < 2 * DEPTH + 2; i++) {
            if (oracle.game(gid).status != IOpMLOracle.GameStatus.Active) return;
            this.advMove(gid - 1, uint256(keccak256(abi.encode(rnd, i))));
            vm.warp(block.timestamp + 1 + (rnd >> i) % 600);
            _honestActs();
        }
    }

    function warp(uint256 dt) external {
        calls++;
        _honestActs();
        // Mostly short steps so games run deep; sometimes a full clock.
        vm.warp(block.timestamp + (dt % 8 == 0 ? CLOCK : bound(dt, 1, CLOCK / 16)));
    }

    function timeoutGame(uint256 gameSeed) external {
        calls++;
        _honestActs();
        uint256 gid = _pickGame(gameSeed);
        if (gid != 0) try oracle.timeout(gid) {} catch {}
    }

    function voidGame(uint256 gameSeed) external {
        calls++;
        uint256 gid = _pickGame(gameSeed);
        if (gid != 0) try oracle.voidGame(gid) {} catch {}
    }

    function finalize(uint256 reqSeed) external {
        calls++;
        _honestActs();
        uint256 id = _pickRequest(reqSeed);
        if (id == 0) return;
        uint256 rid = oracle.request(id).resultId;
        if (rid == 0) return;
        try oracle.finalize(id, outputOf[rid]) {} catch {}
    }

    function cancel(uint256 reqSeed) external {
        calls++;
        uint256 id = _pickRequest(reqSeed);
        if (id != 0) try oracle.cancelRequest(id) {} catch {}
    }

    function withdraw(uint256 who) external {
        calls++;
        address a = [requester, alice, bob, carol][who % 4];
        uint256 bal = oracle.balanceOf(a);
        if (bal == 0) return;
        vm.prank(a);
        oracle.withdraw(payable(a));
        ethOut += bal;
    }

    // ------------------------------------------------------------------ the honest actor

    /// Challenges every wrong pending result and answers every game where it is its turn.
    function _honestActs() internal {
        uint256 nr = oracle.resultCount();
        for (uint256 rid = 1; rid <= nr; rid++) {
            IOpMLOracle.Result memory r = oracle.result(rid);
            if (r.status != IOpMLOracle.ResultStatus.Pending || r.submitter == honest) continue;
            if (oracle.gameOf(rid, honest) != 0 || block.timestamp >= r.submittedAt + WINDOW) {
                continue;
            }
            Trace t = traceOf[r.requestId];
            if (r.finalState == t.hashAt(STEPS)) continue; // a true claim
            challengeAs(honest, rid, bisection(t, 0, DEPTH));
            ethIn += CHALLENGE_BOND;
        }
        uint256 ng = oracle.gameCount();
        for (uint256 gid = 1; gid <= ng; gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) continue;
            IOpMLOracle.Result memory r = oracle.result(g.resultId);
            if (r.status != IOpMLOracle.ResultStatus.Pending) continue;
            if ((g.challengerTurn ? g.challenger : r.submitter) != honest) continue;
            honestMove(honest, gid, traceOf[r.requestId]);
        }
    }

    // ------------------------------------------------------------------ picking

    function _pickRequest(uint256 seed) internal view returns (uint256) {
        uint256 n = oracle.requestCount();
        return n == 0 ? 0 : 1 + seed % n;
    }

    function _pickResult(uint256 seed) internal view returns (uint256) {
        uint256 n = oracle.resultCount();
        return n == 0 ? 0 : 1 + seed % n;
    }

    function _pickGame(uint256 seed) internal view returns (uint256) {
        uint256 n = oracle.gameCount();
        return n == 0 ? 0 : 1 + seed % n;
    }

    // ------------------------------------------------------------------ views for the invariants

    function oracleAddress() external view returns (OpMLOracle) {
        return oracle;
    }

    /// Wei the oracle holds for open requests, pending results and undecided games.
    function locked() public view returns (uint256 sum) {
        for (uint256 id = 1; id <= oracle.requestCount(); id++) {
            if (oracle.request(id).status == IOpMLOracle.RequestStatus.Open) {
                sum += oracle.request(id).fee;
            }
        }
        for (uint256 rid = 1; rid <= oracle.resultCount(); rid++) {
            if (oracle.result(rid).status == IOpMLOracle.ResultStatus.Pending) sum += RESULT_BOND;
        }
        for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
            if (oracle.game(gid).status == IOpMLOracle.GameStatus.Active) sum += CHALLENGE_BOND;
        }
    }

    function credited() public view returns (uint256) {
        return oracle.balanceOf(requester) + oracle.balanceOf(alice) + oracle.balanceOf(bob) + oracle.balanceOf(carol);
    }

    /// Number of decided games the honest actor took part in and lost (must stay 0).
    function honestLosses() external view returns (uint256 n) {
        for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            address sub = oracle.result(g.resultId).submitter;
            if (g.status == IOpMLOracle.GameStatus.ChallengerWon && sub == honest) n++;
            if (g.status == IOpMLOracle.GameStatus.SubmitterWon && g.challenger == honest) n++;
        }
    }

    /// Records first-seen finalized outputs; returns how many changed or are not the truth.
    function checkFinalized() external returns (uint256 bad) {
        for (uint256 id = 1; id <= oracle.requestCount(); id++) {
            IOpMLOracle.Request memory q = oracle.request(id);
            if (finalizedHash[id] != 0) {
                if (q.status != IOpMLOracle.RequestStatus.Finalized || q.outputHash != finalizedHash[id]) bad++;
            } else if (q.status == IOpMLOracle.RequestStatus.Finalized) {
                finalizedHash[id] = q.outputHash;
                // The honest actor challenges every wrong claim, so only the truth finalizes.
                if (!halts[id] || q.outputHash != keccak256(trueOutput[id])) bad++;
                if (oracle.result(q.resultId).finalState != traceOf[id].hashAt(STEPS)) bad++;
            }
        }
    }

    /// Coverage of a run: games decided with the honest side in them, and finalized requests.
    function stats() external view returns (uint256 games, uint256 honestGames, uint256 finalized) {
        games = oracle.gameCount();
        for (uint256 gid = 1; gid <= games; gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            bool decided =
                g.status == IOpMLOracle.GameStatus.ChallengerWon || g.status == IOpMLOracle.GameStatus.SubmitterWon;
            if (decided && (g.challenger == honest || oracle.result(g.resultId).submitter == honest)) {
                honestGames++;
            }
        }
        for (uint256 id = 1; id <= oracle.requestCount(); id++) {
            if (oracle.request(id).status == IOpMLOracle.RequestStatus.Finalized) finalized++;
        }
    }

    /// Settles everything that can be settled and withdraws all credit.
    function drain() external {
        _honestActs();
        for (uint256 round = 0; round < 16; round++) {
            vm.warp(block.timestamp + CLOCK + TIMEOUT);
            for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
                try oracle.timeout(gid) {} catch {}
                try oracle.voidGame(gid) {} catch {}
            }
            for (uint256 id = 1; id <= oracle.requestCount(); id++) {
                uint256 rid = oracle.request(id).resultId;
                if (rid != 0) try oracle.finalize(id, outputOf[rid]) {} catch {}
                try oracle.cancelRequest(id) {} catch {}
            }
        }
        for (uint256 w = 0; w < 4; w++) {
            this.withdraw(w);
        }
    }
}

contract ProtocolInvariantTest is Test {
    Handler internal h;
    OpMLOracle internal oracle;

    function setUp() public {
        h = new Handler();
        oracle = h.oracleAddress();
        targetContract(address(h));
        bytes4[] memory sel = new bytes4[](12);
        sel[10] = Handler.advPlayOut.selector;
        sel[11] = Handler.junkMove.selector;
        sel[0] = Handler.request.selector;
        sel[1] = Handler.submit.selector;
        sel[2] = Handler.advChallenge.selector;
        sel[3] = Handler.advMove.selector;
        sel[4] = Handler.warp.selector;
        sel[5] = Handler.timeoutGame.selector;
        sel[6] = Handler.voidGame.selector;
        sel[7] = Handler.finalize.selector;
        sel[8] = Handler.cancel.selector;
        sel[9] = Handler.withdraw.selector;
        targetSelector(FuzzSelector(address(h), sel));
    }

    /// The side that follows the true trace wins every game it plays.
    function invariant_honestNeverLoses() public view {
        assertEq(h.honestLosses(), 0, "honest side lost a game");
    }

    /// ETH in = ETH out + held; held = credited + locked + burned.
    function invariant_ethConserved() public view {
        uint256 bal = address(oracle).balance;
        assertEq(bal, h.ethIn() - h.ethOut(), "in != out + held");
        assertEq(bal, h.credited() + h.locked() + oracle.burned(), "held != credited + locked + burned");
    }

    /// A finalized result never changes, and only true results finalize.
    function invariant_finalizedStable() public {
        assertEq(h.checkFinalized(), 0, "finalized result changed or untrue");
    }

    /// After the run, everything settles: only the burned part stays in the contract.
    function afterInvariant() public {
        h.drain();
        (uint256 games, uint256 honestGames, uint256 finalized) = h.stats();
        console.log("games, decided with the honest side, finalized", games, honestGames, finalized);
        assertEq(h.locked(), 0, "funds still locked");
        assertEq(address(oracle).balance, oracle.burned(), "funds stuck");
        assertEq(h.honestLosses(), 0);
        assertEq(h.checkFinalized(), 0);
    }
}
