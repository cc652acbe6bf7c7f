//! Double-width helpers without `u128`: on wasm32 a `u128` product becomes a call to
//! `__multi3`, which passes its result through linear memory. These stay in `i64` registers.

/// `a * b` as `(high, low)` 32-bit halves.
#[inline(always)]
pub(crate) const fn mul_wide32(a: u32, b: u32) -> (u32, u32) {
    let p = (a as u64) * (b as u64);
    ((p >> 32) as u32, p as u32)
}

/// `a * b` as `(high, low)` 64-bit halves, from four 32×32→64 products.
#[inline(always)]
pub(crate) const fn mul_wide64(a: u64, b: u64) -> (u64, u64) {
    const M: u64 = 0xffff_ffff;
    let (a0, a1) = (a & M, a >> 32);
    let (b0, b1) = (b & M, b >> 32);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 32) + (p01 & M) + (p10 & M);
    let lo = (mid << 32) | (p00 & M);
    let hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    (hi, lo)
}

/// `x >> n` with every shifted-out one bit folded into bit 0 ("jamming"), so that rounding
/// still sees that the value was inexact. Any `n` is allowed, including `n >= 64`.
#[inline(always)]
pub(crate) const fn shr_jam64(x: u64, n: u32) -> u64 {
    if n == 0 {
        x
    } else if n < 64 {
        (x >> n) | ((x << (64 - n)) != 0) as u64
    } else {
        (x != 0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn mul_wide64_matches_u128(a: u64, b: u64) {
            let p = (a as u128) * (b as u128);
            prop_assert_eq!(mul_wide64(a, b), ((p >> 64) as u64, p as u64));
        }

        #[test]
        fn mul_wide32_matches_u64(a: u32, b: u32) {
            let p = (a as u64) * (b as u64);
            prop_assert_eq!(mul_wide32(a, b), ((p >> 32) as u32, p as u32));
        }
    }

    #[test]
    fn shr_jam_keeps_sticky() {
        assert_eq!(shr_jam64(0b1001, 3), 0b1);
        assert_eq!(shr_jam64(0b1000, 3), 0b1);
        assert_eq!(shr_jam64(0b10000, 3), 0b10);
        assert_eq!(shr_jam64(0b10001, 3), 0b11);
        assert_eq!(shr_jam64(5, 64), 1);
        assert_eq!(shr_jam64(0, 200), 0);
        assert_eq!(shr_jam64(7, 0), 7);
    }
}
