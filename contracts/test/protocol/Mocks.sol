// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {IOpMLConsumer} from "../../src/interfaces/IOpMLConsumer.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";

contract RecordingConsumer is IOpMLConsumer {
    uint256 public calls;
    uint256 public lastId;
    bytes public lastOutput;
    uint256 public gasSeen;

    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        gasSeen = gasleft();
        calls++;
        lastId = requestId;
        lastOutput = output;
    }
}

/// Reverts with a huge reason: a return-data bomb.
contract RevertingConsumer is IOpMLConsumer {
    function onInferenceResult(uint256, bytes calldata) external pure {
        assembly {
            revert(0, 200000)
        }
    }
}

/// Burns all the gas it gets.
contract GasGuzzler is IOpMLConsumer {
    function onInferenceResult(uint256, bytes calldata) external pure {
        while (true) {}
    }
}

/// Re-enters the oracle from its callback and records what happened.
contract ReentrantConsumer is IOpMLConsumer {
    IOpMLOracle public oracle;
    bool public finalizeAgainFailed;
    bool public deliverAgainFailed;
    bool public withdrawFailed;
    bool public cancelFailed;

    constructor(IOpMLOracle o) {
        oracle = o;
    }

    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        try oracle.finalize(requestId, output) {}
        catch {
            finalizeAgainFailed = true;
        }
        try oracle.deliver(requestId, output) {}
        catch {
            deliverAgainFailed = true;
        }
        try oracle.withdraw(payable(address(this))) {}
        catch {
            withdrawFailed = true;
        }
        try oracle.cancelRequest(requestId) {}
        catch {
            cancelFailed = true;
        }
    }

    receive() external payable {}
}

/// Re-enters `withdraw` from its receive hook.
contract ReentrantReceiver {
    IOpMLOracle public oracle;
    uint256 public received;
    bool public reentryFailed;

    constructor(IOpMLOracle o) {
        oracle = o;
    }

    function pull() external {
        oracle.withdraw(payable(address(this)));
    }

    receive() external payable {
        received += msg.value;
        try oracle.withdraw(payable(address(this))) {}
        catch {
            reentryFailed = true;
        }
    }
}

contract RejectingReceiver {
    receive() external payable {
        revert("no");
    }
}
