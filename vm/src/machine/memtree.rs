//! The memory Merkle tree (depth 27): 8 KiB chunks each own a depth-8 subtree stored in heap
//! order behind an `Arc` (shared with snapshots until written), and a small tree of chunk roots
//! above them. Only dirty leaves are rehashed, then their ancestors.

use std::sync::Arc;

use super::hash::{BYTES_DEPTH, bytes_leaf, zeros};
use super::memory::{CHUNK_LEAVES, LEAF_BYTES, Memory};
use super::merkle::pair_hash;
use crate::B256;

/// Height of a chunk's subtree.
const CHUNK_DEPTH: usize = 8;
/// Height of the tree of chunk roots.
const TOP_DEPTH: usize = BYTES_DEPTH as usize - CHUNK_DEPTH;

/// One chunk's subtree in heap order: `[1]` is its root, leaves at `[256..512]`.
#[derive(Clone)]
pub(crate) struct ChunkTree(Box<[B256; 2 * CHUNK_LEAVES]>);

impl ChunkTree {
    fn zero() -> Self {
        let z = &zeros().bytes;
        let mut t = Box::new([[0u8; 32]; 2 * CHUNK_LEAVES]);
        for (h, slot) in t.iter_mut().enumerate().skip(1) {
            let height = CHUNK_DEPTH - h.ilog2() as usize;
            *slot = z[height];
        }
        Self(t)
    }
}

impl Memory {
    /// Resizes the upper tree for `n_chunks` chunks; new chunks are zero subtrees.
    pub(super) fn resize_top(&mut self, n_chunks: usize) {
        let z = &zeros().bytes;
        self.top.resize(TOP_DEPTH + 1, Vec::new());
        for k in 0..=TOP_DEPTH {
            let len = n_chunks.div_ceil(1 << k);
            self.top[k].resize(len, z[CHUNK_DEPTH + k]);
        }
    }

    /// Rehashes every dirty leaf and its ancestors, then clears the dirty bits (recording the
    /// touched chunks for the next snapshot).
    pub(crate) fn flush(&mut self) {
        let z = &zeros().bytes;
        let words_per_chunk = CHUNK_LEAVES / 64;
        let mut dirty_chunks = Vec::new();
        let mut heap: Vec<usize> = Vec::with_capacity(CHUNK_LEAVES);
        for c in 0..self.chunks.len() {
            let words = &mut self.dirty[c * words_per_chunk..(c + 1) * words_per_chunk];
            if words.iter().all(|&w| w == 0) {
                continue;
            }
            heap.clear();
            for (wi, w) in words.iter_mut().enumerate() {
                let mut bits = std::mem::take(w);
                while bits != 0 {
                    heap.push(CHUNK_LEAVES + wi * 64 + bits.trailing_zeros() as usize);
                    bits &= bits - 1;
                }
            }
            let tree = self.chunks[c].get_or_insert_with(|| Arc::new(ChunkTree::zero()));
            let t = &mut Arc::make_mut(tree).0;
            let base = c * CHUNK_LEAVES * LEAF_BYTES;
            for &h in &heap {
                let a = base + (h - CHUNK_LEAVES) * LEAF_BYTES;
                let mut leaf = [0u8; 32];
                leaf.copy_from_slice(&self.bytes[a..a + LEAF_BYTES]);
                t[h] = bytes_leaf(&leaf);
            }
            for height in 0..CHUNK_DEPTH {
                ascend(&mut heap);
                for &p in &heap {
                    t[p] = pair_hash(&t[2 * p], &t[2 * p + 1], &z[height], &z[height + 1]);
                }
            }
            self.top[0][c] = t[1];
            self.snap_dirty[c / 64] |= 1 << (c % 64);
            dirty_chunks.push(c);
        }
        for k in 1..=TOP_DEPTH {
            if dirty_chunks.is_empty() {
                break;
            }
            ascend(&mut dirty_chunks);
            let (below, above) = self.top.split_at_mut(k);
            let (below, cur) = (&below[k - 1], &mut above[0]);
            let zk = &z[CHUNK_DEPTH + k - 1];
            for &j in &dirty_chunks {
                let r = below.get(2 * j + 1).unwrap_or(zk);
                cur[j] = pair_hash(&below[2 * j], r, zk, &z[CHUNK_DEPTH + k]);
            }
        }
    }

    /// The root; call [`Memory::flush`] first.
    pub(crate) fn root(&self) -> B256 {
        self.top[TOP_DEPTH]
            .first()
            .copied()
            .unwrap_or(zeros().bytes[BYTES_DEPTH as usize])
    }

    /// Leaf `leaf`'s 27 siblings, leaf level first; call [`Memory::flush`] first.
    pub(crate) fn path(&self, leaf: u64) -> Vec<B256> {
        let z = &zeros().bytes;
        let c = usize::try_from(leaf / CHUNK_LEAVES as u64).unwrap_or(usize::MAX);
        let mut out = Vec::with_capacity(BYTES_DEPTH as usize);
        match self.chunks.get(c) {
            Some(Some(t)) => {
                let mut h = CHUNK_LEAVES + (leaf % CHUNK_LEAVES as u64) as usize;
                for _ in 0..CHUNK_DEPTH {
                    out.push(t.0[h ^ 1]);
                    h /= 2;
                }
            }
            _ => out.extend_from_slice(&z[..CHUNK_DEPTH]),
        }
        let mut idx = c;
        for k in 0..TOP_DEPTH {
            out.push(
                self.top[k]
                    .get(idx ^ 1)
                    .copied()
                    .unwrap_or(z[CHUNK_DEPTH + k]),
            );
            idx /= 2;
        }
        out
    }
}

/// Replaces sorted node indices by their parents' (sorted, deduplicated).
fn ascend(idx: &mut Vec<usize>) {
    for i in idx.iter_mut() {
        *i /= 2;
    }
    idx.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::merkle::{root_from_path, sparse_root};
    use proptest::prelude::*;

    fn scratch_root(bytes: &[u8]) -> B256 {
        let leaves = bytes
            .chunks(32)
            .map(|c| {
                let mut l = [0u8; 32];
                l.copy_from_slice(c);
                bytes_leaf(&l)
            })
            .collect();
        sparse_root(leaves, BYTES_DEPTH, &zeros().bytes)
    }

    #[test]
    fn empty_memory_roots() {
        let mut m = Memory::new(Vec::new());
        m.flush();
        assert_eq!(m.root(), zeros().bytes[27]);
        let mut m = Memory::new(vec![0; 65536]);
        m.flush();
        assert_eq!(m.root(), zeros().bytes[27]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn incremental_root_equals_scratch(
            pages in 1usize..4,
            writes in proptest::collection::vec((0usize..4 * 65536, any::<u64>(), 1usize..9), 1..40),
            flush_every in 1usize..10,
        ) {
            let mut m = Memory::new(vec![0; pages * 65536]);
            for (i, &(a, v, w)) in writes.iter().enumerate() {
                let a = a % (pages * 65536 - 8);
                m.write(a, &v.to_le_bytes()[..w]);
                if i % flush_every == 0 {
                    m.flush();
                    prop_assert_eq!(m.root(), scratch_root(m.bytes()));
                }
            }
            m.flush();
            let root = m.root();
            prop_assert_eq!(root, scratch_root(m.bytes()));
            let leaf = (writes[0].0 % (pages * 65536 - 8) / 32) as u64;
            prop_assert_eq!(root_from_path(bytes_leaf(&m.leaf_bytes(leaf)), leaf, &m.path(leaf)), root);
            m.resize_to((pages + 1) * 65536);
            m.flush();
            prop_assert_eq!(m.root(), root);
        }
    }
}
