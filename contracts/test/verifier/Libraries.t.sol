// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

// Test data is cut from random words on purpose.
// forge-lint: disable-start(unsafe-typecast)

import {Test} from "../utils/Test.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {Merkle} from "../../src/lib/Merkle.sol";
import {MachineState, State, ProgramFields} from "../../src/lib/MachineState.sol";
import {Consensus} from "../../src/lib/Consensus.sol";

/// Calls the calldata-path Merkle functions with a path in calldata.
contract MerkleHarness {
    function root(bytes32 leaf, uint256 index, bytes calldata path) external pure returns (bytes32) {
        uint256 off;
        assembly {
            off := path.offset
        }
        return Merkle.root(leaf, index, off, path.length / 32);
    }

    function update(bytes32 oldLeaf, bytes32 newLeaf, uint256 index, bytes calldata path)
        external
        pure
        returns (bytes32, bytes32)
    {
        uint256 off;
        assembly {
            off := path.offset
        }
        return Merkle.update(oldLeaf, newLeaf, index, off, path.length / 32);
    }

    function decode(bytes calldata packed) external pure returns (bytes memory) {
        return MachineState.encode(MachineState.decode(packed));
    }
}

/// The hashing, Merkle and state libraries: assembly against plain `abi.encodePacked`, fuzzed,
/// and golden values pinned by the Rust machine (`opml-vm`).
contract LibrariesTest is Test {
    MerkleHarness h;

    function setUp() public {
        h = new MerkleHarness();
    }

    // ---- golden values (computed by opml-vm; see stepcheck's `golden_hashes` test) ----

    function test_golden_emptyLocals() public pure {
        assertEq(MachineState.emptyLocals(), MachineState.EMPTY_LOCALS, "EMPTY_LOCALS");
    }

    function test_golden_emptyBytesRoot() public pure {
        assertEq(MachineState.emptyBytesRoot(), MachineState.EMPTY_BYTES_ROOT, "empty bytes root");
    }

    /// The zero-subtree roots pinned in `vm/src/machine/tests/golden.rs`.
    function test_golden_zeroSubtrees() public pure {
        assertEq(Hashing.valueLeaf(0), 0x1d739d0e59e14c9bca4ebf76f5067ea27352375567caf0630020e57ddd2169e9);
        assertEq(Hashing.bytesLeaf(0), 0x1c3988966975a08b319fdacbc7588020c4534b4fe2c6f3c376bf9aab6ad31a68);
        assertEq(Hashing.instrLeaf(0, 0), 0x96ed8b7a1d02046c3aa8a307b5cb749825928a6cb285d1f47e23a15e505d11bc);
        assertEq(
            Merkle.zeroRoot(Hashing.tableLeaf(0, 0, 0, 0), 16),
            0xc1d2ca765212ec7c7b4315c15fe4fc4f350071670b513cda7b6dad767d11ddbc
        );
        bytes32 seg0 = Hashing.segmentLeaf(0, MachineState.EMPTY_BYTES_ROOT);
        assertEq(seg0, 0x95c2489fef2c83e8a0134a249e531a2c1cf5402df26e3dc4a0aebe97a9c4f2af);
        assertEq(Merkle.zeroRoot(seg0, 16), 0x3ba28925be52d97088500ab5dd37f7ced9681be67414c336cba6c8bf7bc15b55);
    }

    /// The one-instruction program `[Halt]` of `vm/src/machine/tests/golden.rs`: its program id
    /// and `S_0` on empty input, rebuilt from the spec's fields.
    function test_golden_tinyHaltProgram() public pure {
        ProgramFields memory p;
        p.maxCallDepth = 16_384;
        p.codeDepth = 1;
        p.codeRoot = Hashing.node(Hashing.instrLeaf(1, 0), Hashing.instrLeaf(0, 0));
        p.globals = MachineState.EMPTY_LOCALS;
        p.table = Merkle.zeroRoot(Hashing.tableLeaf(0, 0, 0, 0), 16);
        p.memoryRoot = MachineState.EMPTY_BYTES_ROOT;
        p.maxPages = 1024;
        p.segments = Merkle.zeroRoot(Hashing.segmentLeaf(0, MachineState.EMPTY_BYTES_ROOT), 16);
        p.segmentDepth = 32;
        assertEq(MachineState.programHash(p), 0xc69bf34d48225ee20a46312df7f25bca2ca5a7299e764db144c56120733b2fde);
        assertEq(
            MachineState.initialStateHash(p, ""), 0x008130e5d9abd871723870333b69d33c1a3c5a8c7776b489e088c1cb50e33841
        );
    }

    // ---- leaf and chain hashes against abi.encodePacked ----

    function testFuzz_leaves(uint64 v, bytes32 b, uint16 op, uint64 imm, uint32 t, uint32 pc, uint32 n) public pure {
        assertEq(Hashing.valueLeaf(v), keccak256(abi.encodePacked("opml/value:", v)));
        assertEq(Hashing.bytesLeaf(b), keccak256(abi.encodePacked("opml/bytes:", b)));
        assertEq(Hashing.instrLeaf(op, imm), keccak256(abi.encodePacked("opml/instr:", op, imm)));
        assertEq(Hashing.tableLeaf(1, t, pc, n), keccak256(abi.encodePacked("opml/table:", uint8(1), t, pc, n)));
        assertEq(Hashing.segmentLeaf(v, b), keccak256(abi.encodePacked("opml/segment:", v, b)));
    }

    function testFuzz_chains(bytes32 prev, uint64 v, uint32 pc, bytes32 root) public pure {
        assertEq(Hashing.pushValue(prev, v), keccak256(abi.encodePacked("opml/stack:", prev, v)));
        assertEq(Hashing.pushFrame(prev, pc, root), keccak256(abi.encodePacked("opml/frame:", prev, pc, root)));
        assertEq(Hashing.pushOutput(prev, root), keccak256(abi.encodePacked("opml/output:", prev, root)));
        assertEq(Hashing.node(prev, root), keccak256(abi.encodePacked("opml/node:", prev, root)));
    }

    function test_valueLeaf_ignoresHighBits() public pure {
        // A u64 field: the encoding keeps the low 64 bits, like the machine's `v as u64`.
        assertEq(Hashing.valueLeaf((uint256(1) << 64) | 7), Hashing.valueLeaf(7));
    }

    // ---- Merkle ----

    function _path(uint256 seed, uint256 depth) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](depth);
        for (uint256 i = 0; i < depth; i++) {
            p[i] = keccak256(abi.encode(seed, i));
        }
    }

    function _naiveRoot(bytes32 leaf, uint256 index, bytes32[] memory p) internal pure returns (bytes32 r) {
        r = leaf;
        for (uint256 i = 0; i < p.length; i++) {
            r = ((index >> i) & 1) == 0
                ? keccak256(abi.encodePacked("opml/node:", r, p[i]))
                : keccak256(abi.encodePacked("opml/node:", p[i], r));
        }
    }

    function testFuzz_merkleRoot(bytes32 leaf, uint256 index, uint256 seed, uint8 depthSeed) public view {
        uint256 depth = [uint256(16), 27, 1, 5][depthSeed % 4];
        index = index % (2 ** depth);
        bytes32[] memory p = _path(seed, depth);
        bytes32 want = _naiveRoot(leaf, index, p);
        assertEq(h.root(leaf, index, abi.encodePacked(p)), want, "calldata root");
        assertEq(Merkle.rootMem(leaf, index, p), want, "memory root");
    }

    function testFuzz_merkleUpdate(bytes32 a, bytes32 b, uint256 index, uint256 seed) public view {
        index = index % (1 << 27);
        bytes32[] memory p = _path(seed, 27);
        (bytes32 o, bytes32 n) = h.update(a, b, index, abi.encodePacked(p));
        assertEq(o, _naiveRoot(a, index, p));
        assertEq(n, _naiveRoot(b, index, p));
    }

    function test_merkleRejectsIndexOutsideTree() public {
        bytes memory p = abi.encodePacked(_path(1, 16));
        vm.expectRevert(abi.encodeWithSelector(Merkle.IndexOutOfRange.selector, uint256(1 << 16), uint256(16)));
        h.root(bytes32(0), 1 << 16, p);
    }

    function test_zeroRoots() public pure {
        bytes32 z = Hashing.valueLeaf(0);
        for (uint256 i = 0; i < 3; i++) {
            z = Hashing.node(z, z);
        }
        assertEq(Merkle.zeroRoot(Hashing.valueLeaf(0), 3), z);
        assertEq(Merkle.zeroRoot(z, 0), z);
    }

    function testFuzz_bytesRoot(bytes memory data) public pure {
        vm.assume(data.length <= 200);
        // Build the tree naively: every leaf of a depth-27 tree is too many, so fold with zeros.
        bytes32 zl = Hashing.bytesLeaf(0);
        uint256 n = (data.length + 31) / 32;
        bytes32[] memory level = new bytes32[](n == 0 ? 1 : n);
        for (uint256 i = 0; i < n; i++) {
            bytes memory chunk = new bytes(32);
            for (uint256 j = 0; j < 32 && 32 * i + j < data.length; j++) {
                chunk[j] = data[32 * i + j];
            }
            level[i] = keccak256(abi.encodePacked("opml/bytes:", chunk));
        }
        if (n == 0) level[0] = zl;
        uint256 width = n == 0 ? 1 : n;
        bytes32 z = zl;
        for (uint256 d = 0; d < 27; d++) {
            uint256 m = (width + 1) / 2;
            for (uint256 i = 0; i < m; i++) {
                bytes32 r = 2 * i + 1 < width ? level[2 * i + 1] : z;
                level[i] = keccak256(abi.encodePacked("opml/node:", level[2 * i], r));
            }
            width = m;
            z = keccak256(abi.encodePacked("opml/node:", z, z));
        }
        assertEq(Merkle.bytesRoot(data), level[0]);
        if (data.length == 0) assertEq(Merkle.bytesRoot(data), MachineState.EMPTY_BYTES_ROOT);
    }

    // ---- state packing and hash ----

    function _someState(uint256 seed) internal pure returns (State memory s) {
        s.status = uint8(seed % 4);
        s.trapCode = uint8(seed >> 8);
        s.pc = uint32(seed >> 16);
        s.callDepth = uint32(seed >> 48);
        s.maxCallDepth = uint32(seed >> 80);
        s.codeRoot = keccak256(abi.encode(seed, 1));
        s.codeDepth = uint8(seed >> 112);
        s.valueStack = keccak256(abi.encode(seed, 2));
        s.auxStack = keccak256(abi.encode(seed, 3));
        s.frameStack = keccak256(abi.encode(seed, 4));
        s.locals = keccak256(abi.encode(seed, 5));
        s.globals = keccak256(abi.encode(seed, 6));
        s.table = keccak256(abi.encode(seed, 7));
        s.tableSize = uint32(seed >> 120);
        s.memoryRoot = keccak256(abi.encode(seed, 8));
        s.memoryPages = uint32(seed >> 152);
        s.maxPages = uint32(seed >> 184);
        s.segments = keccak256(abi.encode(seed, 9));
        s.inputRoot = keccak256(abi.encode(seed, 10));
        s.inputLen = uint32(seed >> 216);
        s.outputChain = keccak256(abi.encode(seed, 11));
        s.outputPending = keccak256(abi.encode(seed, 12));
        s.outputLen = uint64(seed >> 3);
        s.bulkDst = uint64(seed >> 5);
        s.bulkSrc = uint64(seed >> 7);
        s.bulkLen = uint64(seed >> 9);
        s.segmentSteps = uint64(seed >> 11);
        s.segmentDepth = uint8(seed >> 13);
        s.stackDepth = uint64(seed >> 17);
    }

    function _naivePack(State memory s) internal pure returns (bytes memory) {
        bytes memory a = abi.encodePacked(
            s.status, s.trapCode, s.pc, s.callDepth, s.maxCallDepth, s.codeRoot, s.codeDepth, s.valueStack, s.auxStack
        );
        bytes memory b = abi.encodePacked(
            s.frameStack, s.locals, s.globals, s.table, s.tableSize, s.memoryRoot, s.memoryPages, s.maxPages
        );
        bytes memory c = abi.encodePacked(
            s.segments, s.inputRoot, s.inputLen, s.outputChain, s.outputPending, s.outputLen, s.bulkDst, s.bulkSrc
        );
        return abi.encodePacked(a, b, c, s.bulkLen, s.segmentSteps, s.segmentDepth, s.stackDepth);
    }

    function testFuzz_statePackAndHash(uint256 seed) public view {
        State memory s = _someState(seed);
        bytes memory packed = _naivePack(s);
        assertEq(packed.length, MachineState.PACKED_LEN);
        assertEq(MachineState.encode(s), packed, "encode");
        assertEq(h.decode(packed), packed, "decode round trip");
        bytes32 full = keccak256(abi.encodePacked("opml/state/v2:", packed));
        bytes32 want = bytes32((uint256(full) & (type(uint256).max >> 8)) | (uint256(s.status) << 248));
        assertEq(MachineState.hash(s), want, "state hash");
        assertEq(uint256(MachineState.hash(s)) >> 248, s.status, "status byte");
    }

    function testFuzz_outputCommitment(bytes memory out) public pure {
        vm.assume(out.length <= 300);
        (bytes32 chain, bytes32 pending, uint64 len) = MachineState.outputCommitment(out);
        assertEq(len, out.length);
        bytes32 want;
        uint256 full = out.length / 32;
        for (uint256 i = 0; i < full; i++) {
            bytes memory blk = new bytes(32);
            for (uint256 j = 0; j < 32; j++) {
                blk[j] = out[32 * i + j];
            }
            want = keccak256(abi.encodePacked("opml/output:", want, blk));
        }
        assertEq(chain, want, "chain");
        bytes memory tail = new bytes(32);
        for (uint256 j = 0; 32 * full + j < out.length; j++) {
            tail[j] = out[32 * full + j];
        }
        assertEq(pending, out.length % 32 == 0 ? bytes32(0) : bytes32(tail), "pending");
    }

    /// The generated domain tags have the lengths `Hashing` and `MachineState` write them with.
    function test_tagLengths() public pure {
        assertEq(Consensus.TAG_STATE_LEN, 14);
        assertEq(Consensus.TAG_PROGRAM_LEN, 16);
        assertEq(Consensus.TAG_INSTR_LEN, 11);
        assertEq(Consensus.TAG_VALUE_LEN, 11);
        assertEq(Consensus.TAG_BYTES_LEN, 11);
        assertEq(Consensus.TAG_TABLE_LEN, 11);
        assertEq(Consensus.TAG_SEGMENT_LEN, 13);
        assertEq(Consensus.TAG_NODE_LEN, 10);
        assertEq(Consensus.TAG_STACK_LEN, 11);
        assertEq(Consensus.TAG_FRAME_LEN, 11);
        assertEq(Consensus.TAG_OUTPUT_LEN, 12);
        assertEq(MachineState.PACKED_LEN, 464);
        assertEq(MachineState.FIELDS, 29);
    }

    /// `resume` flips only a yielded status.
    function test_resume() public pure {
        for (uint8 st = 0; st < 4; st++) {
            State memory s = _someState(st);
            s.status = st;
            MachineState.resume(s);
            assertEq(s.status, st == MachineState.YIELDED ? MachineState.RUNNING : st);
        }
    }

    function test_initialState() public pure {
        ProgramFields memory p;
        p.maxCallDepth = 16_384;
        p.codeRoot = keccak256("code");
        p.codeDepth = 3;
        p.memoryPages = 1;
        p.maxPages = 2;
        p.segmentDepth = 20;
        State memory s = MachineState.initialState(p, MachineState.EMPTY_BYTES_ROOT, 0);
        assertEq(s.segmentDepth, 20);
        assertEq(s.segmentSteps, 0);
        assertEq(s.stackDepth, 0);
        assertEq(s.pc, 0);
        assertEq(s.locals, MachineState.EMPTY_LOCALS);
        assertEq(s.valueStack, bytes32(0));
        assertEq(MachineState.initialStateHash(p, ""), MachineState.hash(s));
        assertEq(uint256(MachineState.hash(s)) >> 248, 0);
    }
}
// forge-lint: disable-end(unsafe-typecast)
