// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";

/// Per-game escrow (issue 13 item 2): the submitter's first move in each game escrows a match
/// of the challenge bond; a challenger whose game wins or is still open at a rejection gets
/// its bond plus that match, so a liar losing on purpose to its own second challenger cannot
/// take the honest challenger's reward, and sybil games cannot dilute it.
contract EscrowTest is ProtocolBase {
    bytes32 internal pid;
    uint256 internal req;
    Trace internal t;
    uint8 internal constant D = 16; // k = 16: four bisections, the challenger proves the step
    uint256 internal pot; // the result bond less the burn

    function setUp() public {
        deploy(4);
        pid = register(D);
        req = newRequest(pid, "in");
        t = trueTrace(req, 300, "truth");
        pot = RESULT_BOND - RESULT_BOND * BURN_BPS / 10_000;
    }

    /// bob (the liar) loses `gid` on purpose against a challenger that follows the truth.
    function _loseOnPurpose(uint256 gid, address challenger) internal {
        for (uint256 i = 0; i < 8 && oracle.game(gid).status == IOpMLOracle.GameStatus.Active; i++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.challengerTurn) {
                honestMove(challenger, gid, t);
            } else {
                (, uint256 subLog) = split(g.lenLog);
                bisectAs(bob, gid, selection(gid, 0), wrongBisection(t, g.start, subLog, 0, "x"));
            }
        }
        assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
    }

    function _conserved() internal view {
        address[4] memory a = [requester, alice, bob, carol];
        uint256 credited;
        for (uint256 i = 0; i < 4; i++) {
            credited += oracle.balanceOf(a[i]);
        }
        assertEq(address(oracle).balance, credited + oracle.burned() + BASE_FEE, "held = credited + burned + fee");
    }

    /// The issue's attack: bob answers alice once and then stalls on his clock, and loses his
    /// sybil carol's game on purpose. alice still gets her bond plus bob's match.
    function test_sybilCannotTakeHonestReward() public {
        uint256 rid = submitAs(bob, req, "lie", "lie");
        uint256 gH = challengeAs(alice, rid, bisection(t, 0, D));
        uint256 gS = challengeAs(carol, rid, bisection(t, 0, D));
        bisectAs(bob, gH, selection(gH, 0), wrongBisection(t, 0, 12, 15, "b"));
        honestMove(alice, gH, t);
        _loseOnPurpose(gS, carol);
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Rejected));
        assertEq(oracle.result(rid).defaultShare, 0, "every game answered: nothing shared");
        oracle.voidGame(gH);
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND, "bond plus the liar's match");
        assertEq(oracle.balanceOf(carol), 2 * CHALLENGE_BOND + pot);
        // bob: his bond and both matches are gone; all he gets back through carol is the
        // result bond less the burn, so the attack cost him the burn and alice's match.
        _conserved();
    }

    /// bob never answers alice's game: at the rejection it holds no match of his, so it gets
    /// one from the result bond, before the winner gets the rest.
    function test_unansweredHonestGameGetsAMatchFromTheBond() public {
        uint256 rid = submitAs(bob, req, "lie", "lie");
        uint256 gH = challengeAs(alice, rid, bisection(t, 0, D));
        uint256 gS = challengeAs(carol, rid, bisection(t, 0, D));
        _loseOnPurpose(gS, carol);
        assertFalse(oracle.game(gH).funded);
        assertEq(oracle.result(rid).defaultShare, CHALLENGE_BOND);
        oracle.voidGame(gH);
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND);
        assertEq(oracle.balanceOf(carol), 2 * CHALLENGE_BOND + pot - CHALLENGE_BOND);
        _conserved();
    }

    /// Sybil games can only share the part of the result bond that backs unanswered games:
    /// each unanswered game gets `min(challengeBond, pot / n)`. Answered games keep their own
    /// match whatever the number of sybils (`docs/protocol.md` §4 gives the cost of diluting).
    function test_sybilsOnlyShareUnansweredMatches() public {
        uint256 rid = submitAs(bob, req, "lie", "lie");
        uint256 gH = challengeAs(alice, rid, bisection(t, 0, D));
        address[3] memory sybils = [makeAddr("s1"), makeAddr("s2"), makeAddr("s3")];
        uint256[3] memory gs;
        for (uint256 i = 0; i < 3; i++) {
            vm.deal(sybils[i], 10 ether);
            gs[i] = challengeAs(sybils[i], rid, bisection(t, 0, D));
        }
        uint256 gS = challengeAs(carol, rid, bisection(t, 0, D));
        _loseOnPurpose(gS, carol);
        uint256 share = pot / 4;
        assertEq(oracle.result(rid).defaultShare, share);
        oracle.voidGame(gH);
        assertEq(oracle.balanceOf(alice), CHALLENGE_BOND + share);
        for (uint256 i = 0; i < 3; i++) {
            oracle.voidGame(gs[i]);
            assertEq(oracle.balanceOf(sybils[i]), CHALLENGE_BOND + share);
        }
        assertEq(oracle.balanceOf(carol), 2 * CHALLENGE_BOND + pot - 4 * share);

        // The same sybils against a game bob answered take nothing from it.
        uint256 req2 = newRequest(pid, "in2");
        Trace t2 = trueTrace(req2, 300, "truth");
        t = t2;
        uint256 rid2 = submitAs(bob, req2, "lie", "lie");
        uint256 gH2 = challengeAs(alice, rid2, bisection(t2, 0, D));
        bisectAs(bob, gH2, selection(gH2, 0), wrongBisection(t2, 0, 12, 15, "b"));
        for (uint256 i = 0; i < 3; i++) {
            challengeAs(sybils[i], rid2, bisection(t2, 0, D));
        }
        _loseOnPurpose(challengeAs(carol, rid2, bisection(t2, 0, D)), carol);
        uint256 before = oracle.balanceOf(alice);
        oracle.voidGame(gH2);
        assertEq(oracle.balanceOf(alice) - before, 2 * CHALLENGE_BOND);
    }

    /// Front-running `challenge`: carol copies alice's opening and every move of hers and
    /// lands her step proof first. alice's game is open at the rejection: bond plus match.
    function test_frontRunChallengeKeepsHonestReward() public {
        uint256 rid = submitAs(bob, req, "lie", "lie");
        bytes32[] memory opening = bisection(t, 0, D);
        uint256 gC = challengeAs(carol, rid, opening); // the copy lands first
        uint256 gA = challengeAs(alice, rid, opening);
        for (uint256 i = 0; i < 8 && oracle.game(gC).status == IOpMLOracle.GameStatus.Active; i++) {
            IOpMLOracle.Game memory g = oracle.game(gC);
            if (g.challengerTurn) {
                honestMove(carol, gC, t); // carol's copy of alice's move lands first
                if (oracle.game(gC).status != IOpMLOracle.GameStatus.Active) break;
                honestMove(alice, gA, t);
            } else {
                (, uint256 subLog) = split(g.lenLog);
                bytes32[] memory h = wrongBisection(t, g.start, subLog, 0, "x");
                bisectAs(bob, gC, selection(gC, 0), h);
                bisectAs(bob, gA, selection(gA, 0), h);
            }
        }
        assertEq(uint8(oracle.game(gC).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        IOpMLOracle.Selection memory late = selection(gA, firstDisagreement(gA, t));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultNotPending.selector, rid));
        oracle.proveStep(gA, late, "");
        oracle.voidGame(gA);
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND, "bond plus match despite the copy");
        _conserved();
    }

    /// The match is escrowed with the submitter's first move only, and an honest submitter
    /// gets it back with the loser's bond less the burn.
    function test_matchEscrowedOnFirstMoveAndReturned() public {
        uint256 rid = submitAs(alice, req, "truth", "true");
        uint256 gid = challengeAs(bob, rid, wrongBisection(t, 0, D, 3, "b"));
        assertEq(oracle.result(rid).unfundedGames, 1);
        uint256 j = firstDisagreement(gid, t);
        IOpMLOracle.Selection memory s = selection(gid, j);
        bytes32[] memory h = bisection(t, j << 12, 12);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, 0, CHALLENGE_BOND));
        oracle.bisect(gid, s, h);
        honestMove(alice, gid, t);
        assertTrue(oracle.game(gid).funded);
        assertEq(oracle.result(rid).unfundedGames, 0);
        // The challenger never sends value.
        IOpMLOracle.Game memory g = oracle.game(gid);
        (, uint256 subLog) = split(g.lenLog);
        bytes32[] memory w = wrongBisection(t, g.start, subLog, 0, "w");
        IOpMLOracle.Selection memory s2 = selection(gid, 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, 1, 0));
        oracle.bisect{value: 1}(gid, s2, w);
        vm.warp(block.timestamp + CLOCK);
        oracle.timeout(gid);
        uint256 burnC = CHALLENGE_BOND * BURN_BPS / 10_000;
        assertEq(oracle.balanceOf(alice), 2 * CHALLENGE_BOND - burnC);
    }
}
