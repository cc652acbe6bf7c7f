// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Trace} from "./ProtocolBase.sol";
import {SegTrace, TwoPhaseBase} from "./TwoPhaseBase.sol";
import {ProgramFields} from "../../src/lib/MachineState.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {Test} from "../utils/Test.sol";
import {console} from "../utils/console.sol";

/// Drives the oracle with one honest actor (commits and reveals true results, challenges every
/// wrong one, answers every move at once along the true trace) and two adversaries acting at
/// random: wrong results, junk commitments, sybil challenges, random and malformed moves.
/// A third of the requests are for a segmented program (`D1 = D2 = 3`): two-phase games with
/// real boundary states, transitions included.
contract Handler is TwoPhaseBase {
    uint8 public constant DEPTH = 6;
    uint256 public constant STEPS = 2 ** 6;
    uint8 public constant D2 = 3;
    uint8 public constant D1 = DEPTH - D2;
    bytes32 public pid;
    bytes32 public pidSeg;
    ProgramFields internal segFields;
    mapping(uint256 => SegTrace) public segOf; // by request, for the segmented program
    address public honest;
    address[2] public adversaries;

    mapping(uint256 => Trace) public traceOf; // by request
    mapping(uint256 => bytes) public trueOutput; // by request; empty if it never halts in 2^D
    mapping(uint256 => bool) public halts;
    mapping(uint256 => bytes) public outputOf; // by result
    mapping(uint256 => bytes) public packedOf; // by result: the committed final state
    mapping(uint256 => bytes32) public finalizedHash; // by request, first seen
    mapping(uint256 => uint256) public honestCommit; // by request: the honest actor's live commitment
    /// What the honest challenger was credited when its game was won or voided.
    mapping(uint256 => uint256) public honestPayout;
    mapping(uint256 => bool) public payoutSeen;

    uint256 public ethIn;
    uint256 public ethOut;
    uint256 public calls;

    constructor() {
        deploy(2); // k = 4
        pid = register(DEPTH);
        (pidSeg, segFields) = registerSegmented(DEPTH, D2, "segmented");
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
        bytes memory input = abi.encode(seed);
        bytes memory out = abi.encodePacked("out", seed);
        if ((seed >> 128) % 3 == 0) {
            uint256 sid = newRequest(pidSeg, input);
            ethIn += BASE_FEE;
            // Segments in [1, 2^D1 + 2] of 1..2^D2 steps: a few never halt within the trace.
            uint256 segments = 1 + seed % (2 ** D1 + 2);
            segOf[sid] = segTrace(sid, segFields, input, lengths(segments, D2, seed), out);
            halts[sid] = segments <= 2 ** D1;
            if (halts[sid]) trueOutput[sid] = out;
            return;
        }
        uint256 id = newRequest(pid, input);
        ethIn += BASE_FEE;
        // Halting step in [1, 2^D + 2]: a few never halt within the trace.
        uint256 n = 1 + seed % (STEPS + 2);
        traceOf[id] = trueTrace(id, n, out);
        halts[id] = n <= STEPS;
        if (halts[id]) trueOutput[id] = out;
    }

    // ------------------------------------------------------------------ either kind of trace

    function _isSeg(uint256 id) internal view returns (bool) {
        return address(segOf[id]) != address(0);
    }

    /// The true final state hash of request `id` (`S_{2^D}`, or `B_{2^D1}`).
    function _trueFinal(uint256 id) internal view returns (bytes32) {
        return _isSeg(id) ? segOf[id].boundary(2 ** D1) : traceOf[id].hashAt(STEPS);
    }

    /// The true opening bisection of request `id`, junk from index `from` on (none if
    /// `from` is past the end).
    function _opening(uint256 id, uint256 from, bytes32 salt) internal view returns (bytes32[] memory h) {
        h = _isSeg(id) ? segBisection(segOf[id], true, 0, 0, D1) : bisection(traceOf[id], 0, DEPTH);
        for (uint256 i = from; i < h.length; i++) {
            h[i] = keccak256(abi.encode(salt, i));
        }
    }

    function _honestMove(address who, uint256 gid, uint256 id) internal {
        if (_isSeg(id)) honestSegMove(who, gid, segOf[id]);
        else honestMove(who, gid, traceOf[id]);
    }

    /// The honest actor commits to (and reveals as soon as it may) the true result; an
    /// adversary commits and reveals a wrong output, or the true output with a wrong state.
    function submit(uint256 reqSeed, bool byHonest, uint256 lie) external {
        calls++;
        _honestActs();
        uint256 id = _pickRequest(reqSeed);
        if (id == 0 || oracle.request(id).status != IOpMLOracle.RequestStatus.Open) return;
        if (byHonest) {
            if (halts[id] && honestCommit[id] == 0) {
                bytes memory fs = _isSeg(id) ? segOf[id].packed(2 ** D1) : haltedState(trueOutput[id], "true");
                honestCommit[id] = _commitPacked(honest, id, trueOutput[id], fs);
                _honestActs();
            }
            return;
        }
        address a = _adv(lie);
        bytes memory out = lie % 2 == 0 || !halts[id] ? abi.encodePacked("lie", lie) : trueOutput[id];
        uint256 rid = _commit(a, id, out, bytes32(lie | 1));
        if (rid != 0) _reveal(a, rid);
    }

    /// An adversary commits and does not reveal (junk), to reveal later or never.
    function junkCommit(uint256 reqSeed, uint256 lie) external {
        calls++;
        uint256 id = _pickRequest(reqSeed);
        if (id == 0 || oracle.request(id).status != IOpMLOracle.RequestStatus.Open) return;
        _commit(_adv(lie), id, abi.encodePacked("junk", lie), bytes32(lie | 1));
    }

    /// An adversary reveals one of its commitments, if it still may.
    function advReveal(uint256 resSeed) external {
        calls++;
        uint256 rid = _pickResult(resSeed);
        if (rid == 0) return;
        IOpMLOracle.Result memory r = oracle.result(rid);
        if (r.submitter == honest || r.status != IOpMLOracle.ResultStatus.Committed) return;
        _reveal(r.submitter, rid);
    }

    function _commit(address who, uint256 id, bytes memory out, bytes32 salt) internal returns (uint256 rid) {
        return _commitPacked(who, id, out, haltedState(out, salt));
    }

    function _commitPacked(address who, uint256 id, bytes memory out, bytes memory fs) internal returns (uint256 rid) {
        bytes32 c = oracle.commitmentHash(id, who, stateHash(fs));
        vm.prank(who);
        try oracle.commitResult{value: RESULT_BOND}(id, c) returns (uint256 r) {
            rid = r;
            ethIn += RESULT_BOND;
            outputOf[rid] = out;
            packedOf[rid] = fs;
        } catch {}
    }

    function _reveal(address who, uint256 rid) internal returns (bool ok) {
        bytes memory out = outputOf[rid];
        bytes memory fs = packedOf[rid];
        vm.prank(who);
        try oracle.revealResult(rid, out, fs) {
            ok = true;
        } catch {}
    }

    function advChallenge(uint256 resSeed, uint256 rnd) external {
        calls++;
        uint256 rid = _pickResult(resSeed);
        if (rid == 0) return;
        address a = _adv(rnd);
        IOpMLOracle.Result memory r = oracle.result(rid);
        if (!_challengeable(rid, r) || r.submitter == a || oracle.gameOf(rid, a) != 0) return;
        bytes32[] memory h = _opening(r.requestId, rnd % 4, bytes32(rnd));
        if (h[h.length - 1] == r.finalState) return;
        challengeAs(a, rid, h);
        ethIn += CHALLENGE_BOND;
    }

    /// The issue's attack: a sybil of the liar challenges the liar's wrong result with the
    /// truth, so that the liar can lose that game on purpose (`sybilWin`) while it stalls the
    /// honest challenger's game.
    function sybilChallenge(uint256 resSeed) external {
        calls++;
        uint256 n = oracle.resultCount();
        for (uint256 k = 0; k < n; k++) {
            uint256 rid = 1 + (resSeed % n + k) % n;
            IOpMLOracle.Result memory r = oracle.result(rid);
            if (r.submitter == honest || !_challengeable(rid, r)) continue;
            address sybil = r.submitter == bob ? carol : bob;
            if (oracle.gameOf(rid, sybil) != 0 || r.finalState == _trueFinal(r.requestId)) continue;
            uint256 gid = challengeAs(sybil, rid, _opening(r.requestId, type(uint256).max, 0));
            truthfulSybil[gid] = true;
            ethIn += CHALLENGE_BOND;
            return;
        }
    }

    mapping(uint256 => bool) public truthfulSybil; // by game

    /// The liar loses a sybil's game on purpose, as fast as the sybil can win it; then anyone
    /// closes the result's other games.
    function sybilWin(uint256 gameSeed) external {
        calls++;
        uint256 n = oracle.gameCount();
        for (uint256 k = 0; k < n; k++) {
            uint256 gid = 1 + (gameSeed % n + k) % n;
            if (!truthfulSybil[gid] || oracle.game(gid).status != IOpMLOracle.GameStatus.Active) continue;
            _loseOnPurpose(gid);
            if (oracle.game(gid).status == IOpMLOracle.GameStatus.ChallengerWon) {
                for (uint256 other = 1; other <= n; other++) {
                    if (oracle.game(other).resultId == oracle.game(gid).resultId) _void(other);
                }
            }
            return;
        }
    }

    function _loseOnPurpose(uint256 gid) internal {
        for (uint256 i = 0; i < 2 * DEPTH + 2; i++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            IOpMLOracle.Result memory r = oracle.result(g.resultId);
            if (g.status != IOpMLOracle.GameStatus.Active || r.status != IOpMLOracle.ResultStatus.Revealed) return;
            (uint256 liarLeft,) = oracle.clocks(gid);
            if (g.challengerTurn) {
                _honestMove(g.challenger, gid, r.requestId);
            } else if (liarLeft == 0) {
                _timeout(gid); // the liar slept through its clock (a long `warp`)
                return;
            } else if (_isSeg(r.requestId)) {
                // The liar's longest-lasting play: wrong only at the end of each move.
                uint256 value = due(gid);
                if (!liarSegMove(r.submitter, gid, segOf[r.requestId], 0)) {
                    (uint256 left,) = oracle.clocks(gid);
                    _stepWarp(left);
                    _timeout(gid);
                    return;
                }
                ethIn += value;
            } else {
                Trace t = traceOf[r.requestId];
                (, uint256 subLog) = split(g.lenLog);
                if (subLog == 0) {
                    // No step to prove: the liar lets its clock run out (the honest side stays
                    // awake meanwhile).
                    (uint256 left,) = oracle.clocks(gid);
                    _stepWarp(left);
                    _timeout(gid);
                    return;
                }
                ethIn += due(gid);
                bisectAs(r.submitter, gid, selection(gid, 0), wrongBisection(t, g.start, subLog, 0, "sybil"));
            }
        }
    }

    function _challengeable(uint256 rid, IOpMLOracle.Result memory r) internal view returns (bool) {
        return r.status == IOpMLOracle.ResultStatus.Revealed && oracle.request(r.requestId).resultId == rid
            && block.timestamp >= r.windowStart && block.timestamp < r.windowStart + WINDOW;
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
        if (r.status != IOpMLOracle.ResultStatus.Revealed) return;
        address mover = g.challengerTurn ? g.challenger : r.submitter;
        if (mover == honest) return;
        if (_isSeg(r.requestId)) _advSegMoveIn(gid, g, mover, segOf[r.requestId], rnd);
        else _advMoveIn(gid, g, mover, traceOf[r.requestId], rnd);
    }

    /// `_advMoveIn` in a two-phase game: a bisection (true or wrong) of a random sub-range in
    /// either phase, a transition from the true boundary (refused unless the opponent's is
    /// true), or a hopeless step proof.
    function _advSegMoveIn(uint256 gid, IOpMLOracle.Game memory g, address mover, SegTrace t, uint256 rnd) internal {
        (uint256 m, uint256 subLog) = split(g.lenLog);
        uint256 j = rnd % m;
        IOpMLOracle.Selection memory s = selection(gid, j);
        if (g.phase == 2 && subLog == 0) {
            uint256 value = due(gid);
            vm.prank(mover);
            try oracle.proveStep{value: value}(gid, s, abi.encodePacked(s.agreed)) {
                ethIn += value;
            } catch {}
            return;
        }
        uint256 start = g.start + (j << subLog);
        bool opens = g.phase == 1 && subLog == 0;
        bytes32[] memory h =
            opens ? segBisection(t, false, start, 0, D2) : segBisection(t, g.phase == 1, g.segment, start, subLog);
        if ((rnd >> 8) % 5 != 0) {
            for (uint256 i = (rnd >> 16) % h.length; i < h.length; i++) {
                h[i] = keccak256(abi.encode(rnd, i));
            }
        }
        if (opens && (rnd >> 24) % 2 == 0) {
            // A forged transition: the next boundary's state and steps passed off as this one's
            // (refused: its hash is not the agreed one).
            _sendSegMove(gid, mover, true, s, t.packed(start + 1), segBisection(t, false, start + 1, 0, D2));
            return;
        }
        _sendSegMove(gid, mover, opens, s, t.packed(start), h);
    }

    function _sendSegMove(
        uint256 gid,
        address mover,
        bool opens,
        IOpMLOracle.Selection memory s,
        bytes memory b,
        bytes32[] memory h
    ) internal {
        uint256 value = due(gid);
        vm.prank(mover);
        if (opens) {
            try oracle.openSegment{value: value}(gid, s, b, h) {
                lastHashes[gid] = h;
                ethIn += value;
            } catch {}
        } else {
            try oracle.bisect{value: value}(gid, s, h) {
                lastHashes[gid] = h;
                ethIn += value;
            } catch {}
        }
    }

    function _advMoveIn(uint256 gid, IOpMLOracle.Game memory g, address mover, Trace t, uint256 rnd) internal {
        (uint256 m, uint256 subLog) = split(g.lenLog);
        uint256 j = rnd % m;
        IOpMLOracle.Selection memory s = selection(gid, j);
        uint256 value = due(gid);
        if (subLog == 0) {
            vm.prank(mover);
            try oracle.proveStep{value: value}(gid, s, abi.encodePacked(s.agreed)) {
                ethIn += value;
            } catch {}
            return;
        }
        uint256 start = g.start + (j << subLog);
        // The truth is only legal where it disagrees with the opponent.
        bytes32[] memory h = (rnd >> 8) % 5 == 0
            ? bisection(t, start, subLog)
            : wrongBisection(t, start, subLog, (rnd >> 16) % 4, bytes32(rnd));
        vm.prank(mover);
        try oracle.bisect{value: value}(gid, s, h) {
            lastHashes[gid] = h;
            ethIn += value;
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
        uint256 value = (rnd >> 52) % 2 == 0 ? 0 : CHALLENGE_BOND;
        vm.prank(who);
        if ((rnd >> 56) % 3 == 0) {
            try oracle.bisect{value: value}(gid, s, h) {
                lastHashes[gid] = h;
                ethIn += value;
            } catch {}
        } else if ((rnd >> 56) % 3 == 1) {
            // A transition with a random "boundary" (its length sometimes right).
            bytes memory junk = new bytes((rnd >> 60) % 2 == 0 ? 464 : (rnd >> 60) % 600);
            junk[0] = bytes1(uint8(rnd >> 64));
            try oracle.openSegment{value: value}(gid, s, junk, h) {
                lastHashes[gid] = h;
                ethIn += value;
            } catch {}
        } else {
            try oracle.proveStep{value: value}(gid, s, abi.encodePacked(rnd)) {
                ethIn += value;
            } catch {}
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
        _stepWarp(dt % 8 == 0 ? CLOCK : bound(dt, 1, CLOCK / 16));
    }

    /// Lets time pass with the honest actor awake at least every `revealWindow` seconds, as
    /// an honest player is: it reveals, challenges within every window and answers in time.
    function _stepWarp(uint256 dt) internal {
        while (dt > 0) {
            uint256 step = dt < REVEAL ? dt : REVEAL;
            vm.warp(block.timestamp + step);
            dt -= step;
            _honestActs();
        }
    }

    function timeoutGame(uint256 gameSeed) external {
        calls++;
        _honestActs();
        uint256 gid = _pickGame(gameSeed);
        if (gid != 0) _timeout(gid);
    }

    function voidGame(uint256 gameSeed) external {
        calls++;
        uint256 gid = _pickGame(gameSeed);
        if (gid != 0) _void(gid);
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

    function settleCommit(uint256 resSeed) external {
        calls++;
        uint256 rid = _pickResult(resSeed);
        if (rid != 0) try oracle.settleCommitment(rid) {} catch {}
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

    // ------------------------------------------------------------------ payouts to the honest challenger

    /// Runs `timeout` and records what the honest challenger got if it won by it.
    function _timeout(uint256 gid) internal {
        uint256 b0 = oracle.balanceOf(honest);
        try oracle.timeout(gid) {
            _recordHonestWin(gid, b0);
        } catch {}
    }

    function _void(uint256 gid) internal {
        uint256 b0 = oracle.balanceOf(honest);
        try oracle.voidGame(gid) {
            if (oracle.game(gid).challenger == honest) {
                honestPayout[gid] = oracle.balanceOf(honest) - b0;
                payoutSeen[gid] = true;
            }
        } catch {}
    }

    function _recordHonestWin(uint256 gid, uint256 b0) internal {
        IOpMLOracle.Game memory g = oracle.game(gid);
        if (g.challenger == honest && g.status == IOpMLOracle.GameStatus.ChallengerWon) {
            honestPayout[gid] = oracle.balanceOf(honest) - b0;
            payoutSeen[gid] = true;
        }
    }

    // ------------------------------------------------------------------ the honest actor

    /// Reveals its commitments as soon as it may, challenges every wrong pending result and
    /// answers every game where it is its turn.
    function _honestActs() internal {
        for (uint256 id = 1; id <= oracle.requestCount(); id++) {
            uint256 rid = honestCommit[id];
            if (rid == 0) continue;
            if (oracle.result(rid).status == IOpMLOracle.ResultStatus.Committed) _reveal(honest, rid);
            else honestCommit[id] = 0;
        }
        uint256 nr = oracle.resultCount();
        for (uint256 rid = 1; rid <= nr; rid++) {
            IOpMLOracle.Result memory r = oracle.result(rid);
            if (!_challengeable(rid, r) || r.submitter == honest || oracle.gameOf(rid, honest) != 0) continue;
            if (r.finalState == _trueFinal(r.requestId)) continue; // a true claim
            challengeAs(honest, rid, _opening(r.requestId, type(uint256).max, 0));
            ethIn += CHALLENGE_BOND;
        }
        uint256 ng = oracle.gameCount();
        for (uint256 gid = 1; gid <= ng; gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) continue;
            IOpMLOracle.Result memory r = oracle.result(g.resultId);
            if (r.status != IOpMLOracle.ResultStatus.Revealed) continue;
            if ((g.challengerTurn ? g.challenger : r.submitter) != honest) continue;
            ethIn += due(gid);
            uint256 b0 = oracle.balanceOf(honest);
            _honestMove(honest, gid, r.requestId);
            _recordHonestWin(gid, b0);
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

    /// Wei the oracle holds for open requests, live commitments and results, undecided games
    /// and the matches they are owed.
    function locked() public view returns (uint256 sum) {
        for (uint256 id = 1; id <= oracle.requestCount(); id++) {
            if (oracle.request(id).status == IOpMLOracle.RequestStatus.Open) {
                sum += oracle.request(id).fee;
            }
        }
        for (uint256 rid = 1; rid <= oracle.resultCount(); rid++) {
            IOpMLOracle.ResultStatus st = oracle.result(rid).status;
            if (st == IOpMLOracle.ResultStatus.Committed || st == IOpMLOracle.ResultStatus.Revealed) {
                sum += RESULT_BOND;
            }
        }
        for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) continue;
            // Its bond, and the match: escrowed, or set aside from a rejected result's bond.
            sum += CHALLENGE_BOND + (g.funded ? CHALLENGE_BOND : oracle.result(g.resultId).defaultShare);
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

    /// Games of the honest challenger won or voided (open at a rejection) that did not pay it
    /// more than its bond back (must stay 0).
    function honestUnrewarded() external view returns (uint256 n) {
        for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.challenger != honest) continue;
            if (g.status != IOpMLOracle.GameStatus.ChallengerWon && g.status != IOpMLOracle.GameStatus.Voided) {
                continue;
            }
            if (!payoutSeen[gid] || honestPayout[gid] <= CHALLENGE_BOND) n++;
        }
    }

    /// Commitments of the honest actor that forfeited their bond (must stay 0: it reveals
    /// as soon as it may).
    function honestForfeits() external view returns (uint256 n) {
        for (uint256 rid = 1; rid <= oracle.resultCount(); rid++) {
            IOpMLOracle.Result memory r = oracle.result(rid);
            if (r.submitter == honest && r.status == IOpMLOracle.ResultStatus.Forfeited) n++;
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
                if (oracle.result(q.resultId).finalState != _trueFinal(id)) bad++;
            }
        }
    }

    /// Games of the honest challenger won, and voided by another game's rejection.
    function honestChallengerOutcomes() external view returns (uint256 won, uint256 voided) {
        for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.challenger != honest) continue;
            if (g.status == IOpMLOracle.GameStatus.ChallengerWon) won++;
            if (g.status == IOpMLOracle.GameStatus.Voided) voided++;
        }
    }

    /// Two-phase games, and those that reached phase 2 (through a transition).
    function twoPhaseGames() external view returns (uint256 games, uint256 transitions) {
        for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.phase != 0) games++;
            if (g.phase == 2) transitions++;
        }
    }

    /// Coverage of a run.
    function stats()
        external
        view
        returns (uint256 games, uint256 honestGames, uint256 finalized, uint256 rejected, uint256 forfeited)
    {
        games = oracle.gameCount();
        for (uint256 gid = 1; gid <= games; gid++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            bool decided = g.status == IOpMLOracle.GameStatus.ChallengerWon
                || g.status == IOpMLOracle.GameStatus.SubmitterWon || g.status == IOpMLOracle.GameStatus.Voided;
            if (decided && (g.challenger == honest || oracle.result(g.resultId).submitter == honest)) {
                honestGames++;
            }
        }
        for (uint256 id = 1; id <= oracle.requestCount(); id++) {
            if (oracle.request(id).status == IOpMLOracle.RequestStatus.Finalized) finalized++;
        }
        for (uint256 rid = 1; rid <= oracle.resultCount(); rid++) {
            IOpMLOracle.ResultStatus st = oracle.result(rid).status;
            if (st == IOpMLOracle.ResultStatus.Rejected) rejected++;
            if (st == IOpMLOracle.ResultStatus.Forfeited) forfeited++;
        }
    }

    /// Settles everything that can be settled and withdraws all credit.
    function drain() external {
        for (uint256 round = 0; round < 16; round++) {
            _honestActs();
            _stepWarp(REVEAL + 1); // every candidate's window is open: the honest side challenges
            vm.warp(block.timestamp + CLOCK + TIMEOUT);
            for (uint256 gid = 1; gid <= oracle.gameCount(); gid++) {
                _timeout(gid);
                _void(gid);
            }
            for (uint256 id = 1; id <= oracle.requestCount(); id++) {
                uint256 rid = oracle.request(id).resultId;
                if (rid != 0) try oracle.finalize(id, outputOf[rid]) {} catch {}
                try oracle.cancelRequest(id) {} catch {}
            }
            for (uint256 rid = 1; rid <= oracle.resultCount(); rid++) {
                try oracle.settleCommitment(rid) {} catch {}
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
        bytes4[] memory sel = new bytes4[](17);
        sel[15] = Handler.sybilChallenge.selector;
        sel[16] = Handler.sybilWin.selector;
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
        sel[10] = Handler.advPlayOut.selector;
        sel[11] = Handler.junkMove.selector;
        sel[12] = Handler.junkCommit.selector;
        sel[13] = Handler.advReveal.selector;
        sel[14] = Handler.settleCommit.selector;
        targetSelector(FuzzSelector(address(h), sel));
    }

    /// One campaign checks every invariant after every call (forge runs a campaign per
    /// `invariant_` function, so they are checked together):
    /// - the side that follows the true trace wins every game it plays;
    /// - an honest challenger whose game wins, or is open when another game rejects the
    ///   result, ends with at least its bond back plus a reward (issue 13 item 2);
    /// - the honest actor never loses a commitment bond;
    /// - ETH in = ETH out + held, and held = credited + locked + burned;
    /// - a finalized result never changes, and only true results finalize.
    function invariant_protocol() public {
        assertEq(h.honestLosses(), 0, "honest side lost a game");
        assertEq(h.honestUnrewarded(), 0, "honest challenger got no reward");
        assertEq(h.honestForfeits(), 0, "honest commitment forfeited");
        uint256 bal = address(oracle).balance;
        assertEq(bal, h.ethIn() - h.ethOut(), "in != out + held");
        assertEq(bal, h.credited() + h.locked() + oracle.burned(), "held != credited + locked + burned");
        assertEq(h.checkFinalized(), 0, "finalized result changed or untrue");
    }

    /// After the run, everything settles: only the burned part stays in the contract.
    function afterInvariant() public {
        h.drain();
        (uint256 games, uint256 honestGames, uint256 finalized, uint256 rejected, uint256 forfeited) = h.stats();
        console.log("games, decided with the honest side, finalized", games, honestGames, finalized);
        console.log("results rejected, commitments forfeited", rejected, forfeited);
        (uint256 won, uint256 voided) = h.honestChallengerOutcomes();
        console.log("honest challenger games won, voided by another game", won, voided);
        (uint256 twoPhase, uint256 transitions) = h.twoPhaseGames();
        console.log("two-phase games, of which through the transition", twoPhase, transitions);
        assertEq(h.locked(), 0, "funds still locked");
        assertEq(address(oracle).balance, oracle.burned(), "funds stuck");
        assertEq(h.honestLosses(), 0);
        assertEq(h.honestUnrewarded(), 0);
        assertEq(h.honestForfeits(), 0);
        assertEq(h.checkFinalized(), 0);
    }
}
