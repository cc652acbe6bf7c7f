// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {ProtocolBase} from "./ProtocolBase.sol";
import {IOpMLOracle} from "../../src/interfaces/IOpMLOracle.sol";
import {MachineState, ProgramFields, State} from "../../src/lib/MachineState.sol";
import {ToyVerifier} from "./ToyVerifier.sol";

/// @notice The true trace of a segmented toy run whose boundaries are real packed states
///         (`docs/machine.md` §9): `B_0 = S_0`; segment `j` runs `len_j` toy steps from
///         `R_j = hash(resume(B_j))` to `B_{j+1}` (yielded, the last one halted) and then steps
///         to itself; past the last segment every boundary is the halted `B_n`.
contract SegTrace {
    bytes[] internal _packed;
    bytes32[] internal _b;
    bytes32[] internal _r;
    uint256[] internal _len;

    constructor(ToyVerifier v, bytes[] memory packed_, bytes32[] memory b, bytes32[] memory r, uint256[] memory len) {
        for (uint256 j = 0; j < b.length; j++) {
            _packed.push(packed_[j]);
            _b.push(b[j]);
        }
        for (uint256 j = 0; j < len.length; j++) {
            require(len[j] >= 1, "len");
            _r.push(r[j]);
            _len.push(len[j]);
            // The segment's last running state steps to the next boundary.
            v.setHalt(_walk(r[j], len[j] - 1), b[j + 1]);
        }
    }

    /// `s` steps of the toy machine (`ToyVerifier.next`) from a running state.
    function _walk(bytes32 h, uint256 s) internal pure returns (bytes32) {
        for (uint256 i = 0; i < s; i++) {
            h = keccak256(abi.encodePacked(h)) & bytes32(type(uint256).max >> 8);
        }
        return h;
    }

    function segments() external view returns (uint256) {
        return _len.length;
    }

    /// `B_j`.
    function boundary(uint256 j) public view returns (bytes32) {
        return j < _b.length ? _b[j] : _b[_b.length - 1];
    }

    /// The packed preimage of `B_j`.
    function packed(uint256 j) external view returns (bytes memory) {
        return j < _packed.length ? _packed[j] : _packed[_packed.length - 1];
    }

    /// `hash(resume(B_j))`.
    function resumed(uint256 j) external view returns (bytes32) {
        return j < _r.length ? _r[j] : boundary(j);
    }

    /// The state `s` steps into segment `j`, from its resumed boundary.
    function stepHash(uint256 j, uint256 s) external view returns (bytes32) {
        if (j >= _len.length) return boundary(j);
        if (s >= _len[j]) return _b[j + 1];
        return _walk(_r[j], s);
    }
}

/// @notice Two-phase games (`docs/protocol.md` §5.3): segmented programs, real boundary
///         states, and the moves of honest and lying players in both phases.
abstract contract TwoPhaseBase is ProtocolBase {
    /// Registers a program of segment depth `d2` with trace depth `d`.
    function registerSegmented(uint8 d, uint8 d2, bytes32 salt) internal returns (bytes32 pid, ProgramFields memory f) {
        f = fields(salt);
        f.segmentDepth = d2;
        pid = oracle.registerProgram(f, d, "ipfs://segmented");
    }

    /// A canonical boundary of `f`'s run: yielded at the bootstrap's `Yield` or halted at its
    /// `Halt`, with memory and globals of its own (`j` and `output` make it unique).
    function boundaryState(ProgramFields memory f, bytes memory input, uint256 j, uint8 status, bytes memory output)
        internal
        pure
        returns (State memory s)
    {
        s.status = status;
        s.pc = status == MachineState.YIELDED ? 2 : 4;
        s.maxCallDepth = f.maxCallDepth;
        s.codeRoot = f.codeRoot;
        s.codeDepth = f.codeDepth;
        s.locals = MachineState.EMPTY_LOCALS;
        s.globals = keccak256(abi.encode("globals", j));
        s.table = f.table;
        s.tableSize = f.tableSize;
        s.memoryRoot = keccak256(abi.encode("memory", j, output));
        s.memoryPages = f.memoryPages;
        s.maxPages = f.maxPages;
        s.segments = f.segments;
        s.inputRoot = MachineState.inputRoot(input);
        // casting to 'uint32' is safe because test inputs are short
        // forge-lint: disable-next-line(unsafe-typecast)
        s.inputLen = uint32(input.length);
        (s.outputChain, s.outputPending, s.outputLen) = MachineState.outputCommitment(output);
        s.segmentDepth = f.segmentDepth;
    }

    /// The true run of request `id` (program `f`, `input`): segment `j` takes `lens[j]` steps;
    /// the last ends halted with `output`, the others yielded.
    function segTrace(
        uint256 id,
        ProgramFields memory f,
        bytes memory input,
        uint256[] memory lens,
        bytes memory output
    ) internal returns (SegTrace) {
        return segTrace(id, f, input, lens, output, toy);
    }

    /// The same, teaching its steps to `v` (a throwaway verifier for a liar's own run).
    function segTrace(
        uint256 id,
        ProgramFields memory f,
        bytes memory input,
        uint256[] memory lens,
        bytes memory output,
        ToyVerifier v
    ) internal returns (SegTrace) {
        uint256 n = lens.length;
        bytes[] memory packed = new bytes[](n + 1);
        bytes32[] memory b = new bytes32[](n + 1);
        bytes32[] memory r = new bytes32[](n);
        // casting to 'uint32' is safe because test inputs are short
        // forge-lint: disable-next-line(unsafe-typecast)
        State memory s = MachineState.initialState(f, MachineState.inputRoot(input), uint32(input.length));
        for (uint256 j = 0; j <= n; j++) {
            if (j == n) s = boundaryState(f, input, j, MachineState.HALTED, output);
            else if (j > 0) s = boundaryState(f, input, j, MachineState.YIELDED, "");
            packed[j] = MachineState.encode(s);
            b[j] = MachineState.hash(s);
            if (j < n) {
                MachineState.resume(s);
                r[j] = MachineState.hash(s);
            }
        }
        require(b[0] == oracle.request(id).startState, "B_0 is S_0");
        return new SegTrace(v, packed, b, r, lens);
    }

    /// `n` segment lengths from 1 to `2^d2` steps, varied by `seed`.
    function lengths(uint256 n, uint8 d2, uint256 seed) internal pure returns (uint256[] memory lens) {
        lens = new uint256[](n);
        for (uint256 j = 0; j < n; j++) {
            lens[j] = 1 + uint256(keccak256(abi.encode(seed, j))) % (2 ** d2);
        }
    }

    /// The true hashes at the sub-range ends of `[start, start + 2^lenLog]`: boundaries in
    /// phase 1 (`segments`), else steps of segment `seg`.
    function segBisection(SegTrace t, bool segments, uint256 seg, uint256 start, uint256 lenLog)
        internal
        view
        returns (bytes32[] memory h)
    {
        (uint256 m, uint256 subLog) = split(lenLog);
        h = new bytes32[](m);
        for (uint256 j = 0; j < m; j++) {
            uint256 pos = start + ((j + 1) << subLog);
            h[j] = segments ? t.boundary(pos) : t.stepHash(seg, pos);
        }
    }

    /// The first sub-range of the last bisection in `gid` whose end is off the true trace.
    function firstWrong(uint256 gid, SegTrace t) internal view returns (uint256) {
        IOpMLOracle.Game memory g = oracle.game(gid);
        (, uint256 subLog) = split(g.lenLog);
        bytes32[] storage h = lastHashes[gid];
        for (uint256 j = 0; j < h.length; j++) {
            uint256 pos = g.start + ((j + 1) << subLog);
            if (h[j] != (g.phase == 1 ? t.boundary(pos) : t.stepHash(g.segment, pos))) return j;
        }
        revert("no disagreement");
    }

    function openAs(
        address who,
        uint256 gid,
        IOpMLOracle.Selection memory s,
        bytes memory agreedState,
        bytes32[] memory hashes
    ) internal {
        uint256 value = due(gid);
        vm.prank(who);
        oracle.openSegment{value: value}(gid, s, agreedState, hashes);
        lastHashes[gid] = hashes;
    }

    /// One honest move: bisect the first wrong sub-range, open its segment (phase 1 at single
    /// segments) or prove its step (phase 2 at single steps). Returns true when the game ended.
    function honestSegMove(address who, uint256 gid, SegTrace t) internal returns (bool ended) {
        IOpMLOracle.Game memory g = oracle.game(gid);
        uint256 j = firstWrong(gid, t);
        IOpMLOracle.Selection memory s = selection(gid, j);
        (, uint256 subLog) = split(g.lenLog);
        if (g.phase == 1) {
            if (subLog == 0) {
                uint256 seg = g.start + j;
                openAs(who, gid, s, t.packed(seg), segBisection(t, false, seg, 0, g.segmentDepth));
            } else {
                bisectAs(who, gid, s, segBisection(t, true, 0, g.start + (j << subLog), subLog));
            }
            return false;
        }
        if (subLog == 0) {
            proveAs(who, gid, s, abi.encodePacked(s.agreed));
            return true;
        }
        bisectAs(who, gid, s, segBisection(t, false, g.segment, g.start + (j << subLog), subLog));
        return false;
    }

    /// A lying move against an honest opponent: sub-range `rnd % m`, hashes true up to a point
    /// and junk after it (so the end is off the truth); at single segments it opens the segment
    /// with the (true) agreed boundary. At single steps it cannot prove anything: returns false.
    function liarSegMove(address who, uint256 gid, SegTrace t, uint256 rnd) internal returns (bool moved) {
        IOpMLOracle.Game memory g = oracle.game(gid);
        (uint256 m, uint256 subLog) = split(g.lenLog);
        uint256 j = rnd % m;
        IOpMLOracle.Selection memory s = selection(gid, j);
        bool opens = g.phase == 1 && subLog == 0;
        if (g.phase == 2 && subLog == 0) {
            uint256 value = due(gid);
            vm.prank(who);
            vm.expectRevert(IOpMLOracle.StepAgrees.selector);
            oracle.proveStep{value: value}(gid, s, abi.encodePacked(s.agreed));
            return false;
        }
        uint256 start = g.start + (j << subLog);
        bytes32[] memory h = opens
            ? segBisection(t, false, start, 0, g.segmentDepth)
            : segBisection(t, g.phase == 1, g.segment, start, subLog);
        for (uint256 i = (rnd >> 8) % h.length; i < h.length; i++) {
            h[i] = keccak256(abi.encode(rnd, g.start, i));
        }
        if (opens) openAs(who, gid, s, t.packed(start), h);
        else bisectAs(who, gid, s, h);
        return true;
    }
}
