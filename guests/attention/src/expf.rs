//! `exp` for f32 in plain f32 arithmetic: the guest may import nothing but `opml.*`, so there is
//! no libm. Cody-Waite range reduction `x = k·ln2 + r`, `|r| ≤ ln2/2`, a degree-7 Taylor
//! polynomial for `e^r` (truncation error below 2^-27 relative), and `2^k` built from its bit
//! pattern in two factors so that results down to the subnormals come out without overflow.

/// Above this `e^x` overflows f32.
const OVERFLOW: f32 = 88.722_84;
/// Below this `e^x` rounds to zero even as a subnormal.
const UNDERFLOW: f32 = -103.972_08;
const LOG2E: f32 = core::f32::consts::LOG2_E;
/// `ln 2` split so that `k · LN2_HI` is exact for `|k| < 2^9` (its low 12 bits are zero).
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;

/// `2^k` for `-126 ≤ k ≤ 127`, from its exponent field.
fn pow2(k: i32) -> f32 {
    // Callers keep k in the normal range, so the biased exponent is in 1..=254.
    f32::from_bits(((k + 127) as u32) << 23)
}

/// `e^x`, within a few ulp of the correctly rounded value; `e^NaN` is NaN, `e^-inf = 0`,
/// `e^inf = inf`.
pub fn expf(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    if x > OVERFLOW {
        return f32::INFINITY;
    }
    if x < UNDERFLOW {
        return 0.0;
    }
    // Round x·log2(e) to the nearest integer (the cast truncates toward zero).
    let t = x * LOG2E;
    let k = (if t < 0.0 { t - 0.5 } else { t + 0.5 }) as i32;
    let kf = k as f32;
    let r = (x - kf * LN2_HI) - kf * LN2_LO;
    // e^r = 1 + r + r²/2! + ... + r⁷/7!, by Horner's rule.
    let mut p = 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // k is in -150..=128 here; two factors keep each power of two normal.
    let k1 = k / 2;
    p * pow2(k1) * pow2(k - k1)
}

#[cfg(test)]
mod tests {
    use super::expf;

    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn close_to_std_over_the_whole_range() {
        let mut worst = 0;
        let mut x = -87.0f32;
        while x < 88.0 {
            let (got, want) = (expf(x), x.exp());
            worst = worst.max(ulps(got, want));
            x += 0.00731;
        }
        assert!(worst <= 4, "worst error {worst} ulp");
    }

    #[test]
    fn softmax_domain_is_accurate() {
        // Softmax feeds it x - max <= 0; check densely near zero, where most weight sits.
        for i in 0..=200_000 {
            let x = -(i as f32) * 1e-4;
            assert!(ulps(expf(x), x.exp()) <= 2, "x = {x}");
        }
    }

    #[test]
    fn special_values() {
        assert_eq!(expf(0.0), 1.0);
        assert_eq!(expf(-0.0), 1.0);
        assert_eq!(expf(f32::NEG_INFINITY), 0.0);
        assert_eq!(expf(f32::INFINITY), f32::INFINITY);
        assert_eq!(expf(89.0), f32::INFINITY);
        assert_eq!(expf(-104.0), 0.0);
        assert!(expf(f32::NAN).is_nan());
        // Subnormal results: close to std in absolute terms.
        let (got, want) = (expf(-100.0), (-100.0f32).exp());
        assert!(
            got > 0.0 && (got - want).abs() <= 2.0 * f32::from_bits(1),
            "{got} {want}"
        );
        assert!(ulps(expf(88.5), 88.5f32.exp()) <= 4);
    }
}
