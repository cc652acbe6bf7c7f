// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";

/// Results claimed by commit–reveal (issue 13 item 3): a claim is bound to its submitter,
/// commitments never lock a request, priority goes by commitment order among valid reveals,
/// reveals have a deadline and an unrevealed commitment forfeits its bond, the challenge window
/// starts at the reveal, and junk commitments delay a request by at most `revealWindow`.
contract CommitRevealTest is ProtocolBase {
    bytes32 internal pid;
    uint256 internal req;
    bytes internal constant OUT = "the true output";
    bytes internal fs;

    function setUp() public {
        deploy(4);
        pid = register(10);
        req = newRequest(pid, "in");
        fs = haltedState(OUT, "true");
    }

    function _status(uint256 rid) internal view returns (uint8) {
        return uint8(oracle.result(rid).status);
    }

    /// A copier sees alice's reveal (output and final state) in the mempool and lands its own
    /// commitment and reveal of the same claim first: it gets no priority, the fee goes to
    /// alice, the copier only gets its bond back.
    function test_copierGainsNothing() public {
        uint256 a = commitAs(alice, req, fs);
        vm.warp(block.timestamp + 12);
        // bob front-runs alice's reveal with a commitment of the very same claim, and reveals.
        uint256 b = commitAs(bob, req, fs);
        revealAs(bob, b, OUT, fs);
        assertGt(oracle.result(b).windowStart, block.timestamp, "not pending: an earlier commitment may reveal");
        // He cannot reveal alice's commitment (it binds her address), nor pass his as hers.
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotCommitter.selector, a));
        revealAs(bob, a, OUT, fs);
        // alice's reveal lands: her earlier commitment takes priority, pending at once.
        revealAs(alice, a, OUT, fs);
        assertEq(oracle.request(req).resultId, a);
        assertEq(oracle.result(a).windowStart, block.timestamp);
        assertEq(_status(b), uint8(IOpMLOracle.ResultStatus.Refunded));
        assertEq(oracle.balanceOf(bob), RESULT_BOND, "only his bond back");
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(req, OUT);
        assertEq(oracle.balanceOf(alice), RESULT_BOND + BASE_FEE);
        assertEq(oracle.balanceOf(bob), RESULT_BOND, "the copier gained nothing");
    }

    /// The copier's commitment of someone else's claim under its own address is a valid
    /// claim, but a later one: it cannot reveal once the earlier one has.
    function test_laterCommitmentCannotOvertake() public {
        uint256 a = commitAs(alice, req, fs);
        uint256 b = commitAs(bob, req, fs);
        revealAs(alice, a, OUT, fs);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.LowerPriority.selector, b, a));
        revealAs(bob, b, OUT, fs);
        // It is not settleable while the request may still need it.
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotSettleable.selector, b));
        oracle.settleCommitment(b);
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(req, OUT);
        // It never had its turn: refunded, not forfeited.
        oracle.settleCommitment(b);
        assertEq(_status(b), uint8(IOpMLOracle.ResultStatus.Refunded));
        assertEq(oracle.balanceOf(bob), RESULT_BOND);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotCommitted.selector, b));
        oracle.settleCommitment(b);
    }

    /// Priority by commitment order among valid reveals: an earlier commitment revealed later
    /// (before its deadline) displaces a later one that revealed first.
    function test_priorityByCommitmentOrder() public {
        uint256 a = commitAs(alice, req, fs);
        vm.warp(block.timestamp + 5);
        bytes memory other = haltedState("another claim", "x");
        uint256 b = commitAs(bob, req, other);
        revealAs(bob, b, "another claim", other);
        assertEq(oracle.request(req).resultId, b);
        uint64 bStart = oracle.result(b).windowStart;
        assertEq(bStart, oracle.revealDeadline(b) + 1, "waits for every earlier deadline");
        assertGt(bStart, oracle.revealDeadline(a));
        // Not challengeable before its window.
        bytes32[] memory h = new bytes32[](16);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WindowNotStarted.selector, b));
        oracle.challenge{value: CHALLENGE_BOND}(b, h);
        vm.warp(oracle.revealDeadline(a));
        vm.expectEmit();
        emit IOpMLOracle.ResultDisplaced(b, a);
        revealAs(alice, a, OUT, fs);
        assertEq(oracle.request(req).resultId, a);
        assertEq(_status(b), uint8(IOpMLOracle.ResultStatus.Refunded));
        assertEq(oracle.balanceOf(bob), RESULT_BOND);
        // alice's has nothing before it: pending at once.
        assertEq(oracle.result(a).windowStart, block.timestamp);
    }

    /// Junk commitments made before an honest one (never revealed) delay its result by at
    /// most `revealWindow`, and each forfeits its bond.
    function test_junkDelaysByAtMostTheRevealWindow() public {
        uint256[5] memory junk;
        for (uint256 i = 0; i < junk.length; i++) {
            junk[i] = commitAs(bob, req, haltedState("junk", bytes32(i)));
            vm.warp(block.timestamp + 1);
        }
        uint256 committedAt = block.timestamp;
        uint256 a = commitAs(alice, req, fs);
        revealAs(alice, a, OUT, fs);
        uint256 start = oracle.result(a).windowStart;
        assertEq(start, committedAt + REVEAL + 1, "delay bound: revealWindow");
        // The junk cannot be settled while it could still be revealed...
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotSettleable.selector, junk[4]));
        oracle.settleCommitment(junk[4]);
        vm.warp(start + WINDOW);
        oracle.finalize(req, OUT);
        // ...and once the request is served it is forfeited: burned.
        for (uint256 i = 0; i < junk.length; i++) {
            oracle.settleCommitment(junk[i]);
            assertEq(_status(junk[i]), uint8(IOpMLOracle.ResultStatus.Forfeited));
        }
        assertEq(oracle.burned(), junk.length * RESULT_BOND);
        assertEq(oracle.balanceOf(bob), 0);
    }

    /// A reveal has a deadline; an unrevealed commitment forfeits its bond.
    function test_revealDeadline() public {
        uint256 a = commitAs(alice, req, fs);
        uint256 deadline = oracle.revealDeadline(a);
        assertEq(deadline, block.timestamp + REVEAL);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RevealClosed.selector, a));
        revealAs(alice, a, OUT, fs);
        vm.expectEmit();
        emit IOpMLOracle.CommitmentSettled(a, false);
        oracle.settleCommitment(a);
        assertEq(oracle.burned(), RESULT_BOND);
        // The request is still open to others.
        uint256 b = submitAs(carol, req, OUT, "true");
        assertEq(oracle.request(req).resultId, b);
    }

    /// Commitments made while a result is pending wait for the next round, with a fresh
    /// deadline; after a rejection they rank before any commitment made after it, and the
    /// rejected submitter is barred from the request.
    function test_commitDuringDisputeRanksFirst() public {
        Trace t = trueTrace(req, 100, OUT);
        uint256 lie = submitAs(bob, req, "lie", "lie");
        uint256 gid = challengeAs(alice, lie, bisection(t, 0, 10));
        // alice, who knows the truth, commits to it during the dispute.
        uint256 a = commitAs(alice, req, fs);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultPending.selector, req));
        oracle.cancelRequest(req);
        vm.warp(block.timestamp + REVEAL + 1);
        // Its deadline does not run while a result is pending, nor can it reveal.
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.LowerPriority.selector, a, lie));
        revealAs(alice, a, OUT, fs);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotSettleable.selector, a));
        oracle.settleCommitment(a);
        vm.warp(block.timestamp + CLOCK);
        oracle.timeout(gid);
        assertEq(oracle.request(req).prevBest, lie);
        assertEq(oracle.revealDeadline(a), block.timestamp + REVEAL);
        // bob cannot re-serve at once, under his own name...
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.Barred.selector, req, bob));
        oracle.commitResult{value: RESULT_BOND}(req, bytes32(0));
        // ...and a sybil's fresh commitment ranks after alice's.
        uint256 sybil = commitAs(carol, req, haltedState("lie", "lie"));
        revealAs(carol, sybil, "lie", haltedState("lie", "lie"));
        revealAs(alice, a, OUT, fs);
        assertEq(oracle.request(req).resultId, a);
        assertEq(_status(sybil), uint8(IOpMLOracle.ResultStatus.Refunded));
        assertEq(oracle.result(a).windowStart, block.timestamp, "nothing of this round precedes it");
    }

    /// A barred submitter's earlier commitment cannot be revealed either.
    function test_barredSubmitterCannotReveal() public {
        Trace t = trueTrace(req, 100, OUT);
        uint256 lie = submitAs(bob, req, "lie", "lie");
        uint256 other = commitAs(bob, req, fs);
        uint256 gid = challengeAs(alice, lie, bisection(t, 0, 10));
        vm.warp(block.timestamp + CLOCK);
        oracle.timeout(gid);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.Barred.selector, req, bob));
        revealAs(bob, other, OUT, fs);
    }

    /// Commitments left when a request is cancelled: refunded if their deadline had not
    /// passed, forfeited if it had.
    function test_settleAfterCancel() public {
        uint256 early = commitAs(bob, req, fs);
        vm.warp(block.timestamp + TIMEOUT - 1);
        uint256 late = commitAs(carol, req, fs);
        vm.warp(block.timestamp + 1);
        oracle.cancelRequest(req);
        oracle.settleCommitment(early);
        oracle.settleCommitment(late);
        assertEq(_status(early), uint8(IOpMLOracle.ResultStatus.Forfeited));
        assertEq(_status(late), uint8(IOpMLOracle.ResultStatus.Refunded));
        assertEq(oracle.balanceOf(carol), RESULT_BOND);
    }

    /// At most one extra transaction per request: commit, then reveal, and the window is
    /// open from the reveal; `finalize` and `withdraw` are as before.
    function test_happyPathIsCommitRevealFinalize() public {
        uint256 a = commitAs(alice, req, fs);
        vm.warp(block.timestamp + 12);
        revealAs(alice, a, OUT, fs);
        uint256 revealedAt = block.timestamp;
        vm.warp(revealedAt + WINDOW - 1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WindowOpen.selector, a));
        oracle.finalize(req, OUT);
        vm.warp(revealedAt + WINDOW);
        oracle.finalize(req, OUT);
        assertEq(oracle.balanceOf(alice), RESULT_BOND + BASE_FEE);
    }

    /// Any interleaving of commitments and reveals by several submitters serves the earliest
    /// commitment that revealed in time, and every bond ends refunded, forfeited or returned
    /// with the fee.
    function testFuzz_earliestValidRevealWins(uint256 seed) public {
        address[3] memory who = [alice, bob, carol];
        uint256[6] memory ids;
        bool[6] memory reveals;
        for (uint256 i = 0; i < 6; i++) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            ids[i] = commitAs(who[i % 3], req, fs);
            reveals[i] = seed % 3 != 0;
            vm.warp(block.timestamp + seed % 120);
        }
        uint256 winner;
        for (uint256 k = 0; k < 6; k++) {
            uint256 i = 5 - k; // reveal latest first, so displacement happens
            if (!reveals[i] || block.timestamp > oracle.revealDeadline(ids[i])) continue;
            uint256 best = oracle.request(req).resultId;
            if (best != 0 && best < ids[i]) continue;
            revealAs(who[i % 3], ids[i], OUT, fs);
            winner = ids[i];
        }
        if (winner == 0) return;
        for (uint256 i = 0; i < 6; i++) {
            if (ids[i] < winner && reveals[i]) {
                // An earlier one that wanted to reveal was still within its deadline.
                assertGt(block.timestamp, oracle.revealDeadline(ids[i]), "an earlier valid reveal lost");
            }
        }
        assertEq(oracle.request(req).resultId, winner);
        vm.warp(oracle.result(winner).windowStart + WINDOW);
        oracle.finalize(req, OUT);
        for (uint256 i = 0; i < 6; i++) {
            if (oracle.result(ids[i]).status == IOpMLOracle.ResultStatus.Committed) oracle.settleCommitment(ids[i]);
        }
        assertEq(
            address(oracle).balance,
            oracle.balanceOf(alice) + oracle.balanceOf(bob) + oracle.balanceOf(carol) + oracle.burned()
        );
    }
}
