//! Comparisons, min/max, sign operations and rounding to integral values. Written once as a
//! macro over the items of [`crate::format::format_core`].

/// The non-arithmetic operations of one format.
macro_rules! misc_ops {
    () => {
        /// Orders non-NaN bit patterns as unsigned integers (-0 just below +0).
        #[inline(always)]
        const fn key(x: U) -> U {
            if x & SIGN != 0 { !x } else { x | SIGN }
        }

        /// Both operands are zeros (of any sign).
        #[inline(always)]
        const fn both_zero(a: U, b: U) -> bool {
            (a | b) & !SIGN == 0
        }

        /// `a == b` (false if either is NaN; -0 equals +0).
        #[inline(always)]
        pub const fn eq(a: U, b: U) -> bool {
            !is_nan(a) && !is_nan(b) && (a == b || both_zero(a, b))
        }

        /// `a != b` (true if either is NaN).
        #[inline(always)]
        pub const fn ne(a: U, b: U) -> bool {
            !eq(a, b)
        }

        /// `a < b` (false if either is NaN).
        #[inline(always)]
        pub const fn lt(a: U, b: U) -> bool {
            !is_nan(a) && !is_nan(b) && !both_zero(a, b) && key(a) < key(b)
        }

        /// `a <= b` (false if either is NaN).
        #[inline(always)]
        pub const fn le(a: U, b: U) -> bool {
            !is_nan(a) && !is_nan(b) && (both_zero(a, b) || key(a) <= key(b))
        }

        /// `a > b` (false if either is NaN).
        #[inline(always)]
        pub const fn gt(a: U, b: U) -> bool {
            lt(b, a)
        }

        /// `a >= b` (false if either is NaN).
        #[inline(always)]
        pub const fn ge(a: U, b: U) -> bool {
            le(b, a)
        }

        /// wasm `min`: NaN if either is NaN, and -0 is below +0.
        #[inline(always)]
        pub const fn min(a: U, b: U) -> U {
            if is_nan(a) || is_nan(b) {
                CANONICAL_NAN
            } else if a == b || both_zero(a, b) {
                a | b
            } else if key(a) < key(b) {
                a
            } else {
                b
            }
        }

        /// wasm `max`: NaN if either is NaN, and +0 is above -0.
        #[inline(always)]
        pub const fn max(a: U, b: U) -> U {
            if is_nan(a) || is_nan(b) {
                CANONICAL_NAN
            } else if a == b || both_zero(a, b) {
                a & b
            } else if key(a) > key(b) {
                a
            } else {
                b
            }
        }

        /// `|a|`, bitwise: NaN payloads are kept.
        #[inline(always)]
        pub const fn abs(a: U) -> U {
            a & !SIGN
        }

        /// `-a`, bitwise: NaN payloads are kept.
        #[inline(always)]
        pub const fn neg(a: U) -> U {
            a ^ SIGN
        }

        /// The magnitude of `a` with the sign of `b`, bitwise.
        #[inline(always)]
        pub const fn copysign(a: U, b: U) -> U {
            (a & !SIGN) | (b & SIGN)
        }

        /// Direction of an integral rounding.
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Dir {
            Trunc,
            Floor,
            Ceil,
            Nearest,
        }

        /// Whether a non-integral value of sign `sign` moves away from zero when rounded in
        /// direction `dir`; `lsb` is the parity of its truncation, `rem` the dropped part and
        /// `half` the weight of one half.
        #[inline(always)]
        const fn away(dir: Dir, sign: U, lsb: bool, rem: U, half: U) -> bool {
            match dir {
                Dir::Trunc => false,
                Dir::Floor => sign != 0,
                Dir::Ceil => sign == 0,
                Dir::Nearest => rem > half || (rem == half && lsb),
            }
        }

        /// Rounds to an integral value in direction `dir` by masking and incrementing bits: a
        /// carry out of the fraction correctly bumps the exponent.
        #[inline(always)]
        const fn round_int(a: U, dir: Dir) -> U {
            if is_nan(a) {
                return CANONICAL_NAN;
            }
            let sign = a & SIGN;
            let mag = a & !SIGN;
            let e = field(a) - BIAS;
            if e >= P as i32 || mag == 0 {
                return a; // integral already, or infinite
            }
            const ONE: U = (BIAS as U) << P;
            if e < 0 {
                // 0 < |a| < 1: the result is ±0 or ±1; 0 is even.
                let half = (BIAS as U - 1) << P;
                return sign
                    | if away(dir, sign, false, mag, half) {
                        ONE
                    } else {
                        0
                    };
            }
            let frac_mask: U = FRAC >> e;
            let rem = mag & frac_mask;
            if rem == 0 {
                return a;
            }
            let unit = frac_mask + 1;
            let base = mag & !frac_mask;
            sign | if away(dir, sign, base & unit != 0, rem, unit >> 1) {
                base + unit
            } else {
                base
            }
        }

        /// Round toward zero to an integral value.
        #[inline(always)]
        pub const fn trunc(a: U) -> U {
            round_int(a, Dir::Trunc)
        }

        /// Round toward -inf to an integral value.
        #[inline(always)]
        pub const fn floor(a: U) -> U {
            round_int(a, Dir::Floor)
        }

        /// Round toward +inf to an integral value.
        #[inline(always)]
        pub const fn ceil(a: U) -> U {
            round_int(a, Dir::Ceil)
        }

        /// Round to the nearest integral value, ties to even.
        #[inline(always)]
        pub const fn nearest(a: U) -> U {
            round_int(a, Dir::Nearest)
        }
    };
}

pub(crate) use misc_ops;
