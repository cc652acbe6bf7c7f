//! The float kernels, written for the machine: every multiply-add is a handful of wasm
//! instructions (so a handful of VM steps once floats are single steps), no SIMD, no fused
//! multiply-add, and every sum in a fixed order so that the wasm build and a native build of this
//! code give the same bits.

/// `out[r·so + c] = Σ_{i<k} x[r·sx + i] · w[c·sw + i]` for `r < rows`, `c < cols`: rows of `x`
/// against rows of `w` (the `x · wᵀ` of a PyTorch `Linear`). Each sum starts at 0 and adds the
/// products in `i` order, whatever the blocking.
#[allow(clippy::too_many_arguments)]
pub fn matmul_nt(
    x: &[f32],
    sx: usize,
    w: &[f32],
    sw: usize,
    k: usize,
    out: &mut [f32],
    so: usize,
    rows: usize,
    cols: usize,
) {
    let mut r = 0;
    while r + 4 <= rows {
        let mut c = 0;
        while c + 4 <= cols {
            block::<4, 4>(x, sx, w, sw, k, out, so, r, c);
            c += 4;
        }
        while c < cols {
            block::<4, 1>(x, sx, w, sw, k, out, so, r, c);
            c += 1;
        }
        r += 4;
    }
    while r < rows {
        let mut c = 0;
        while c + 4 <= cols {
            block::<1, 4>(x, sx, w, sw, k, out, so, r, c);
            c += 4;
        }
        while c < cols {
            block::<1, 1>(x, sx, w, sw, k, out, so, r, c);
            c += 1;
        }
        r += 1;
    }
}

/// One `R × C` tile of [`matmul_nt`] at row `r`, column `c`; each loaded value is used `R` or
/// `C` times from a local.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn block<const R: usize, const C: usize>(
    x: &[f32],
    sx: usize,
    w: &[f32],
    sw: usize,
    k: usize,
    out: &mut [f32],
    so: usize,
    r: usize,
    c: usize,
) {
    let xs: [&[f32]; R] = core::array::from_fn(|a| &x[(r + a) * sx..][..k]);
    let ws: [&[f32]; C] = core::array::from_fn(|b| &w[(c + b) * sw..][..k]);
    let mut acc = [[0f32; C]; R];
    for i in 0..k {
        let xv: [f32; R] = core::array::from_fn(|a| xs[a][i]);
        let wv: [f32; C] = core::array::from_fn(|b| ws[b][i]);
        for a in 0..R {
            for b in 0..C {
                acc[a][b] += xv[a] * wv[b];
            }
        }
    }
    for (a, row) in acc.iter().enumerate() {
        let o = &mut out[(r + a) * so + c..][..C];
        o.copy_from_slice(row);
    }
}

/// `out = x · wᵀ + b` for `n` rows of `k` inputs and `b.len()` outputs.
pub fn linear(x: &[f32], k: usize, w: &[f32], b: &[f32], out: &mut [f32], n: usize) {
    let m = b.len();
    matmul_nt(x, k, w, k, k, out, m, n, m);
    for row in out[..n * m].chunks_exact_mut(m) {
        for (o, &bi) in row.iter_mut().zip(b) {
            *o += bi;
        }
    }
}

/// LayerNorm of each `h`-row of `x` in place: `(x - mean) / sqrt(var + eps) · g + b`, the
/// variance biased (divided by `h`), as PyTorch's.
pub fn layer_norm(x: &mut [f32], h: usize, g: &[f32], b: &[f32], eps: f32) {
    let n = h as f32;
    for row in x.chunks_exact_mut(h) {
        let mut sum = 0f32;
        for &v in row.iter() {
            sum += v;
        }
        let mean = sum / n;
        let mut sq = 0f32;
        for &v in row.iter() {
            let d = v - mean;
            sq += d * d;
        }
        let denom = (sq / n + eps).sqrt();
        for ((v, &gi), &bi) in row.iter_mut().zip(g).zip(b) {
            *v = (*v - mean) / denom * gi + bi;
        }
    }
}

/// `x + y` elementwise into `x`.
pub fn add_into(x: &mut [f32], y: &[f32]) {
    for (a, &b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// The exact GELU, `x · (1 + erf(x / √2)) / 2`, in place.
pub fn gelu(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + libm::erff(*v * core::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Softmax of each `n`-row of `x` in place (max subtracted first).
pub fn softmax_rows(x: &mut [f32], n: usize) {
    for row in x.chunks_exact_mut(n) {
        let mut max = f32::NEG_INFINITY;
        for &v in row.iter() {
            max = if v > max { v } else { max };
        }
        let mut sum = 0f32;
        for v in row.iter_mut() {
            *v = libm::expf(*v - max);
            sum += *v;
        }
        for v in row.iter_mut() {
            *v /= sum;
        }
    }
}

/// `Σ a[i]·b[i]` in order.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut s = 0f32;
    for (&x, &y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_matches_the_plain_loop_for_every_tail() {
        let mut seed = 1u32;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed % 2001) as f32 / 1000.0 - 1.0
        };
        for (rows, cols, k) in [(1, 1, 1), (5, 7, 3), (8, 8, 9), (9, 13, 16), (4, 4, 0)] {
            let x: Vec<f32> = (0..rows * k).map(|_| rnd()).collect();
            let w: Vec<f32> = (0..cols * k).map(|_| rnd()).collect();
            let mut out = vec![0f32; rows * cols];
            matmul_nt(&x, k, &w, k, k, &mut out, cols, rows, cols);
            for r in 0..rows {
                for c in 0..cols {
                    let want = dot(&x[r * k..][..k], &w[c * k..][..k]);
                    assert_eq!(
                        out[r * cols + c].to_bits(),
                        want.to_bits(),
                        "{rows}x{cols}x{k}"
                    );
                }
            }
        }
    }

    #[test]
    fn softmax_and_layer_norm() {
        let mut x = [1.0f32, 2.0, 3.0, 0.0, 0.0, 0.0];
        softmax_rows(&mut x, 3);
        assert!((x[0] + x[1] + x[2] - 1.0).abs() < 1e-6 && x[2] > x[1]);
        assert_eq!(&x[3..], &[1.0 / 3.0; 3]);
        let mut y = [1.0f32, 3.0];
        layer_norm(&mut y, 2, &[1.0, 1.0], &[0.0, 0.5], 0.0);
        assert_eq!(y, [-1.0, 1.5]);
        let mut g = [0.0f32, 1.0, -1.0];
        gelu(&mut g);
        assert_eq!(g[0], 0.0);
        assert!((g[1] - 0.841_344_7).abs() < 1e-6 && (g[2] + 0.158_655_25).abs() < 1e-6);
    }
}
