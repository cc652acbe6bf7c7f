//! Fixed-depth binary Merkle trees over a prefix of non-zero leaves: every leaf past the given
//! ones is the zero leaf, so only `O(n)` nodes are stored and the rest are zero-subtree roots.

use super::hash::node;
use crate::B256;

/// A tree with all its non-zero levels kept, for static data (code, table, input, segments)
/// whose paths proofs reveal.
#[derive(Debug, Clone)]
pub(crate) struct LevelTree {
    /// `levels[k]` holds the nodes of height `k` that are not zero subtrees by position.
    levels: Vec<Vec<B256>>,
    /// The zero-subtree roots of this tree's leaf kind.
    zeros: &'static [B256],
    depth: u32,
}

impl LevelTree {
    /// Builds the tree of `depth` over `leaves` (leaf hashes), padded with zero leaves.
    pub(crate) fn build(leaves: Vec<B256>, depth: u32, zeros: &'static [B256]) -> Self {
        let mut levels = Vec::with_capacity(depth as usize + 1);
        levels.push(leaves);
        for k in 0..depth as usize {
            let below = &levels[k];
            let next: Vec<B256> = below
                .chunks(2)
                .map(|pair| {
                    let right = pair.get(1).unwrap_or(&zeros[k]);
                    pair_hash(&pair[0], right, &zeros[k], &zeros[k + 1])
                })
                .collect();
            levels.push(next);
        }
        Self {
            levels,
            zeros,
            depth,
        }
    }

    /// The root.
    pub(crate) fn root(&self) -> B256 {
        self.get(self.depth as usize, 0)
    }

    /// The node of height `k` at index `i`.
    fn get(&self, k: usize, i: usize) -> B256 {
        self.levels[k].get(i).copied().unwrap_or(self.zeros[k])
    }

    /// The leaf hash at `i`.
    #[cfg(test)]
    pub(crate) fn leaf(&self, i: u64) -> B256 {
        usize::try_from(i).map_or(self.zeros[0], |i| self.get(0, i))
    }

    /// Leaf `i`'s siblings, leaf level first.
    pub(crate) fn path(&self, i: u64) -> Vec<B256> {
        (0..self.depth as usize)
            .map(|k| {
                let idx = (i >> k) ^ 1;
                usize::try_from(idx).map_or(self.zeros[k], |idx| self.get(k, idx))
            })
            .collect()
    }
}

/// `node(l, r)`, skipping the hash when both are zero subtrees.
#[inline]
pub(crate) fn pair_hash(l: &B256, r: &B256, zero: &B256, zero_up: &B256) -> B256 {
    if l == zero && r == zero {
        *zero_up
    } else {
        node(l, r)
    }
}

/// The root of a `depth` tree whose first leaves are `leaves` (hashes), without keeping levels.
pub(crate) fn sparse_root(mut leaves: Vec<B256>, depth: u32, zeros: &[B256]) -> B256 {
    for k in 0..depth as usize {
        if leaves.is_empty() {
            return zeros[depth as usize];
        }
        let n = leaves.len().div_ceil(2);
        for j in 0..n {
            let l = leaves[2 * j];
            let r = leaves.get(2 * j + 1).copied().unwrap_or(zeros[k]);
            leaves[j] = pair_hash(&l, &r, &zeros[k], &zeros[k + 1]);
        }
        leaves.truncate(n);
    }
    leaves.first().copied().unwrap_or(zeros[depth as usize])
}

/// The nodes on leaf `index`'s path from the leaf (`out[0] = leaf`) to the root
/// (`out[siblings.len()]`).
pub(crate) fn path_nodes(leaf: B256, index: u64, siblings: &[B256]) -> Vec<B256> {
    let mut out = Vec::with_capacity(siblings.len() + 1);
    let mut h = leaf;
    out.push(h);
    for (k, s) in siblings.iter().enumerate() {
        h = if bit(index, k) {
            node(s, &h)
        } else {
            node(&h, s)
        };
        out.push(h);
    }
    out
}

/// The root implied by `leaf` at `index` with `siblings` (leaf level first).
pub(crate) fn root_from_path(leaf: B256, index: u64, siblings: &[B256]) -> B256 {
    let mut h = leaf;
    for (k, s) in siblings.iter().enumerate() {
        h = if bit(index, k) {
            node(s, &h)
        } else {
            node(&h, s)
        };
    }
    h
}

/// Bit `k` of `index` (zero past its 64 bits: a tree deeper than 64 levels is possible in a
/// crafted state, whose paths the verifier still reads without panicking).
fn bit(index: u64, k: usize) -> bool {
    u32::try_from(k)
        .ok()
        .and_then(|k| index.checked_shr(k))
        .is_some_and(|x| x & 1 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::hash::{value_leaf, zeros};

    fn naive_root(leaves: &[B256], depth: u32, zeros: &[B256]) -> B256 {
        let mut level: Vec<B256> = (0..1usize << depth)
            .map(|i| leaves.get(i).copied().unwrap_or(zeros[0]))
            .collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|p| node(&p[0], &p[1])).collect();
        }
        level[0]
    }

    #[test]
    fn sparse_and_level_trees_match_naive() {
        let z = &zeros().value;
        for n in 0..9u64 {
            let leaves: Vec<B256> = (0..n).map(|i| value_leaf(i * 7 + 1)).collect();
            let want = naive_root(&leaves, 4, z);
            assert_eq!(sparse_root(leaves.clone(), 4, z), want, "n={n}");
            let t = LevelTree::build(leaves, 4, z);
            assert_eq!(t.root(), want);
            for i in 0..16 {
                assert_eq!(root_from_path(t.leaf(i), i, &t.path(i)), want);
                let nodes = path_nodes(t.leaf(i), i, &t.path(i));
                assert_eq!(nodes.last(), Some(&want));
            }
        }
    }
}
