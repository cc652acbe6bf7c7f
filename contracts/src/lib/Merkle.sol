// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Consensus as C} from "./Consensus.sol";
import {Hashing} from "./Hashing.sol";

/// @title Merkle
/// @notice Fixed-depth binary Merkle trees of `docs/machine.md` §3. A path is `depth` sibling
///         hashes, leaf level first; bit `k` of the leaf index set means the node at level `k`
///         is a right child. Paths are read straight from calldata (absolute offsets) so a proof
///         is never copied to memory.
library Merkle {
    /// @notice The leaf index does not fit the tree.
    error IndexOutOfRange(uint256 index, uint256 depth);

    /// Depth of the locals, globals, table and data-segment trees.
    uint256 internal constant SMALL_DEPTH = C.SMALL_DEPTH;
    /// Depth of the memory, input and segment-bytes trees (2^27 leaves of 32 bytes = 4 GiB).
    uint256 internal constant BYTES_DEPTH = C.BYTES_DEPTH;

    /// @notice The root reached from `leaf` at `index` along the calldata path at `path`.
    function root(bytes32 leaf, uint256 index, uint256 path, uint256 depth) internal pure returns (bytes32 r) {
        if (index >> depth != 0) revert IndexOutOfRange(index, depth);
        bytes32 p = Hashing.P_NODE;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            r := leaf
            for { let k := 0 } lt(k, depth) { k := add(k, 1) } {
                let sib := calldataload(add(path, shl(5, k)))
                switch and(shr(k, index), 1)
                case 0 {
                    mstore(add(m, 10), r)
                    mstore(add(m, 42), sib)
                }
                default {
                    mstore(add(m, 10), sib)
                    mstore(add(m, 42), r)
                }
                r := keccak256(m, 74)
            }
        }
    }

    /// @notice Roots before and after replacing `oldLeaf` by `newLeaf` at `index`, one pass
    ///         over the shared calldata path.
    function update(bytes32 oldLeaf, bytes32 newLeaf, uint256 index, uint256 path, uint256 depth)
        internal
        pure
        returns (bytes32 oldRoot, bytes32 newRoot)
    {
        if (index >> depth != 0) revert IndexOutOfRange(index, depth);
        bytes32 p = Hashing.P_NODE;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, p)
            oldRoot := oldLeaf
            newRoot := newLeaf
            for { let k := 0 } lt(k, depth) { k := add(k, 1) } {
                let sib := calldataload(add(path, shl(5, k)))
                switch and(shr(k, index), 1)
                case 0 {
                    mstore(add(m, 42), sib)
                    mstore(add(m, 10), oldRoot)
                    oldRoot := keccak256(m, 74)
                    mstore(add(m, 10), newRoot)
                    newRoot := keccak256(m, 74)
                }
                default {
                    mstore(add(m, 10), sib)
                    mstore(add(m, 42), oldRoot)
                    oldRoot := keccak256(m, 74)
                    mstore(add(m, 42), newRoot)
                    newRoot := keccak256(m, 74)
                }
            }
        }
    }

    /// @notice As `root`, with the path in memory (for callers that build paths themselves).
    function rootMem(bytes32 leaf, uint256 index, bytes32[] memory path) internal pure returns (bytes32 r) {
        uint256 depth = path.length;
        if (depth < 256 && index >> depth != 0) revert IndexOutOfRange(index, depth);
        r = leaf;
        for (uint256 k = 0; k < depth; k++) {
            r = (index >> k) & 1 == 0 ? Hashing.node(r, path[k]) : Hashing.node(path[k], r);
        }
    }

    /// @notice Root of an all-zero subtree of `height` whose leaves hash to `zeroLeaf`:
    ///         `Z[0] = zeroLeaf`, `Z[i+1] = node(Z[i], Z[i])`.
    function zeroRoot(bytes32 zeroLeaf, uint256 height) internal pure returns (bytes32 z) {
        z = zeroLeaf;
        for (uint256 i = 0; i < height; i++) {
            z = Hashing.node(z, z);
        }
    }

    /// @notice Root of the depth-27 bytes tree over `data`, zero-padded to 32-byte leaves
    ///         (the input root; a segment's bytes root).
    function bytesRoot(bytes memory data) internal pure returns (bytes32) {
        uint256 n = (data.length + 31) / 32;
        bytes32 z = Hashing.bytesLeaf(bytes32(0));
        if (n == 0) return zeroRoot(z, BYTES_DEPTH);
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            bytes32 word;
            uint256 left = data.length - 32 * i;
            assembly ("memory-safe") {
                word := mload(add(add(data, 32), shl(5, i)))
            }
            if (left < 32) word &= ~bytes32(type(uint256).max >> (8 * left));
            level[i] = Hashing.bytesLeaf(word);
        }
        for (uint256 h = 0; h < BYTES_DEPTH; h++) {
            uint256 m = (n + 1) / 2;
            for (uint256 i = 0; i < m; i++) {
                bytes32 r = 2 * i + 1 < n ? level[2 * i + 1] : z;
                level[i] = Hashing.node(level[2 * i], r);
            }
            n = m;
            z = Hashing.node(z, z);
        }
        return level[0];
    }
}
