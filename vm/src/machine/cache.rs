//! Lazy state hashing: each component is recomputed only past the prefix that matches what was
//! hashed last time. Chains compare values (equal values give equal hashes, so no tracking is
//! needed in the step loop); memory uses its dirty bits.

use super::hash::{
    SMALL_DEPTH, empty_locals, frame_push, output_fold, segment_leaf, stack_push, value_leaf, zeros,
};
use super::merkle::sparse_root;
use super::state::StateFields;
use super::statics::code_depth;
use super::{Frame, Machine};
use crate::B256;

/// Hashes kept between calls to [`Machine::state_hash`].
#[derive(Debug, Clone, Default)]
pub(crate) struct HashCache {
    value: Chain,
    aux: Chain,
    /// Saved frames and the arena as last hashed, with per-frame locals roots and chain.
    frames: Vec<Frame>,
    arena: Vec<u64>,
    frame_roots: Vec<B256>,
    frame_chain: Vec<B256>,
    globals: Option<(Vec<u64>, B256)>,
    segments: Option<(Vec<u64>, B256)>,
    output_blocks: usize,
    output_chain: B256,
    /// The full state hash, valid until the next executed step or host action.
    pub(crate) state: Option<B256>,
}

/// A hash chain over a `u64` stack: `chain[i]` commits to `vals[..=i]`.
#[derive(Debug, Clone, Default)]
struct Chain {
    vals: Vec<u64>,
    chain: Vec<B256>,
}

impl Chain {
    fn hash(&mut self, now: &[u64]) -> B256 {
        let common = now
            .iter()
            .zip(&self.vals)
            .take_while(|(a, b)| a == b)
            .count();
        self.vals.truncate(common);
        self.chain.truncate(common);
        let mut h = self.chain.last().copied().unwrap_or([0; 32]);
        for &v in &now[common..] {
            h = stack_push(&h, v);
            self.vals.push(v);
            self.chain.push(h);
        }
        h
    }
}

/// The root of a locals tree holding `vals`.
pub(crate) fn locals_root(vals: &[u64]) -> B256 {
    if vals.iter().all(|&v| v == 0) {
        return empty_locals();
    }
    sparse_root(
        vals.iter().map(|&v| value_leaf(v)).collect(),
        SMALL_DEPTH,
        &zeros().value,
    )
}

impl Machine {
    /// The state hash (§4). Lazy: only what changed since the last call is rehashed.
    pub fn state_hash(&mut self) -> B256 {
        if let Some(h) = self.hc.state {
            return h;
        }
        let h = self.state_fields().hash();
        self.hc.state = Some(h);
        h
    }

    /// All state fields, with every root brought up to date.
    pub fn state_fields(&mut self) -> StateFields {
        let p = std::sync::Arc::clone(&self.prog);
        let code = self.statics.code(&p).root();
        let table = self.statics.table(&p).root();
        let input_root = self.statics.input_tree().root();
        self.mem.flush();
        let (output_chain, output_pending) = self.output_commitment();
        StateFields {
            status: self.status as u8,
            trap_code: self.trap_code,
            pc: self.pc,
            call_depth: self.frames.len() as u32,
            max_call_depth: p.limits.max_call_depth,
            code_root: code,
            code_depth: code_depth(p.code.len()) as u8,
            value_stack: self.hc.value.hash(&self.stack),
            aux_stack: self.hc.aux.hash(&self.aux),
            frame_stack: self.frame_chain(),
            locals: locals_root(&self.locals[self.locals_base..]),
            globals: self.globals_root(),
            table,
            table_size: p.table.len() as u32,
            memory_root: self.mem.root(),
            memory_pages: self.pages,
            max_pages: p.max_pages,
            segments: self.segments_root(),
            input_root,
            input_len: self.statics.input().len() as u32,
            output_chain,
            output_pending,
            output_len: self.output.len() as u64,
            bulk_dst: self.bulk_dst,
            bulk_src: self.bulk_src,
            bulk_len: self.bulk_len,
            segment_steps: self.segment_steps,
            segment_depth: p.limits.segment_depth,
            stack_depth: self.stack.len() as u64,
        }
    }

    /// `(output_chain, output_pending)` over the output written so far.
    fn output_commitment(&mut self) -> (B256, B256) {
        let full = self.output.len() / 32;
        for b in self.hc.output_blocks..full {
            let mut block = [0u8; 32];
            block.copy_from_slice(&self.output[32 * b..32 * b + 32]);
            self.hc.output_chain = output_fold(&self.hc.output_chain, &block);
        }
        self.hc.output_blocks = full;
        let mut pending = [0u8; 32];
        let tail = &self.output[32 * full..];
        pending[..tail.len()].copy_from_slice(tail);
        (self.hc.output_chain, pending)
    }

    /// The chain over saved frames `(return_pc, locals_root)`, reusing the unchanged prefix.
    fn frame_chain(&mut self) -> B256 {
        let hc = &mut self.hc;
        let saved = &self.locals[..self.locals_base];
        let same_arena = saved
            .iter()
            .zip(&hc.arena)
            .take_while(|(a, b)| a == b)
            .count();
        let keep = self
            .frames
            .iter()
            .zip(&hc.frames)
            .take_while(|(a, b)| a == b && (a.base + a.n_locals) as usize <= same_arena)
            .count();
        hc.frames.truncate(keep);
        hc.frame_roots.truncate(keep);
        hc.frame_chain.truncate(keep);
        hc.arena.clear();
        hc.arena.extend_from_slice(saved);
        let mut h = hc.frame_chain.last().copied().unwrap_or([0; 32]);
        for f in &self.frames[keep..] {
            let start = f.base as usize;
            let end = (start + f.n_locals as usize).min(saved.len());
            let root = locals_root(&saved[start.min(end)..end]);
            h = frame_push(&h, f.return_pc, &root);
            hc.frames.push(*f);
            hc.frame_roots.push(root);
            hc.frame_chain.push(h);
        }
        h
    }

    fn globals_root(&mut self) -> B256 {
        if let Some((g, root)) = &self.hc.globals
            && g == &self.globals
        {
            return *root;
        }
        let leaves = self.globals.iter().map(|&v| value_leaf(v)).collect();
        let root = sparse_root(leaves, SMALL_DEPTH, &zeros().value);
        self.hc.globals = Some((self.globals.clone(), root));
        root
    }

    fn segments_root(&mut self) -> B256 {
        if let Some((s, root)) = &self.hc.segments
            && s == &self.seg_len
        {
            return *root;
        }
        let p = std::sync::Arc::clone(&self.prog);
        let trees = self.statics.segments(&p);
        let leaves = self
            .seg_len
            .iter()
            .enumerate()
            .map(|(i, &len)| self.segment_leaf(trees, i, len))
            .collect();
        let root = sparse_root(leaves, SMALL_DEPTH, &zeros().segment);
        self.hc.segments = Some((self.seg_len.clone(), root));
        root
    }

    /// Segment `i`'s leaf: its length and bytes root (the empty root once dropped).
    pub(crate) fn segment_leaf(
        &self,
        trees: &[super::merkle::LevelTree],
        i: usize,
        len: u64,
    ) -> B256 {
        if len == 0 {
            return zeros().segment[0];
        }
        segment_leaf(len, &trees[i].root())
    }

    /// The locals root of saved frame `i` (0 = outermost), as last hashed.
    pub(crate) fn saved_locals_root(&mut self, i: usize) -> B256 {
        self.frame_chain();
        self.hc.frame_roots[i]
    }

    /// The frame chain below saved frame `i`.
    pub(crate) fn frame_chain_below(&mut self, i: usize) -> B256 {
        self.frame_chain();
        if i == 0 {
            [0; 32]
        } else {
            self.hc.frame_chain[i - 1]
        }
    }

    /// The value chain below the top `n` values.
    pub(crate) fn value_chain_below(&mut self, n: usize) -> B256 {
        self.hc.value.hash(&self.stack);
        let k = self.stack.len().saturating_sub(n);
        if k == 0 {
            [0; 32]
        } else {
            self.hc.value.chain[k - 1]
        }
    }

    /// The aux chain below its top value.
    pub(crate) fn aux_chain_below_top(&mut self) -> B256 {
        self.hc.aux.hash(&self.aux);
        let k = self.aux.len().saturating_sub(1);
        if k == 0 {
            [0; 32]
        } else {
            self.hc.aux.chain[k - 1]
        }
    }
}

impl Machine {
    /// The data segments tree as it stands (for proofs).
    pub(crate) fn segments_tree(&mut self) -> super::merkle::LevelTree {
        let p = std::sync::Arc::clone(&self.prog);
        let trees = self.statics.segments(&p);
        let leaves = self
            .seg_len
            .iter()
            .enumerate()
            .map(|(i, &len)| self.segment_leaf(trees, i, len))
            .collect();
        super::merkle::LevelTree::build(leaves, SMALL_DEPTH, &zeros().segment)
    }

    /// The current frame's locals tree (for proofs).
    pub(crate) fn locals_tree(&self) -> super::merkle::LevelTree {
        let leaves = self.locals[self.locals_base..]
            .iter()
            .map(|&v| value_leaf(v))
            .collect();
        super::merkle::LevelTree::build(leaves, SMALL_DEPTH, &zeros().value)
    }

    /// The globals tree (for proofs).
    pub(crate) fn globals_tree(&self) -> super::merkle::LevelTree {
        let leaves = self.globals.iter().map(|&v| value_leaf(v)).collect();
        super::merkle::LevelTree::build(leaves, SMALL_DEPTH, &zeros().value)
    }
}
