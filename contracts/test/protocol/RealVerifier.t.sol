// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase, Trace} from "./ProtocolBase.sol";
import {OpMLOracle} from "../../src/protocol/OpMLOracle.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {IStepVerifier} from "../../src/interfaces/IStepVerifier.sol";
import {ToyVerifier} from "./ToyVerifier.sol";
import {Deploy} from "../../script/Deploy.s.sol";
import {ProgramFields} from "../../src/lib/MachineState.sol";
import {Consensus} from "../../src/lib/Consensus.sol";

/// A whole game decided by the real `StepVerifier`: a program that traps at instantiation has
/// the constant trace `S_0, S_0, …` (a trapped state steps to itself), so no halted claim can
/// be true. With D = 16 and k = 16 the challenger makes the last step move: the honest
/// challenger wins by an (empty) step proof that the real verifier accepts.
contract RealVerifierGameTest is ProtocolBase {
    function test_trappedProgram_liarLosesToRealVerifier() public {
        IStepVerifier real = IStepVerifier(address(new Deploy().deployVerifier()));
        toy = new ToyVerifier(); // only for the Trace helper's bookkeeping
        oracle = new OpMLOracle(config(real, 4));
        assertEq(oracle.machineVersion(), Consensus.MACHINE_VERSION, "the oracle reports its verifier's machine");
        vm.deal(requester, 10 ether);
        vm.deal(alice, 10 ether);
        vm.deal(bob, 10 ether);

        ProgramFields memory f = fields("trapped");
        f.status = 2;
        f.trapCode = 2; // an active segment out of bounds
        bytes32 pid = oracle.registerProgram(f, 16, "ipfs://trapped");
        uint256 req = newRequest(pid, "any input");
        bytes32 s0 = oracle.request(req).startState;
        assertEq(uint8(s0[0]), 2, "S_0 is trapped");
        Trace t = new Trace(toy, s0, 1, s0); // constant trace

        uint256 rid = submitAs(bob, req, "made up", "lie");
        uint256 gid = challengeAs(alice, rid, bisection(t, 0, 16));
        for (uint256 i = 0; i < 8 && oracle.game(gid).status == IOpMLOracle.GameStatus.Active; i++) {
            IOpMLOracle.Game memory g = oracle.game(gid);
            if (g.challengerTurn) {
                honestMove(alice, gid, t);
            } else {
                (, uint256 subLog) = split(g.lenLog);
                IOpMLOracle.Selection memory s = selection(gid, 0);
                if (subLog == 0) {
                    uint256 value = due(gid);
                    vm.prank(bob);
                    vm.expectRevert(IOpMLOracle.StepAgrees.selector);
                    oracle.proveStep{value: value}(gid, s, "");
                    break;
                }
                bisectAs(bob, gid, s, wrongBisection(t, g.start, subLog, 0, "lie"));
            }
        }
        assertEq(uint8(oracle.game(gid).status), uint8(IOpMLOracle.GameStatus.ChallengerWon));
        assertEq(uint8(oracle.result(rid).status), uint8(IOpMLOracle.ResultStatus.Rejected));
        assertEq(oracle.request(req).resultId, 0);
    }
}
