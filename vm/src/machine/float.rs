//! Float opcode semantics as small pure functions over the machine's `u64` representation
//! (`docs/machine.md` §5.4): hardware IEEE 754 arithmetic, then Cranelift's NaN rule (a NaN
//! result of an arithmetic op is the canonical NaN). `f32` operands are the low 32 bits of a
//! value; every result is zero-extended. Why hardware and not the integer soft-float library:
//! `docs/decisions.md`.

use super::numeric::Trapping;
use crate::TrapCode;

/// The canonical f32 NaN: positive, quiet, zero payload.
pub(crate) const CANONICAL_NAN_32: u32 = 0x7fc0_0000;
/// The canonical f64 NaN.
pub(crate) const CANONICAL_NAN_64: u64 = 0x7ff8_0000_0000_0000;
const SIGN_32: u64 = 0x8000_0000;
const SIGN_64: u64 = 1 << 63;

#[inline(always)]
fn f32_of(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64_of(x: u64) -> f64 {
    f64::from_bits(x)
}
/// The bits of an arithmetic f32 result, NaN canonical.
#[inline(always)]
fn c32(r: f32) -> u64 {
    if r.is_nan() {
        CANONICAL_NAN_32 as u64
    } else {
        r.to_bits() as u64
    }
}
/// The bits of an arithmetic f64 result, NaN canonical.
#[inline(always)]
fn c64(r: f64) -> u64 {
    if r.is_nan() {
        CANONICAL_NAN_64
    } else {
        r.to_bits()
    }
}
#[inline(always)]
fn b(x: bool) -> u64 {
    x as u64
}

/// Defines the f32 and f64 versions of each operation at once (`$t` the float type, `$of` its
/// reader, `$c` its canonicalising writer, `$sign` its sign bit, `$mask` its value bits).
macro_rules! float_ops {
    ($t:ident, $of:ident, $c:ident, $sign:expr, $mask:expr,
     $eq:ident $ne:ident $lt:ident $gt:ident $le:ident $ge:ident
     $abs:ident $neg:ident $ceil:ident $floor:ident $trunc:ident $nearest:ident $sqrt:ident
     $add:ident $sub:ident $mul:ident $div:ident $min:ident $max:ident $copysign:ident) => {
        pub(crate) fn $eq(a: u64, c: u64) -> u64 {
            b($of(a) == $of(c))
        }
        pub(crate) fn $ne(a: u64, c: u64) -> u64 {
            b($of(a) != $of(c))
        }
        pub(crate) fn $lt(a: u64, c: u64) -> u64 {
            b($of(a) < $of(c))
        }
        pub(crate) fn $gt(a: u64, c: u64) -> u64 {
            b($of(a) > $of(c))
        }
        pub(crate) fn $le(a: u64, c: u64) -> u64 {
            b($of(a) <= $of(c))
        }
        pub(crate) fn $ge(a: u64, c: u64) -> u64 {
            b($of(a) >= $of(c))
        }
        pub(crate) fn $abs(a: u64) -> u64 {
            a & $mask & !$sign
        }
        pub(crate) fn $neg(a: u64) -> u64 {
            (a ^ $sign) & $mask
        }
        pub(crate) fn $ceil(a: u64) -> u64 {
            $c($of(a).ceil())
        }
        pub(crate) fn $floor(a: u64) -> u64 {
            $c($of(a).floor())
        }
        pub(crate) fn $trunc(a: u64) -> u64 {
            $c($of(a).trunc())
        }
        pub(crate) fn $nearest(a: u64) -> u64 {
            $c($of(a).round_ties_even())
        }
        pub(crate) fn $sqrt(a: u64) -> u64 {
            $c($of(a).sqrt())
        }
        pub(crate) fn $add(a: u64, c: u64) -> u64 {
            $c($of(a) + $of(c))
        }
        pub(crate) fn $sub(a: u64, c: u64) -> u64 {
            $c($of(a) - $of(c))
        }
        pub(crate) fn $mul(a: u64, c: u64) -> u64 {
            $c($of(a) * $of(c))
        }
        pub(crate) fn $div(a: u64, c: u64) -> u64 {
            $c($of(a) / $of(c))
        }
        /// wasm `min`: NaN if either is NaN; `-0 < +0`.
        pub(crate) fn $min(a: u64, c: u64) -> u64 {
            let (x, y) = ($of(a), $of(c));
            if x.is_nan() || y.is_nan() {
                return $c($t::NAN);
            }
            if x == y {
                // equal values: the same bits, or ±0, where the sign bit decides
                return (a | c) & $mask;
            }
            $c(if x < y { x } else { y })
        }
        /// wasm `max`: NaN if either is NaN; `+0 > -0`.
        pub(crate) fn $max(a: u64, c: u64) -> u64 {
            let (x, y) = ($of(a), $of(c));
            if x.is_nan() || y.is_nan() {
                return $c($t::NAN);
            }
            if x == y {
                return a & c & $mask;
            }
            $c(if x > y { x } else { y })
        }
        /// The magnitude of `a` with the sign of `c`, bitwise.
        pub(crate) fn $copysign(a: u64, c: u64) -> u64 {
            (a & $mask & !$sign) | (c & $sign)
        }
    };
}

float_ops!(f32, f32_of, c32, SIGN_32, 0xffff_ffff,
    f32_eq f32_ne f32_lt f32_gt f32_le f32_ge
    f32_abs f32_neg f32_ceil f32_floor f32_trunc f32_nearest f32_sqrt
    f32_add f32_sub f32_mul f32_div f32_min f32_max f32_copysign);
float_ops!(f64, f64_of, c64, SIGN_64, u64::MAX,
    f64_eq f64_ne f64_lt f64_gt f64_le f64_ge
    f64_abs f64_neg f64_ceil f64_floor f64_trunc f64_nearest f64_sqrt
    f64_add f64_sub f64_mul f64_div f64_min f64_max f64_copysign);

// ---- conversions: `as` casts round to nearest, ties to even (int to float, f64 to f32) ------

pub(crate) fn f32_convert_i32_s(a: u64) -> u64 {
    c32(a as u32 as i32 as f32)
}
pub(crate) fn f32_convert_i32_u(a: u64) -> u64 {
    c32(a as u32 as f32)
}
pub(crate) fn f32_convert_i64_s(a: u64) -> u64 {
    c32(a as i64 as f32)
}
pub(crate) fn f32_convert_i64_u(a: u64) -> u64 {
    c32(a as f32)
}
pub(crate) fn f32_demote_f64(a: u64) -> u64 {
    c32(f64_of(a) as f32)
}
pub(crate) fn f64_convert_i32_s(a: u64) -> u64 {
    c64(a as u32 as i32 as f64)
}
pub(crate) fn f64_convert_i32_u(a: u64) -> u64 {
    c64(a as u32 as f64)
}
pub(crate) fn f64_convert_i64_s(a: u64) -> u64 {
    c64(a as i64 as f64)
}
pub(crate) fn f64_convert_i64_u(a: u64) -> u64 {
    c64(a as f64)
}
pub(crate) fn f64_promote_f32(a: u64) -> u64 {
    c64(f32_of(a) as f64)
}

// ---- float to integer ---------------------------------------------------------------------

/// The truncation of `x` if it lies in `(lo, hi)` (both exclusive, exact in f64); the trap
/// otherwise: NaN is an invalid conversion, anything else out of range an overflow.
#[inline(always)]
fn trunc_in(x: f64, lo: f64, hi: f64) -> Result<f64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if t > lo && t < hi {
        Ok(t)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}

const TWO_31: f64 = 2_147_483_648.0;
const TWO_32: f64 = 4_294_967_296.0;
const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

// An f32 converts to f64 exactly, so every check runs in f64.
pub(crate) fn i32_trunc_f32_s(a: u64) -> Trapping {
    trunc_in(f32_of(a) as f64, -TWO_31 - 1.0, TWO_31).map(|t| t as i32 as u32 as u64)
}
pub(crate) fn i32_trunc_f32_u(a: u64) -> Trapping {
    trunc_in(f32_of(a) as f64, -1.0, TWO_32).map(|t| t as u32 as u64)
}
pub(crate) fn i32_trunc_f64_s(a: u64) -> Trapping {
    trunc_in(f64_of(a), -TWO_31 - 1.0, TWO_31).map(|t| t as i32 as u32 as u64)
}
pub(crate) fn i32_trunc_f64_u(a: u64) -> Trapping {
    trunc_in(f64_of(a), -1.0, TWO_32).map(|t| t as u32 as u64)
}
// `-2^63 - 1` is not an f64: the lowest i64 is checked with `>=` instead.
fn trunc_i64_s(x: f64) -> Trapping {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if (-TWO_63..TWO_63).contains(&t) {
        Ok(t as i64 as u64)
    } else {
        Err(TrapCode::IntegerOverflow)
    }
}
pub(crate) fn i64_trunc_f32_s(a: u64) -> Trapping {
    trunc_i64_s(f32_of(a) as f64)
}
pub(crate) fn i64_trunc_f32_u(a: u64) -> Trapping {
    trunc_in(f32_of(a) as f64, -1.0, TWO_64).map(|t| t as u64)
}
pub(crate) fn i64_trunc_f64_s(a: u64) -> Trapping {
    trunc_i64_s(f64_of(a))
}
pub(crate) fn i64_trunc_f64_u(a: u64) -> Trapping {
    trunc_in(f64_of(a), -1.0, TWO_64).map(|t| t as u64)
}

// Saturating: Rust's float-to-int `as` is exactly wasm's `trunc_sat` (NaN to 0, saturation).
pub(crate) fn i32_trunc_sat_f32_s(a: u64) -> u64 {
    f32_of(a) as i32 as u32 as u64
}
pub(crate) fn i32_trunc_sat_f32_u(a: u64) -> u64 {
    f32_of(a) as u32 as u64
}
pub(crate) fn i32_trunc_sat_f64_s(a: u64) -> u64 {
    f64_of(a) as i32 as u32 as u64
}
pub(crate) fn i32_trunc_sat_f64_u(a: u64) -> u64 {
    f64_of(a) as u32 as u64
}
pub(crate) fn i64_trunc_sat_f32_s(a: u64) -> u64 {
    f32_of(a) as i64 as u64
}
pub(crate) fn i64_trunc_sat_f32_u(a: u64) -> u64 {
    f32_of(a) as u64
}
pub(crate) fn i64_trunc_sat_f64_s(a: u64) -> u64 {
    f64_of(a) as i64 as u64
}
pub(crate) fn i64_trunc_sat_f64_u(a: u64) -> u64 {
    f64_of(a) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN32_PAYLOAD: u64 = 0xffc0_0001; // negative quiet NaN with a payload
    const SNAN32: u64 = 0x7f80_0001;
    const NAN64_PAYLOAD: u64 = 0xfff8_0000_0000_0001;

    #[test]
    fn arithmetic_nans_are_canonical() {
        let one = 1f32.to_bits() as u64;
        assert_eq!(f32_add(NAN32_PAYLOAD, one), 0x7fc0_0000);
        assert_eq!(f32_mul(SNAN32, one), 0x7fc0_0000);
        let zero = 0u64;
        assert_eq!(f32_div(zero, zero), 0x7fc0_0000);
        assert_eq!(f32_sqrt((-1f32).to_bits() as u64), 0x7fc0_0000);
        assert_eq!(f32_ceil(NAN32_PAYLOAD), 0x7fc0_0000);
        assert_eq!(f64_add(NAN64_PAYLOAD, 0), CANONICAL_NAN_64);
        assert_eq!(f64_promote_f32(NAN32_PAYLOAD), CANONICAL_NAN_64);
        assert_eq!(f32_demote_f64(NAN64_PAYLOAD), 0x7fc0_0000);
        assert_eq!(f32_min(one, NAN32_PAYLOAD), 0x7fc0_0000);
        assert_eq!(f64_max(NAN64_PAYLOAD, 0), CANONICAL_NAN_64);
    }

    #[test]
    fn sign_ops_are_bitwise_and_keep_payloads() {
        assert_eq!(f32_abs(NAN32_PAYLOAD), 0x7fc0_0001);
        assert_eq!(f32_neg(0x7fc0_0001), NAN32_PAYLOAD);
        assert_eq!(f32_copysign(0x7fc0_0001, 0x8000_0000), NAN32_PAYLOAD);
        assert_eq!(f64_neg(0), SIGN_64);
        assert_eq!(f64_abs(NAN64_PAYLOAD), 0x7ff8_0000_0000_0001);
        // only the low 32 bits of an f32 operand count; the result stays zero-extended
        assert_eq!(f32_neg(0xdead_0000_0000_0000), SIGN_32);
    }

    #[test]
    fn min_max_order_zeros() {
        let (pz, nz) = (0u64, SIGN_32);
        assert_eq!(f32_min(pz, nz), nz);
        assert_eq!(f32_min(nz, pz), nz);
        assert_eq!(f32_max(pz, nz), pz);
        assert_eq!(f32_max(nz, pz), pz);
        assert_eq!(f64_min(0, SIGN_64), SIGN_64);
        assert_eq!(f64_max(SIGN_64, 0), 0);
    }

    #[test]
    fn comparisons_with_nan() {
        assert_eq!(f32_eq(NAN32_PAYLOAD, NAN32_PAYLOAD), 0);
        assert_eq!(f32_ne(NAN32_PAYLOAD, NAN32_PAYLOAD), 1);
        assert_eq!(f64_lt(NAN64_PAYLOAD, 0), 0);
        assert_eq!(f64_ge(0, SIGN_64), 1); // +0 >= -0
    }

    #[test]
    fn nearest_ties_to_even() {
        let f = |x: f32| f32_nearest(x.to_bits() as u64) as u32;
        assert_eq!(f32::from_bits(f(2.5)), 2.0);
        assert_eq!(f32::from_bits(f(3.5)), 4.0);
        assert_eq!(f(-0.5), (-0.0f32).to_bits());
    }

    #[test]
    fn truncations_trap_at_the_exact_bounds() {
        let f = |x: f64| x.to_bits();
        assert_eq!(i32_trunc_f64_s(f(-2147483648.9)), Ok(0x8000_0000));
        assert_eq!(
            i32_trunc_f64_s(f(-2147483649.0)),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f64_s(f(2147483647.9)), Ok(0x7fff_ffff));
        assert_eq!(
            i32_trunc_f64_s(f(2147483648.0)),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f64_u(f(-0.9)), Ok(0));
        assert_eq!(i32_trunc_f64_u(f(-1.0)), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_f64_u(f(4294967295.9)), Ok(0xffff_ffff));
        assert_eq!(i64_trunc_f64_s(f(-9223372036854775808.0)), Ok(1 << 63));
        assert_eq!(
            i64_trunc_f64_s(f(9223372036854775808.0)),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(
            i64_trunc_f64_u(f(18446744073709549568.0)),
            Ok(18446744073709549568)
        );
        assert_eq!(
            i64_trunc_f64_u(f(18446744073709551616.0)),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(
            i64_trunc_f32_s(0x7fc0_0000),
            Err(TrapCode::InvalidConversionToInteger)
        );
        assert_eq!(i32_trunc_f32_u(0x7f80_0000), Err(TrapCode::IntegerOverflow)); // +inf
        assert_eq!(i32_trunc_sat_f32_s(0x7fc0_0000), 0);
        assert_eq!(i32_trunc_sat_f32_s(0xff80_0000), 0x8000_0000); // -inf
        assert_eq!(i64_trunc_sat_f64_u(f(-5.0)), 0);
        assert_eq!(i32_trunc_sat_f64_s(f(-1.0)), 0xffff_ffff);
    }

    #[test]
    fn conversions_round_to_nearest_even() {
        // 2^24 + 1 is not an f32: ties to even gives 2^24
        assert_eq!(
            f32_convert_i32_s(16_777_217) as u32,
            16_777_216f32.to_bits()
        );
        assert_eq!(
            f32_convert_i64_u(u64::MAX) as u32,
            18446744073709551616f32.to_bits()
        );
        assert_eq!(f64_convert_i32_u(0xffff_ffff), 4294967295f64.to_bits());
        assert_eq!(f32_convert_i32_s(0xffff_ffff) as u32, (-1f32).to_bits());
        // the upper half of an i32 operand is ignored
        assert_eq!(f64_convert_i32_s(0x1_0000_0001), 1f64.to_bits());
    }
}
