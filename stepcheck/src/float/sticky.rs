//! f64 `div` and `sqrt` operands whose exact result lies just above a rounding midpoint, so
//! close that the verifier's truncated quotient or root (`docs/floats.md`, the verifier's
//! float code) looks exactly like a tie: only the sticky bit (a nonzero remainder) rounds it
//! up. Random operands essentially never reach them: a division needs a dividend with few
//! significant bits (else the quotient keeps 75 bits below the result, more than any near-tie
//! can hide in), a square root a 2-adic coincidence. For f32 they do not exist.

/// Dividend `x1` = the smallest subnormal; divisors `x0` (normal, biased exponent 1) such that
/// `floor(2^128 / sig)` ends in `1` followed by 22 zeros with a nonzero remainder and an even
/// bit above: ties to even without the sticky bit would round down. Found by a seeded random
/// search (about 2^24 divisors per hit).
pub const DIV_DIVISORS: [u64; 4] = [
    0x001d_871d_0675_39da,
    0x0019_c0a3_3e8c_2163,
    0x001a_e4bc_8ea9_ccef,
    0x0013_e319_a398_bd6d,
];

/// `(x0, x1)` pairs for `f64.div` (computing `x1 / x0`).
pub fn div_pairs() -> Vec<(u64, u64)> {
    DIV_DIVISORS.iter().map(|&b| (b, 1)).collect()
}

/// An odd `u` with `u² ≡ c (mod 2^k)`, for `c ≡ 1 (mod 8)` and `3 <= k <= 127`, by Hensel
/// lifting: if `u² ≡ c (mod 2^j)`, one of `u` and `u + 2^(j-1)` squares to `c` modulo `2^(j+1)`.
fn sqrt_mod_pow2(c: u128, k: u32) -> u128 {
    let mut u: u128 = 1;
    for j in 3..k {
        let m = (1u128 << (j + 1)) - 1;
        if u.wrapping_mul(u).wrapping_sub(c) & m != 0 {
            u += 1 << (j - 1);
        }
    }
    u
}

/// f64 patterns whose square root is just above a midpoint: the verifier computes
/// `r = isqrt(sig · 2^128)` (`sig` doubled when the exponent is odd) and rounds `sh = len(r) - 53`
/// bits off. Take `r = u · 2^(sh-1)` with `u` odd of 54 bits (a tie pattern) and ask for
/// `sig · 2^128 = r² + s · 2^(2sh-2)` with a small `s > 0` (so that `floor(sqrt) = r` still):
/// that is `u² ≡ -s (mod 2^(130-2sh))`, solvable when `s ≡ 7 (mod 8)`.
pub fn sqrt_inputs() -> Vec<u64> {
    let mut out = Vec::new();
    for sh in [37u32, 38] {
        let k = 130 - 2 * sh;
        for s in (7u128..600).step_by(8) {
            let u0 = sqrt_mod_pow2((1u128 << k) - s, k);
            let half = 1u128 << (k - 1);
            for u in [u0, u0 + half, (1u128 << k) - u0, half.wrapping_sub(u0)] {
                let u = u & ((1u128 << k) - 1);
                if u >> 53 != 1 {
                    continue; // not 54 bits
                }
                // sig = (u² + s) / 2^k, exact by construction; u² < 2^108 fits.
                let sig = (u * u + s) >> k;
                if let Some(x) = pattern_for(sig) {
                    out.push(x);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The positive f64 whose verifier-side significand (after the odd-exponent doubling) is `sig`.
fn pattern_for(sig: u128) -> Option<u64> {
    let sig = u64::try_from(sig).ok()?;
    match sig >> 52 {
        // Normal, even exponent e = be - 1075: be odd (pick one near 1.0).
        1 => Some((1023u64 << 52) | (sig - (1 << 52))),
        // Odd exponent: the significand was doubled.
        2 | 3 if sig & 1 == 0 => Some((1024u64 << 52) | ((sig >> 1) - (1 << 52))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use revm::primitives::U256;

    /// Whether `v`'s bits below its top 53 are exactly `1000…0` (a tie after truncation) with
    /// an even bit above, given that the exact value was not `v`.
    fn looks_like_even_tie(v: U256) -> bool {
        let sh = v.bit_len() - 53;
        let low = v & ((U256::from(1) << sh) - U256::from(1));
        low == U256::from(1) << (sh - 1) && !v.bit(sh)
    }

    #[test]
    fn div_pairs_need_the_sticky_bit() {
        for (b, _) in div_pairs() {
            let sig = U256::from(b & ((1 << 52) - 1) | (1 << 52));
            let n = U256::from(1) << 128;
            assert!(n % sig != U256::ZERO, "{b:#x}: inexact");
            assert!(looks_like_even_tie(n / sig), "{b:#x}");
        }
    }

    #[test]
    fn sqrt_inputs_need_the_sticky_bit() {
        let xs = sqrt_inputs();
        assert!(xs.len() >= 20, "only {} sqrt inputs", xs.len());
        let mut rounds_down_without = 0;
        for &x in &xs {
            let be = x >> 52;
            let mut sig = U256::from(x & ((1 << 52) - 1) | (1 << 52));
            if be % 2 == 0 {
                sig <<= 1; // e = be - 1075 odd
            }
            let n: U256 = sig << 128usize;
            let r = n.root(2);
            assert!(r * r != n, "{x:#x}: inexact");
            let sh = r.bit_len() - 53;
            let low = r & ((U256::from(1) << sh) - U256::from(1));
            assert_eq!(
                low,
                U256::from(1) << (sh - 1),
                "{x:#x}: a tie after truncation"
            );
            if looks_like_even_tie(r) {
                rounds_down_without += 1;
            }
        }
        assert!(
            rounds_down_without >= 10,
            "{rounds_down_without} inputs where ties-to-even would round down"
        );
    }
}
