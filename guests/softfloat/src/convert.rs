//! Conversions between the formats and to and from integers, named after the wasm operators.
//! Integers travel as their two's-complement bits (`u32` for i32, `u64` for i64).

use crate::{sf32, sf64, wide::shr_jam64};

/// Why a trapping float-to-integer conversion traps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvError {
    /// The operand is NaN.
    InvalidConversion,
    /// The truncated operand is outside the integer type (or infinite).
    IntegerOverflow,
}

/// Per-format halves of the integer conversions, instantiated inside [`sf32`] and [`sf64`].
macro_rules! convert_core {
    () => {
        /// `±m` rounded to nearest-even; `sign` is 0 or [`SIGN`]. Zero gives +0.
        #[inline(always)]
        pub(crate) const fn from_u64(sign: U, m: u64) -> U {
            if m == 0 {
                return 0;
            }
            let lz = m.leading_zeros();
            let sig = crate::wide::shr_jam64(m << lz, 65 - W) as U;
            round_pack(sign, 63 - lz as i32 + BIAS, sig)
        }

        /// Sign and truncated magnitude of a non-NaN `x`; `None` when the magnitude is at least
        /// 2^64 (or infinite).
        #[inline(always)]
        pub(crate) const fn trunc_parts(x: U) -> (bool, Option<u64>) {
            let neg = x & SIGN != 0;
            let e = field(x) - BIAS;
            if e < 0 {
                (neg, Some(0))
            } else if e >= 64 {
                (neg, None)
            } else {
                let m = (x & FRAC) | (1 << P);
                let e = e as u32;
                let mag = if e >= P {
                    (m as u64) << (e - P)
                } else {
                    (m >> (P - e)) as u64
                };
                (neg, Some(mag))
            }
        }
    };
}

pub(crate) use convert_core;

/// Range-checks a truncation: `neg_max` is the largest magnitude allowed for negatives,
/// `pos_max` for non-negatives. Returns two's-complement bits.
#[inline(always)]
const fn checked(parts: (bool, Option<u64>), neg_max: u64, pos_max: u64) -> Result<u64, ConvError> {
    match parts {
        (true, Some(m)) if m <= neg_max => Ok(m.wrapping_neg()),
        (false, Some(m)) if m <= pos_max => Ok(m),
        _ => Err(ConvError::IntegerOverflow),
    }
}

/// [`checked`], saturating instead of failing.
#[inline(always)]
const fn saturating(parts: (bool, Option<u64>), neg_max: u64, pos_max: u64) -> u64 {
    match checked(parts, neg_max, pos_max) {
        Ok(v) => v,
        Err(_) if parts.0 => neg_max.wrapping_neg(),
        Err(_) => pos_max,
    }
}

const I32: (u64, u64) = (1 << 31, (1 << 31) - 1);
const U32: (u64, u64) = (0, u32::MAX as u64);
const I64: (u64, u64) = (1 << 63, (1 << 63) - 1);
const U64: (u64, u64) = (0, u64::MAX);

macro_rules! trunc_fns {
    ($($name:ident, $sat:ident, $fmt:ident, $lim:ident, $out:ty;)*) => {$(
        #[doc = concat!("wasm `", stringify!($name), "`: truncation that fails on NaN or overflow.")]
        #[inline(always)]
        pub const fn $name(x: $fmt::U) -> Result<$out, ConvError> {
            if $fmt::is_nan(x) {
                return Err(ConvError::InvalidConversion);
            }
            match checked($fmt::trunc_parts(x), $lim.0, $lim.1) {
                Ok(v) => Ok(v as $out),
                Err(e) => Err(e),
            }
        }

        #[doc = concat!("wasm `", stringify!($sat), "`: saturating truncation, NaN gives 0.")]
        #[inline(always)]
        pub const fn $sat(x: $fmt::U) -> $out {
            if $fmt::is_nan(x) {
                return 0;
            }
            saturating($fmt::trunc_parts(x), $lim.0, $lim.1) as $out
        }
    )*};
}

trunc_fns! {
    i32_trunc_f32_s, i32_trunc_sat_f32_s, sf32, I32, u32;
    i32_trunc_f32_u, i32_trunc_sat_f32_u, sf32, U32, u32;
    i32_trunc_f64_s, i32_trunc_sat_f64_s, sf64, I32, u32;
    i32_trunc_f64_u, i32_trunc_sat_f64_u, sf64, U32, u32;
    i64_trunc_f32_s, i64_trunc_sat_f32_s, sf32, I64, u64;
    i64_trunc_f32_u, i64_trunc_sat_f32_u, sf32, U64, u64;
    i64_trunc_f64_s, i64_trunc_sat_f64_s, sf64, I64, u64;
    i64_trunc_f64_u, i64_trunc_sat_f64_u, sf64, U64, u64;
}

macro_rules! convert_fns {
    ($($name:ident, $fmt:ident, $in:ty, $signed:ident;)*) => {$(
        #[doc = concat!("wasm `", stringify!($name), "`, rounded to nearest-even.")]
        #[inline(always)]
        pub const fn $name(x: $in) -> $fmt::U {
            convert_fns!(@body $fmt, x, $signed)
        }
    )*};
    (@body $fmt:ident, $x:ident, u32) => { $fmt::from_u64(0, $x as u64) };
    (@body $fmt:ident, $x:ident, u64) => { $fmt::from_u64(0, $x) };
    (@body $fmt:ident, $x:ident, $signed:ident) => {{
        let v = $x as $signed as i64;
        $fmt::from_u64(if v < 0 { $fmt::SIGN } else { 0 }, v.unsigned_abs())
    }};
}

convert_fns! {
    f32_convert_i32_s, sf32, u32, i32;
    f32_convert_i32_u, sf32, u32, u32;
    f32_convert_i64_s, sf32, u64, i64;
    f32_convert_i64_u, sf32, u64, u64;
    f64_convert_i32_s, sf64, u32, i32;
    f64_convert_i32_u, sf64, u32, u32;
    f64_convert_i64_s, sf64, u64, i64;
    f64_convert_i64_u, sf64, u64, u64;
}

/// wasm `f64.promote_f32`: exact; NaN gives the canonical f64 NaN.
#[inline(always)]
pub const fn f64_promote_f32(x: u32) -> u64 {
    if sf32::is_nan(x) {
        return sf64::CANONICAL_NAN;
    }
    let sign = ((x & sf32::SIGN) as u64) << 32;
    let mag = x & !sf32::SIGN;
    if mag == sf32::INF {
        return sign | sf64::INF;
    }
    if mag == 0 {
        return sign;
    }
    let (e, f) = sf32::unpack_norm(mag);
    let e = (e - sf32::BIAS + sf64::BIAS) as u64;
    sign | (e << sf64::P) | (((f & sf32::FRAC) as u64) << (sf64::P - sf32::P))
}

/// wasm `f32.demote_f64`: rounded to nearest-even; NaN gives the canonical f32 NaN.
#[inline(always)]
pub const fn f32_demote_f64(x: u64) -> u32 {
    if sf64::is_nan(x) {
        return sf32::CANONICAL_NAN;
    }
    let sign = ((x >> 32) as u32) & sf32::SIGN;
    let mag = x & !sf64::SIGN;
    if mag == sf64::INF {
        return sign | sf32::INF;
    }
    if mag == 0 {
        return sign;
    }
    let (e, f) = sf64::unpack_norm(mag);
    // Leading one from bit 52 to bit 30, the normalised position for binary32 rounding.
    let sig = shr_jam64(f, sf64::P - sf32::P - sf32::X) as u32;
    sf32::round_pack(sign, e - sf64::BIAS + sf32::BIAS, sig)
}
