// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {IStepVerifier} from "../../src/interfaces/IStepVerifier.sol";
import {StepVerifier} from "../../src/verifier/StepVerifier.sol";
import {ControlStep} from "../../src/verifier/ControlStep.sol";
import {Consensus} from "../../src/lib/Consensus.sol";
import {Opcodes} from "../../src/lib/Opcodes.sol";
import {Deploy} from "../../script/Deploy.s.sol";

/// The JSON cheatcodes the golden files need (same cheatcode address as `Test.vm`).
interface VmJson {
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonBytes32Array(string calldata json, string calldata key) external pure returns (bytes32[] memory);
    function parseJsonBytesArray(string calldata json, string calldata key) external pure returns (bytes[] memory);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function parseJsonStringArray(string calldata json, string calldata key) external pure returns (string[] memory);
}

/// Deploys the full step verifier (dispatcher + eight groups), as the deploy script does.
abstract contract VerifierFixture is Test {
    StepVerifier internal verifier;

    function _deployVerifier() internal {
        verifier = new Deploy().deployVerifier();
    }
}

/// Golden `{pre, proof, post}` vectors made by the Rust prover (`cargo run -p opml-stepcheck
/// --bin gen-vectors`), replayed against the compiled verifier; every opcode must have one.
contract GoldenTest is VerifierFixture {
    VmJson internal constant vmj = VmJson(address(uint160(uint256(keccak256("hevm cheat code")))));
    string[8] internal GROUPS = ["control", "memory", "bulk", "i32", "i64", "f32", "f64", "float_conv"];

    function setUp() public {
        _deployVerifier();
    }

    function _json(string memory group) internal view returns (string memory) {
        return vmj.readFile(string.concat("test/golden/", group, ".json"));
    }

    function _replay(string memory group) internal view {
        string memory json = _json(group);
        string[] memory names = vmj.parseJsonStringArray(json, ".names");
        bytes32[] memory pre = vmj.parseJsonBytes32Array(json, ".pre");
        bytes[] memory proof = vmj.parseJsonBytesArray(json, ".proof");
        bytes32[] memory post = vmj.parseJsonBytes32Array(json, ".post");
        assertGt(names.length, 0);
        assertEq(pre.length, names.length);
        assertEq(proof.length, names.length);
        assertEq(post.length, names.length);
        for (uint256 i = 0; i < names.length; i++) {
            assertEq(verifier.step(pre[i], proof[i]), post[i], names[i]);
        }
    }

    function test_golden_control() public view {
        _replay("control");
    }

    function test_golden_memory() public view {
        _replay("memory");
    }

    function test_golden_bulk() public view {
        _replay("bulk");
    }

    function test_golden_i32() public view {
        _replay("i32");
    }

    function test_golden_i64() public view {
        _replay("i64");
    }

    function test_golden_f32() public view {
        _replay("f32");
    }

    function test_golden_f64() public view {
        _replay("f64");
    }

    function test_golden_floatConv() public view {
        _replay("float_conv");
    }

    /// Crafted code (`docs/machine.md` §5.6): the vectors `opml_vm::crafted` makes, whose every
    /// step the Rust machine and `verify_step` agree on, give the same post-states here.
    function test_golden_crafted() public view {
        _replay("crafted");
    }

    function test_machineVersion() public view {
        assertEq(verifier.machineVersion(), 2);
        assertEq(verifier.control().machineVersion(), Consensus.MACHINE_VERSION);
    }

    /// Every group address must hold code (`docs/proof.md`).
    function test_groupWithoutCodeIsRejected() public {
        IStepVerifier[8] memory g;
        for (uint256 i = 0; i < 8; i++) {
            g[i] = IStepVerifier(address(new ControlStep()));
        }
        g[5] = IStepVerifier(address(0xbeef));
        vm.expectRevert(abi.encodeWithSelector(IStepVerifier.GroupWithoutCode.selector, address(0xbeef)));
        new StepVerifier(g);
    }

    /// A group that returns more or less than one word is refused.
    function test_groupReturningOtherThanOneWordIsRejected() public {
        IStepVerifier[8] memory g;
        ShortReturn short = new ShortReturn();
        for (uint256 i = 0; i < 8; i++) {
            g[i] = IStepVerifier(address(short));
        }
        StepVerifier v = new StepVerifier(g);
        bytes memory proof = new bytes(Consensus.STATE_PACKED_LEN);
        vm.expectRevert(abi.encodeWithSelector(IStepVerifier.BadGroupReturn.selector, 31));
        v.step(bytes32(0), proof);
    }

    /// Fails naming the first opcode (by number) that has no vector.
    function test_golden_everyOpcodeHasAVector() public view {
        uint256 seen;
        for (uint256 g = 0; g < GROUPS.length; g++) {
            uint256[] memory ops = vmj.parseJsonUintArray(_json(GROUPS[g]), ".ops");
            for (uint256 i = 0; i < ops.length; i++) {
                seen |= 2 ** ops[i];
            }
        }
        for (uint256 op = 0; op < 256; op++) {
            if (Opcodes.isValid(op)) {
                assertTrue((seen >> op) & 1 == 1, string.concat("no golden vector for opcode ", vm.toString(op)));
            }
        }
    }

    /// A vector's post-state from a tampered proof: reverts or differs, never the honest one.
    function test_golden_tamperedProofsNeverGiveTheHonestPost() public view {
        string memory json = _json("memory");
        bytes32[] memory pre = vmj.parseJsonBytes32Array(json, ".pre");
        bytes[] memory proof = vmj.parseJsonBytesArray(json, ".proof");
        bytes32[] memory post = vmj.parseJsonBytes32Array(json, ".post");
        bytes memory p = proof[0];
        for (uint256 i = 0; i < p.length; i += 7) {
            p[i] ^= 0x01;
            try verifier.step(pre[0], p) returns (bytes32 got) {
                assertNotEq(got, post[0]);
            } catch {}
            p[i] ^= 0x01;
        }
    }

    /// Fuzzed: one altered byte of any vector of any group never yields that vector's post-state.
    function testFuzz_golden_alteredByte(uint256 groupSeed, uint256 vecSeed, uint256 pos, uint8 mask) public view {
        vm.assume(mask != 0);
        string memory json = _json(GROUPS[groupSeed % GROUPS.length]);
        bytes32[] memory pre = vmj.parseJsonBytes32Array(json, ".pre");
        bytes[] memory proof = vmj.parseJsonBytesArray(json, ".proof");
        bytes32[] memory post = vmj.parseJsonBytes32Array(json, ".post");
        uint256 i = vecSeed % pre.length;
        bytes memory p = proof[i];
        p[pos % p.length] ^= bytes1(mask);
        try verifier.step(pre[i], p) returns (bytes32 got) {
            assertNotEq(got, post[i]);
        } catch {}
    }

    /// Groups reject opcodes of other groups, so the dispatcher cannot be bypassed into a wrong one.
    function test_groupsRejectForeignOpcodes() public {
        string memory json = _json("i32");
        bytes32[] memory pre = vmj.parseJsonBytes32Array(json, ".pre");
        bytes[] memory proof = vmj.parseJsonBytesArray(json, ".proof");
        uint256[] memory ops = vmj.parseJsonUintArray(json, ".ops");
        IStepVerifier i64 = verifier.i64();
        vm.expectRevert(abi.encodeWithSelector(IStepVerifier.BadOpcode.selector, ops[0]));
        i64.step(pre[0], proof[0]);
    }

    /// The i32 and i64 groups share one operation order (`AluBase`): pin it.
    function test_aluLayoutsMatch() public pure {
        assertEq(Opcodes.OP_I64Rotr - Opcodes.OP_I64Eqz, Opcodes.OP_I32Rotr - Opcodes.OP_I32Eqz);
        assertEq(Opcodes.OP_I64DivS - Opcodes.OP_I64Eqz, Opcodes.OP_I32DivS - Opcodes.OP_I32Eqz);
        assertEq(Opcodes.OP_I64Shl - Opcodes.OP_I64Eqz, Opcodes.OP_I32Shl - Opcodes.OP_I32Eqz);
        assertEq(Opcodes.OP_I64Popcnt - Opcodes.OP_I64Eqz, Opcodes.OP_I32Popcnt - Opcodes.OP_I32Eqz);
        assertEq(Opcodes.OP_I64Add - Opcodes.OP_I64Eqz, Opcodes.OP_I32Add - Opcodes.OP_I32Eqz);
    }
}

/// A "group" answering every call with 31 bytes.
contract ShortReturn {
    fallback() external {
        assembly {
            mstore(0, 1)
            return(0, 31)
        }
    }
}
