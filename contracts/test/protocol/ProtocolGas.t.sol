// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {console} from "../utils/console.sol";

/// Prints gas per move and per whole game for D = 20, 32, 48 with k = 16 (run through
/// `scripts/protocol-gas.sh`, which passes `--isolate` so every call is its own transaction
/// with cold storage). "tx" adds the 21000 base and the calldata cost (4/16 per zero/non-zero
/// byte) to the measured execution gas. The step proof runs the toy verifier; the real
/// `StepVerifier`'s cost per opcode comes on top.
contract ProtocolGasTest is ProtocolBase {
    struct Stats {
        uint256 requestTx;
        uint256 submitTx;
        uint256 challengeTx;
        uint256 rounds;
        uint256 bisects;
        uint256 bisectSum;
        uint256 bisectMax;
        uint256 stepTx;
        uint256 gameTx;
        uint256 gameExec;
        bool honestSubmits;
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i = 0; i < data.length; i++) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    /// Whether forge runs each call as its own transaction (`--isolate`): then a call's gas
    /// as seen from here already includes the 21000 base and the calldata.
    function _isolated() internal returns (bool) {
        uint256 g0 = gasleft();
        (bool ok,) = address(0xdead).call("");
        require(ok, "probe");
        return g0 - gasleft() > 21_000;
    }

    function _send(address from, uint256 value, bytes memory data) internal returns (uint256 exec, uint256 txGas) {
        bool iso = _isolated();
        vm.prank(from);
        uint256 g0 = gasleft();
        (bool ok,) = address(oracle).call{value: value}(data);
        uint256 used = g0 - gasleft();
        require(ok, "call failed");
        uint256 intrinsic = 21_000 + _calldataGas(data);
        exec = iso ? used - intrinsic : used;
        txGas = exec + intrinsic;
    }

    function test_gas_report() public {
        console.log("opml protocol gas (k = 16; exec = measured execution, tx = exec + 21000 + calldata)");
        console.log(
            _isolated()
                ? "each call isolated (--isolate): cold storage, as in real transactions"
                : "NOT isolated: storage stays warm, figures too low; run with --isolate"
        );
        _report(20);
        _report(32);
        _report(48);
    }

    function _report(uint8 depth) internal {
        Stats memory st;
        (Trace t, uint256 gid) = _open(depth, st);
        while (oracle.game(gid).status == IOpMLOracle.GameStatus.Active) {
            _move(gid, t, st);
        }
        IOpMLOracle.GameStatus won = oracle.game(gid).status;
        require(
            won == (st.honestSubmits ? IOpMLOracle.GameStatus.SubmitterWon : IOpMLOracle.GameStatus.ChallengerWon),
            "honest lost"
        );
        console.log("D =", depth);
        console.log(
            st.honestSubmits
                ? "  (honest submitter vs lying challenger: the submitter proves the step)"
                : "  (lying submitter vs honest challenger: the challenger proves the step)"
        );
        console.log("  rounds (bisection moves incl. the opening challenge) + final step:", st.rounds, 1);
        console.log("  requestInference (1 KiB input) tx gas:", st.requestTx);
        console.log("  submitResult tx gas:", st.submitTx);
        console.log("  challenge (opening move) tx gas:", st.challengeTx);
        console.log("  bisect tx gas avg / max:", st.bisectSum / (st.bisects == 0 ? 1 : st.bisects), st.bisectMax);
        console.log("  proveStep tx gas (toy verifier):", st.stepTx);
        console.log("  whole game tx gas / exec gas:", st.gameTx, st.gameExec);
    }

    /// Request, a wrong result by bob, alice's challenge (the opening move).
    function _open(uint8 depth, Stats memory st) internal returns (Trace t, uint256 gid) {
        deploy(4);
        bytes32 pid = register(depth);
        bytes memory input = new bytes(1024);
        for (uint256 i = 0; i < input.length; i++) {
            // casting to 'uint8' is safe because 0x41 + i % 26 < 256
            // forge-lint: disable-next-line(unsafe-typecast)
            input[i] = bytes1(uint8(0x41 + i % 26));
        }
        (, st.requestTx) = _send(
            requester, BASE_FEE, abi.encodeCall(IOpMLOracle.requestInference, (pid, input, address(0), uint64(0)))
        );
        uint256 req = oracle.requestCount();
        bytes memory truth = "the true output";
        t = trueTrace(req, 1000, truth);
        // The side after the last bisection proves the step; make it the honest one, so the
        // game runs to the step proof: with B bisections, odd B means the submitter.
        st.honestSubmits = ((depth + 3) / 4) % 2 == 1;
        bytes memory out = st.honestSubmits ? truth : bytes("a wrong output");
        bytes32 salt = "lie";
        if (st.honestSubmits) salt = "true";
        bytes memory fs = haltedState(out, salt);
        (, st.submitTx) = _send(
            st.honestSubmits ? alice : bob, RESULT_BOND, abi.encodeCall(IOpMLOracle.submitResult, (req, out, fs))
        );
        uint256 rid = oracle.resultCount();
        bytes32[] memory h = st.honestSubmits ? wrongBisection(t, 0, depth, 15, "liar") : bisection(t, 0, depth);
        (st.gameExec, st.challengeTx) =
            _send(st.honestSubmits ? bob : alice, CHALLENGE_BOND, abi.encodeCall(IOpMLOracle.challenge, (rid, h)));
        st.gameTx = st.challengeTx;
        st.rounds = 1;
        gid = oracle.gameCount();
        lastHashes[gid] = h;
    }

    /// One move: alice (honest) bisects the first wrong sub-range or proves its step; bob
    /// bisects the first sub-range, wrong only at its end (the longest a liar can last).
    function _move(uint256 gid, Trace t, Stats memory st) internal {
        IOpMLOracle.Game memory g = oracle.game(gid);
        (, uint256 subLog) = split(g.lenLog);
        address mover = g.challengerTurn == st.honestSubmits ? bob : alice;
        uint256 j = mover == alice ? firstDisagreement(gid, t) : 0;
        IOpMLOracle.Selection memory s = selection(gid, j);
        uint256 e;
        uint256 x;
        if (subLog == 0) {
            require(mover == alice, "liar to prove");
            (e, x) = _send(alice, 0, abi.encodeCall(IOpMLOracle.proveStep, (gid, s, abi.encodePacked(s.agreed))));
            st.stepTx = x;
        } else {
            uint256 start = g.start + (j << subLog);
            bytes32[] memory h =
                mover == alice ? bisection(t, start, subLog) : wrongBisection(t, start, subLog, 15, "liar");
            (e, x) = _send(mover, 0, abi.encodeCall(IOpMLOracle.bisect, (gid, s, h)));
            lastHashes[gid] = h;
            st.rounds++;
            st.bisects++;
            st.bisectSum += x;
            if (x > st.bisectMax) st.bisectMax = x;
        }
        st.gameExec += e;
        st.gameTx += x;
    }
}
