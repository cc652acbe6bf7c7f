//! The encoder as a sequence of operators, one per segment: the embeddings, then per layer the
//! QKV projection, attention, the output projection with its LayerNorm, the feed-forward up
//! projection with GELU, the down projection with its LayerNorm; then mean pooling and L2
//! normalisation.

use crate::blob::{Config, Model};
use crate::kernels::{add_into, gelu, layer_norm, linear, matmul_nt, softmax_rows};

/// LayerNorm epsilon of the model's config.
pub const LN_EPS: f32 = 1e-12;
/// Operators per layer.
pub const OPS_PER_LAYER: usize = 5;

/// The activations of one text's forward pass.
#[derive(Debug)]
pub struct Forward {
    ids: Vec<u32>,
    /// Next operator: 0 embeddings, then `OPS_PER_LAYER` per layer, then pooling.
    next: usize,
    /// Hidden states `[n, H]`.
    h: Vec<f32>,
    /// `[n, 3H]` (QKV), then `[n, I]` (feed-forward).
    wide: Vec<f32>,
    /// `[n, H]`: attention context, projections.
    tmp: Vec<f32>,
    /// One head's scores `[n, n]`.
    scores: Vec<f32>,
    /// One head's values, transposed `[d, n]`.
    vt: Vec<f32>,
}

impl Forward {
    /// A pass over token `ids` (at least one, at most the model's positions).
    pub fn new(ids: Vec<u32>, c: &Config) -> Self {
        let n = ids.len();
        let d = c.hidden / c.heads;
        Forward {
            ids,
            next: 0,
            h: vec![0.0; n * c.hidden],
            wide: vec![0.0; n * c.intermediate.max(3 * c.hidden)],
            tmp: vec![0.0; n * c.hidden],
            scores: vec![0.0; n * n],
            vt: vec![0.0; d * n],
        }
    }

    /// Operators in a whole pass.
    pub fn ops(c: &Config) -> usize {
        2 + OPS_PER_LAYER * c.layers
    }

    /// Runs the next operator; after the last one returns the embedding.
    pub fn step(&mut self, m: &Model) -> Option<Vec<f32>> {
        let c = &m.config;
        let op = self.next;
        self.next += 1;
        if op == 0 {
            self.embed(m);
            return None;
        }
        let (layer, k) = ((op - 1) / OPS_PER_LAYER, (op - 1) % OPS_PER_LAYER);
        if layer == c.layers {
            return Some(self.pool(c.hidden));
        }
        let l = &m.weights.layers[layer];
        let (n, hid, inter) = (self.ids.len(), c.hidden, c.intermediate);
        match k {
            0 => linear(&self.h, hid, l.qkv_w, l.qkv_b, &mut self.wide, n),
            1 => self.attention(c),
            2 => {
                // h = LayerNorm(h + attention output); `wide` is free after attention.
                linear(&self.tmp, hid, l.out_w, l.out_b, &mut self.wide, n);
                add_into(&mut self.h, &self.wide[..n * hid]);
                layer_norm(&mut self.h, hid, l.ln1_w, l.ln1_b, LN_EPS);
            }
            3 => {
                linear(&self.h, hid, l.up_w, l.up_b, &mut self.wide, n);
                gelu(&mut self.wide[..n * inter]);
            }
            _ => {
                linear(&self.wide, inter, l.down_w, l.down_b, &mut self.tmp, n);
                add_into(&mut self.h, &self.tmp);
                layer_norm(&mut self.h, hid, l.ln2_w, l.ln2_b, LN_EPS);
            }
        }
        None
    }

    fn embed(&mut self, m: &Model) {
        let (w, hid) = (&m.weights, m.config.hidden);
        for (pos, (row, &id)) in self.h.chunks_exact_mut(hid).zip(&self.ids).enumerate() {
            let word = &w.word[id as usize * hid..][..hid];
            let position = &w.position[pos * hid..][..hid];
            for (((o, &a), &b), &t) in row.iter_mut().zip(word).zip(position).zip(w.token_type) {
                *o = a + t + b;
            }
        }
        layer_norm(&mut self.h, hid, w.ln_w, w.ln_b, LN_EPS);
    }

    /// Multi-head self-attention over `wide` (`[n, 3H]`: Q, K, V) into `tmp` (`[n, H]`).
    fn attention(&mut self, c: &Config) {
        let (n, hid) = (self.ids.len(), c.hidden);
        let d = hid / c.heads;
        let scale = (d as f32).sqrt();
        let qkv = &self.wide;
        for head in 0..c.heads {
            let q = &qkv[head * d..];
            let k = &qkv[hid + head * d..];
            matmul_nt(q, 3 * hid, k, 3 * hid, d, &mut self.scores, n, n, n);
            for s in &mut self.scores {
                *s /= scale;
            }
            softmax_rows(&mut self.scores, n);
            for (j, vrow) in self.vt.chunks_exact_mut(n).enumerate() {
                for (s, v) in vrow.iter_mut().enumerate() {
                    *v = qkv[s * 3 * hid + 2 * hid + head * d + j];
                }
            }
            matmul_nt(
                &self.scores,
                n,
                &self.vt,
                n,
                n,
                &mut self.tmp[head * d..],
                hid,
                n,
                d,
            );
        }
    }

    /// Mean over tokens, then divided by its L2 norm (at least 1e-12).
    fn pool(&self, hid: usize) -> Vec<f32> {
        let n = self.ids.len() as f32;
        let mut e = vec![0f32; hid];
        for row in self.h.chunks_exact(hid) {
            add_into(&mut e, row);
        }
        for v in &mut e {
            *v /= n;
        }
        let norm = crate::kernels::dot(&e, &e).sqrt().max(1e-12);
        for v in &mut e {
            *v /= norm;
        }
        e
    }
}
