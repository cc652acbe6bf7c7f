//! add, sub, mul, div and sqrt, correctly rounded (nearest, ties to even), any NaN result
//! canonical. Written once as a macro over the items of [`crate::format::format_core`].

/// The arithmetic of one format.
macro_rules! arith_ops {
    () => {
        /// `a + b`.
        #[inline(always)]
        pub const fn add(a: U, b: U) -> U {
            if is_nan(a) || is_nan(b) {
                return CANONICAL_NAN;
            }
            let (ma, mb) = (a & !SIGN, b & !SIGN);
            if ma == INF {
                return if mb == INF && (a ^ b) & SIGN != 0 {
                    CANONICAL_NAN
                } else {
                    a
                };
            }
            if mb == INF {
                return b;
            }
            if mb == 0 {
                // x + ±0 is x, except -0 + +0 = +0.
                return if ma == 0 { a & b } else { a };
            }
            if ma == 0 {
                return b;
            }
            // Bits of finite magnitudes order like the magnitudes.
            let (big, small) = if ma >= mb { (a, b) } else { (b, a) };
            let (eb, fb) = unpack_raw(big & !SIGN);
            let (es, fs) = unpack_raw(small & !SIGN);
            // Leading one at bit W - 3: room for the carry of an addition.
            let fb = fb << (X - 1);
            let fs = shr_jam(fs << (X - 1), (eb - es) as u32);
            let sum = if (a ^ b) & SIGN == 0 {
                fb + fs
            } else {
                fb - fs
            };
            if sum == 0 {
                // Exact cancellation is +0 when rounding to nearest.
                return 0;
            }
            norm_round_pack(big & SIGN, eb + 1, sum)
        }

        /// `a - b`.
        #[inline(always)]
        pub const fn sub(a: U, b: U) -> U {
            add(a, b ^ SIGN)
        }

        /// `a * b`.
        #[inline(always)]
        pub const fn mul(a: U, b: U) -> U {
            if is_nan(a) || is_nan(b) {
                return CANONICAL_NAN;
            }
            let sign = (a ^ b) & SIGN;
            let (ma, mb) = (a & !SIGN, b & !SIGN);
            if ma == INF || mb == INF {
                return if ma == 0 || mb == 0 {
                    CANONICAL_NAN
                } else {
                    sign | INF
                };
            }
            if ma == 0 || mb == 0 {
                return sign;
            }
            let (ea, fa) = unpack_norm(ma);
            let (eb, fb) = unpack_norm(mb);
            // Leading ones at W - 2 and W - 1: the product's high half leads at 2W-3 or 2W-2.
            let (hi, lo) = mul_wide(fa << X, fb << (X + 1));
            norm_round_pack(sign, ea + eb - BIAS + 1, hi | (lo != 0) as U)
        }

        /// `a / b`.
        #[inline(always)]
        pub fn div(a: U, b: U) -> U {
            if is_nan(a) || is_nan(b) {
                return CANONICAL_NAN;
            }
            let sign = (a ^ b) & SIGN;
            let (ma, mb) = (a & !SIGN, b & !SIGN);
            if ma == INF {
                return if mb == INF { CANONICAL_NAN } else { sign | INF };
            }
            if mb == INF {
                return sign;
            }
            if mb == 0 {
                return if ma == 0 { CANONICAL_NAN } else { sign | INF };
            }
            if ma == 0 {
                return sign;
            }
            let (mut ea, mut fa) = unpack_norm(ma);
            let (eb, fb) = unpack_norm(mb);
            if fa < fb {
                fa <<= 1;
                ea -= 1;
            }
            let (q, inexact) = div_sig(fa, fb);
            round_pack(sign, ea - eb + BIAS, q | inexact as U)
        }

        /// `sqrt(a)`.
        #[inline(always)]
        pub fn sqrt(a: U) -> U {
            if is_nan(a) {
                return CANONICAL_NAN;
            }
            if a & !SIGN == 0 {
                return a; // ±0
            }
            if a & SIGN != 0 {
                return CANONICAL_NAN;
            }
            if a == INF {
                return a;
            }
            let (e, f) = unpack_norm(a);
            let mut exp = e - BIAS;
            let mut m = f;
            if exp & 1 != 0 {
                m <<= 1;
                exp -= 1;
            }
            // m = y * 2^P for y in [1, 4); q = floor(sqrt(y) * 2^(P+1)).
            let q = sqrt_sig(m);
            // q carries one round bit; an exact midpoint is impossible for a square root, so
            // a set round bit always rounds up (which may carry into the exponent).
            let sig = (q >> 1) + (q & 1);
            ((((exp >> 1) + BIAS - 1) as U) << P) + sig
        }
    };
}

pub(crate) use arith_ops;
