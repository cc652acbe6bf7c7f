//! Soft-float vs hardware (plus the canonical-NaN rule) on bit patterns that favour the edges:
//! subnormals, ±0, ±inf, NaN payloads, exponent boundaries, operands with few significant bits
//! (ties and exact results), and values near the integer limits of the conversions.

#[path = "../src/bin/exhaustive/oracle.rs"]
mod oracle;

use opml_softfloat::{convert as cv, sf32, sf64};
use proptest::prelude::*;

macro_rules! edge_bits {
    ($name:ident, $u:ty, $p:expr, $bias:expr, $limits:expr) => {
        /// Bit patterns of one format, weighted toward the edges.
        fn $name() -> impl Strategy<Value = $u> {
            const W: u32 = <$u>::BITS;
            const SIGN: $u = 1 << (W - 1);
            const FRAC: $u = (1 << $p) - 1;
            const EMAX: $u = (1 << (W - 1 - $p)) - 1;
            let sign = prop_oneof![Just(0 as $u), Just(SIGN)];
            let specials = prop::sample::select(vec![
                0, 1, FRAC, FRAC + 1, EMAX << $p, (EMAX << $p) | 1, (EMAX << $p) | (1 << ($p - 1)),
                (EMAX << $p) | FRAC, ($bias as $u) << $p, (($bias - 1) as $u) << $p,
                ((EMAX - 1) << $p) | FRAC, (($bias + 1) as $u) << $p | (1 << ($p - 1)),
            ]);
            let exponent = prop_oneof![
                0..=3 as $u,
                ($bias - 3) as $u..=($bias + 3) as $u,
                EMAX - 3..=EMAX,
                0..=EMAX,
            ];
            // Few significant bits make ties and exact results likely.
            let fraction = prop_oneof![
                any::<$u>().prop_map(|f| f & FRAC),
                (any::<$u>(), 0..$p as u32).prop_map(|(f, k)| f & FRAC & !((1 << k) - 1)),
                (any::<$u>(), 0..$p as u32).prop_map(|(f, k)| (f & FRAC) >> k),
                Just(0 as $u),
                Just(FRAC),
            ];
            // Around the integer limits: 2^k for k in 30..=64, plus or minus a few ulps.
            let near_limits = (prop::sample::select($limits.to_vec()), -3i64..=3)
                .prop_map(|(k, ulps): ($u, i64)| (((($bias as $u) + k) << $p) as i64 + ulps) as $u);
            prop_oneof![
                3 => any::<$u>(),
                2 => (sign.clone(), specials).prop_map(|(s, m)| s | m),
                4 => (sign.clone(), exponent, fraction).prop_map(|(s, e, f)| s | (e << $p) | f),
                1 => (sign, near_limits).prop_map(|(s, m)| s | (m & !SIGN)),
            ]
        }
    };
}

edge_bits!(bits32, u32, 23, 127, [0u32, 1, 30, 31, 32, 62, 63, 64]);
edge_bits!(
    bits64,
    u64,
    52,
    1023,
    [0u64, 1, 30, 31, 32, 52, 53, 62, 63, 64]
);

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 20_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

macro_rules! binary {
    ($($test:ident: $bits:ident, $soft:path, $hard:path;)*) => {
        proptest! {
            #![proptest_config(config())]
            $(#[test]
            fn $test(a in $bits(), b in $bits()) {
                prop_assert_eq!($soft(a, b), $hard(a, b), "a = {:#x}, b = {:#x}", a, b);
            })*
        }
    };
}

macro_rules! unary {
    ($($test:ident: $bits:ident, $soft:path, $hard:path;)*) => {
        proptest! {
            #![proptest_config(config())]
            $(#[test]
            fn $test(a in $bits()) {
                prop_assert_eq!($soft(a), $hard(a), "a = {:#x}", a);
            })*
        }
    };
}

binary! {
    f32_add: bits32, sf32::add, oracle::f32s::add;
    f32_sub: bits32, sf32::sub, oracle::f32s::sub;
    f32_mul: bits32, sf32::mul, oracle::f32s::mul;
    f32_div: bits32, sf32::div, oracle::f32s::div;
    f32_min: bits32, sf32::min, oracle::f32s::min;
    f32_max: bits32, sf32::max, oracle::f32s::max;
    f32_copysign: bits32, sf32::copysign, oracle::f32s::copysign;
    f32_eq: bits32, sf32::eq, oracle::f32s::eq;
    f32_ne: bits32, sf32::ne, oracle::f32s::ne;
    f32_lt: bits32, sf32::lt, oracle::f32s::lt;
    f32_gt: bits32, sf32::gt, oracle::f32s::gt;
    f32_le: bits32, sf32::le, oracle::f32s::le;
    f32_ge: bits32, sf32::ge, oracle::f32s::ge;
    f64_add: bits64, sf64::add, oracle::f64s::add;
    f64_sub: bits64, sf64::sub, oracle::f64s::sub;
    f64_mul: bits64, sf64::mul, oracle::f64s::mul;
    f64_div: bits64, sf64::div, oracle::f64s::div;
    f64_min: bits64, sf64::min, oracle::f64s::min;
    f64_max: bits64, sf64::max, oracle::f64s::max;
    f64_copysign: bits64, sf64::copysign, oracle::f64s::copysign;
    f64_eq: bits64, sf64::eq, oracle::f64s::eq;
    f64_ne: bits64, sf64::ne, oracle::f64s::ne;
    f64_lt: bits64, sf64::lt, oracle::f64s::lt;
    f64_gt: bits64, sf64::gt, oracle::f64s::gt;
    f64_le: bits64, sf64::le, oracle::f64s::le;
    f64_ge: bits64, sf64::ge, oracle::f64s::ge;
}

unary! {
    f32_sqrt: bits32, sf32::sqrt, oracle::f32s::sqrt;
    f32_ceil: bits32, sf32::ceil, oracle::f32s::ceil;
    f32_floor: bits32, sf32::floor, oracle::f32s::floor;
    f32_trunc: bits32, sf32::trunc, oracle::f32s::trunc;
    f32_nearest: bits32, sf32::nearest, oracle::f32s::nearest;
    f32_abs: bits32, sf32::abs, oracle::f32s::abs;
    f32_neg: bits32, sf32::neg, oracle::f32s::neg;
    f64_sqrt: bits64, sf64::sqrt, oracle::f64s::sqrt;
    f64_ceil: bits64, sf64::ceil, oracle::f64s::ceil;
    f64_floor: bits64, sf64::floor, oracle::f64s::floor;
    f64_trunc: bits64, sf64::trunc, oracle::f64s::trunc;
    f64_nearest: bits64, sf64::nearest, oracle::f64s::nearest;
    f64_abs: bits64, sf64::abs, oracle::f64s::abs;
    f64_neg: bits64, sf64::neg, oracle::f64s::neg;
    i32_trunc_f32_s: bits32, cv::i32_trunc_f32_s, oracle::i32_trunc_f32_s;
    i32_trunc_f32_u: bits32, cv::i32_trunc_f32_u, oracle::i32_trunc_f32_u;
    i32_trunc_f64_s: bits64, cv::i32_trunc_f64_s, oracle::i32_trunc_f64_s;
    i32_trunc_f64_u: bits64, cv::i32_trunc_f64_u, oracle::i32_trunc_f64_u;
    i64_trunc_f32_s: bits32, cv::i64_trunc_f32_s, oracle::i64_trunc_f32_s;
    i64_trunc_f32_u: bits32, cv::i64_trunc_f32_u, oracle::i64_trunc_f32_u;
    i64_trunc_f64_s: bits64, cv::i64_trunc_f64_s, oracle::i64_trunc_f64_s;
    i64_trunc_f64_u: bits64, cv::i64_trunc_f64_u, oracle::i64_trunc_f64_u;
    i32_trunc_sat_f32_s: bits32, cv::i32_trunc_sat_f32_s, oracle::i32_trunc_sat_f32_s;
    i32_trunc_sat_f32_u: bits32, cv::i32_trunc_sat_f32_u, oracle::i32_trunc_sat_f32_u;
    i32_trunc_sat_f64_s: bits64, cv::i32_trunc_sat_f64_s, oracle::i32_trunc_sat_f64_s;
    i32_trunc_sat_f64_u: bits64, cv::i32_trunc_sat_f64_u, oracle::i32_trunc_sat_f64_u;
    i64_trunc_sat_f32_s: bits32, cv::i64_trunc_sat_f32_s, oracle::i64_trunc_sat_f32_s;
    i64_trunc_sat_f32_u: bits32, cv::i64_trunc_sat_f32_u, oracle::i64_trunc_sat_f32_u;
    i64_trunc_sat_f64_s: bits64, cv::i64_trunc_sat_f64_s, oracle::i64_trunc_sat_f64_s;
    i64_trunc_sat_f64_u: bits64, cv::i64_trunc_sat_f64_u, oracle::i64_trunc_sat_f64_u;
    f32_demote_f64: bits64, cv::f32_demote_f64, oracle::f32_demote_f64;
    f64_promote_f32: bits32, cv::f64_promote_f32, oracle::f64_promote_f32;
}

/// Integers for the int-to-float conversions: uniform, small, and near powers of two (where
/// rounding ties live).
fn ints() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        any::<u32>().prop_map(u64::from),
        (-1000i64..1000i64).prop_map(|v| v as u64),
        (0..64u32, -4i64..=4, any::<bool>()).prop_map(|(k, d, n)| {
            let v = (1u64 << k).wrapping_add(d as u64);
            if n { v.wrapping_neg() } else { v }
        }),
        // Bit patterns with runs: ties at every position.
        (any::<u64>(), 0..64u32, 0..64u32).prop_map(|(v, a, b)| (v >> a) << b),
    ]
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn int_to_float(v in ints()) {
        let w = v as u32;
        prop_assert_eq!(cv::f32_convert_i32_s(w), oracle::f32_convert_i32_s(w));
        prop_assert_eq!(cv::f32_convert_i32_u(w), oracle::f32_convert_i32_u(w));
        prop_assert_eq!(cv::f64_convert_i32_s(w), oracle::f64_convert_i32_s(w));
        prop_assert_eq!(cv::f64_convert_i32_u(w), oracle::f64_convert_i32_u(w));
        prop_assert_eq!(cv::f32_convert_i64_s(v), oracle::f32_convert_i64_s(v));
        prop_assert_eq!(cv::f32_convert_i64_u(v), oracle::f32_convert_i64_u(v));
        prop_assert_eq!(cv::f64_convert_i64_s(v), oracle::f64_convert_i64_s(v));
        prop_assert_eq!(cv::f64_convert_i64_u(v), oracle::f64_convert_i64_u(v));
    }
}
