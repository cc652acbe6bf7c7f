//! The Merkle commitment to one bisection move's hashes, as `SegmentTree.sol` builds it: a
//! full binary tree over `2^h` leaves (the state hashes themselves) with
//! `H("opml/node:" ‖ left ‖ right)` nodes.

use alloy_primitives::{B256, keccak256};

/// `H("opml/node:" ‖ left ‖ right)`.
pub fn node(left: &B256, right: &B256) -> B256 {
    let mut buf = [0u8; 74];
    buf[..10].copy_from_slice(b"opml/node:");
    buf[10..42].copy_from_slice(left.as_slice());
    buf[42..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

/// The levels of the tree over `leaves` (a power of two in length), leaves first.
fn levels(leaves: &[B256]) -> Vec<Vec<B256>> {
    let mut out = vec![leaves.to_vec()];
    while out.last().is_some_and(|l| l.len() > 1) {
        let prev = &out[out.len() - 1];
        let next = prev
            .chunks(2)
            .map(|p| node(&p[0], p.get(1).unwrap_or(&p[0])))
            .collect();
        out.push(next);
    }
    out
}

/// The root over `leaves` (length a power of two, at least one).
pub fn root(leaves: &[B256]) -> B256 {
    levels(leaves)
        .last()
        .and_then(|l| l.first().copied())
        .unwrap_or_default()
}

/// The sibling path of leaf `index`, leaf level first (what `SegmentTree.verify` takes).
pub fn proof(leaves: &[B256], index: usize) -> Vec<B256> {
    let lv = levels(leaves);
    let mut i = index;
    let mut path = Vec::with_capacity(lv.len().saturating_sub(1));
    for level in &lv[..lv.len() - 1] {
        path.push(level.get(i ^ 1).copied().unwrap_or_default());
        i >>= 1;
    }
    path
}

/// Whether `leaf` sits at `index` under `root` along `path` (`SegmentTree.verify`).
pub fn verify(root: &B256, leaf: &B256, index: usize, path: &[B256]) -> bool {
    let mut h = *leaf;
    for (k, sib) in path.iter().enumerate() {
        h = if (index >> k) & 1 == 0 {
            node(&h, sib)
        } else {
            node(sib, &h)
        };
    }
    h == *root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<B256> {
        (0..n)
            .map(|i| keccak256((i as u64).to_be_bytes()))
            .collect()
    }

    #[test]
    fn every_leaf_verifies_against_the_root() {
        for n in [1, 2, 4, 16] {
            let l = leaves(n);
            let r = root(&l);
            for i in 0..n {
                let p = proof(&l, i);
                assert_eq!(p.len(), n.trailing_zeros() as usize);
                assert!(verify(&r, &l[i], i, &p));
                assert!(!verify(&r, &l[(i + 1) % n], i, &p) || n == 1);
            }
        }
    }

    #[test]
    fn a_single_leaf_is_its_own_root() {
        let l = leaves(1);
        assert_eq!(root(&l), l[0]);
    }

    #[test]
    fn two_leaves_hash_with_the_node_prefix() {
        let l = leaves(2);
        let mut pre = b"opml/node:".to_vec();
        pre.extend_from_slice(l[0].as_slice());
        pre.extend_from_slice(l[1].as_slice());
        assert_eq!(root(&l), keccak256(pre));
    }
}
