// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {SegTrace, TwoPhaseBase} from "./TwoPhaseBase.sol";
import {Trace} from "./ProtocolBase.sol";
import {ToyVerifier} from "./ToyVerifier.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {MachineState, ProgramFields, State} from "../../src/lib/MachineState.sol";
import {Hashing} from "../../src/lib/Hashing.sol";

/// The two-phase game (`docs/protocol.md` §5.3): phase 1 over boundary hashes, the checked
/// transition (`openSegment`), phase 2 over one segment's steps; and the depth bounds of §10.
contract TwoPhaseTest is TwoPhaseBase {
    bytes internal constant INPUT = "input";
    bytes internal constant TRUE_OUT = "true output";
    bytes internal constant FALSE_OUT = "false output";

    struct Setup {
        bytes32 pid;
        ProgramFields f;
        uint256 req;
        SegTrace t;
        uint8 d2;
    }

    /// A program of `2^d1` segments of `2^d2` steps whose true run takes `n` segments.
    function _setup(uint8 kLog, uint8 d1, uint8 d2, uint256 n) internal returns (Setup memory x) {
        deploy(kLog);
        (x.pid, x.f) = registerSegmented(d1 + d2, d2, "seg");
        x.req = newRequest(x.pid, INPUT);
        x.t = segTrace(x.req, x.f, INPUT, lengths(n, d2, 1), TRUE_OUT);
        x.d2 = d2;
    }

    /// `who` commits to and reveals the final boundary of `t` (halted, with `out`).
    function _submitFinal(address who, Setup memory x, SegTrace t, bytes memory out) internal returns (uint256 rid) {
        bytes memory fs = t.packed(t.segments());
        rid = commitAs(who, x.req, fs);
        revealAs(who, rid, out, fs);
    }

    function _mover(IOpMLOracle.Game memory g) internal view returns (address) {
        return g.challengerTurn ? g.challenger : oracle.result(g.resultId).submitter;
    }

    /// Plays `gid` to its end: `honest` follows `t`; `liar` plays `liarSegMove` and times out
    /// when it stalls.
    function _play(uint256 gid, address honest, address liar, SegTrace t, uint256 salt) internal {
        for (uint256 round = 0; round < 64; round++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) return;
            vm.warp(block.timestamp + 60);
            if (_mover(g) == honest) {
                honestSegMove(honest, gid, t);
            } else if (!liarSegMove(liar, gid, t, uint256(keccak256(abi.encode(salt, round))))) {
                vm.warp(block.timestamp + CLOCK);
                oracle.timeout(gid);
            }
        }
        revert("game did not end");
    }

    /// Plays `gid` to its end with each side following its own trace (`tS` the submitter's,
    /// `tC` the challenger's); a side with nothing to dispute stalls and times out.
    function _playTraces(uint256 gid, SegTrace tS, SegTrace tC) internal {
        for (uint256 round = 0; round < 64; round++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) return;
            vm.warp(block.timestamp + 60);
            SegTrace mine = g.challengerTurn ? tC : tS;
            (bool ok,) = address(this).call(abi.encodeCall(this.tryMove, (_mover(g), gid, mine)));
            if (!ok) {
                vm.warp(block.timestamp + CLOCK);
                oracle.timeout(gid);
            }
        }
        revert("game did not end");
    }

    function tryMove(address who, uint256 gid, SegTrace t) external {
        require(msg.sender == address(this), "self");
        honestSegMove(who, gid, t);
    }

    function _status(uint256 gid) internal view returns (IOpMLOracle.GameStatus) {
        return oracle.game(gid).status;
    }

    // ------------------------------------------------------------------ whole games

    /// D1 = 6, D2 = 6, k = 16: the challenger opens (16 sub-ranges of 4 segments), the liar
    /// bisects to single segments, the challenger opens the first wrong segment from its
    /// revealed boundary, and proves the step two moves later.
    function test_liarCaughtInPhase1_throughTransition_toStepProof() public {
        Setup memory x = _setup(4, 6, 6, 40);
        uint256 rid = submitAs(bob, x.req, FALSE_OUT, "lie");
        uint256 gid = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, 6));
        IOpMLOracle.Game memory g = oracle.game(gid);
        assertEq(g.phase, 1, "phase 1");
        assertEq(g.lenLog, 6, "bisects the 2^D1 segments");
        assertEq(g.segmentDepth, 6);
        assertEq(lastHashes[gid].length, 16);
        assertEq(oracle.request(x.req).segmentDepth, 6);

        vm.warp(block.timestamp + 60);
        assertTrue(liarSegMove(bob, gid, x.t, 7));
        assertEq(oracle.game(gid).lenLog, 2, "the liar's sub-ranges are single segments");

        // The transition: alice reveals the agreed boundary B_j of the first wrong segment.
        g = oracle.game(gid);
        uint256 j = firstWrong(gid, x.t);
        uint64 seg = uint64(g.start + j);
        IOpMLOracle.Selection memory s = selection(gid, j);
        assertEq(s.agreed, x.t.boundary(seg));
        bytes32[] memory h = segBisection(x.t, false, seg, 0, 6);
        vm.expectEmit();
        emit IOpMLOracle.SegmentOpened(gid, alice, seg, x.t.boundary(seg), x.t.resumed(seg));
        vm.expectEmit();
        emit IOpMLOracle.Bisected(gid, alice, 0, 6, x.t.resumed(seg), oracleRoot(h), h);
        openAs(alice, gid, s, x.t.packed(seg), h);
        g = oracle.game(gid);
        assertEq(g.phase, 2);
        assertEq(g.segment, seg);
        assertEq(g.start, 0);
        assertEq(g.lenLog, 6, "phase 2 bisects the 2^D2 steps of the segment");
        assertEq(g.startHash, x.t.resumed(seg), "from the resumed boundary");
        assertTrue(g.startHash != x.t.boundary(seg), "a yielded boundary resumes to running");
        assertFalse(g.challengerTurn);

        _play(gid, alice, bob, x.t, 1);
        assertEq(uint8(_status(gid)), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Rejected));
        uint256 burn = RESULT_BOND * BURN_BPS / 10_000;
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND + RESULT_BOND - burn);
        assertEq(address(oracle).balance, oracle.balanceOf(alice) + burn + BASE_FEE);
    }

    /// Root of a bisection, as the oracle computes it (`SegmentTree`).
    function oracleRoot(bytes32[] memory h) internal pure returns (bytes32) {
        uint256 n = h.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            level[i] = h[i];
        }
        while (n > 1) {
            n >>= 1;
            for (uint256 i = 0; i < n; i++) {
                level[i] = Hashing.node(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }

    /// D1 = 4: the challenger's opening is already single segments, so the lying submitter's
    /// first move is the transition (with its match); it must end the segment off the truth
    /// and the challenger proves the step in phase 2.
    function test_liarOpensSegment_caughtInPhase2() public {
        Setup memory x = _setup(4, 4, 4, 12);
        uint256 rid = submitAs(bob, x.req, FALSE_OUT, "lie");
        uint256 gid = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, 4));
        IOpMLOracle.Selection memory s = selection(gid, 5);
        bytes32[] memory h = segBisection(x.t, false, 5, 0, 4);
        h[15] = keccak256("bob's end of segment 5");
        bytes memory b5 = x.t.packed(5);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, 0, CHALLENGE_BOND));
        oracle.openSegment(gid, s, b5, h);
        openAs(bob, gid, s, x.t.packed(5), h);
        IOpMLOracle.Game memory g = oracle.game(gid);
        assertTrue(g.funded, "the transition escrows the submitter's match");
        assertEq(oracle.result(rid).unfundedGames, 0);
        assertEq(g.segment, 5);
        assertTrue(g.challengerTurn);
        assertTrue(honestSegMove(alice, gid, x.t), "alice proves the last step of segment 5");
        assertEq(uint8(_status(gid)), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        uint256 burn = RESULT_BOND * BURN_BPS / 10_000;
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND + RESULT_BOND - burn);
    }

    /// A lying challenger opens a segment of the honest submitter's true boundaries and is
    /// caught in phase 2 by the submitter's step proof.
    function test_liarChallenger_caughtInPhase2() public {
        Setup memory x = _setup(4, 6, 4, 40);
        uint256 rid = _submitFinal(alice, x, x.t, TRUE_OUT);
        bytes32[] memory h = segBisection(x.t, true, 0, 0, 6);
        h[15] = keccak256("bob's end");
        uint256 gid = challengeAs(bob, rid, h);
        _play(gid, alice, bob, x.t, 2);
        assertEq(uint8(_status(gid)), uint8(IOpMLOracle.GameStatus.SubmitterWon));
        assertEq(oracle.game(gid).phase, 2, "decided in phase 2");
        uint256 burn = CHALLENGE_BOND * BURN_BPS / 10_000;
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND - burn);
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(x.req, TRUE_OUT);
        assertTrue(oracle.isFinalized(x.req));
    }

    /// Two challengers on one two-phase lie: the one that plays reaches phase 2 and rejects the
    /// result; the other, stalled in phase 1, is voided and paid its bond and the liar's match.
    function test_twoChallengers_oneWinsInPhase2_otherVoided() public {
        Setup memory x = _setup(4, 6, 4, 40);
        uint256 rid = submitAs(bob, x.req, FALSE_OUT, "lie");
        uint256 g1 = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, 6));
        uint256 g2 = challengeAs(carol, rid, segBisection(x.t, true, 0, 0, 6));
        vm.warp(block.timestamp + 60);
        assertTrue(liarSegMove(bob, g2, x.t, 9), "the liar answers carol (its match escrowed)");
        _play(g1, alice, bob, x.t, 3);
        assertEq(uint8(_status(g1)), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        assertEq(oracle.game(g1).phase, 2);
        assertEq(oracle.game(g2).phase, 1, "carol's game never reached the transition");
        uint256 j = firstWrong(g2, x.t);
        uint256 seg = oracle.game(g2).start + j;
        IOpMLOracle.Selection memory s = selection(g2, j);
        bytes memory b = x.t.packed(seg);
        bytes32[] memory h = segBisection(x.t, false, seg, 0, 4);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultNotPending.selector, rid));
        oracle.openSegment(g2, s, b, h);
        oracle.voidGame(g2);
        assertEq(oracle.balanceOf(carol), 2 * CHALLENGE_BOND, "its bond and the liar's match");
        uint256 burn = RESULT_BOND * BURN_BPS / 10_000;
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND + RESULT_BOND - burn);
        // Held: what the two challengers may withdraw, the burn, the reopened request's fee.
        assertEq(address(oracle).balance, oracle.balanceOf(alice) + oracle.balanceOf(carol) + burn + BASE_FEE);
        assertEq(oracle.burned(), burn);
    }

    // ------------------------------------------------------------------ lies about segments

    /// A liar following a consistent false run of `nLie` segments (same steps as the truth up
    /// to where the runs part) against the truth of `nTrue`, in both roles: the truth wins.
    function _segmentCountLie(uint8 d1, uint256 nTrue, uint256 nLie, bool liarSubmits) internal {
        Setup memory x = _setup(4, d1, 4, nTrue);
        // The liar's run must not teach the toy verifier its steps: a throwaway one.
        SegTrace lie = segTrace(x.req, x.f, INPUT, lengths(nLie, 4, 1), TRUE_OUT, new ToyVerifier());
        assertTrue(lie.boundary(2 ** d1) != x.t.boundary(2 ** d1), "the final boundaries differ");
        uint256 gid;
        if (liarSubmits) {
            uint256 rid = _submitFinal(bob, x, lie, TRUE_OUT);
            gid = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, d1));
            _playTraces(gid, lie, x.t);
        } else {
            uint256 rid = _submitFinal(alice, x, x.t, TRUE_OUT);
            gid = challengeAs(bob, rid, segBisection(lie, true, 0, 0, d1));
            _playTraces(gid, x.t, lie);
        }
        IOpMLOracle.GameStatus want =
            liarSubmits ? IOpMLOracle.GameStatus.ChallengerWon : IOpMLOracle.GameStatus.SubmitterWon;
        assertEq(uint8(_status(gid)), uint8(want), "the truth wins");
        assertEq(oracle.game(gid).phase, 2, "through the transition");
    }

    /// The liar claims the same output after fewer segments (its `B_20` halted, the truth's
    /// yielded): a false leaf like any other.
    function test_lieFewerSegments_submitter() public {
        _segmentCountLie(6, 40, 20, true);
    }

    /// The liar challenger claims the run needs more segments than it does.
    function test_lieMoreSegments_challenger() public {
        _segmentCountLie(6, 40, 50, false);
    }

    /// The true run does not halt within 2^D1 segments (its `B_{2^D1}` is yielded, so no
    /// result is valid); a liar claims it halts exactly at the last boundary.
    function test_lieHaltsWithinTrace_whenItDoesNot() public {
        _segmentCountLie(4, 20, 16, true);
    }

    /// The liar's final boundary carries the true output but another state (the same output
    /// one segment early): the claim is the state, not the output.
    function test_lieFinalBoundary_sameOutput() public {
        _segmentCountLie(4, 12, 11, true);
    }

    // ------------------------------------------------------------------ the transition's checks

    /// Game with D1 = 4, D2 = 4, k = 16: after the opening, bob (a lying submitter) must open
    /// a segment.
    function _atTransition() internal returns (Setup memory x, uint256 gid) {
        x = _setup(4, 4, 4, 12);
        uint256 rid = submitAs(bob, x.req, FALSE_OUT, "lie");
        gid = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, 4));
    }

    function _openReverts(
        uint256 gid,
        IOpMLOracle.Selection memory s,
        bytes memory st,
        bytes32[] memory h,
        bytes memory err
    ) internal {
        vm.prank(bob);
        vm.expectRevert(err);
        oracle.openSegment{value: CHALLENGE_BOND}(gid, s, st, h);
    }

    /// A boundary preimage that does not hash to the agreed boundary is refused: another
    /// boundary, the already-resumed state, a state with one field changed, a wrong length.
    function test_openSegment_rejectsForgedBoundary() public {
        (Setup memory x, uint256 gid) = _atTransition();
        IOpMLOracle.Selection memory s = selection(gid, 5);
        bytes32[] memory h = segBisection(x.t, false, 5, 0, 4);
        h[15] = "junk";
        bytes memory bad = abi.encodeWithSelector(IOpMLOracle.BadBoundary.selector);
        _openReverts(gid, s, x.t.packed(6), h, bad);
        _openReverts(gid, s, x.t.packed(4), h, bad);
        State memory st = this.decodePacked(x.t.packed(5));
        assertEq(st.status, MachineState.YIELDED);
        st.status = MachineState.RUNNING; // revealing resume(B_5) instead of B_5
        _openReverts(gid, s, MachineState.encode(st), h, bad);
        st = this.decodePacked(x.t.packed(5));
        st.memoryRoot = keccak256("another memory");
        _openReverts(gid, s, MachineState.encode(st), h, bad);
        bytes memory longer = abi.encodePacked(x.t.packed(5), uint8(0));
        _openReverts(gid, s, longer, h, bad);
        bytes memory shorter = x.t.packed(5);
        assembly {
            mstore(shorter, sub(mload(shorter), 1))
        }
        _openReverts(gid, s, shorter, h, bad);
        _openReverts(gid, s, "", h, bad);
        // A selection whose agreed hash is not the opponent's.
        IOpMLOracle.Selection memory forged = selection(gid, 5);
        forged.agreed = x.t.boundary(5) ^ bytes32(uint256(1));
        _openReverts(gid, forged, x.t.packed(5), h, abi.encodeWithSelector(IOpMLOracle.BadSelection.selector));
        // The true boundary opens; index 0 reveals S_0 itself.
        openAs(bob, gid, s, x.t.packed(5), h);
        assertEq(oracle.game(gid).startHash, x.t.resumed(5));
    }

    /// At index 0 the agreed boundary is `S_0`, running: resume leaves it unchanged.
    function test_openSegment_firstSegmentFromS0() public {
        (Setup memory x, uint256 gid) = _atTransition();
        IOpMLOracle.Selection memory s = selection(gid, 0);
        bytes32[] memory h = segBisection(x.t, false, 0, 0, 4);
        h[15] = "junk";
        openAs(bob, gid, s, x.t.packed(0), h);
        IOpMLOracle.Game memory g = oracle.game(gid);
        assertEq(g.startHash, oracle.request(x.req).startState);
        assertEq(g.segment, 0);
    }

    /// The first phase-2 bisection obeys `bisect`'s rules: `min(k, 2^D2)` hashes, the last
    /// off the opponent's boundary.
    function test_openSegment_checksItsBisection() public {
        (Setup memory x, uint256 gid) = _atTransition();
        IOpMLOracle.Selection memory s = selection(gid, 5);
        bytes32[] memory h = segBisection(x.t, false, 5, 0, 4);
        assertEq(h[15], s.disputed, "the truth agrees with alice's B_6");
        _openReverts(gid, s, x.t.packed(5), h, abi.encodeWithSelector(IOpMLOracle.EndAgrees.selector));
        bytes32[] memory eight = new bytes32[](8);
        _openReverts(gid, s, x.t.packed(5), eight, abi.encodeWithSelector(IOpMLOracle.WrongHashCount.selector, 8, 16));
    }

    /// Each move in its phase only: `openSegment` at longer sub-ranges or outside phase 1,
    /// `bisect` and `proveStep` at single segments.
    function test_movesInTheWrongPhase_revert() public {
        Setup memory x = _setup(4, 6, 4, 40);
        uint256 rid = submitAs(bob, x.req, FALSE_OUT, "lie");
        uint256 gid = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, 6));
        // Bob faces sub-ranges of 4 segments: no segment to open, no step to prove.
        IOpMLOracle.Selection memory s = selection(gid, 3);
        bytes32[] memory h16 = new bytes32[](16);
        h16[15] = "junk";
        _openReverts(gid, s, x.t.packed(12), h16, abi.encodeWithSelector(IOpMLOracle.MustBisect.selector));
        vm.prank(bob);
        vm.expectRevert(IOpMLOracle.MustBisect.selector);
        oracle.proveStep{value: CHALLENGE_BOND}(gid, s, abi.encodePacked(s.agreed));
        assertTrue(liarSegMove(bob, gid, x.t, 3));
        // Alice faces single segments: she must open one.
        uint256 j = firstWrong(gid, x.t);
        s = selection(gid, j);
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.MustOpenSegment.selector);
        oracle.bisect(gid, s, h16);
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.MustOpenSegment.selector);
        oracle.proveStep(gid, s, abi.encodePacked(s.agreed));
        honestSegMove(alice, gid, x.t);
        assertEq(oracle.game(gid).phase, 2);
        // Phase 2: no second transition, whatever the sub-range length.
        s = selection(gid, 0);
        bytes memory b0 = x.t.packed(0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NoSegmentToOpen.selector, gid));
        oracle.openSegment(gid, s, b0, h16);
    }

    /// A single-phase game has no segment to open.
    function test_openSegment_singlePhaseGame_reverts() public {
        deploy(4);
        bytes32 pid = register(10);
        uint256 req = newRequest(pid, "x");
        Trace t = trueTrace(req, 300, TRUE_OUT);
        uint256 rid = submitAs(bob, req, FALSE_OUT, "lie");
        uint256 gid = challengeAs(alice, rid, bisection(t, 0, 10));
        assertEq(oracle.game(gid).phase, 0);
        IOpMLOracle.Selection memory s = selection(gid, 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NoSegmentToOpen.selector, gid));
        oracle.openSegment{value: CHALLENGE_BOND}(gid, s, "", new bytes32[](16));
    }

    // ------------------------------------------------------------------ clocks

    /// The transition is a move like any other: charged to the mover's clock, then the other
    /// side's clock runs; timeouts work on both sides of it.
    function test_clocksAcrossTheTransition() public {
        (Setup memory x, uint256 gid) = _atTransition();
        vm.warp(block.timestamp + 1000);
        IOpMLOracle.Selection memory s = selection(gid, 5);
        bytes32[] memory h = segBisection(x.t, false, 5, 0, 4);
        h[15] = "junk";
        openAs(bob, gid, s, x.t.packed(5), h);
        IOpMLOracle.Game memory g = oracle.game(gid);
        assertEq(g.submitterClock, CLOCK - 1000);
        assertEq(g.challengerClock, CLOCK);
        assertEq(g.lastMoveAt, block.timestamp);
        vm.warp(block.timestamp + CLOCK - 1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ClockRunning.selector, gid));
        oracle.timeout(gid);
        (uint256 cs, uint256 cc) = oracle.clocks(gid);
        assertEq(cs, CLOCK - 1000);
        assertEq(cc, 1);
        // Alice lets phase 2 run out: she loses although she was right.
        vm.warp(block.timestamp + 1);
        oracle.timeout(gid);
        assertEq(uint8(_status(gid)), uint8(IOpMLOracle.GameStatus.SubmitterWon));
    }

    function test_transitionAfterClockExpired_reverts() public {
        (Setup memory x, uint256 gid) = _atTransition();
        vm.warp(block.timestamp + CLOCK);
        IOpMLOracle.Selection memory s = selection(gid, 5);
        bytes32[] memory h = segBisection(x.t, false, 5, 0, 4);
        h[15] = "junk";
        _openReverts(gid, s, x.t.packed(5), h, abi.encodeWithSelector(IOpMLOracle.ClockExpired.selector, gid));
        oracle.timeout(gid);
        assertEq(uint8(_status(gid)), uint8(IOpMLOracle.GameStatus.ChallengerWon));
    }

    // ------------------------------------------------------------------ D1 = 0

    /// `min(D, D2) = D` (D2 equal to or above D): one phase over 2^D steps from `S_0`, the game
    /// of before; `D2 = D - 1` is already two-phase (the opening bisects two segments).
    function test_depthSplit() public {
        deploy(4);
        for (uint8 d2 = 9; d2 <= 11; d2++) {
            (bytes32 pid,) = registerSegmented(10, d2, bytes32(uint256(d2)));
            uint256 req = newRequest(pid, "x");
            assertEq(oracle.request(req).segmentDepth, d2 < 10 ? 9 : 10);
            Trace t = trueTrace(req, 300, TRUE_OUT);
            uint256 rid = submitAs(bob, req, FALSE_OUT, bytes32(uint256(d2)));
            bytes32[] memory h = bisection(t, 0, 10);
            if (d2 < 10) {
                vm.prank(alice);
                vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongHashCount.selector, 16, 2));
                oracle.challenge{value: CHALLENGE_BOND}(rid, h);
                continue;
            }
            uint256 gid = challengeAs(alice, rid, h);
            IOpMLOracle.Game memory g = oracle.game(gid);
            assertEq(g.phase, 0);
            assertEq(g.segmentDepth, 0);
            assertEq(g.lenLog, 10);
            for (uint256 i = 0; i < 8 && oracle.game(gid).status == IOpMLOracle.GameStatus.Active; i++) {
                g = oracle.game(gid);
                (, uint256 subLog) = split(g.lenLog);
                if (g.challengerTurn) {
                    honestMove(alice, gid, t);
                } else if (subLog == 0) {
                    vm.warp(block.timestamp + CLOCK); // nothing to prove
                    oracle.timeout(gid);
                } else {
                    bisectAs(bob, gid, selection(gid, 0), wrongBisection(t, g.start, subLog, 0, "b"));
                }
            }
            assertEq(uint8(_status(gid)), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        }
    }

    // ------------------------------------------------------------------ depth bounds (§10)

    function _deployBounded(uint8 maxSeg, uint8 maxTrace) internal {
        toy = new ToyVerifier();
        IOpMLOracle.Config memory c = config(toy, 4);
        c.maxSegmentDepth = maxSeg;
        c.maxTraceDepth = maxTrace;
        oracle = new OpMLOracle(c);
    }

    function _registers(uint8 d, uint8 d2) internal returns (bool) {
        ProgramFields memory f = fields(bytes32(uint256(d) << 8 | d2));
        f.segmentDepth = d2;
        try oracle.registerProgram(f, d, "u") {
            return true;
        } catch (bytes memory err) {
            uint8 seg = d2 < d ? d2 : d;
            assertEq(err, abi.encodeWithSelector(IOpMLOracle.DepthBeyondClock.selector, d, seg, 36, 33));
            return false;
        }
    }

    /// The devnet bounds (33, 36): exactly the registrations within both bounds pass.
    function test_register_depthBeyondClock() public {
        _deployBounded(33, 36);
        assertTrue(_registers(36, 33));
        assertTrue(_registers(33, 63), "one segment of 2^33 steps");
        assertTrue(_registers(36, 1));
        assertFalse(_registers(37, 33), "D beyond maxTraceDepth");
        assertFalse(_registers(34, 34), "D2 beyond maxSegmentDepth");
        assertFalse(_registers(34, 63), "one segment of 2^34 steps");
        assertFalse(_registers(63, 32));
    }

    function testFuzz_register_depthBounds(uint8 d, uint8 d2) public {
        d = uint8(bound(d, 1, 63));
        d2 = uint8(bound(d2, 1, 63));
        _deployBounded(33, 36);
        uint8 seg = d2 < d ? d2 : d;
        assertEq(_registers(d, d2), seg <= 33 && d <= 36);
    }

    /// `1 ≤ maxSegmentDepth ≤ maxTraceDepth ≤ 63`, each accepted at its edge.
    function test_constructor_depthBounds() public {
        toy = new ToyVerifier();
        IOpMLOracle.Config memory c = config(toy, 4);
        uint8[2][5] memory bad = [[0, 36], [37, 36], [63, 64], [1, 0], [64, 64]];
        for (uint256 i = 0; i < bad.length; i++) {
            c.maxSegmentDepth = bad[i][0];
            c.maxTraceDepth = bad[i][1];
            vm.expectRevert(IOpMLOracle.InvalidConfig.selector);
            new OpMLOracle(c);
        }
        uint8[2][3] memory good = [[1, 1], [33, 36], [63, 63]];
        for (uint256 i = 0; i < good.length; i++) {
            c.maxSegmentDepth = good[i][0];
            c.maxTraceDepth = good[i][1];
            IOpMLOracle.Config memory back = new OpMLOracle(c).config();
            assertEq(back.maxSegmentDepth, good[i][0]);
            assertEq(back.maxTraceDepth, good[i][1]);
        }
    }

    // ------------------------------------------------------------------ fuzz

    struct Run {
        uint256 rnd;
        address honest;
        address liar;
    }

    function _rnd(Run memory r) internal pure returns (uint256) {
        r.rnd = uint256(keccak256(abi.encode(r.rnd)));
        return r.rnd;
    }

    /// Whole two-phase games over every arity up to 16, D1 and D2 up to 6, runs that halt in
    /// any segment (or never within the trace), the liar in either role with random moves and
    /// stalls: the side following the true trace wins and is paid.
    function testFuzz_twoPhase_honestSideAlwaysWins(
        uint256 seed,
        uint8 kRaw,
        uint8 d1Raw,
        uint8 d2Raw,
        uint8 nRaw,
        bool honestSubmits
    ) public {
        uint8 d1 = uint8(1 + d1Raw % 6);
        uint8 d2 = uint8(1 + d2Raw % 6);
        uint256 n = 1 + nRaw % (2 ** d1 + 2);
        if (n > 2 ** d1) honestSubmits = false; // never halts within the trace: no true result
        Setup memory x = _setup(uint8(1 + kRaw % 4), d1, d2, n);
        Run memory r = Run(seed, alice, bob);
        uint256 gid;
        if (honestSubmits) {
            uint256 rid = _submitFinal(alice, x, x.t, TRUE_OUT);
            bytes32[] memory h = segBisection(x.t, true, 0, 0, d1);
            for (uint256 i = _rnd(r) % h.length; i < h.length; i++) {
                h[i] = keccak256(abi.encode(seed, i));
            }
            gid = challengeAs(bob, rid, h);
        } else {
            uint256 rid = submitAs(bob, x.req, _rnd(r) % 2 == 0 ? TRUE_OUT : FALSE_OUT, "lie");
            gid = challengeAs(alice, rid, segBisection(x.t, true, 0, 0, d1));
        }
        for (uint256 i = 0; i < 40; i++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) break;
            (uint256 cs, uint256 cc) = oracle.clocks(gid);
            uint256 left = g.challengerTurn ? cc : cs;
            vm.warp(block.timestamp + _rnd(r) % left);
            if (_mover(g) == r.honest) {
                honestSegMove(r.honest, gid, x.t);
            } else if (_rnd(r) % 8 == 0 || !liarSegMove(r.liar, gid, x.t, _rnd(r))) {
                vm.warp(block.timestamp + left);
                oracle.timeout(gid);
            }
        }
        IOpMLOracle.GameStatus want =
            honestSubmits ? IOpMLOracle.GameStatus.SubmitterWon : IOpMLOracle.GameStatus.ChallengerWon;
        assertEq(uint8(_status(gid)), uint8(want), "honest side lost");
        uint256 loserBond = honestSubmits ? CHALLENGE_BOND : RESULT_BOND;
        uint256 burn = loserBond * BURN_BPS / 10_000;
        uint256 paid = loserBond - burn + CHALLENGE_BOND;
        if (!honestSubmits && oracle.game(gid).funded) paid += CHALLENGE_BOND;
        assertEq(oracle.balanceOf(r.honest), paid);
        assertEq(oracle.burned(), burn);
    }
}
