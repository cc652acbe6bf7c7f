//! Handwritten-digit classifier, f32 variant: the digits MLP with f32 weights and f32 inference,
//! for exercising the machine's soft-float path (every float instruction is a routine call).
//!
//! Input: 64 bytes, an 8x8 image row by row, pixel values 0..=16 (the UCI digits format).
//! Output: `{"digit":D,"scores":[s0,...,s9]}` with the logits times 1000, truncated to integers,
//! or `{"error":"..."}`. The arithmetic is exactly `f32_logits` of
//! `guests/train/train_digits.py`: each product and sum rounded to f32, in the same order.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[rustfmt::skip]
pub mod weights;

use opml_guest::{OutBuf, read_input_exact};
use weights::{B1, B2, CLASSES, HIDDEN, INPUTS, W1, W2};

/// Pixels per image.
pub const PIXELS: usize = INPUTS;
/// Largest pixel value.
pub const MAX_PIXEL: u8 = 16;

/// The f32 logits of one image.
pub fn logits(pixels: &[u8; PIXELS]) -> [f32; CLASSES] {
    let mut x = [0f32; PIXELS];
    for (xi, &p) in x.iter_mut().zip(pixels) {
        *xi = f32::from(p) / 16.0;
    }
    let mut hidden = [0f32; HIDDEN];
    for (h, (row, &b)) in hidden.iter_mut().zip(W1.iter().zip(&B1)) {
        let mut acc = b;
        for (&w, &xi) in row.iter().zip(&x) {
            acc += w * xi;
        }
        *h = if acc > 0.0 { acc } else { 0.0 };
    }
    let mut out = [0f32; CLASSES];
    for (o, (row, &b)) in out.iter_mut().zip(W2.iter().zip(&B2)) {
        let mut acc = b;
        for (&w, &a) in row.iter().zip(&hidden) {
            acc += w * a;
        }
        *o = acc;
    }
    out
}

/// Index of the largest score, the first one on ties.
pub fn argmax(scores: &[f32; CLASSES]) -> usize {
    let (mut best, mut top) = (0, scores[0]);
    for (i, &s) in scores.iter().enumerate() {
        if s > top {
            (best, top) = (i, s);
        }
    }
    best
}

/// A score as printed: times 1000, truncated toward zero (saturating).
pub fn milli(score: f32) -> i32 {
    (score * 1000.0) as i32
}

/// The program: reads the image, writes the digit and the scores as JSON.
pub fn run() {
    let mut out = OutBuf::<160>::new();
    match read_input_exact::<PIXELS>() {
        Ok(px) if px.iter().all(|&p| p <= MAX_PIXEL) => {
            let scores = logits(&px);
            out.push_str("{\"digit\":");
            out.push_u32(argmax(&scores) as u32);
            out.push_str(",\"scores\":[");
            for (i, &s) in scores.iter().enumerate() {
                if i > 0 {
                    out.push_str(",");
                }
                out.push_i32(milli(s));
            }
            out.push_str("]}");
        }
        _ => out.push_str("{\"error\":\"input must be 64 bytes with values 0..=16\"}"),
    }
    out.flush();
}

opml_guest::entry!(run);

#[cfg(test)]
mod tests;
