// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase} from "./ProtocolBase.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {ClassifyConsumer} from "../../src/protocol/examples/ClassifyConsumer.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {Vm} from "../utils/Vm.sol";

contract ClassifyConsumerTest is ProtocolBase {
    ClassifyConsumer internal consumer;
    bytes32 internal pid;

    /// `abi.encode(uint8(2), [int32(-5), 812345, 999999])` as the MiniLM guest writes it
    /// (`guests/minilm/src/io.rs`, test `abi_encoding_matches_solidity_golden`).
    bytes internal constant GOLDEN = hex"0000000000000000000000000000000000000000000000000000000000000002"
        hex"0000000000000000000000000000000000000000000000000000000000000040"
        hex"0000000000000000000000000000000000000000000000000000000000000003"
        hex"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb"
        hex"00000000000000000000000000000000000000000000000000000000000c6539"
        hex"00000000000000000000000000000000000000000000000000000000000f423f";

    function setUp() public {
        deploy(4);
        pid = register(20);
        consumer = new ClassifyConsumer(oracle, pid);
        vm.deal(requester, 10 ether);
    }

    function _labels() internal pure returns (string[] memory l) {
        l = new string[](3);
        l[0] = "weather";
        l[1] = "sports";
        l[2] = "finance";
    }

    function _ask() internal returns (uint256 id) {
        uint256 fee = oracle.requestFee(consumer.CALLBACK_GAS());
        vm.prank(requester);
        id = consumer.classify{value: fee}("the stock market fell", _labels());
    }

    function _serve(uint256 id, bytes memory out) internal {
        _unchallenged(id, out);
        oracle.finalize(id, out);
    }

    /// `out` submitted and its challenge window passed: `finalize` delivers it next.
    function _unchallenged(uint256 id, bytes memory out) internal {
        submitAs(alice, id, out, "s");
        vm.warp(block.timestamp + WINDOW);
    }

    function test_classify_sendsTheProgramsJsonInput() public {
        bytes memory input = '{"mode":"classify","texts":["the stock market fell","weather","sports","finance"]}';
        uint256 fee = oracle.requestFee(consumer.CALLBACK_GAS());
        // Topics checked (id, program, requester = the consumer); data: the input at its end.
        vm.recordLogs();
        vm.prank(requester);
        uint256 id = consumer.classify{value: fee}("the stock market fell", _labels());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool seen;
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].emitter != address(oracle) || logs[i].topics[0] != IOpMLOracle.InferenceRequested.selector) {
                continue;
            }
            assertEq(uint256(logs[i].topics[1]), id);
            assertEq(logs[i].topics[2], pid);
            assertEq(address(uint160(uint256(logs[i].topics[3]))), address(consumer));
            (address cb,,,, bytes memory sent) = abi.decode(logs[i].data, (address, uint64, uint256, bytes32, bytes));
            assertEq(cb, address(consumer));
            assertEq(sent, input);
            seen = true;
        }
        assertTrue(seen, "no InferenceRequested");
    }

    function test_classify_decodesTheGuestsEncoding() public {
        uint256 id = _ask();
        _serve(id, GOLDEN);
        (bool answered, bool readable, string memory best, int32[] memory scores) = consumer.classification(id);
        assertTrue(answered && readable);
        assertEq(best, "finance");
        assertEq(scores.length, 3);
        assertEq(scores[0], -5);
        assertEq(scores[1], 812_345);
        assertEq(scores[2], 999_999);
    }

    function test_classify_recordsAnUnreadableOutput() public {
        // One score for three labels, a best index out of range, and bytes that do not decode.
        int32[] memory one = new int32[](1);
        int32[] memory three = new int32[](3);
        bytes[3] memory outs = [abi.encode(uint8(0), one), abi.encode(uint8(3), three), bytes("not abi")];
        for (uint256 i = 0; i < outs.length; i++) {
            uint256 id = _ask();
            _unchallenged(id, outs[i]);
            vm.expectEmit(address(consumer));
            emit ClassifyConsumer.Unreadable(id, outs[i]);
            oracle.finalize(id, outs[i]);
            (bool answered, bool readable, string memory best,) = consumer.classification(id);
            assertTrue(answered, "arrived");
            assertFalse(readable, "not a classification");
            assertEq(best, "");
        }
    }

    function test_classify_refusesWhatItCannotEncode() public {
        uint256 fee = oracle.requestFee(consumer.CALLBACK_GAS());
        string[] memory none = new string[](0);
        vm.expectRevert(abi.encodeWithSelector(ClassifyConsumer.LabelCount.selector, 0));
        consumer.classify{value: fee}("q", none);
        string[] memory eight = new string[](8);
        vm.expectRevert(abi.encodeWithSelector(ClassifyConsumer.LabelCount.selector, 8));
        consumer.classify{value: fee}("q", eight);
        string[] memory l = _labels();
        l[1] = 'say "hi"';
        vm.expectRevert(abi.encodeWithSelector(ClassifyConsumer.UnsupportedText.selector, 2));
        consumer.classify{value: fee}("q", l);
        vm.expectRevert(abi.encodeWithSelector(ClassifyConsumer.UnsupportedText.selector, 0));
        consumer.classify{value: fee}("a\\b", _labels());
    }

    function test_classify_onlyTheOracleAndOnlyItsOwnRequests() public {
        uint256 id = _ask();
        vm.expectRevert(ClassifyConsumer.NotOracle.selector);
        consumer.onInferenceResult(id, GOLDEN);
        vm.prank(address(oracle));
        vm.expectRevert(abi.encodeWithSelector(ClassifyConsumer.NotMine.selector, id + 1));
        consumer.onInferenceResult(id + 1, GOLDEN);
        // A stranger's request naming the consumer as callback is not recorded.
        uint256 fee = oracle.requestFee(consumer.CALLBACK_GAS());
        vm.prank(bob);
        uint256 other = oracle.requestInference{value: fee}(pid, "x", address(consumer), consumer.CALLBACK_GAS());
        _serve(other, GOLDEN);
        vm.expectRevert(abi.encodeWithSelector(ClassifyConsumer.NotMine.selector, other));
        consumer.classification(other);
    }

    function test_classify_callbackFitsItsGas() public {
        string[] memory seven = new string[](7);
        int32[] memory scores = new int32[](7);
        for (uint256 i = 0; i < 7; i++) {
            seven[i] = "a label of some length";
            scores[i] = -999_999;
        }
        uint256 fee = oracle.requestFee(consumer.CALLBACK_GAS());
        vm.prank(requester);
        uint256 id = consumer.classify{value: fee}("a query", seven);
        bytes memory out = abi.encode(uint8(6), scores);
        _unchallenged(id, out);
        vm.expectEmit(address(oracle));
        emit IOpMLOracle.CallbackDelivered(id, address(this), true);
        oracle.finalize(id, out);
        (, bool readable, string memory best,) = consumer.classification(id);
        assertTrue(readable);
        assertEq(best, "a label of some length");
    }
}
