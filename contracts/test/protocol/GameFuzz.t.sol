// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";

/// Whole games with fuzzed depth, arity, halting step, adversary choices and timing.
contract GameFuzzTest is ProtocolBase {
    struct Run {
        uint256 rnd;
        address honest;
        address liar;
        uint256 gid;
        Trace t;
    }

    function _rnd(Run memory r) internal pure returns (uint256) {
        r.rnd = uint256(keccak256(abi.encode(r.rnd)));
        return r.rnd;
    }

    function testFuzz_honestSideAlwaysWins(uint256 seed, uint8 dRaw, uint8 kRaw, uint16 nRaw, bool honestSubmits)
        public
    {
        // Every arity the oracle accepts (k = 2..256) and every trace depth (2..2^63 steps).
        uint8 kLog = uint8(1 + kRaw % 8);
        uint8 depth = uint8(1 + dRaw % 63);
        deploy(kLog);
        bytes32 pid = register(depth);
        uint256 steps = 2 ** depth;
        // The toy trace is stored, so it halts early in long traces (the padding is the same
        // halted state); short traces also get runs that never halt within 2^D steps.
        uint256 n = 1 + nRaw % (steps + 2 < 400 ? steps + 2 : 400);
        if (n > steps) honestSubmits = false; // never halts within the trace: no true result
        uint256 req = newRequest(pid, abi.encode(seed));
        Run memory r;
        r.rnd = seed;
        r.t = trueTrace(req, n, "truth");
        r.honest = alice;
        r.liar = bob;

        uint256 rid;
        if (honestSubmits) {
            rid = submitAs(alice, req, "truth", "true");
            r.gid = challengeAs(bob, rid, wrongBisection(r.t, 0, depth, _rnd(r) % 16, bytes32(_rnd(r))));
        } else {
            bytes memory lie = _rnd(r) % 2 == 0 ? bytes("truth") : abi.encode(seed);
            rid = submitAs(bob, req, lie, "lie");
            r.gid = challengeAs(alice, rid, bisection(r.t, 0, depth));
        }

        for (uint256 i = 0; i < 2 * depth + 4; i++) {
            IOpMLOracle.Game memory g = oracle.game(r.gid);
            if (g.status != IOpMLOracle.GameStatus.Active) break;
            address mover = g.challengerTurn ? g.challenger : oracle.result(rid).submitter;
            (uint256 cs, uint256 cc) = oracle.clocks(r.gid);
            uint256 left = g.challengerTurn ? cc : cs;
            if (mover == r.honest) {
                vm.warp(block.timestamp + _rnd(r) % left); // answers in time
                honestMove(r.honest, r.gid, r.t);
            } else if (!_liarMoves(r, g, left)) {
                vm.warp(block.timestamp + left + _rnd(r) % 100);
                oracle.timeout(r.gid);
            }
        }
        IOpMLOracle.Game memory end = oracle.game(r.gid);
        IOpMLOracle.GameStatus want =
            honestSubmits ? IOpMLOracle.GameStatus.SubmitterWon : IOpMLOracle.GameStatus.ChallengerWon;
        assertEq(uint8(end.status), uint8(want), "honest side lost");
        uint256 loserBond = honestSubmits ? CHALLENGE_BOND : RESULT_BOND;
        uint256 burn = loserBond * BURN_BPS / 10_000;
        // The honest submitter: the challenger's bond less the burn, and its match back. The
        // honest challenger: its bond, the liar's match if it ever moved, the result bond less
        // the burn (a full match from it if the liar never moved, the rest as winner).
        bool funded = oracle.game(r.gid).funded;
        uint256 paid = loserBond - burn + CHALLENGE_BOND;
        if (!honestSubmits && funded) paid += CHALLENGE_BOND;
        assertTrue(honestSubmits ? funded : true, "the submitter moves first");
        assertEq(oracle.balanceOf(r.honest), paid);
        assertEq(oracle.burned(), burn);
    }

    /// Returns false when the liar stalls (or can only make a hopeless step proof).
    function _liarMoves(Run memory r, IOpMLOracle.Game memory g, uint256 left) internal returns (bool) {
        if (_rnd(r) % 8 == 0) return false;
        (uint256 m, uint256 subLog) = split(g.lenLog);
        uint256 j = _rnd(r) % m;
        IOpMLOracle.Selection memory s = selection(r.gid, j);
        vm.warp(block.timestamp + _rnd(r) % left);
        if (subLog == 0) {
            uint256 value = due(r.gid);
            vm.prank(r.liar);
            vm.expectRevert(IOpMLOracle.StepAgrees.selector);
            oracle.proveStep{value: value}(r.gid, s, abi.encodePacked(s.agreed));
            return false;
        }
        uint256 start = g.start + (j << subLog);
        bytes32[] memory h = wrongBisection(r.t, start, subLog, _rnd(r) % 16, bytes32(_rnd(r)));
        bisectAs(r.liar, r.gid, s, h);
        return true;
    }

    /// A move is accepted iff the mover's clock has time left; a timeout iff it has none.
    function testFuzz_clockBoundary(uint64 first, uint64 second) public {
        deploy(4);
        bytes32 pid = register(16); // four bisections: alice, bob, alice, bob
        uint256 req = newRequest(pid, "x");
        Trace t = trueTrace(req, 10, "o");
        uint256 rid = submitAs(bob, req, "lie", "l");
        uint256 gid = challengeAs(alice, rid, bisection(t, 0, 16));
        first = uint64(bound(first, 0, CLOCK - 1));
        vm.warp(block.timestamp + first);
        IOpMLOracle.Game memory g = oracle.game(gid);
        (, uint256 subLog) = split(g.lenLog);
        IOpMLOracle.Selection memory s = selection(gid, 0);
        bisectAs(bob, gid, s, wrongBisection(t, 0, subLog, 0, "x"));
        // alice answers; then bob has CLOCK - first left.
        honestMove(alice, gid, t);
        second = uint64(bound(second, 0, 2 * CLOCK));
        vm.warp(block.timestamp + second);
        g = oracle.game(gid);
        (, subLog) = split(g.lenLog);
        s = selection(gid, 0);
        bytes32[] memory h = wrongBisection(t, g.start, subLog, 0, "y");
        if (second < CLOCK - first) {
            vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ClockRunning.selector, gid));
            oracle.timeout(gid);
            bisectAs(bob, gid, s, h);
            assertEq(oracle.game(gid).challengerClock, CLOCK);
            assertEq(oracle.game(gid).submitterClock, CLOCK - first - second);
        } else {
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ClockExpired.selector, gid));
            oracle.bisect(gid, s, h);
            oracle.timeout(gid);
            assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        }
    }

    /// Challenges are accepted strictly inside the window; finalization strictly after.
    function testFuzz_windowBoundary(uint64 dt) public {
        deploy(4);
        bytes32 pid = register(8);
        uint256 req = newRequest(pid, "x");
        Trace t = trueTrace(req, 10, "o");
        uint256 rid = submitAs(alice, req, "o", "true");
        dt = uint64(bound(dt, 0, 2 * WINDOW));
        vm.warp(block.timestamp + dt);
        bytes32[] memory h = wrongBisection(t, 0, 8, 0, "b");
        if (dt < WINDOW) {
            vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WindowOpen.selector, rid));
            oracle.finalize(req, "o");
            challengeAs(bob, rid, h);
        } else {
            vm.prank(bob);
            vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WindowClosed.selector, rid));
            oracle.challenge{value: CHALLENGE_BOND}(rid, h);
            oracle.finalize(req, "o");
            assertTrue(oracle.isFinalized(req));
        }
    }
}
