//! The integer kernels that differ by format: significand division and square root. A
//! binary32 significand fits twice into a `u64`, so one hardware division does; binary64
//! needs long division and a 128-bit correction built from [`mul_wide64`].

use crate::wide::mul_wide64;
use core::num::NonZero;

/// `floor(sqrt(n))`, by Newton's iteration from above (it decreases until it stops).
#[inline(always)]
pub(crate) fn isqrt64(n: u64) -> u64 {
    let bits = 64 - n.leading_zeros();
    // 2^ceil(bits/2) > sqrt(n): start above the root.
    let mut x = 1u64 << bits.div_ceil(2);
    loop {
        let Some(d) = NonZero::new(x) else { return 0 };
        let y = (x + n / d) >> 1;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// binary32: `(floor(fa * 2^30 / fb), remainder != 0)` for significands with `fa` in
/// `[fb, 2 fb)`.
#[inline(always)]
pub(crate) fn div_sig32(fa: u32, fb: u32) -> (u32, bool) {
    let Some(d) = NonZero::new(fb as u64) else {
        return (0, false);
    };
    let n = (fa as u64) << 30;
    ((n / d) as u32, n % d != 0)
}

/// binary64: `(floor(fa * 2^62 / fb), remainder != 0)` for significands (leading one at bit
/// 52) with `fa` in `[fb, 2 fb)`: long division, 11 quotient bits per hardware division (the
/// remainder stays below 2^53, so it can be shifted that far).
#[inline(always)]
pub(crate) fn div_sig64(fa: u64, fb: u64) -> (u64, bool) {
    let Some(d) = NonZero::new(fb) else {
        return (0, false);
    };
    let (mut q, mut r) = (fa / d, fa % d);
    for k in [11, 11, 11, 11, 11, 7] {
        r <<= k;
        q = (q << k) | (r / d);
        r %= d;
    }
    (q, r != 0)
}

/// binary32: `floor(sqrt(m * 2^25))` for `m` in `[2^23, 2^25)`.
#[inline(always)]
pub(crate) fn sqrt_sig32(m: u32) -> u32 {
    isqrt64((m as u64) << 25) as u32
}

/// binary64: `floor(sqrt(m * 2^54))` for `m` in `[2^52, 2^54)`. A 64-bit root of `m * 2^10`
/// gives the top 32 bits, one Newton step from its remainder the rest (at most one too
/// large), and a 128-bit square settles the last unit.
#[inline(always)]
pub(crate) fn sqrt_sig64(m: u64) -> u64 {
    let n = m << 10;
    let s = isqrt64(n);
    let Some(d) = NonZero::new(s) else { return 0 };
    let r = n - s * s; // at most 2s, below 2^33
    let mut q = (s << 22) + ((r << 21) / d);
    let target = (m >> 10, m << 54);
    while mul_wide64(q, q) > target {
        q -= 1;
    }
    while mul_wide64(q + 1, q + 1) <= target {
        q += 1;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn isqrt64_is_floor_root(n in 1u64..) {
            let r = isqrt64(n) as u128;
            prop_assert!(r * r <= n as u128 && (r + 1) * (r + 1) > n as u128);
        }

        #[test]
        fn sqrt_sig64_is_floor_root(m in (1u64 << 52)..(1u64 << 54)) {
            let q = sqrt_sig64(m) as u128;
            let n = (m as u128) << 54;
            prop_assert!(q * q <= n && (q + 1) * (q + 1) > n);
        }

        #[test]
        fn div_sig64_is_floor_quotient(fb in (1u64 << 52)..(1u64 << 53), k in 0u64..(1 << 53)) {
            let fa = fb + k % fb;
            let n = (fa as u128) << 62;
            let (q, inexact) = div_sig64(fa, fb);
            prop_assert_eq!(q as u128, n / fb as u128);
            prop_assert_eq!(inexact, !n.is_multiple_of(fb as u128));
        }
    }

    #[test]
    fn roots_at_the_edges() {
        for n in [
            1u64,
            2,
            3,
            4,
            15,
            16,
            17,
            u64::MAX,
            u64::MAX - 1,
            1 << 63,
            (1 << 62) - 1,
            0xffff_fffe_0000_0001,
        ] {
            let r = isqrt64(n) as u128;
            assert!(r * r <= n as u128 && (r + 1) * (r + 1) > n as u128, "{n}");
        }
        for m in [
            1u64 << 52,
            (1 << 53) - 1,
            1 << 53,
            (1 << 54) - 1,
            (1 << 54) - 2,
        ] {
            let q = sqrt_sig64(m) as u128;
            let n = (m as u128) << 54;
            assert!(q * q <= n && (q + 1) * (q + 1) > n, "{m}");
        }
    }
}
