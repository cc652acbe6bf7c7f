// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {IStepVerifier} from "../../src/interfaces/IStepVerifier.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {MachineState, ProgramFields, State} from "../../src/lib/MachineState.sol";
import {
    RecordingConsumer,
    RevertingConsumer,
    GasGuzzler,
    ReentrantConsumer,
    ReentrantReceiver,
    RejectingReceiver
} from "./Mocks.sol";

/// Programs, requests, results, finalization, cancellation and payments.
contract OpMLOracleTest is ProtocolBase {
    bytes32 internal pid;
    bytes internal constant OUT = "the answer is 42, with a tail past one block of output";

    function setUp() public {
        deploy(4);
        pid = register(20);
    }

    function _submit(address who, uint256 id, bytes memory out) internal returns (uint256) {
        return submitAs(who, id, out, "s");
    }

    // ------------------------------------------------------------------ config

    function _rejects(IOpMLOracle.Config memory c) internal {
        vm.expectRevert(IOpMLOracle.InvalidConfig.selector);
        new OpMLOracle(c);
    }

    function test_constructor_rejectsBadConfig() public {
        IOpMLOracle.Config memory c = config(toy, 4);
        c.verifier = IStepVerifier(address(0));
        _rejects(c);
        _rejects(config(toy, 0));
        _rejects(config(toy, 9));
        c = config(toy, 4);
        c.challengeWindow = 0;
        _rejects(c);
        c = config(toy, 4);
        c.clock = 0;
        _rejects(c);
        c = config(toy, 4);
        c.maxOutputBytes = 0;
        _rejects(c);
    }

    /// Bonds, burn share, request timeout and reveal window are bounded (issue 13 item 5;
    /// `docs/protocol.md` §9): each bound is accepted exactly at its edge.
    function test_constructor_bounds() public {
        IOpMLOracle.Config memory c = config(toy, 4);
        c.resultBond = 0;
        _rejects(c);
        c = config(toy, 4);
        c.challengeBond = 0;
        _rejects(c);
        c = config(toy, 4);
        c.requestTimeout = 0;
        _rejects(c);
        c.requestTimeout = WINDOW - 1;
        _rejects(c);
        c.requestTimeout = WINDOW;
        new OpMLOracle(c);
        c = config(toy, 4);
        c.revealWindow = 0;
        _rejects(c);
        c.revealWindow = WINDOW + 1;
        _rejects(c);
        c.revealWindow = WINDOW;
        new OpMLOracle(c);
        c = config(toy, 4);
        c.burnBps = 0;
        _rejects(c);
        c.burnBps = 999;
        _rejects(c);
        c.burnBps = 5001;
        _rejects(c);
        c.burnBps = 10_000;
        _rejects(c);
        c.burnBps = 1000;
        new OpMLOracle(c);
        c.burnBps = 5000;
        new OpMLOracle(c);
        c.resultBond = 1;
        c.challengeBond = 1;
        new OpMLOracle(c);
    }

    /// Any configuration inside the bounds deploys and reads back unchanged; any outside fails.
    function testFuzz_constructor_bounds(uint16 burnBps, uint64 window, uint64 reveal, uint64 timeout) public {
        IOpMLOracle.Config memory c = config(toy, 4);
        c.burnBps = burnBps;
        c.challengeWindow = window;
        c.revealWindow = reveal;
        c.requestTimeout = timeout;
        bool ok =
            burnBps >= 1000 && burnBps <= 5000 && window > 0 && reveal > 0 && reveal <= window && timeout >= window;
        if (!ok) {
            _rejects(c);
            return;
        }
        IOpMLOracle.Config memory back = new OpMLOracle(c).config();
        assertEq(back.burnBps, burnBps);
        assertEq(back.challengeWindow, window);
        assertEq(back.revealWindow, reveal);
        assertEq(back.requestTimeout, timeout);
    }

    function test_config_roundTrips() public view {
        IOpMLOracle.Config memory c = oracle.config();
        assertEq(address(c.verifier), address(toy));
        assertEq(c.kLog, 4);
        assertEq(c.resultBond, RESULT_BOND);
        assertEq(c.requestTimeout, TIMEOUT);
        assertEq(c.revealWindow, REVEAL);
        assertEq(oracle.machineVersion(), 1, "forwards the verifier's");
    }

    // ------------------------------------------------------------------ programs

    function test_register_bindsFieldsDepthAndUri() public {
        ProgramFields memory f = fields("x");
        bytes32 ph = MachineState.programHash(f);
        bytes32 expected = keccak256(abi.encodePacked("opml/program-id/v2:", ph, uint8(32), keccak256("uri")));
        vm.expectEmit();
        emit IOpMLOracle.ProgramRegistered(expected, ph, address(this), 32, "uri", f);
        bytes32 id = oracle.registerProgram(f, 32, "uri");
        assertEq(id, expected);
        IOpMLOracle.Program memory p = oracle.program(id);
        assertEq(p.traceDepth, 32);
        assertEq(p.fields.codeRoot, f.codeRoot);
        assertEq(p.registrant, address(this));
        // Another depth or URI is another program.
        assertNotEq(oracle.registerProgram(f, 33, "uri"), id);
        assertNotEq(oracle.registerProgram(f, 32, "uri2"), id);
    }

    function test_register_revertsOnDuplicate() public {
        bytes32 id = oracle.registerProgram(fields("x"), 8, "u");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ProgramExists.selector, id));
        oracle.registerProgram(fields("x"), 8, "u");
    }

    function test_register_revertsOnInvalid() public {
        vm.expectRevert(IOpMLOracle.InvalidProgram.selector);
        oracle.registerProgram(fields("x"), 0, "u");
        vm.expectRevert(IOpMLOracle.InvalidProgram.selector);
        oracle.registerProgram(fields("x"), 64, "u");
        ProgramFields memory f = fields("x");
        f.status = 3;
        vm.expectRevert(IOpMLOracle.InvalidProgram.selector);
        oracle.registerProgram(f, 8, "u");
        f = fields("x");
        f.codeDepth = 0;
        vm.expectRevert(IOpMLOracle.InvalidProgram.selector);
        oracle.registerProgram(f, 8, "u");
    }

    // ------------------------------------------------------------------ requests

    /// S_0 rebuilt independently of the library: packed fields and a hand-made input root.
    function test_request_derivesStartState() public {
        bytes memory input = new bytes(40);
        for (uint256 i = 0; i < 40; i++) {
            // casting to 'uint8' is safe because i < 40
            // forge-lint: disable-next-line(unsafe-typecast)
            input[i] = bytes1(uint8(i + 1));
        }
        bytes32 w0;
        bytes32 w1;
        assembly {
            w0 := mload(add(input, 32))
            w1 := mload(add(input, 64))
        }
        w1 &= bytes32(uint256(type(uint64).max) << 192); // keep 8 bytes
        bytes32 z = keccak256(abi.encodePacked("opml/bytes:", bytes32(0)));
        bytes32 root = keccak256(
            abi.encodePacked(
                "opml/node:",
                keccak256(abi.encodePacked("opml/bytes:", w0)),
                keccak256(abi.encodePacked("opml/bytes:", w1))
            )
        );
        for (uint256 h = 1; h < 27; h++) {
            z = keccak256(abi.encodePacked("opml/node:", z, z));
            root = keccak256(abi.encodePacked("opml/node:", root, z));
        }
        bytes32 locals = keccak256(abi.encodePacked("opml/value:", uint64(0)));
        for (uint256 h = 0; h < 16; h++) {
            locals = keccak256(abi.encodePacked("opml/node:", locals, locals));
        }
        ProgramFields memory f = fields(bytes32(uint256(20)));
        bytes memory packed = abi.encodePacked(
            f.status, f.trapCode, uint32(0), uint32(0), f.maxCallDepth, f.codeRoot, f.codeDepth, bytes32(0)
        );
        packed = abi.encodePacked(
            packed, bytes32(0), bytes32(0), locals, f.globals, f.table, f.tableSize, f.memoryRoot, f.memoryPages
        );
        packed = abi.encodePacked(packed, f.maxPages, f.segments, root, uint32(40), bytes32(0), bytes32(0));
        packed = abi.encodePacked(packed, uint64(0), uint64(0), uint64(0), uint64(0));
        // machine v2: segment_steps, segment_depth, stack_depth
        packed = abi.encodePacked(packed, uint64(0), f.segmentDepth, uint64(0));
        assertEq(packed.length, 464);
        bytes32 s0 = keccak256(abi.encodePacked("opml/state/v2:", packed)) & bytes32(type(uint256).max >> 8);

        uint256 id = newRequest(pid, input);
        IOpMLOracle.Request memory r = oracle.request(id);
        assertEq(r.startState, s0);
        assertEq(r.programId, pid);
        assertEq(r.requester, requester);
        assertEq(r.traceDepth, 20);
        assertEq(uint8(r.status), uint8(IOpMLOracle.RequestStatus.Open));
        assertEq(r.fee, BASE_FEE);
    }

    function test_request_emitsInput() public {
        uint64 gas = 100_000;
        uint256 fee = oracle.requestFee(gas);
        assertEq(fee, BASE_FEE + gas * GAS_PRICE);
        bytes32 s0 = MachineState.initialStateHash(oracle.program(pid).fields, "hi");
        vm.expectEmit();
        emit IOpMLOracle.InferenceRequested(1, pid, requester, carol, gas, fee + 1, s0, "hi");
        vm.prank(requester);
        oracle.requestInference{value: fee + 1}(pid, "hi", carol, gas);
    }

    function test_request_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.UnknownProgram.selector, bytes32(0)));
        oracle.requestInference{value: 1 ether}(bytes32(0), "", address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.CallbackGasTooHigh.selector, MAX_CB_GAS + 1, MAX_CB_GAS));
        oracle.requestInference{value: 1 ether}(pid, "", address(0), MAX_CB_GAS + 1);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.InputTooLarge.selector, 4097, 4096));
        oracle.requestInference{value: 1 ether}(pid, new bytes(4097), address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.FeeTooLow.selector, BASE_FEE - 1, BASE_FEE));
        oracle.requestInference{value: BASE_FEE - 1}(pid, "", address(0), 0);
    }

    function test_cancel_refundsAfterTimeout() public {
        uint256 id = newRequest(pid, "x");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotExpired.selector, id));
        oracle.cancelRequest(id);
        vm.warp(block.timestamp + TIMEOUT);
        vm.expectEmit();
        emit IOpMLOracle.RequestCancelled(id);
        oracle.cancelRequest(id);
        assertEq(oracle.balanceOf(requester), BASE_FEE);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotOpen.selector, id));
        oracle.cancelRequest(id);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotOpen.selector, id));
        oracle.commitResult{value: RESULT_BOND}(id, bytes32(0));
    }

    /// An unrevealed commitment never locks a request: it can still be cancelled.
    function test_cancel_notBlockedByCommitments() public {
        uint256 id = newRequest(pid, "x");
        commitAs(bob, id, haltedState(OUT, "s"));
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(id);
        assertEq(uint8(oracle.request(id).status), uint8(IOpMLOracle.RequestStatus.Cancelled));
    }

    function test_cancel_revertsWithPendingResult() public {
        uint256 id = newRequest(pid, "x");
        _submit(alice, id, OUT);
        vm.warp(block.timestamp + TIMEOUT);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultPending.selector, id));
        oracle.cancelRequest(id);
    }

    // ------------------------------------------------------------------ results

    function test_commitReveal_recordsClaim() public {
        uint256 id = newRequest(pid, "x");
        bytes memory fs = haltedState(OUT, "s");
        bytes32 claim = stateHash(fs);
        assertEq(uint8(claim[0]), 1, "halted hash starts with 0x01");
        bytes32 c = oracle.commitmentHash(id, alice, claim);
        assertEq(c, keccak256(abi.encodePacked("opml/commit/v1", id, alice, claim)));
        vm.expectEmit();
        emit IOpMLOracle.ResultCommitted(1, id, alice, c);
        vm.prank(alice);
        uint256 rid = oracle.commitResult{value: RESULT_BOND}(id, c);
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Committed));
        assertEq(oracle.request(id).resultId, 0, "a commitment is not a result");
        assertEq(oracle.revealDeadline(rid), block.timestamp + REVEAL);
        vm.warp(block.timestamp + 7);
        vm.expectEmit();
        emit IOpMLOracle.ResultRevealed(rid, id, alice, claim, uint64(block.timestamp), OUT);
        revealAs(alice, rid, OUT, fs);
        IOpMLOracle.Result memory r = oracle.result(rid);
        assertEq(r.finalState, claim);
        assertEq(r.outputHash, keccak256(OUT));
        assertEq(r.submitter, alice);
        assertEq(r.windowStart, block.timestamp, "the window starts at the reveal");
        assertEq(oracle.request(id).resultId, rid);
    }

    function test_commit_reverts() public {
        uint256 id = newRequest(pid, "x");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotOpen.selector, 99));
        oracle.commitResult{value: RESULT_BOND}(99, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WrongBond.selector, RESULT_BOND - 1, RESULT_BOND));
        oracle.commitResult{value: RESULT_BOND - 1}(id, bytes32(0));
    }

    function test_reveal_reverts() public {
        uint256 id = newRequest(pid, "x");
        bytes memory fs = haltedState(OUT, "s");
        uint256 rid = commitAs(alice, id, fs);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotCommitted.selector, 99));
        oracle.revealResult(99, OUT, fs);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotCommitter.selector, rid));
        revealAs(bob, rid, OUT, fs);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.OutputTooLarge.selector, 1025, 1024));
        oracle.revealResult(rid, new bytes(1025), fs);
        vm.expectRevert(IOpMLOracle.BadFinalState.selector);
        oracle.revealResult(rid, OUT, bytes.concat(fs, hex"00"));
        // Output fields do not match the output.
        vm.expectRevert(IOpMLOracle.BadFinalState.selector);
        oracle.revealResult(rid, "other", fs);
        // Not halted.
        State memory s = this.decodePacked(fs);
        s.status = 0;
        vm.expectRevert(IOpMLOracle.BadFinalState.selector);
        oracle.revealResult(rid, OUT, MachineState.encode(s));
        s.status = 2;
        vm.expectRevert(IOpMLOracle.BadFinalState.selector);
        oracle.revealResult(rid, OUT, MachineState.encode(s));
        // A valid halted state, but not the one committed to.
        vm.expectRevert(IOpMLOracle.CommitmentMismatch.selector);
        oracle.revealResult(rid, OUT, haltedState(OUT, "other"));
        oracle.revealResult(rid, OUT, fs);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotCommitted.selector, rid));
        oracle.revealResult(rid, OUT, fs);
        vm.stopPrank();
    }

    function test_submit_emptyAndBlockAlignedOutputs() public {
        uint256 a = newRequest(pid, "x");
        _submit(alice, a, "");
        uint256 b = newRequest(pid, "y");
        _submit(alice, b, new bytes(64));
    }

    // ------------------------------------------------------------------ finalize

    function test_finalize_paysAndCallsBack() public {
        RecordingConsumer c = new RecordingConsumer();
        uint256 fee = oracle.requestFee(200_000);
        uint256 callbackPart = 200_000 * GAS_PRICE;
        vm.prank(requester);
        uint256 id = oracle.requestInference{value: fee}(pid, "x", address(c), 200_000);
        uint256 rid = _submit(alice, id, OUT);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.WindowOpen.selector, rid));
        oracle.finalize(id, OUT);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(IOpMLOracle.OutputMismatch.selector);
        oracle.finalize(id, "nope");
        vm.expectEmit();
        emit IOpMLOracle.ResultFinalized(rid, id, keccak256(OUT));
        vm.expectEmit();
        emit IOpMLOracle.CallbackDelivered(id, carol, true);
        vm.prank(carol);
        oracle.finalize(id, OUT);
        assertEq(c.calls(), 1);
        assertEq(c.lastId(), id);
        assertEq(c.lastOutput(), OUT);
        assertGe(c.gasSeen(), 190_000);
        assertTrue(oracle.isFinalized(id));
        assertTrue(oracle.request(id).delivered);
        assertEq(oracle.request(id).outputHash, keccak256(OUT));
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Finalized));
        // The callback's gas is paid to whoever delivered it; the rest of the fee to the submitter.
        assertEq(oracle.balanceOf(alice), RESULT_BOND + fee - callbackPart);
        assertEq(oracle.balanceOf(carol), callbackPart);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotOpen.selector, id));
        oracle.finalize(id, OUT);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotDeliverable.selector, id));
        oracle.deliver(id, OUT);

        uint256 before = alice.balance;
        vm.prank(alice);
        oracle.withdraw(payable(alice));
        assertEq(alice.balance - before, RESULT_BOND + fee - callbackPart);
        vm.prank(carol);
        oracle.withdraw(payable(carol));
        assertEq(address(oracle).balance, 0);
    }

    function test_finalize_revertsWithoutResultOrWithOpenGame() public {
        uint256 id = newRequest(pid, "x");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.ResultNotPending.selector, 0));
        oracle.finalize(id, OUT);
        uint256 rid = _submit(alice, id, OUT);
        Trace t = trueTrace(id, 5, OUT);
        challengeAs(bob, rid, wrongBisection(t, 0, 20, 3, "bob"));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.GamesOpen.selector, rid));
        oracle.finalize(id, OUT);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.GamesOpen.selector, rid));
        oracle.settle(id);
    }

    function _finalizeWith(address consumer, uint64 gasLimit) internal returns (uint256 id) {
        vm.prank(requester);
        id = oracle.requestInference{value: oracle.requestFee(gasLimit)}(pid, "x", consumer, gasLimit);
        _submit(alice, id, OUT);
        vm.warp(block.timestamp + WINDOW);
    }

    function _finalizeWith(address consumer) internal returns (uint256 id) {
        return _finalizeWith(consumer, 300_000);
    }

    function test_finalize_revertingCallbackKeepsFinality() public {
        uint256 id = _finalizeWith(address(new RevertingConsumer()));
        vm.expectEmit();
        emit IOpMLOracle.ResultFinalized(1, id, keccak256(OUT));
        vm.expectEmit();
        emit IOpMLOracle.CallbackDelivered(id, address(this), false);
        oracle.finalize(id, OUT);
        assertTrue(oracle.isFinalized(id));
        assertTrue(oracle.request(id).delivered);
        assertEq(oracle.balanceOf(alice), RESULT_BOND + BASE_FEE);
    }

    function test_finalize_gasGuzzlerIsCapped() public {
        uint256 id = _finalizeWith(address(new GasGuzzler()));
        uint256 g0 = gasleft();
        oracle.finalize{gas: 1_000_000}(id, OUT);
        assertLe(g0 - gasleft(), 450_000, "callback bounded by its limit");
        assertTrue(oracle.isFinalized(id));
    }

    function test_finalize_revertsWhenStarvingCallback() public {
        uint256 id = _finalizeWith(address(new RecordingConsumer()));
        vm.expectRevert(IOpMLOracle.InsufficientGasForCallback.selector);
        oracle.finalize{gas: 250_000}(id, OUT);
        assertFalse(oracle.isFinalized(id));
        oracle.settle(id);
        vm.expectRevert(IOpMLOracle.InsufficientGasForCallback.selector);
        oracle.deliver{gas: 250_000}(id, OUT);
        assertFalse(oracle.request(id).delivered);
    }

    function test_finalize_callbackToEoaOrNone() public {
        uint256 id = _finalizeWith(carol);
        oracle.finalize(id, OUT);
        assertTrue(oracle.isFinalized(id));
        uint256 none = newRequest(pid, "none");
        _submit(alice, none, OUT);
        vm.warp(block.timestamp + WINDOW);
        // No callback: nothing to deliver, any output bytes.
        oracle.finalize(none, "");
        assertTrue(oracle.request(none).delivered);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotDeliverable.selector, none));
        oracle.deliver(none, OUT);
    }

    /// Issue 13 item 7: the submitter's bond and fee are released by a call whose gas does
    /// not depend on the callback's limit; the callback (and the gas part of the fee) can be
    /// delivered later by anyone.
    function test_settle_releasesBondWithoutCallbackGas() public {
        RecordingConsumer c = new RecordingConsumer();
        uint256 id = _finalizeWith(address(c), MAX_CB_GAS);
        uint256 fee = oracle.requestFee(MAX_CB_GAS);
        uint256 callbackPart = uint256(MAX_CB_GAS) * GAS_PRICE;
        (bool ok,) = address(oracle).call{gas: 100_000}(abi.encodeCall(IOpMLOracle.settle, (id)));
        assertTrue(ok, "settle needs no callback gas");
        assertTrue(oracle.isFinalized(id));
        assertFalse(oracle.request(id).delivered);
        assertEq(oracle.balanceOf(alice), RESULT_BOND + fee - callbackPart);
        assertEq(c.calls(), 0);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.RequestNotOpen.selector, id));
        oracle.settle(id);
        vm.expectRevert(IOpMLOracle.OutputMismatch.selector);
        oracle.deliver(id, "nope");
        vm.prank(carol);
        oracle.deliver(id, OUT);
        assertEq(c.calls(), 1);
        assertEq(oracle.balanceOf(carol), callbackPart);
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotDeliverable.selector, id));
        oracle.deliver(id, OUT);
        uint256 open = newRequest(pid, "open");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.NotDeliverable.selector, open));
        oracle.deliver(open, OUT);
    }

    function test_finalize_reentrantCallbackCannotDoubleSpend() public {
        ReentrantConsumer c = new ReentrantConsumer(oracle);
        uint256 id = _finalizeWith(address(c));
        oracle.finalize(id, OUT);
        assertTrue(c.finalizeAgainFailed());
        assertTrue(c.deliverAgainFailed());
        assertTrue(c.withdrawFailed()); // nothing credited to the consumer
        assertTrue(c.cancelFailed());
        assertTrue(oracle.isFinalized(id));
        uint256 callbackPart = 300_000 * GAS_PRICE;
        assertEq(oracle.balanceOf(alice), RESULT_BOND + BASE_FEE);
        assertEq(oracle.balanceOf(address(this)), callbackPart);
        assertEq(address(oracle).balance, RESULT_BOND + oracle.requestFee(300_000));
    }

    // ------------------------------------------------------------------ payments

    function test_withdraw_reverts() public {
        vm.expectRevert(IOpMLOracle.NothingToWithdraw.selector);
        oracle.withdraw(payable(alice));
        uint256 id = newRequest(pid, "x");
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(id);
        RejectingReceiver r = new RejectingReceiver();
        vm.prank(requester);
        vm.expectRevert(IOpMLOracle.TransferFailed.selector);
        oracle.withdraw(payable(address(r)));
        assertEq(oracle.balanceOf(requester), BASE_FEE, "credit kept on failure");
    }

    function test_withdraw_reentrancyPaysOnce() public {
        ReentrantReceiver r = new ReentrantReceiver(oracle);
        vm.deal(address(r), 10 ether);
        vm.prank(address(r));
        uint256 id = oracle.requestInference{value: BASE_FEE}(pid, "x", address(0), 0);
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(id);
        r.pull();
        assertEq(r.received(), BASE_FEE);
        assertTrue(r.reentryFailed());
        assertEq(oracle.balanceOf(address(r)), 0);
        assertEq(address(oracle).balance, 0);
    }

    function test_withdraw_toOtherAddress() public {
        uint256 id = newRequest(pid, "x");
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(id);
        uint256 before = carol.balance;
        vm.expectEmit();
        emit IOpMLOracle.Withdrawn(requester, carol, BASE_FEE);
        vm.prank(requester);
        oracle.withdraw(payable(carol));
        assertEq(carol.balance - before, BASE_FEE);
    }
}
