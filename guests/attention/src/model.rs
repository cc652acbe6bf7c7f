//! The attention block: `Y = softmax(Q Kᵀ / √D) V · Wo` with `Q = X·Wq`, `K = X·Wk`, `V = X·Wv`,
//! in f32, every product and sum rounded in a fixed order (the same on every engine).
//!
//! The weights are fixed and deterministic: xorshift32 integers scaled by a power of two, so
//! every weight is an exact f32 computed at compile time and stored as data.

use crate::expf::expf;

/// Tokens in the sequence.
pub const T: usize = 8;
/// Model (and head) width.
pub const D: usize = 16;

/// A `T × D` activation matrix, row per token.
pub type Seq = [[f32; D]; T];
/// A `D × D` weight matrix, `W[i][j]` maps input dim `i` to output dim `j`.
pub type Weights = [[f32; D]; D];

/// `1/√D`, exact for `D = 16`.
const SCALE: f32 = 0.25;

/// One xorshift32 step.
pub const fn xorshift(mut s: u32) -> u32 {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    s
}

/// A value in `[-amp, amp)` from the top 24 bits of `s` (exact in f32: a 24-bit integer times a
/// power of two; `amp` must itself be a power of two).
pub const fn unit(s: u32, amp: f32) -> f32 {
    ((s >> 8) as i32 - (1 << 23)) as f32 * (amp / (1u32 << 23) as f32)
}

const fn weights(seed: u32) -> Weights {
    let mut w = [[0.0; D]; D];
    let mut s = seed;
    let mut i = 0;
    while i < D {
        let mut j = 0;
        while j < D {
            s = xorshift(s);
            // Uniform in [-1/2, 1/2): variance 1/12, so a projection keeps the scale of its input.
            w[i][j] = unit(s, 0.5);
            j += 1;
        }
        i += 1;
    }
    w
}

/// Query projection.
pub static WQ: Weights = weights(0x0000_a771);
/// Key projection.
pub static WK: Weights = weights(0x0001_b00c);
/// Value projection.
pub static WV: Weights = weights(0x0002_c0de);
/// Output projection.
pub static WO: Weights = weights(0x0003_d00d);

/// `X · W`, each output a left-to-right sum over the input dims.
pub fn project(x: &Seq, w: &Weights) -> Seq {
    let mut y = [[0.0; D]; T];
    for (yrow, xrow) in y.iter_mut().zip(x) {
        for (&xi, wrow) in xrow.iter().zip(w) {
            for (yj, &wij) in yrow.iter_mut().zip(wrow) {
                *yj += xi * wij;
            }
        }
    }
    y
}

fn dot(a: &[f32; D], b: &[f32; D]) -> f32 {
    a.iter().zip(b).fold(0.0, |acc, (&x, &y)| acc + x * y)
}

/// A numerically stable softmax in place: `e^(s - max) / Σ`.
pub fn softmax(row: &mut [f32; T]) {
    let max = row
        .iter()
        .fold(f32::NEG_INFINITY, |m, &s| if s > m { s } else { m });
    let mut sum = 0.0;
    for s in row.iter_mut() {
        *s = expf(*s - max);
        sum += *s;
    }
    for s in row.iter_mut() {
        *s /= sum;
    }
}

/// The attention weights: row `i` is token `i`'s softmax over the keys.
pub fn attention_weights(q: &Seq, k: &Seq) -> [[f32; T]; T] {
    let mut p = [[0.0; T]; T];
    for (prow, qi) in p.iter_mut().zip(q) {
        for (s, kj) in prow.iter_mut().zip(k) {
            *s = dot(qi, kj) * SCALE;
        }
        softmax(prow);
    }
    p
}

/// The block's output for input `x`.
pub fn attention(x: &Seq) -> Seq {
    let (q, k, v) = (project(x, &WQ), project(x, &WK), project(x, &WV));
    let p = attention_weights(&q, &k);
    // Weighted sum of the values, then the output projection.
    let mut ctx = [[0.0; D]; T];
    for (crow, prow) in ctx.iter_mut().zip(&p) {
        for (&pij, vrow) in prow.iter().zip(&v) {
            for (c, &vj) in crow.iter_mut().zip(vrow) {
                *c += pij * vj;
            }
        }
    }
    project(&ctx, &WO)
}

/// The input sequence generated from a seed: xorshift values in `[-1, 1)` (a zero seed is
/// replaced, xorshift's only fixed point).
pub fn seeded(seed: u32) -> Seq {
    let mut s = if seed == 0 { 0x9e37_79b9 } else { seed };
    let mut x = [[0.0; D]; T];
    for v in x.iter_mut().flatten() {
        s = xorshift(s);
        *v = unit(s, 1.0);
    }
    x
}

/// FNV-1a (64-bit) over the little-endian bit patterns of `y`, row by row.
pub fn checksum(y: &Seq) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for v in y.iter().flatten() {
        for byte in v.to_bits().to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}
