// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {Hashing} from "../lib/Hashing.sol";

/// @title SegmentTree
/// @notice The Merkle commitment to one bisection move's state hashes: a full binary tree of
///         `m = 2^h` leaves (the hashes themselves) with `opml/node:` nodes. The depth is fixed
///         by the game's range, so a leaf can never pass for a node.
library SegmentTree {
    /// @notice Root over `leaves` (length a power of two, ≥ 1).
    function root(bytes32[] calldata leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            level[i] = leaves[i];
        }
        while (n > 1) {
            n >>= 1;
            for (uint256 i = 0; i < n; i++) {
                level[i] = Hashing.node(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }

    /// @notice Whether `leaf` sits at `index` under `root_` along `proof` (leaf level first).
    function verify(bytes32 root_, bytes32 leaf, uint256 index, bytes32[] calldata proof) internal pure returns (bool) {
        bytes32 h = leaf;
        for (uint256 k = 0; k < proof.length; k++) {
            h = (index >> k) & 1 == 0 ? Hashing.node(h, proof[k]) : Hashing.node(proof[k], h);
        }
        return h == root_;
    }
}
