//! A segmented program of many short segments: a hash chain, [`ROUNDS`] rounds of a 64-bit mix
//! per segment, over `n` segments (default [`DEFAULT_SEGMENTS`]).
//!
//! Input: empty, or a u32 little-endian segment count (1 to [`MAX_SEGMENTS`]).
//! Output: `{"segments":N,"hash":"<16 hex>"}` written by the last segment, or `{"error":"..."}`.
//! Exports `segment: [] -> [i32]` (machine v2; `opml_guest::segments!`).
#![cfg_attr(target_arch = "wasm32", no_std)]

use opml_guest::{Flow, OutBuf, Segmented, input_len, read_input_exact};

/// Segments when the input is empty.
pub const DEFAULT_SEGMENTS: u32 = 1024;
/// Most segments accepted.
pub const MAX_SEGMENTS: u32 = 1 << 20;
/// Mixing rounds per segment.
pub const ROUNDS: u32 = 64;

/// One round of the chain (splitmix64's finaliser over a counter).
pub fn mix(h: u64, i: u64) -> u64 {
    let mut z = h ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The chain's value after `segments` segments.
pub fn expected(segments: u32) -> u64 {
    (0..u64::from(segments) * u64::from(ROUNDS)).fold(0, mix)
}

/// The program's state.
#[derive(Debug)]
pub struct Chain {
    segments: u32,
    done: u32,
    hash: u64,
}

fn segment_count() -> Option<u32> {
    match input_len() {
        0 => Some(DEFAULT_SEGMENTS),
        4 => read_input_exact::<4>()
            .ok()
            .map(u32::from_le_bytes)
            .filter(|n| (1..=MAX_SEGMENTS).contains(n)),
        _ => None,
    }
}

impl Segmented for Chain {
    fn start() -> Self {
        Chain {
            segments: segment_count().unwrap_or(0),
            done: 0,
            hash: 0,
        }
    }

    fn segment(&mut self) -> Flow {
        let mut out = OutBuf::<64>::new();
        if self.segments == 0 {
            out.push_str("{\"error\":\"input must be empty or a u32 LE count in 1..=1048576\"}");
            out.flush();
            return Flow::Done;
        }
        let base = u64::from(self.done) * u64::from(ROUNDS);
        for i in 0..u64::from(ROUNDS) {
            self.hash = mix(self.hash, base + i);
        }
        self.done += 1;
        if self.done < self.segments {
            return Flow::More;
        }
        out.push_str("{\"segments\":");
        out.push_u32(self.segments);
        out.push_str(",\"hash\":\"");
        out.push_hex(&self.hash.to_be_bytes());
        out.push_str("\"}");
        out.flush();
        Flow::Done
    }
}

opml_guest::segments!(Chain);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_every_segment_then_answers() {
        opml_guest::host::set_input(&3u32.to_le_bytes());
        opml_guest::run_to_end::<Chain>();
        let mut want = OutBuf::<64>::new();
        want.push_str("{\"segments\":3,\"hash\":\"");
        want.push_hex(&expected(3).to_be_bytes());
        want.push_str("\"}");
        assert_eq!(opml_guest::host::take_output(), want.as_bytes());
    }

    #[test]
    fn bad_input_is_an_error() {
        opml_guest::host::set_input(&0u32.to_le_bytes());
        opml_guest::run_to_end::<Chain>();
        assert!(opml_guest::host::take_output().starts_with(b"{\"error\""));
    }
}
