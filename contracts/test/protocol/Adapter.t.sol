// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase} from "./ProtocolBase.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {AIOracleAdapter} from "../../src/protocol/AIOracleAdapter.sol";
import {ExampleAIConsumer} from "../../src/protocol/examples/ExampleAIConsumer.sol";
import {ExampleConsumer} from "../../src/protocol/examples/ExampleConsumer.sol";
import {IAIOracle, IAICallbackReceiver} from "../../src/interfaces/IAIOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {Vm} from "../utils/Vm.sol";
import {console} from "../utils/console.sol";

/// Records the gas it starts with and the hash of the data it got (cheap to store, so that
/// small limits measure the adapter, not this contract).
contract GasMeter is IAICallbackReceiver {
    // One storage slot, so that even a 50,000-gas limit can record a call.
    uint64 public seen;
    uint32 public calls;
    bytes20 public dataHash;

    function aiOracleCallback(uint256, bytes calldata, bytes calldata callbackData) external {
        uint256 g = gasleft();
        // casting to 'uint64' is safe because gas fits in 64 bits
        // forge-lint: disable-next-line(unsafe-typecast)
        (seen, calls, dataHash) = (uint64(g), calls + 1, bytes20(keccak256(callbackData)));
    }
}

/// Calls `target` with exactly `gas`: put at the oracle's address, it plays the oracle's
/// callback as an inner call (a call from the test itself would be a transaction of its own
/// under `--isolate`, paying its calldata out of that gas).
contract Forwarder {
    function forward(address target, bytes calldata data, uint256 gas) external returns (bool ok) {
        (ok,) = target.call{gas: gas}(data);
    }
}

contract RevertingReceiver is IAICallbackReceiver {
    function aiOracleCallback(uint256, bytes calldata, bytes calldata) external pure {
        revert("no");
    }
}

/// ORA-shaped adapter and the example consumers, end to end over the oracle. The oracle has
/// the deploy profile's largest output (16 KiB), which the adapter's callback gas must cover.
contract AdapterTest is ProtocolBase {
    AIOracleAdapter internal adapter;
    bytes32 internal pid;
    bytes internal constant ANSWER = "a cat, probably";
    uint32 internal constant MAX_OUT = 16 * 1024;
    Forwarder internal forwarder = new Forwarder();

    function setUp() public {
        deploy(4);
        IOpMLOracle.Config memory c = config(toy, 4);
        c.maxOutputBytes = MAX_OUT;
        c.maxCallbackGas = 5_000_000;
        oracle = new OpMLOracle(c);
        adapter = new AIOracleAdapter(oracle);
        pid = register(20);
    }

    function _bytes(uint256 n, uint256 salt) internal pure returns (bytes memory b) {
        b = new bytes(n);
        for (uint256 i = 0; i < n; i++) {
            // casting to 'uint8' is safe because the value is in 1..255
            // forge-lint: disable-next-line(unsafe-typecast)
            b[i] = bytes1(uint8(1 + (i + salt) % 255)); // never zero: the dearest calldata and logs
        }
    }

    /// Serves request `id` with `out` and finalizes it with every account and slot cold, as
    /// in a transaction of its own.
    function _serve(uint256 id, bytes memory out) internal {
        submitAs(alice, id, out, "s");
        vm.warp(block.timestamp + WINDOW);
        _coolAll(id);
        oracle.finalize(id, out);
    }

    function _coolAll(uint256 id) internal {
        vm.cool(address(oracle));
        vm.cool(address(adapter));
        address data = adapter.pending(id).data;
        if (data != address(0)) vm.cool(data);
    }

    function _request(address to, uint64 g, bytes memory data) internal returns (uint256 id) {
        uint256 fee = adapter.feeFor(g, data.length);
        vm.prank(requester, requester);
        id = adapter.requestCallback{value: fee}(uint256(pid), "in", to, g, data);
    }

    // ------------------------------------------------------------------ ORA consumers

    function test_oraConsumer_worksUnchanged() public {
        ExampleAIConsumer c = new ExampleAIConsumer(IAIOracle(address(adapter)));
        uint256 modelId = uint256(pid);
        uint256 fee = adapter.estimateFee(modelId, c.CALLBACK_GAS());
        vm.prank(requester);
        uint256 id = c.calculateAIResult{value: fee}(modelId, "what is this?");
        assertFalse(adapter.isFinalized(id));
        assertEq(oracle.request(id).programId, pid);
        assertEq(oracle.request(id).callback, address(adapter));
        submitAs(alice, id, ANSWER, "s");
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(adapter));
        emit IAIOracle.AICallbackResult(address(c), id, address(oracle), ANSWER);
        oracle.finalize(id, ANSWER);
        assertTrue(adapter.isFinalized(id));
        assertEq(c.answers(modelId, "what is this?"), ANSWER);
        assertFalse(c.awaiting(id));
    }

    /// Issue 13 item 1: a 900-byte prompt (1 KiB of callback data) and the largest answer the
    /// consumer's own 300,000 gas can store.
    function test_oraConsumer_900BytePromptGetsItsAnswer() public {
        ExampleAIConsumer c = new ExampleAIConsumer(IAIOracle(address(adapter)));
        bytes memory prompt = _bytes(900, 9);
        bytes memory answer = _bytes(352, 4);
        uint256 fee = adapter.estimateFee(uint256(pid), c.CALLBACK_GAS());
        vm.prank(requester);
        uint256 id = c.calculateAIResult{value: fee}(uint256(pid), prompt);
        vm.recordLogs();
        _serve(id, answer);
        assertEq(c.answers(uint256(pid), prompt), answer, "answer lost");
        assertFalse(_failedLogged(id), "reported as failed");
    }

    // ------------------------------------------------------------------ gas

    function test_estimateFee_isTheLargestDataFee() public view {
        uint64 g = 300_000;
        assertEq(adapter.estimateFee(0, g), adapter.feeFor(g, adapter.MAX_CALLBACK_DATA()));
        assertEq(adapter.feeFor(g, 0), oracle.requestFee(uint64(adapter.callbackGas(g, 0))));
        assertGt(adapter.callbackGas(g, 1024), adapter.callbackGas(g, 0));
        assertGt(adapter.callbackGas(g, 0), g + g / 63);
        assertEq(adapter.estimateFee(0, uint256(type(uint32).max) + 1), type(uint256).max);
        assertEq(adapter.maxOutputWords(), MAX_OUT / 32);
    }

    /// Issue 13 item 1: the consumer gets its whole gas limit with the worst case the adapter
    /// prices: 1 KiB of non-zero callback data, the oracle's largest non-zero output, every
    /// account and slot cold.
    function test_callbackGetsItsFullGas_coldWorstCase() public {
        uint64[3] memory limits = [uint64(50_000), 200_000, 1_000_000];
        for (uint256 i = 0; i < limits.length; i++) {
            GasMeter m = new GasMeter();
            bytes memory data = _bytes(adapter.MAX_CALLBACK_DATA(), i);
            uint256 id = _request(address(m), limits[i], data);
            _serve(id, _bytes(MAX_OUT, i + 7));
            assertEq(m.calls(), 1, "consumer's state kept");
            assertGe(m.seen(), limits[i] - 1000, "consumer starved");
            assertEq(bytes32(m.dataHash()), bytes32(bytes20(keccak256(data))));
            vm.warp(block.timestamp + 1);
        }
    }

    /// The priced overhead is not far above what the worst case needs: the least gas with
    /// which the adapter still gives the consumer its whole limit, found by bisection.
    function test_callbackGas_isTight() public {
        uint64 g = 200_000;
        bytes memory data = _bytes(adapter.MAX_CALLBACK_DATA(), 1);
        bytes memory out = _bytes(MAX_OUT, 2);
        GasMeter m = new GasMeter();
        uint256 id = _request(address(m), g, data);
        uint256 priced = adapter.callbackGas(g, data.length);
        uint256 lo = g;
        uint256 hi = priced;
        assertTrue(_deliversFully(m, id, out, hi, g), "priced gas is not enough");
        while (hi - lo > 256) {
            uint256 mid = (lo + hi) / 2;
            if (_deliversFully(m, id, out, mid, g)) hi = mid;
            else lo = mid;
        }
        console.log("adapter overhead priced / needed (1 KiB data, 16 KiB output, cold):", priced - g, hi - g);
        assertLe(priced - g, (hi - g) * 13 / 10, "overhead priced more than 30% above need");
    }

    function _deliversFully(GasMeter m, uint256 id, bytes memory out, uint256 gas, uint64 g)
        internal
        returns (bool full)
    {
        uint256 snap = vm.snapshotState();
        _coolAll(id);
        vm.cool(address(m));
        vm.etch(address(oracle), address(forwarder).code);
        bool ok = Forwarder(address(oracle))
            .forward(address(adapter), abi.encodeCall(adapter.onInferenceResult, (id, out)), gas);
        full = ok && m.calls() == 1 && m.seen() >= g - 1000;
        vm.revertToState(snap);
    }

    /// Issue 13 item 1 (consumer-state rollback): once the consumer returns, nothing the
    /// adapter does can run out of gas and undo the consumer's state.
    function test_consumerStateSurvivesLargestOutput() public {
        GasMeter m = new GasMeter();
        uint256 id = _request(address(m), 50_000, "");
        vm.recordLogs();
        _serve(id, _bytes(MAX_OUT, 3));
        assertTrue(oracle.isFinalized(id));
        assertEq(m.calls(), 1, "consumer's state rolled back after it returned");
        assertFalse(_failedLogged(id));
    }

    /// A consumer that uses more than its limit fails alone: reported, its state rolled back,
    /// the result final.
    function test_consumerOutOfItsOwnGasIsReported() public {
        GasMeter m = new GasMeter();
        uint256 id = _request(address(m), 20_000, _bytes(512, 1)); // three fresh slots need more
        vm.recordLogs();
        _serve(id, ANSWER);
        assertTrue(oracle.isFinalized(id));
        assertEq(m.calls(), 0);
        assertTrue(_failedLogged(id), "failure not reported");
    }

    function test_callbackGasAboveOracleMaximum_reverts() public {
        uint64 g = 5_000_000;
        uint256 fee = adapter.feeFor(g, 0);
        uint64 asked = uint64(adapter.callbackGas(g, 0));
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.CallbackGasTooHigh.selector, asked, uint64(5_000_000)));
        adapter.requestCallback{value: fee}(uint256(pid), "", address(this), g, "");
    }

    // ------------------------------------------------------------------ reporting

    function _failedLogged(uint256 id) internal returns (bool seen) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; i++) {
            if (
                logs[i].emitter == address(adapter) && logs[i].topics[0] == AIOracleAdapter.AICallbackFailed.selector
                    && uint256(logs[i].topics[2]) == id
            ) seen = true;
        }
    }

    /// Issue 13 item 5: a consumer that reverted is reported as such.
    function test_revertingConsumerIsReported() public {
        RevertingReceiver r = new RevertingReceiver();
        uint256 id = _request(address(r), 100_000, "");
        submitAs(alice, id, ANSWER, "s");
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(adapter));
        emit IAIOracle.AICallbackResult(requester, id, address(oracle), ANSWER);
        vm.expectEmit(address(adapter));
        emit AIOracleAdapter.AICallbackFailed(requester, id);
        oracle.finalize(id, ANSWER);
        assertTrue(oracle.isFinalized(id));
        assertEq(adapter.pending(id).account, address(0), "delivered once");
    }

    // ------------------------------------------------------------------ reverts

    function test_requestCallback_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(AIOracleAdapter.CallbackDataTooLarge.selector, 1025));
        adapter.requestCallback{value: 1 ether}(uint256(pid), "", address(this), 0, new bytes(1025));
        uint256 fee = adapter.feeFor(1000, 0);
        vm.expectRevert(abi.encodeWithSelector(AIOracleAdapter.FeeTooLow.selector, fee - 1, fee));
        adapter.requestCallback{value: fee - 1}(uint256(pid), "", address(this), 1000, "");
        vm.expectRevert(abi.encodeWithSelector(IOpMLOracle.UnknownProgram.selector, bytes32(uint256(7))));
        adapter.requestCallback{value: fee}(7, "", address(this), 1000, "");
    }

    function test_onInferenceResult_onlyOracleAndKnownRequests() public {
        vm.expectRevert(AIOracleAdapter.NotOracle.selector);
        adapter.onInferenceResult(1, "x");
        vm.prank(address(oracle));
        vm.expectRevert(abi.encodeWithSelector(AIOracleAdapter.UnknownRequest.selector, 1));
        adapter.onInferenceResult(1, "x");
    }

    function test_oraConsumer_rejectsOtherCallers() public {
        ExampleAIConsumer c = new ExampleAIConsumer(IAIOracle(address(adapter)));
        vm.expectRevert(abi.encodeWithSelector(ExampleAIConsumer.UnauthorizedCallbackSource.selector, address(this)));
        c.aiOracleCallback(1, "x", abi.encode(uint256(1), bytes("p")));
    }

    /// Issue 13 item 4: a stranger's request naming the consumer, with callback data copying
    /// the consumer's own, cannot overwrite its answers.
    function test_oraConsumer_ignoresStrangersRequests() public {
        ExampleAIConsumer c = new ExampleAIConsumer(IAIOracle(address(adapter)));
        uint256 modelId = uint256(pid);
        uint256 fee = adapter.estimateFee(modelId, c.CALLBACK_GAS());
        vm.prank(requester);
        uint256 mine = c.calculateAIResult{value: fee}(modelId, "p");
        _serve(mine, ANSWER);
        vm.prank(bob);
        uint256 forged = adapter.requestCallback{value: fee}(
            modelId, "p", address(c), c.CALLBACK_GAS(), abi.encode(modelId, bytes("p"))
        );
        vm.recordLogs();
        _serve(forged, "forged");
        assertEq(c.answers(modelId, "p"), ANSWER, "answer overwritten by a stranger's request");
        assertTrue(_failedLogged(forged), "the consumer refused it");
    }

    /// Issue 13 item 4, for a consumer of the oracle itself.
    function test_exampleConsumer_ignoresStrangersRequests() public {
        ExampleConsumer c = new ExampleConsumer(oracle, pid);
        uint256 fee = oracle.requestFee(c.CALLBACK_GAS());
        vm.prank(bob);
        uint256 id = oracle.requestInference{value: fee}(pid, "x", address(c), c.CALLBACK_GAS());
        submitAs(alice, id, "forged", "s");
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(oracle));
        emit IOpMLOracle.CallbackDelivered(id, address(this), false);
        oracle.finalize(id, "forged");
        assertFalse(c.answered(id), "accepted a result for a request it did not make");
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.NotMine.selector, 7));
        vm.prank(address(oracle));
        c.onInferenceResult(7, "x");
    }

    function test_exampleConsumer_endToEnd() public {
        ExampleConsumer c = new ExampleConsumer(oracle, pid);
        uint256 fee = oracle.requestFee(c.CALLBACK_GAS());
        vm.prank(requester);
        uint256 id = c.ask{value: fee}("hello");
        assertEq(c.askedBy(id), requester);
        _serve(id, ANSWER);
        assertTrue(c.answered(id));
        assertEq(c.outputs(id), ANSWER);
        vm.expectRevert(ExampleConsumer.NotOracle.selector);
        c.onInferenceResult(id, "forged");
    }

    // ------------------------------------------------------------------ refunds

    /// Issue 13 item 5: an ORA consumer's cancelled request is refunded to the account that
    /// sent the transaction (and paid), not to the consumer contract, which cannot withdraw.
    function test_oraConsumer_refundGoesToPayer() public {
        ExampleAIConsumer c = new ExampleAIConsumer(IAIOracle(address(adapter)));
        uint256 fee = adapter.estimateFee(uint256(pid), c.CALLBACK_GAS());
        vm.prank(requester, requester);
        uint256 id = c.calculateAIResult{value: fee}(uint256(pid), "p");
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(id);
        adapter.reclaim(id);
        assertEq(adapter.refunds(address(c)), 0);
        assertEq(adapter.refunds(requester), fee, "refund booked to a contract that cannot withdraw");
        uint256 before = requester.balance;
        vm.prank(requester);
        adapter.withdrawRefund(payable(requester));
        assertEq(requester.balance - before, fee);
    }

    function test_cancelledRequest_feeGoesBackToRefundAddress() public {
        uint256 fee = adapter.feeFor(1000, 0);
        vm.prank(requester, requester);
        uint256 a = adapter.requestCallback{value: fee}(uint256(pid), "a", carol, 1000, "");
        vm.prank(requester);
        uint256 b = adapter.requestCallback{value: fee + 5}(uint256(pid), "b", carol, 1000, "", carol);
        vm.expectRevert(abi.encodeWithSelector(AIOracleAdapter.NotCancelled.selector, a));
        adapter.reclaim(a);
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(a);
        oracle.cancelRequest(b);
        adapter.reclaim(a);
        adapter.reclaim(b);
        vm.expectRevert(abi.encodeWithSelector(AIOracleAdapter.UnknownRequest.selector, a));
        adapter.reclaim(a);
        assertEq(adapter.refunds(requester), fee);
        assertEq(adapter.refunds(carol), fee + 5);
        uint256 before = requester.balance;
        vm.prank(requester);
        adapter.withdrawRefund(payable(requester));
        assertEq(requester.balance - before, fee);
        before = carol.balance;
        vm.prank(carol);
        adapter.withdrawRefund(payable(carol));
        assertEq(carol.balance - before, fee + 5);
        assertEq(address(adapter).balance, 0);
        assertEq(address(oracle).balance, 0);
        vm.prank(carol);
        vm.expectRevert(AIOracleAdapter.NothingToWithdraw.selector);
        adapter.withdrawRefund(payable(carol));
        vm.expectRevert(AIOracleAdapter.NotOracle.selector);
        payable(address(adapter)).transfer(1);
    }

    /// A direct consumer forwards the refund of a cancelled request to whoever asked.
    function test_exampleConsumer_refundsAsker() public {
        ExampleConsumer c = new ExampleConsumer(oracle, pid);
        uint256 fee = oracle.requestFee(c.CALLBACK_GAS());
        vm.prank(carol);
        uint256 id = c.ask{value: fee}("x");
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.NotMine.selector, id));
        c.reclaim(id);
        vm.warp(block.timestamp + TIMEOUT);
        oracle.cancelRequest(id);
        uint256 before = carol.balance;
        c.reclaim(id);
        assertEq(carol.balance - before, fee);
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.NotMine.selector, id));
        c.reclaim(id);
        vm.expectRevert(ExampleConsumer.NotOracle.selector);
        payable(address(c)).transfer(1);
    }
}
