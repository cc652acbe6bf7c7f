//! A segmented program of many short segments: a hash chain, `rounds` rounds of a 64-bit mix
//! per segment (default [`ROUNDS`]), over `n` segments (default [`DEFAULT_SEGMENTS`]).
//!
//! Input: empty; a u32 little-endian segment count (1 to [`MAX_SEGMENTS`]); or that count then
//! a u32 little-endian number of rounds per segment (1 to [`MAX_ROUNDS`], about 30 VM steps
//! each); `testdata/long.bin` asks for `2^15` segments of `18,500` rounds: 1.7 · 10^10 VM steps.
//! Output: `{"segments":N,"hash":"<16 hex>"}` written by the last segment
//! (`{"segments":N,"rounds":R,"hash":…}` when the input gave the rounds), or `{"error":"..."}`.
//! Exports `segment: [] -> [i32]` (machine v2; `opml_guest::segments!`).
#![cfg_attr(target_arch = "wasm32", no_std)]

use opml_guest::{Flow, OutBuf, Segmented, input_len, read_input_exact};

/// Segments when the input is empty.
pub const DEFAULT_SEGMENTS: u32 = 1024;
/// Most segments accepted.
pub const MAX_SEGMENTS: u32 = 1 << 20;
/// Mixing rounds per segment unless the input says otherwise.
pub const ROUNDS: u32 = 64;
/// Most rounds per segment accepted.
pub const MAX_ROUNDS: u32 = 1 << 24;

/// One round of the chain (splitmix64's finaliser over a counter).
pub fn mix(h: u64, i: u64) -> u64 {
    let mut z = h ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The chain's value after `segments` segments of [`ROUNDS`] rounds.
pub fn expected(segments: u32) -> u64 {
    expected_with(segments, ROUNDS)
}

/// The chain's value after `segments` segments of `rounds` rounds.
pub fn expected_with(segments: u32, rounds: u32) -> u64 {
    (0..u64::from(segments) * u64::from(rounds)).fold(0, mix)
}

/// The program's state.
#[derive(Debug)]
pub struct Chain {
    /// 0: the input was refused.
    segments: u32,
    rounds: u32,
    /// Whether the input gave the rounds (then the output names them).
    rounds_given: bool,
    done: u32,
    hash: u64,
}

/// `(segments, rounds, rounds given)` from the input, `None` when it is refused.
fn shape() -> Option<(u32, u32, bool)> {
    let count = |n: u32| (1..=MAX_SEGMENTS).contains(&n).then_some(n);
    match input_len() {
        0 => Some((DEFAULT_SEGMENTS, ROUNDS, false)),
        4 => {
            let n = count(u32::from_le_bytes(read_input_exact::<4>().ok()?))?;
            Some((n, ROUNDS, false))
        }
        8 => {
            let b = read_input_exact::<8>().ok()?;
            let n = count(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))?;
            let r = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            (1..=MAX_ROUNDS).contains(&r).then_some((n, r, true))
        }
        _ => None,
    }
}

impl Segmented for Chain {
    fn start() -> Self {
        let (segments, rounds, rounds_given) = shape().unwrap_or((0, 0, false));
        Chain {
            segments,
            rounds,
            rounds_given,
            done: 0,
            hash: 0,
        }
    }

    fn segment(&mut self) -> Flow {
        let mut out = OutBuf::<128>::new();
        if self.segments == 0 {
            out.push_str(
                "{\"error\":\"input: empty, or a u32 LE count in 1..=1048576, \
                 then optionally u32 LE rounds in 1..=16777216\"}",
            );
            out.flush();
            return Flow::Done;
        }
        let base = u64::from(self.done) * u64::from(self.rounds);
        for i in 0..u64::from(self.rounds) {
            self.hash = mix(self.hash, base + i);
        }
        self.done += 1;
        if self.done < self.segments {
            return Flow::More;
        }
        out.push_str("{\"segments\":");
        out.push_u32(self.segments);
        if self.rounds_given {
            out.push_str(",\"rounds\":");
            out.push_u32(self.rounds);
        }
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

    fn answer(segments: u32, rounds: Option<u32>, hash: u64) -> Vec<u8> {
        let mut want = OutBuf::<128>::new();
        want.push_str("{\"segments\":");
        want.push_u32(segments);
        if let Some(r) = rounds {
            want.push_str(",\"rounds\":");
            want.push_u32(r);
        }
        want.push_str(",\"hash\":\"");
        want.push_hex(&hash.to_be_bytes());
        want.push_str("\"}");
        want.as_bytes().to_vec()
    }

    fn run(input: &[u8]) -> Vec<u8> {
        opml_guest::host::set_input(input);
        opml_guest::run_to_end::<Chain>();
        opml_guest::host::take_output()
    }

    #[test]
    fn runs_every_segment_then_answers() {
        assert_eq!(run(&3u32.to_le_bytes()), answer(3, None, expected(3)));
        assert_eq!(
            run(&[]),
            answer(DEFAULT_SEGMENTS, None, expected(DEFAULT_SEGMENTS))
        );
    }

    #[test]
    fn the_rounds_per_segment_can_be_given() {
        let input = [5u32.to_le_bytes(), 7u32.to_le_bytes()].concat();
        assert_eq!(run(&input), answer(5, Some(7), expected_with(5, 7)));
        // The same chain, cut into segments differently.
        assert_eq!(expected_with(5, 7), expected_with(7, 5));
        assert_eq!(expected_with(2, 64), expected(2));
    }

    #[test]
    fn bad_input_is_an_error() {
        let bad: [&[u8]; 6] = [
            &0u32.to_le_bytes(),
            &(MAX_SEGMENTS + 1).to_le_bytes(),
            &[1, 0, 0],
            &[1, 0, 0, 0, 0, 0, 0, 0],
            &[1, 0, 0, 0, 1, 0, 0, 1],
            &[1, 0, 0, 0, 1, 0, 0, 0, 0],
        ];
        for input in bad {
            let out = run(input);
            assert!(
                out.starts_with(b"{\"error\"") && out.ends_with(b"\"}"),
                "{input:?}"
            );
        }
        // The largest shape accepted.
        let max = [MAX_SEGMENTS.to_le_bytes(), MAX_ROUNDS.to_le_bytes()].concat();
        opml_guest::host::set_input(&max);
        assert_eq!(shape(), Some((MAX_SEGMENTS, MAX_ROUNDS, true)));
    }
}
