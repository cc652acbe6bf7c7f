//! ORA opML's MNIST example as an opml guest: the same model file and semantics as their demo
//! (`mlgo/examples/mnist`), so the two systems can be measured on the same work.
//!
//! Input: 784 bytes, a 28×28 image row by row, pixels 0..=255, used unscaled (`x[i] = byte[i]`,
//! as theirs). Output: `{"digit":D,"logits":[l0,...,l9]}` where the logits are `W2·h + b2` with
//! `h = relu(W1·x + b1)`, each printed as the shortest decimal that round-trips its f32, and `D`
//! their argmax (the first on ties); or `{"error":"..."}`.
//!
//! Each dot product sums in input order starting from 0, then adds the bias; every operation is
//! an f32 operation, so the result is fixed bit for bit on every engine.
#![cfg_attr(target_arch = "wasm32", no_std)]

pub mod model;

use core::fmt::Write;
use model::{HIDDEN, INPUTS, Layer, OUTPUTS};
use opml_guest::{OutBuf, read_input_exact};

/// The model file, ggml format (see `testdata/README.md`).
const MODEL: &[u8] = include_bytes!("../testdata/ggml-model-small-f32.bin");

/// The logits `W2·relu(W1·x + b1) + b2` of one image.
pub fn logits(pixels: &[u8; INPUTS]) -> [f32; OUTPUTS] {
    let (l1, l2, _) = model::layers(MODEL);
    let mut x = [0f32; INPUTS];
    for (xi, &p) in x.iter_mut().zip(pixels) {
        *xi = f32::from(p);
    }
    let mut h = [0f32; HIDDEN];
    dense(&l1, &x, &mut h);
    for v in &mut h {
        if *v < 0.0 {
            *v = 0.0;
        }
    }
    let mut y = [0f32; OUTPUTS];
    dense(&l2, &h, &mut y);
    y
}

/// `out[j] = (Σ_i w[j][i]·x[i]) + b[j]`, summed in input order.
fn dense(layer: &Layer<'_>, x: &[f32], out: &mut [f32]) {
    for (j, o) in out.iter_mut().enumerate() {
        *o = dot(layer.row(j), x) + layer.bias(j);
    }
}

/// `Σ_i w[i]·x[i]` from 0, in input order, over a row of little-endian f32 weights.
///
/// Every wasm instruction is a VM step, so this loop is most of the program's trace. It is
/// written for few instructions per multiply-add: fixed-size chunks (no bounds checks, no index
/// arithmetic) and eight multiply-adds per iteration (the loop's own steps paid once per eight).
/// The additions stay in order, so the result is the plain loop's bit for bit.
fn dot(row: &[u8], x: &[f32]) -> f32 {
    let (w, _) = row.as_chunks::<4>();
    let (w8, w_rest) = w.as_chunks::<8>();
    let (x8, x_rest) = x.as_chunks::<8>();
    let mut acc = 0f32;
    for (w, x) in w8.iter().zip(x8) {
        for k in 0..8 {
            acc += f32::from_le_bytes(w[k]) * x[k];
        }
    }
    for (w, &xi) in w_rest.iter().zip(x_rest) {
        acc += f32::from_le_bytes(*w) * xi;
    }
    acc
}

/// Index of the largest logit, the first one on ties.
pub fn argmax(y: &[f32; OUTPUTS]) -> usize {
    let (mut best, mut top) = (0, y[0]);
    for (i, &v) in y.iter().enumerate() {
        if v > top {
            (best, top) = (i, v);
        }
    }
    best
}

/// Room for the answer: ten logits of at most ~48 characters each, plus the frame.
type Out = OutBuf<640>;

/// `core::fmt` into the output buffer: `{}` of an `f32` is the shortest decimal that
/// round-trips it.
struct Fmt<'a>(&'a mut Out);

impl Write for Fmt<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.push_str(s);
        Ok(())
    }
}

/// The program: reads the image, writes the digit and the logits as JSON.
pub fn run() {
    let mut out = Out::new();
    match read_input_exact::<INPUTS>() {
        Ok(px) => {
            let y = logits(&px);
            out.push_str("{\"digit\":");
            out.push_u32(argmax(&y) as u32);
            out.push_str(",\"logits\":[");
            for (i, v) in y.iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                // Writing to `Fmt` cannot fail.
                let _ = write!(Fmt(&mut out), "{v}");
            }
            out.push_str("]}");
        }
        Err(_) => out.push_str("{\"error\":\"input must be 784 bytes (a 28x28 image)\"}"),
    }
    out.flush();
}

opml_guest::entry!(run);

#[cfg(test)]
mod tests;
