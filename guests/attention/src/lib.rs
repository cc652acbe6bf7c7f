//! Single-head self-attention in f32, a float-heavy guest for the machine's soft-float path
//! (about 23,000 float operations per run, each a soft-float routine call in the VM).
//!
//! Input: either 512 bytes, a sequence of [`T`]` = 8` tokens × [`D`]` = 16` dims as f32
//! little-endian, row by row (every value finite with magnitude at most [`MAX_ABS`]), or 4 bytes,
//! a little-endian u32 seed from which the sequence is generated ([`model::seeded`]).
//! Output: `{"tokens":8,"dim":16,"out":["<8 hex>",...],"checksum":"<16 hex>"}`: the 128 output
//! values as f32 bit patterns (row by row) and the FNV-1a of their little-endian bytes, or
//! `{"error":"..."}`.
#![cfg_attr(target_arch = "wasm32", no_std)]

pub mod expf;
pub mod model;

pub use model::{D, Seq, T, attention, checksum};
use opml_guest::{OutBuf, input_len, read_input_exact};

/// Largest accepted input magnitude: keeps every score far from f32 overflow.
pub const MAX_ABS: f32 = 1024.0;
/// Bytes of an explicit input sequence.
pub const SEQ_BYTES: usize = T * D * 4;

/// Decodes an explicit input sequence; `None` if a value is not finite or too large.
pub fn decode(bytes: &[u8; SEQ_BYTES]) -> Option<Seq> {
    let mut x = [[0.0; D]; T];
    for (v, b) in x.iter_mut().flatten().zip(bytes.chunks_exact(4)) {
        let f = f32::from_le_bytes([*b.first()?, *b.get(1)?, *b.get(2)?, *b.get(3)?]);
        // Infinities exceed the bound.
        if f.is_nan() || f.abs() > MAX_ABS {
            return None;
        }
        *v = f;
    }
    Some(x)
}

/// The input sequence of the request, or the error message to answer with.
fn read_seq() -> Result<Seq, &'static str> {
    const BAD: &str = "input must be a u32 seed (4 bytes) or 8x16 finite f32 LE values of magnitude <= 1024 (512 bytes)";
    match input_len() {
        4 => read_input_exact::<4>()
            .map(|b| model::seeded(u32::from_le_bytes(b)))
            .map_err(|_| BAD),
        SEQ_BYTES => read_input_exact::<SEQ_BYTES>()
            .ok()
            .and_then(|b| decode(&b))
            .ok_or(BAD),
        _ => Err(BAD),
    }
}

/// Writes the output JSON for `y` into `out`.
pub fn render<const N: usize>(y: &Seq, out: &mut OutBuf<N>) {
    out.push_str("{\"tokens\":");
    out.push_u32(T as u32);
    out.push_str(",\"dim\":");
    out.push_u32(D as u32);
    out.push_str(",\"out\":[");
    for (i, v) in y.iter().flatten().enumerate() {
        out.push_str(if i == 0 { "\"" } else { ",\"" });
        out.push_hex(&v.to_bits().to_be_bytes());
        out.push_str("\"");
    }
    out.push_str("],\"checksum\":\"");
    out.push_hex(&checksum(y).to_be_bytes());
    out.push_str("\"}");
}

/// The program: reads the sequence, runs the block, writes the JSON.
pub fn run() {
    // 128 values of 11 bytes each plus about 70 bytes of frame.
    let mut out = OutBuf::<1536>::new();
    match read_seq() {
        Ok(x) => render(&attention(&x), &mut out),
        Err(e) => {
            out.push_str("{\"error\":\"");
            out.push_str(e);
            out.push_str("\"}");
        }
    }
    out.flush();
}

opml_guest::entry!(run);

#[cfg(test)]
mod tests;
