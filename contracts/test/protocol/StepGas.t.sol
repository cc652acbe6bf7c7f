// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {VerifierFixture, VmJson} from "../verifier/Golden.t.sol";
import {console} from "../utils/console.sol";

/// `g_verify` of `docs/protocol.md` §5.4: the gas of the real `StepVerifier` over every golden
/// step (one per opcode and more), each call its own transaction under `--isolate` (run by
/// `scripts/protocol-gas.sh`); prints the largest per group and overall.
contract StepGasTest is VerifierFixture {
    VmJson internal constant vmj = VmJson(address(uint160(uint256(keccak256("hevm cheat code")))));
    string[9] internal GROUPS = ["control", "memory", "bulk", "i32", "i64", "f32", "f64", "float_conv", "crafted"];

    function setUp() public {
        _deployVerifier();
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i = 0; i < data.length; i++) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    /// Whether forge runs each call as its own transaction (`--isolate`), as in `ProtocolGas`.
    function _isolated() internal returns (bool) {
        uint256 g0 = gasleft();
        (bool ok,) = address(0xdead).call("");
        require(ok, "probe");
        return g0 - gasleft() > 21_000;
    }

    /// The transaction gas of one `step` call (execution, 21000 and calldata).
    function _measure(bytes32 pre, bytes memory proof, bool iso) internal returns (uint256 txGas) {
        bytes memory data = abi.encodeCall(verifier.step, (pre, proof));
        uint256 g0 = gasleft();
        (bool ok,) = address(verifier).call(data);
        uint256 used = g0 - gasleft();
        require(ok, "golden step reverted");
        txGas = iso ? used : used + 21_000 + _calldataGas(data);
    }

    function test_gas_report_largestStep() public {
        uint256 worst;
        string memory worstName;
        uint256 worstProof;
        uint256 steps;
        bool iso = _isolated();
        console.log("the real StepVerifier over the golden steps (g_verify of docs/protocol.md 5.4)");
        console.log(iso ? "  each step isolated (--isolate): cold, as a transaction" : "  NOT isolated: warm, too low");
        for (uint256 k = 0; k < GROUPS.length; k++) {
            string memory json = vmj.readFile(string.concat("test/golden/", GROUPS[k], ".json"));
            string[] memory names = vmj.parseJsonStringArray(json, ".names");
            bytes32[] memory pre = vmj.parseJsonBytes32Array(json, ".pre");
            bytes[] memory proof = vmj.parseJsonBytesArray(json, ".proof");
            uint256 groupMax;
            for (uint256 i = 0; i < names.length; i++) {
                uint256 g = _measure(pre[i], proof[i], iso);
                steps++;
                if (g > groupMax) groupMax = g;
                if (g > worst) {
                    worst = g;
                    worstName = names[i];
                    worstProof = proof[i].length;
                }
            }
            console.log(string.concat("  StepVerifier.step, largest tx gas in ", GROUPS[k], ":"), groupMax);
        }
        console.log("  golden steps measured:", steps);
        console.log(string.concat("  largest step overall (g_verify, tx gas): ", worstName), worst);
        console.log("  its proof bytes:", worstProof);
        // Every golden file was read, and the bond bound of docs/protocol.md 5.4 (g_verify =
        // 129,315) still holds: a verifier change that costs more must update that section.
        assertGt(steps, 280, "golden steps measured");
        assertLe(worst, 129_315, "g_verify above docs/protocol.md 5.4: update the bond bound there");
    }
}
