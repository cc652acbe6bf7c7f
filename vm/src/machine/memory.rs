//! Linear memory: a flat byte vector for speed, a dirty bit per 32-byte leaf set by every write,
//! and the chunked Merkle tree (`memtree.rs`) that only rehashes what the bits name.

use std::sync::Arc;

use super::memtree::ChunkTree;
use crate::B256;

/// Bytes per Merkle leaf.
pub(crate) const LEAF_BYTES: usize = 32;
/// Leaves per chunk: the unit of tree storage and of snapshot sharing (8 KiB).
pub(crate) const CHUNK_LEAVES: usize = 256;
/// Bytes per chunk.
pub(crate) const CHUNK_BYTES: usize = CHUNK_LEAVES * LEAF_BYTES;
/// Bytes per wasm page.
pub(crate) const PAGE_BYTES: usize = 65536;

/// The machine's linear memory and its Merkle tree.
#[derive(Clone)]
pub(crate) struct Memory {
    /// The bytes, `pages * 65536` of them.
    pub(crate) bytes: Vec<u8>,
    /// One bit per leaf written since the last [`Memory::flush`].
    pub(super) dirty: Vec<u64>,
    /// Per chunk: its subtree (heap order), `None` while all zero.
    pub(super) chunks: Vec<Option<Arc<ChunkTree>>>,
    /// The tree above the chunks: `top[0]` = chunk roots, up to the root at `top[19]`.
    pub(super) top: Vec<Vec<B256>>,
    /// One bit per chunk changed since the last snapshot.
    pub(super) snap_dirty: Vec<u64>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// The indices of `bytes`' 32-byte leaves that are not all zero (a partial last leaf counts).
pub(crate) fn nonzero_leaves(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks(LEAF_BYTES)
        .enumerate()
        // An OR-fold (no early exit) vectorizes; `any` tests byte by byte.
        .filter(|(_, c)| c.iter().fold(0, |a, &b| a | b) != 0)
        .map(|(i, _)| i as u32)
        .collect()
}

impl Memory {
    /// A memory holding `bytes` (a whole number of pages); non-zero leaves are marked dirty so
    /// that the first hash builds the tree.
    #[cfg(test)]
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        Self::with_leaves(&bytes, bytes.len(), &nonzero_leaves(&bytes))
    }

    /// A memory of `len` bytes holding `init`'s leaves `leaves` (its non-zero ones, from
    /// [`nonzero_leaves`]) and zeros elsewhere: a sparse initial memory costs one zeroed
    /// allocation and a copy of what is not zero. The copied leaves are marked dirty so that the
    /// first hash builds the tree.
    pub(crate) fn with_leaves(init: &[u8], len: usize, leaves: &[u32]) -> Self {
        let mut m = Self {
            bytes: Vec::new(),
            dirty: Vec::new(),
            chunks: Vec::new(),
            top: Vec::new(),
            snap_dirty: Vec::new(),
        };
        let init = &init[..init.len().min(len)];
        let len = len.div_ceil(CHUNK_BYTES) * CHUNK_BYTES;
        // `vec!` of zeros allocates zeroed pages lazily instead of writing every byte.
        m.bytes = vec![0; len];
        m.resize_to(len);
        for &leaf in leaves {
            let a = leaf as usize * LEAF_BYTES;
            let Some(src) = init.get(a..init.len().min(a + LEAF_BYTES)) else {
                continue;
            };
            m.bytes[a..a + src.len()].copy_from_slice(src);
            m.dirty[leaf as usize / 64] |= 1 << (leaf % 64);
        }
        m
    }

    /// Size in bytes.
    #[inline]
    pub(crate) fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Grows to `len` bytes (a multiple of the chunk size) of zeros.
    pub(crate) fn resize_to(&mut self, len: usize) {
        let n_chunks = len / CHUNK_BYTES;
        let old_chunks = self.chunks.len();
        self.bytes.resize(len, 0);
        self.dirty.resize(len / LEAF_BYTES / 64, 0);
        self.chunks.resize(n_chunks, None);
        self.snap_dirty.resize(n_chunks.div_ceil(64), 0);
        for c in old_chunks..n_chunks {
            self.snap_dirty[c / 64] |= 1 << (c % 64);
        }
        self.resize_top(n_chunks);
    }

    /// The in-bounds start of an access of `w` bytes at `base + imm`, or `None` (a trap).
    #[inline]
    pub(crate) fn addr(&self, base: u64, imm: u64, w: u64) -> Option<usize> {
        let a = base.saturating_add(imm);
        if a.saturating_add(w) > self.size() {
            None
        } else {
            Some(a as usize)
        }
    }

    /// Reads `W` bytes at an in-bounds `a`.
    #[inline]
    pub(crate) fn read<const W: usize>(&self, a: usize) -> [u8; W] {
        let mut out = [0u8; W];
        out.copy_from_slice(&self.bytes[a..a + W]);
        out
    }

    /// Writes `src` at an in-bounds `a` and marks the touched leaves dirty.
    #[inline]
    pub(crate) fn write(&mut self, a: usize, src: &[u8]) {
        self.bytes[a..a + src.len()].copy_from_slice(src);
        self.mark(a, src.len());
    }

    /// Marks the leaves of `[a, a + w)` (`w` ≥ 1, at most two leaves) dirty.
    #[inline]
    pub(crate) fn mark(&mut self, a: usize, w: usize) {
        let l0 = a / LEAF_BYTES;
        let l1 = (a + w - 1) / LEAF_BYTES;
        self.dirty[l0 / 64] |= 1 << (l0 % 64);
        self.dirty[l1 / 64] |= 1 << (l1 % 64);
    }

    /// The 32 bytes of leaf `leaf` (zeros past the end).
    pub(crate) fn leaf_bytes(&self, leaf: u64) -> [u8; 32] {
        let mut out = [0u8; 32];
        let a = leaf.saturating_mul(LEAF_BYTES as u64);
        if a < self.size() {
            out.copy_from_slice(&self.bytes[a as usize..a as usize + LEAF_BYTES]);
        }
        out
    }
}

// ---- the byte mappings of the load and store rows of the opcode table ----------------------

/// `i32.load`, `i64.load32_u`: 4 bytes zero-extended.
#[inline(always)]
pub(crate) fn ld_u32(b: [u8; 4]) -> u64 {
    u32::from_le_bytes(b) as u64
}
/// `i64.load`.
#[inline(always)]
pub(crate) fn ld_u64(b: [u8; 8]) -> u64 {
    u64::from_le_bytes(b)
}
/// `i32.load8_s`: sign-extended to 32 bits, then zero-extended.
#[inline(always)]
pub(crate) fn ld_i8_32(b: [u8; 1]) -> u64 {
    b[0] as i8 as i32 as u32 as u64
}
/// `i64.load8_s`.
#[inline(always)]
pub(crate) fn ld_i8_64(b: [u8; 1]) -> u64 {
    b[0] as i8 as i64 as u64
}
/// `i32.load8_u`, `i64.load8_u`.
#[inline(always)]
pub(crate) fn ld_u8(b: [u8; 1]) -> u64 {
    b[0] as u64
}
/// `i32.load16_s`.
#[inline(always)]
pub(crate) fn ld_i16_32(b: [u8; 2]) -> u64 {
    i16::from_le_bytes(b) as i32 as u32 as u64
}
/// `i64.load16_s`.
#[inline(always)]
pub(crate) fn ld_i16_64(b: [u8; 2]) -> u64 {
    i16::from_le_bytes(b) as i64 as u64
}
/// `i32.load16_u`, `i64.load16_u`.
#[inline(always)]
pub(crate) fn ld_u16(b: [u8; 2]) -> u64 {
    u16::from_le_bytes(b) as u64
}
/// `i64.load32_s`.
#[inline(always)]
pub(crate) fn ld_i32_64(b: [u8; 4]) -> u64 {
    i32::from_le_bytes(b) as i64 as u64
}
/// Every store: the low `W` bytes of the value, little-endian.
#[inline(always)]
pub(crate) fn to_le<const W: usize>(v: u64) -> [u8; W] {
    let mut out = [0u8; W];
    out.copy_from_slice(&v.to_le_bytes()[..W]);
    out
}
