// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Trace} from "./ProtocolBase.sol";
import {SegTrace, TwoPhaseBase} from "./TwoPhaseBase.sol";
import {ProgramFields} from "../../src/lib/MachineState.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {console} from "../utils/console.sol";
import {RecordingConsumer} from "./Mocks.sol";

/// Prints gas per move and per whole game for D = 20, 32, 48 with k = 16, and for a two-phase
/// game of D = 48 = 16 + 32 (run through
/// `scripts/protocol-gas.sh`, which passes `--isolate` so every call is its own transaction
/// with cold storage). "tx" adds the 21000 base and the calldata cost (4/16 per zero/non-zero
/// byte) to the measured execution gas. The step proof runs the toy verifier; the real
/// `StepVerifier`'s cost per opcode comes on top.
contract ProtocolGasTest is TwoPhaseBase {
    struct Stats {
        uint256 requestTx;
        uint256 commitTx;
        uint256 revealTx;
        uint256 settleTx;
        uint256 challengeTx;
        uint256 rounds;
        uint256 bisects;
        uint256 bisectSum;
        uint256 bisectMax;
        uint256 stepTx;
        uint256 gameTx;
        uint256 gameExec;
        bool honestSubmits;
        uint256 openTx;
        uint256 phase1;
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
        console.log("happy path (one result, no challenge)");
        _happyPath();
        _report(20);
        _report(32);
        _report(48);
        _reportTwoPhase(16, 32);
    }

    /// A lying submitter against an honest challenger in a game of `2^d1` segments of `2^d2`
    /// steps: with `d1 = 16`, `k = 16` the challenger opens the segment (move 5) and proves the
    /// step (move 13). The liar bisects the first sub-range, wrong only at its end.
    function _reportTwoPhase(uint8 d1, uint8 d2) internal {
        deploy(4);
        (bytes32 pid, ProgramFields memory f) = registerSegmented(d1 + d2, d2, "gas");
        bytes memory input = new bytes(1024);
        uint256 req = newRequest(pid, input);
        SegTrace t = segTrace(req, f, input, lengths(40, 6, 1), "the true output");
        Stats memory st;
        uint256 rid = _submit(st, req, "a wrong output");
        bytes32[] memory h = segBisection(t, true, 0, 0, d1);
        (st.gameExec, st.challengeTx) = _send(alice, CHALLENGE_BOND, abi.encodeCall(IOpMLOracle.challenge, (rid, h)));
        st.gameTx = st.challengeTx;
        st.rounds = 1;
        uint256 gid = oracle.gameCount();
        lastHashes[gid] = h;
        while (oracle.game(gid).status == IOpMLOracle.GameStatus.Active) {
            _moveTwoPhase(gid, t, st);
        }
        require(oracle.game(gid).status == IOpMLOracle.GameStatus.ChallengerWon, "honest lost");
        console.log("two phases: D1, D2 =", d1, d2);
        console.log("  (lying submitter vs honest challenger: the challenger opens the segment and proves the step)");
        console.log("  phase-1 moves (incl. the opening challenge), transition, phase-2 moves after it, step:");
        console.log("   ", st.phase1, 1, st.rounds - st.phase1 - 1);
        console.log("  challenge (opening move) tx gas:", st.challengeTx);
        console.log("  openSegment (transition + first phase-2 bisection) tx gas:", st.openTx);
        console.log("  bisect tx gas avg / max:", st.bisectSum / (st.bisects == 0 ? 1 : st.bisects), st.bisectMax);
        console.log("  proveStep tx gas (toy verifier):", st.stepTx);
        console.log("  whole game tx gas / exec gas:", st.gameTx, st.gameExec);
    }

    function _moveTwoPhase(uint256 gid, SegTrace t, Stats memory st) internal {
        IOpMLOracle.Game memory g = oracle.game(gid);
        (, uint256 subLog) = split(g.lenLog);
        bool honest = g.challengerTurn;
        uint256 j = honest ? firstWrong(gid, t) : 0;
        IOpMLOracle.Selection memory s = selection(gid, j);
        uint256 e;
        uint256 x;
        bytes32[] memory h;
        if (g.phase == 1 && subLog == 0) {
            require(honest, "liar to open");
            h = segBisection(t, false, g.start + j, 0, g.segmentDepth);
            bytes memory b = t.packed(g.start + j);
            (e, x) = _send(alice, 0, abi.encodeCall(IOpMLOracle.openSegment, (gid, s, b, h)));
            st.openTx = x;
            st.phase1 = st.rounds;
            lastHashes[gid] = h;
            st.rounds++;
        } else if (subLog == 0) {
            require(honest, "liar to prove");
            (e, x) = _send(alice, 0, abi.encodeCall(IOpMLOracle.proveStep, (gid, s, abi.encodePacked(s.agreed))));
            st.stepTx = x;
        } else {
            h = segBisection(t, g.phase == 1, g.segment, g.start + (j << subLog), subLog);
            if (!honest) h[h.length - 1] = keccak256(abi.encode("liar", st.rounds));
            (e, x) = _send(honest ? alice : bob, due(gid), abi.encodeCall(IOpMLOracle.bisect, (gid, s, h)));
            lastHashes[gid] = h;
            st.rounds++;
            st.bisects++;
            st.bisectSum += x;
            if (x > st.bisectMax) st.bisectMax = x;
        }
        st.gameExec += e;
        st.gameTx += x;
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
        console.log("  commitResult tx gas:", st.commitTx);
        console.log("  revealResult tx gas:", st.revealTx);
        console.log("  challenge (opening move) tx gas:", st.challengeTx);
        console.log("  bisect tx gas avg / max:", st.bisectSum / (st.bisects == 0 ? 1 : st.bisects), st.bisectMax);
        console.log("  proveStep tx gas (toy verifier):", st.stepTx);
        console.log("  whole game tx gas / exec gas:", st.gameTx, st.gameExec);
        if (st.honestSubmits) console.log("  finalize after the game (no callback) tx gas:", st.settleTx);
        else console.log("  (the result is rejected; its request reopens)");
    }

    /// The happy path of a request with a callback: one result, no game; the callback (a
    /// 50,000-gas limit, here storing the 64-byte output) delivered with the result's
    /// release (`finalize`) or after it (`settle`, then `deliver`).
    function _happyPath() internal {
        deploy(4);
        bytes32 pid = register(32);
        RecordingConsumer c = new RecordingConsumer();
        bytes memory out = new bytes(64);
        uint256 req;
        uint256 tx1;
        uint256 tx2;
        for (uint256 split2 = 0; split2 < 2; split2++) {
            uint256 fee = oracle.requestFee(200_000);
            (, tx1) = _send(
                requester, fee, abi.encodeCall(IOpMLOracle.requestInference, (pid, "in", address(c), uint64(200_000)))
            );
            req = oracle.requestCount();
            if (split2 == 0) console.log("  requestInference (2-byte input, callback) tx gas:", tx1);
            bytes memory fs = haltedState(out, "s");
            bytes32 cm = oracle.commitmentHash(req, alice, stateHash(fs));
            (, tx1) = _send(alice, RESULT_BOND, abi.encodeCall(IOpMLOracle.commitResult, (req, cm)));
            uint256 rid = oracle.resultCount();
            (, tx2) = _send(alice, 0, abi.encodeCall(IOpMLOracle.revealResult, (rid, out, fs)));
            if (split2 == 0) console.log("  commitResult / revealResult (64-byte output) tx gas:", tx1, tx2);
            vm.warp(block.timestamp + WINDOW);
            if (split2 == 0) {
                (, tx1) = _send(alice, 0, abi.encodeCall(IOpMLOracle.finalize, (req, out)));
                console.log("  finalize (settle + deliver) tx gas:", tx1);
            } else {
                (, tx1) = _send(alice, 0, abi.encodeCall(IOpMLOracle.settle, (req)));
                (, tx2) = _send(carol, 0, abi.encodeCall(IOpMLOracle.deliver, (req, out)));
                console.log("  settle / deliver tx gas:", tx1, tx2);
            }
        }
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
        uint256 rid = _submit(st, req, st.honestSubmits ? truth : bytes("a wrong output"));
        bytes32[] memory h = st.honestSubmits ? wrongBisection(t, 0, depth, 15, "liar") : bisection(t, 0, depth);
        (st.gameExec, st.challengeTx) =
            _send(st.honestSubmits ? bob : alice, CHALLENGE_BOND, abi.encodeCall(IOpMLOracle.challenge, (rid, h)));
        st.gameTx = st.challengeTx;
        st.rounds = 1;
        gid = oracle.gameCount();
        lastHashes[gid] = h;
    }

    function _submit(Stats memory st, uint256 req, bytes memory out) internal returns (uint256 rid) {
        bytes32 salt = "lie";
        if (st.honestSubmits) salt = "true";
        bytes memory fs = haltedState(out, salt);
        address submitter = st.honestSubmits ? alice : bob;
        bytes32 cm = oracle.commitmentHash(req, submitter, stateHash(fs));
        (, st.commitTx) = _send(submitter, RESULT_BOND, abi.encodeCall(IOpMLOracle.commitResult, (req, cm)));
        rid = oracle.resultCount();
        (, st.revealTx) = _send(submitter, 0, abi.encodeCall(IOpMLOracle.revealResult, (rid, out, fs)));
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
        uint256 value = due(gid); // the submitter's match, with its first move
        if (subLog == 0) {
            require(mover == alice, "liar to prove");
            (e, x) = _send(alice, value, abi.encodeCall(IOpMLOracle.proveStep, (gid, s, abi.encodePacked(s.agreed))));
            st.stepTx = x;
            if (st.honestSubmits) {
                vm.warp(block.timestamp + WINDOW);
                (, st.settleTx) = _send(alice, 0, abi.encodeCall(IOpMLOracle.finalize, (oracle.requestCount(), "")));
            }
        } else {
            uint256 start = g.start + (j << subLog);
            bytes32[] memory h =
                mover == alice ? bisection(t, start, subLog) : wrongBisection(t, start, subLog, 15, "liar");
            (e, x) = _send(mover, value, abi.encodeCall(IOpMLOracle.bisect, (gid, s, h)));
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
