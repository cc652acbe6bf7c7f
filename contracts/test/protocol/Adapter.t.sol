// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase} from "./ProtocolBase.sol";
import {AIOracleAdapter} from "../../src/protocol/AIOracleAdapter.sol";
import {ExampleAIConsumer} from "../../src/protocol/examples/ExampleAIConsumer.sol";
import {ExampleConsumer} from "../../src/protocol/examples/ExampleConsumer.sol";
import {IAIOracle, IAICallbackReceiver} from "../../src/interfaces/IAIOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";

contract GasMeter is IAICallbackReceiver {
    uint256 public seen;
    bytes public data;

    function aiOracleCallback(uint256, bytes calldata, bytes calldata callbackData) external {
        seen = gasleft();
        data = callbackData;
    }
}

/// ORA-shaped adapter and the example consumers, end to end over the oracle.
contract AdapterTest is ProtocolBase {
    AIOracleAdapter internal adapter;
    bytes32 internal pid;
    bytes internal constant ANSWER = "a cat, probably";

    function setUp() public {
        deploy(4);
        adapter = new AIOracleAdapter(oracle);
        pid = register(20);
    }

    function _submitAndFinalize(uint256 id, bytes memory out) internal {
        vm.prank(alice);
        oracle.submitResult{value: RESULT_BOND}(id, out, haltedState(out, "s"));
        vm.warp(block.timestamp + WINDOW);
        oracle.finalize(id, out);
    }

    function test_oraConsumer_worksUnchanged() public {
        ExampleAIConsumer c = new ExampleAIConsumer(IAIOracle(address(adapter)));
        uint256 modelId = uint256(pid);
        uint256 fee = adapter.estimateFee(modelId, c.CALLBACK_GAS());
        vm.prank(requester);
        uint256 id = c.calculateAIResult{value: fee}(modelId, "what is this?");
        assertFalse(adapter.isFinalized(id));
        assertEq(oracle.request(id).programId, pid);
        assertEq(oracle.request(id).callback, address(adapter));
        vm.prank(alice);
        oracle.submitResult{value: RESULT_BOND}(id, ANSWER, haltedState(ANSWER, "s"));
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(adapter));
        emit IAIOracle.AICallbackResult(address(c), id, address(oracle), ANSWER);
        oracle.finalize(id, ANSWER);
        assertTrue(adapter.isFinalized(id));
        assertEq(c.answers(modelId, "what is this?"), ANSWER);
    }

    function test_estimateFee_coversOverheadAnd63rd() public view {
        uint64 g = 300_000;
        assertEq(adapter.estimateFee(0, g), oracle.requestFee(g + g / 63 + adapter.OVERHEAD()));
        assertEq(adapter.estimateFee(0, uint256(type(uint32).max) + 1), type(uint256).max);
    }

    function test_callbackGetsItsFullGasWithLargestData() public {
        GasMeter m = new GasMeter();
        uint64 g = 200_000;
        bytes memory data = new bytes(adapter.MAX_CALLBACK_DATA());
        data[1023] = 0x01;
        uint256 fee = adapter.estimateFee(0, g);
        vm.prank(requester);
        uint256 id = adapter.requestCallback{value: fee}(uint256(pid), "in", address(m), g, data);
        _submitAndFinalize(id, ANSWER);
        assertGe(m.seen(), g - 5000, "consumer starved");
        assertEq(m.data(), data);
    }

    function test_requestCallback_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(AIOracleAdapter.CallbackDataTooLarge.selector, 1025));
        adapter.requestCallback{value: 1 ether}(uint256(pid), "", address(this), 0, new bytes(1025));
        uint256 fee = adapter.estimateFee(0, 1000);
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

    function test_cancelledRequest_feeGoesBackToPayer() public {
        uint256 fee = adapter.estimateFee(0, 1000);
        vm.prank(requester);
        uint256 a = adapter.requestCallback{value: fee}(uint256(pid), "a", carol, 1000, "");
        vm.prank(carol);
        uint256 b = adapter.requestCallback{value: fee + 5}(uint256(pid), "b", carol, 1000, "");
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

    function test_exampleConsumer_endToEnd() public {
        ExampleConsumer c = new ExampleConsumer(oracle, pid);
        uint256 fee = oracle.requestFee(c.CALLBACK_GAS());
        vm.prank(requester);
        uint256 id = c.ask{value: fee}("hello");
        _submitAndFinalize(id, ANSWER);
        assertTrue(c.answered(id));
        assertEq(c.outputs(id), ANSWER);
        vm.expectRevert(ExampleConsumer.NotOracle.selector);
        c.onInferenceResult(id, "forged");
    }
}
