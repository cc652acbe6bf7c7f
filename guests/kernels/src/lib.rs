//! A compute-heavy integer kernel for benchmarks: repeated `N×N` wrapping `i32` matrix products
//! seeded by xorshift, folded into an FNV-1a checksum.
//!
//! Input: empty (8 rounds) or a little-endian `u32` round count (at most [`MAX_ROUNDS`]).
//! Output: `{"rounds":R,"checksum":"<16 hex digits>"}`, or `{"error":"..."}` for bad input.
#![cfg_attr(target_arch = "wasm32", no_std)]

use opml_guest::{OutBuf, input_len, read_input_exact};

/// Matrix side.
pub const N: usize = 16;
/// Rounds when the input is empty.
pub const DEFAULT_ROUNDS: u32 = 8;
/// Most rounds accepted (bounds the run to about 10^8 steps).
pub const MAX_ROUNDS: u32 = 2_000;

type Matrix = [[i32; N]; N];

/// Runs `rounds` products and returns the checksum of the last one.
pub fn checksum(rounds: u32) -> u64 {
    let mut seed = 0x9e37_79b9_u32;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as i32
    };
    let mut a: Matrix = [[0; N]; N];
    let mut b: Matrix = [[0; N]; N];
    for row in a.iter_mut().chain(b.iter_mut()) {
        for x in row.iter_mut() {
            *x = next() >> 16;
        }
    }
    let mut c: Matrix = [[0; N]; N];
    for r in 0..rounds {
        for i in 0..N {
            for j in 0..N {
                let mut acc = 0i32;
                for k in 0..N {
                    acc = acc.wrapping_add(a[i][k].wrapping_mul(b[k][j]));
                }
                c[i][j] = acc;
            }
        }
        // Feed the product back, kept small so it does not collapse to zero or saturate.
        for i in 0..N {
            for j in 0..N {
                a[i][j] = (c[i][j] ^ (r as i32)) >> 12;
            }
        }
    }
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for x in c.iter().flatten() {
        for byte in x.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The program: reads the round count, writes the checksum.
pub fn run() {
    let mut out = OutBuf::<80>::new();
    let rounds = if input_len() == 0 {
        Ok(DEFAULT_ROUNDS)
    } else {
        read_input_exact::<4>().map(u32::from_le_bytes)
    };
    match rounds {
        Ok(r) if r <= MAX_ROUNDS => {
            out.push_str("{\"rounds\":");
            out.push_u32(r);
            out.push_str(",\"checksum\":\"");
            out.push_hex(&checksum(r).to_be_bytes());
            out.push_str("\"}");
        }
        _ => out.push_str("{\"error\":\"input must be empty or a u32 LE round count <= 2000\"}"),
    }
    out.flush();
}

opml_guest::entry!(run);

#[cfg(test)]
mod tests {
    use super::*;
    use opml_guest::host;

    #[test]
    fn deterministic_and_round_sensitive() {
        assert_eq!(checksum(3), checksum(3));
        assert_ne!(checksum(3), checksum(4));
    }

    #[test]
    fn known_answer() {
        // Also what wasm/kernels.wasm printed under wasmtime: native and wasm agree.
        assert_eq!(checksum(8), 0xcdbc_ba40_a3c2_65f6);
        assert_eq!(checksum(100), 0x40ee_4b8d_2c3d_46a2);
    }

    #[test]
    fn answers_json() {
        host::set_input(&[]);
        run();
        let out = String::from_utf8(host::take_output()).unwrap();
        assert!(out.starts_with("{\"rounds\":8,\"checksum\":\""), "{out}");
        host::set_input(&[1, 2]);
        run();
        assert!(host::take_output().starts_with(b"{\"error\""));
        host::set_input(&5000u32.to_le_bytes());
        run();
        assert!(host::take_output().starts_with(b"{\"error\""));
    }
}
