//! The layout of one binary format and its rounding, written once as a macro over the bit
//! container `U` (u32 or u64) and instantiated by [`crate::sf32`] and [`crate::sf64`].
//!
//! Internal significands carry `X = W - 2 - P` extra low bits (7 for binary32, 10 for
//! binary64) below the fraction, so that the guard bit, the round bit and a sticky bit survive
//! until [`round_pack`]. A normalised significand has its leading one at bit `W - 2`.

/// Constants, unpacking and round-to-nearest-even packing of one format.
macro_rules! format_core {
    (U = $u:ty, W = $w:expr, P = $p:expr, mul_wide = $mul_wide:path) => {
        /// The bit container of the format.
        pub type U = $u;
        /// Total width in bits.
        pub const W: u32 = $w;
        /// Fraction (trailing significand) width in bits.
        pub const P: u32 = $p;
        /// Extra low bits kept below the fraction while rounding.
        pub(crate) const X: u32 = W - 2 - P;
        /// The sign bit.
        pub const SIGN: U = 1 << (W - 1);
        /// The fraction bits.
        pub const FRAC: U = (1 << P) - 1;
        /// All-ones exponent field value (infinities and NaNs).
        pub(crate) const EMAX: i32 = (1 << (W - 1 - P)) - 1;
        /// Exponent bias.
        pub(crate) const BIAS: i32 = EMAX >> 1;
        /// Positive infinity.
        pub const INF: U = (EMAX as U) << P;
        /// The canonical NaN wasmtime's NaN canonicalisation produces: positive, quiet, no payload.
        pub const CANONICAL_NAN: U = INF | (1 << (P - 1));

        #[inline(always)]
        pub(crate) const fn is_nan(x: U) -> bool {
            x & !SIGN > INF
        }

        /// The biased exponent field.
        #[inline(always)]
        pub(crate) const fn field(x: U) -> i32 {
            ((x >> P) as i32) & EMAX
        }

        /// Biased exponent and significand (leading one at bit `P`) of a finite nonzero
        /// magnitude; subnormals are normalised, so their exponent may be below 1.
        #[inline(always)]
        pub(crate) const fn unpack_norm(x: U) -> (i32, U) {
            let e = field(x);
            let f = x & FRAC;
            if e == 0 {
                let s = f.leading_zeros() - (W - 1 - P);
                (1 - s as i32, f << s)
            } else {
                (e, f | (1 << P))
            }
        }

        /// Biased exponent (subnormals count as 1) and significand (hidden bit made explicit,
        /// no normalisation) of a finite magnitude.
        #[inline(always)]
        pub(crate) const fn unpack_raw(x: U) -> (i32, U) {
            let e = field(x);
            if e == 0 {
                (1, x & FRAC)
            } else {
                (e, (x & FRAC) | (1 << P))
            }
        }

        /// `x >> n`, folding shifted-out ones into bit 0; any `n`.
        #[inline(always)]
        pub(crate) const fn shr_jam(x: U, n: u32) -> U {
            if n == 0 {
                x
            } else if n < W {
                (x >> n) | ((x << (W - n)) != 0) as U
            } else {
                (x != 0) as U
            }
        }

        /// Rounds `sig * 2^(exp - BIAS - P - X)` to nearest, ties to even, and packs it with
        /// `sign` (0 or [`SIGN`]). `sig` is normalised (leading one at bit `W - 2`) unless the
        /// value is subnormal at `exp == 1`. Overflow gives infinity, underflow a subnormal or
        /// a signed zero.
        #[inline(always)]
        pub(crate) const fn round_pack(sign: U, exp: i32, sig: U) -> U {
            const INC: U = 1 << (X - 1);
            const MASK: U = (1 << X) - 1;
            // Field convention: packing adds the leading one of `sig` to the exponent field.
            let mut e = exp - 1;
            let mut sig = sig;
            if e < 0 {
                sig = shr_jam(sig, e.unsigned_abs());
                e = 0;
            } else if e > EMAX - 2 || (e == EMAX - 2 && sig + INC >= SIGN) {
                return sign | INF;
            }
            let round_bits = sig & MASK;
            sig = (sig + INC) >> X;
            if round_bits == INC {
                sig &= !1;
            }
            sign | (((e as U) << P) + sig)
        }

        /// [`round_pack`] for any nonzero `sig` whose scale is given by `exp`; zero gives a
        /// signed zero.
        #[inline(always)]
        pub(crate) const fn norm_round_pack(sign: U, exp: i32, sig: U) -> U {
            if sig == 0 {
                return sign;
            }
            let lz = sig.leading_zeros() - 1;
            round_pack(sign, exp - lz as i32, sig << lz)
        }

        /// Full product of two containers as `(high, low)`.
        #[inline(always)]
        pub(crate) const fn mul_wide(a: U, b: U) -> (U, U) {
            $mul_wide(a, b)
        }
    };
}

pub(crate) use format_core;
