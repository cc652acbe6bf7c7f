// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {ToyVerifier} from "./ToyVerifier.sol";

/// Challenges, bisection moves, step proofs, clocks, voiding and payouts.
contract DisputeGameTest is ProtocolBase {
    bytes32 internal pid;
    bytes internal constant TRUE_OUT = "true output";
    bytes internal constant FALSE_OUT = "false output";
    uint8 internal constant D = 10; // k = 16: moves cover 2^10 -> 2^6 -> 2^2 -> 1

    uint256 internal reqId;
    Trace internal t;

    function setUp() public {
        deploy(4);
        pid = register(D);
        reqId = newRequest(pid, "input");
        t = trueTrace(reqId, 300, TRUE_OUT);
    }

    function _submit(address who, bytes memory out) internal returns (uint256) {
        bytes32 salt = "lie";
        if (keccak256(out) == keccak256(TRUE_OUT)) salt = "true";
        return submitAs(who, reqId, out, salt);
    }

    function _honestSubmission() internal returns (uint256 rid, uint256 gid) {
        rid = _submit(alice, TRUE_OUT);
        gid = challengeAs(bob, rid, wrongBisection(t, 0, D, 5, "bob"));
    }

    function _dishonestSubmission() internal returns (uint256 rid, uint256 gid) {
        rid = _submit(bob, FALSE_OUT);
        gid = challengeAs(alice, rid, bisection(t, 0, D));
    }

    // ------------------------------------------------------------------ challenge

    function test_challenge_opensGame() public {
        uint256 rid = _submit(alice, TRUE_OUT);
        bytes32[] memory h = wrongBisection(t, 0, D, 5, "bob");
        vm.expectEmit();
        emit IOpMLOracle.GameStarted(1, rid, bob);
        uint256 gid = challengeAs(bob, rid, h);
        IOpMLOracle.Game memory g = oracle.game(gid);
        assertEq(g.resultId, rid);
        assertEq(g.challenger, bob);
        assertEq(g.lenLog, D);
        assertEq(g.start, 0);
        assertEq(g.startHash, oracle.request(reqId).startState);
        assertFalse(g.challengerTurn);
        assertEq(oracle.gameOf(rid, bob), gid);
        assertEq(oracle.result(rid).openGames, 1);
        (uint256 cs, uint256 cc) = oracle.clocks(gid);
        assertEq(cs, CLOCK);
        assertEq(cc, CLOCK);
    }

    function test_challenge_reverts() public {
        bytes32[] memory h = wrongBisection(t, 0, D, 5, "bob");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultNotPending.selector, 1));
        oracle.challenge{value: CHALLENGE_BOND}(1, h);
        uint256 rid = _submit(alice, TRUE_OUT);
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.OwnResult.selector);
        oracle.challenge{value: CHALLENGE_BOND}(rid, h);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, 1, CHALLENGE_BOND));
        oracle.challenge{value: 1}(rid, h);
        bytes32[] memory short = new bytes32[](8);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongHashCount.selector, 8, 16));
        oracle.challenge{value: CHALLENGE_BOND}(rid, short);
        bytes32[] memory truth = bisection(t, 0, D);
        vm.prank(bob);
        vm.expectRevert(IOpMLOracle.EndAgrees.selector);
        oracle.challenge{value: CHALLENGE_BOND}(rid, truth);
        challengeAs(bob, rid, h);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.AlreadyChallenged.selector, rid, bob));
        oracle.challenge{value: CHALLENGE_BOND}(rid, h);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WindowClosed.selector, rid));
        oracle.challenge{value: CHALLENGE_BOND}(rid, h);
    }

    // ------------------------------------------------------------------ full games

    function _play(uint256 gid, address honest, address liar, uint256 salt) internal {
        for (uint256 round = 0; round < 64; round++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.status != IOpMLOracle.GameStatus.Active) return;
            bool honestTurn = (g.challengerTurn ? g.challenger : oracle.result(g.resultId).submitter) == honest;
            vm.warp(block.timestamp + 60);
            if (honestTurn) honestMove(honest, gid, t);
            else if (_liarMove(gid, liar, uint256(keccak256(abi.encode(salt, round))))) return;
        }
        revert("game did not end");
    }

    /// The liar disputes some sub-range and must end its bisection off the truth; at single
    /// steps it cannot prove anything and runs out of clock.
    function _liarMove(uint256 gid, address liar, uint256 rnd) internal returns (bool ended) {
        IOpMLOracle.Game memory g = oracle.game(gid);
        (uint256 m, uint256 subLog) = split(g.lenLog);
        uint256 j = rnd % m;
        IOpMLOracle.Selection memory s = selection(gid, j);
        if (subLog == 0) {
            uint256 value = due(gid);
            vm.prank(liar);
            vm.expectRevert(IOpMLOracle.StepAgrees.selector);
            oracle.proveStep{value: value}(gid, s, abi.encodePacked(s.agreed));
            vm.warp(block.timestamp + CLOCK);
            oracle.timeout(gid);
            return true;
        }
        bytes32[] memory h = wrongBisection(t, g.start + (j << subLog), subLog, (rnd >> 8) % 4, bytes32(rnd));
        bisectAs(liar, gid, s, h);
    }

    function test_game_honestSubmitterWins() public {
        (uint256 rid, uint256 gid) = _honestSubmission();
        _play(gid, alice, bob, 1);
        assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.SubmitterWon));
        assertEq(oracle.result(rid).openGames, 0);
        uint256 burn = CHALLENGE_BOND * BURN_BPS / 10_000;
        assertTrue(oracle.game(gid).funded, "the submitter escrowed its match with its first move");
        // The challenger's bond less the burn, and the submitter's own match back.
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND - burn);
        assertEq(oracle.burned(), burn);
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(reqId, TRUE_OUT);
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND - burn + RESULT_BOND + BASE_FEE);
        assertEq(address(oracle).balance, oracle.balanceOf(alice) + burn);
    }

    function test_game_honestChallengerWinsAndRequestReopens() public {
        (uint256 rid, uint256 gid) = _dishonestSubmission();
        _play(gid, alice, bob, 2);
        assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Rejected));
        assertEq(oracle.request(reqId).resultId, 0);
        uint256 burn = RESULT_BOND * BURN_BPS / 10_000;
        // Its bond, the liar's match, and the result bond less the burn.
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND + RESULT_BOND - burn);
        // The rejected submitter may not serve this request again.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.Barred.selector, reqId, bob));
        oracle.commitResult{value: RESULT_BOND}(reqId, bytes32(0));
        // Reopened: the true result can now be submitted and finalized.
        uint256 rid2 = _submit(carol, TRUE_OUT);
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(reqId, TRUE_OUT);
        assertEq(uint8(oracle.result(rid2).status), uint8(IOpMLOracle.ResultStatus.Finalized));
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotOpen.selector, reqId));
        oracle.finalize(reqId, FALSE_OUT);
    }

    function test_game_severalChallengers_honestRejectsOthersVoided() public {
        uint256 rid = _submit(bob, FALSE_OUT);
        // carol is a sybil of the liar; she challenges with a lie of her own and stalls.
        uint256 g1 = challengeAs(carol, rid, wrongBisection(t, 0, D, 2, "carol"));
        uint256 g2 = challengeAs(alice, rid, bisection(t, 0, D));
        assertEq(oracle.result(rid).openGames, 2);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotVoidable.selector, g1));
        oracle.voidGame(g1);
        _play(g2, alice, bob, 3);
        assertEq(uint8(oracle.game(g2).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        // g1 can no longer move or time out; it is voided and carol refunded.
        IOpMLOracle.Selection memory s = selection(g1, 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultNotPending.selector, rid));
        oracle.bisect(g1, s, new bytes32[](16));
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultNotPending.selector, rid));
        oracle.timeout(g1);
        vm.expectEmit();
        emit IOpMLOracle.GameVoided(g1);
        oracle.voidGame(g1);
        // bob never answered carol's game: she gets her bond and a share of the result bond
        // (here a full match); alice gets her bond, bob's match in her game and the rest.
        uint256 pot = RESULT_BOND - RESULT_BOND * BURN_BPS / 10_000;
        assertEq(oracle.result(rid).defaultShare, CHALLENGE_BOND);
        assertEq(oracle.balanceOf(carol), 2 * CHALLENGE_BOND);
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND + pot - CHALLENGE_BOND);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotVoidable.selector, g1));
        oracle.voidGame(g1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotVoidable.selector, g2));
        oracle.voidGame(g2);
    }

    function test_game_honestSubmitterBeatsManyChallengers() public {
        uint256 rid = _submit(alice, TRUE_OUT);
        uint256 g1 = challengeAs(bob, rid, wrongBisection(t, 0, D, 0, "b"));
        uint256 g2 = challengeAs(carol, rid, wrongBisection(t, 0, D, 15, "c"));
        _play(g1, alice, bob, 4);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.GamesOpen.selector, rid));
        oracle.finalize(reqId, TRUE_OUT);
        _play(g2, alice, carol, 5);
        oracle.finalize(reqId, TRUE_OUT);
        uint256 burn = CHALLENGE_BOND * BURN_BPS / 10_000;
        assertEq(oracle.balanceOf(alice), 2 * (2 * CHALLENGE_BOND - burn) + RESULT_BOND + BASE_FEE);
        assertEq(address(oracle).balance, oracle.balanceOf(alice) + 2 * burn);
    }

    // ------------------------------------------------------------------ moves

    function test_bisect_reverts() public {
        (, uint256 gid) = _honestSubmission();
        IOpMLOracle.Selection memory s = selection(gid, firstDisagreement(gid, t));
        bytes32[] memory h = bisection(t, 0, 6);
        // Not the challenger's turn.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotYourTurn.selector, gid));
        oracle.bisect{value: CHALLENGE_BOND}(gid, s, h);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotYourTurn.selector, gid));
        oracle.bisect{value: CHALLENGE_BOND}(gid, s, h);
        // Bad selections.
        IOpMLOracle.Selection memory bad = selection(gid, 5);
        bad.index = 16;
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        bad = selection(gid, 5);
        bad.agreed = bytes32(uint256(1));
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        bad = selection(gid, 5);
        bad.disputed = bytes32(uint256(1));
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        bad = selection(gid, 0);
        bad.agreed = bytes32(uint256(1));
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        bad = selection(gid, 5);
        bad.agreedProof = new bytes32[](3);
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        bad = selection(gid, 5);
        bad.disputedProof = new bytes32[](5);
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        bad = selection(gid, 0);
        bad.agreedProof = new bytes32[](4);
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.BadSelection.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, bad, h);
        // The submitter's first move escrows exactly its match.
        bytes32[] memory honest = bisection(t, s.index << 6, 6);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, 0, CHALLENGE_BOND));
        oracle.bisect(gid, s, honest);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, 1, CHALLENGE_BOND));
        oracle.bisect{value: 1}(gid, s, honest);
        // Wrong count, and an end that agrees with the opponent.
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongHashCount.selector, 4, 16));
        oracle.bisect{value: CHALLENGE_BOND}(gid, s, new bytes32[](4));
        bytes32[] memory agreeing = new bytes32[](16);
        agreeing[15] = s.disputed;
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.EndAgrees.selector);
        oracle.bisect{value: CHALLENGE_BOND}(gid, s, agreeing);
        // Proving a step before the range is one step long.
        vm.prank(alice);
        vm.expectRevert(IOpMLOracle.MustBisect.selector);
        oracle.proveStep{value: CHALLENGE_BOND}(gid, s, abi.encodePacked(s.agreed));
        // Out of clock.
        vm.warp(block.timestamp + CLOCK);
        bytes32[] memory late = bisection(t, s.index << 6, 6);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ClockExpired.selector, gid));
        oracle.bisect{value: CHALLENGE_BOND}(gid, s, late);
    }

    function test_bisect_updatesRangeAndClocks() public {
        (, uint256 gid) = _honestSubmission();
        uint256 j = firstDisagreement(gid, t);
        assertEq(j, 5);
        vm.warp(block.timestamp + 100);
        honestMove(alice, gid, t);
        IOpMLOracle.Game memory g = oracle.game(gid);
        assertEq(g.start, 5 << 6);
        assertEq(g.lenLog, 6);
        assertEq(g.startHash, t.hashAt(5 << 6));
        assertTrue(g.challengerTurn);
        assertEq(g.submitterClock, CLOCK - 100);
        vm.warp(block.timestamp + 30);
        (uint256 cs, uint256 cc) = oracle.clocks(gid);
        assertEq(cs, CLOCK - 100);
        assertEq(cc, CLOCK - 30);
    }

    function test_proveStep_revertsOnBadProofAndAgreement() public {
        (, uint256 gid) = _dishonestSubmission();
        // Drive the game to single steps with the liar bisecting truthfully but for the end.
        for (uint256 i = 0; i < 8; i++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            (, uint256 subLog) = split(g.lenLog);
            if (subLog == 0) break;
            if (g.challengerTurn) {
                honestMove(alice, gid, t);
            } else {
                uint256 j = 0;
                IOpMLOracle.Selection memory s = selection(gid, j);
                bisectAs(bob, gid, s, wrongBisection(t, g.start, subLog, 15, "x"));
            }
        }
        IOpMLOracle.Game memory g2 = oracle.game(gid);
        (, uint256 sub) = split(g2.lenLog);
        assertEq(sub, 0);
        address mover = g2.challengerTurn ? alice : bob;
        uint256 jj = mover == alice ? firstDisagreement(gid, t) : 0;
        IOpMLOracle.Selection memory sel = selection(gid, jj);
        vm.prank(mover);
        vm.expectRevert(ToyVerifier.BadProof.selector);
        oracle.proveStep(gid, sel, hex"00");
        vm.prank(mover);
        vm.expectRevert(IOpMLOracle.MustProveStep.selector);
        oracle.bisect(gid, sel, new bytes32[](1));
        if (mover == alice) {
            bytes32 post = toy.step(sel.agreed, abi.encodePacked(sel.agreed));
            vm.expectEmit();
            // casting to 'uint64' is safe because jj < k
            // forge-lint: disable-next-line(unsafe-typecast)
            emit IOpMLOracle.StepProved(gid, alice, g2.start + uint64(jj), sel.agreed, post);
            vm.prank(alice);
            oracle.proveStep(gid, sel, abi.encodePacked(sel.agreed));
            assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        } else {
            // bob can only pick a sub-range where alice is right: the step agrees.
            vm.prank(bob);
            vm.expectRevert(IOpMLOracle.StepAgrees.selector);
            oracle.proveStep(gid, sel, abi.encodePacked(sel.agreed));
        }
    }

    // ------------------------------------------------------------------ clocks

    function test_timeout_submitterRunsOut() public {
        (uint256 rid, uint256 gid) = _dishonestSubmission();
        vm.warp(block.timestamp + CLOCK - 1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ClockRunning.selector, gid));
        oracle.timeout(gid);
        vm.warp(block.timestamp + 1);
        vm.expectEmit();
        emit IOpMLOracle.GameResolved(gid, IOpMLOracle.GameStatus.ChallengerWon, true);
        oracle.timeout(gid);
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Rejected));
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.GameNotActive.selector, gid));
        oracle.timeout(gid);
        IOpMLOracle.Selection memory s = selection(gid, 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.GameNotActive.selector, gid));
        oracle.bisect(gid, s, new bytes32[](16));
    }

    function test_timeout_challengerRunsOut() public {
        (uint256 rid, uint256 gid) = _honestSubmission();
        vm.warp(block.timestamp + 1000);
        honestMove(alice, gid, t);
        vm.warp(block.timestamp + CLOCK - 1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ClockRunning.selector, gid));
        oracle.timeout(gid);
        vm.warp(block.timestamp + 1);
        oracle.timeout(gid);
        assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.SubmitterWon));
        assertEq(oracle.result(rid).openGames, 0);
        (uint256 cs, uint256 cc) = oracle.clocks(gid);
        assertEq(cs, CLOCK - 1000);
        assertEq(cc, CLOCK);
    }

    /// The clock is a total budget: many slow moves exhaust it even if each is short.
    function test_clock_isCumulative() public {
        (, uint256 gid) = _honestSubmission();
        vm.warp(block.timestamp + CLOCK - 10);
        honestMove(alice, gid, t);
        // bob answers; then alice has 10 s left in total.
        IOpMLOracle.Game memory g = oracle.game(gid);
        (, uint256 subLog) = split(g.lenLog);
        bisectAs(bob, gid, selection(gid, 0), wrongBisection(t, g.start, subLog, 0, "b"));
        vm.warp(block.timestamp + 10);
        oracle.timeout(gid);
        assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
    }
}
