//! Every checked operation as a `(name, soft, hard)` row; results widened to a common type.

use crate::oracle as hw;
use opml_softfloat::{convert as cv, convert::ConvError, sf32, sf64};

/// A result: integer bits, or the trap a conversion raises.
pub(crate) type Out = Result<u64, ConvError>;

/// Operations on one 32-bit input (checked over all 2^32 inputs).
pub(crate) type Unary32 = (&'static str, fn(u32) -> Out, fn(u32) -> Out);
/// Operations on one 64-bit input (checked on random inputs).
pub(crate) type Unary64 = (&'static str, fn(u64) -> Out, fn(u64) -> Out);
/// Binary f32 operations.
pub(crate) type Binary32 = (&'static str, fn(u32, u32) -> u64, fn(u32, u32) -> u64);
/// Binary f64 operations.
pub(crate) type Binary64 = (&'static str, fn(u64, u64) -> u64, fn(u64, u64) -> u64);

macro_rules! rows {
    ($($name:literal: |$($a:ident),*| $soft:expr, $hard:expr;)*) => {
        [$(($name, |$($a),*| $soft.into(), |$($a),*| $hard.into())),*]
    };
}

macro_rules! ok {
    ($e:expr) => {
        Ok(u64::from($e))
    };
}

macro_rules! conv {
    ($e:expr) => {
        $e.map(u64::from)
    };
}

pub(crate) const UNARY32: [Unary32; 20] = rows! {
    "f32_sqrt": |a| ok!(sf32::sqrt(a)), ok!(hw::f32s::sqrt(a));
    "f32_ceil": |a| ok!(sf32::ceil(a)), ok!(hw::f32s::ceil(a));
    "f32_floor": |a| ok!(sf32::floor(a)), ok!(hw::f32s::floor(a));
    "f32_trunc": |a| ok!(sf32::trunc(a)), ok!(hw::f32s::trunc(a));
    "f32_nearest": |a| ok!(sf32::nearest(a)), ok!(hw::f32s::nearest(a));
    "f32_abs": |a| ok!(sf32::abs(a)), ok!(hw::f32s::abs(a));
    "f32_neg": |a| ok!(sf32::neg(a)), ok!(hw::f32s::neg(a));
    "f64_promote_f32": |a| ok!(cv::f64_promote_f32(a)), ok!(hw::f64_promote_f32(a));
    "i32_trunc_f32_s": |a| conv!(cv::i32_trunc_f32_s(a)), conv!(hw::i32_trunc_f32_s(a));
    "i32_trunc_f32_u": |a| conv!(cv::i32_trunc_f32_u(a)), conv!(hw::i32_trunc_f32_u(a));
    "i64_trunc_f32_s": |a| cv::i64_trunc_f32_s(a), hw::i64_trunc_f32_s(a);
    "i64_trunc_f32_u": |a| cv::i64_trunc_f32_u(a), hw::i64_trunc_f32_u(a);
    "i32_trunc_sat_f32_s": |a| ok!(cv::i32_trunc_sat_f32_s(a)), ok!(hw::i32_trunc_sat_f32_s(a));
    "i32_trunc_sat_f32_u": |a| ok!(cv::i32_trunc_sat_f32_u(a)), ok!(hw::i32_trunc_sat_f32_u(a));
    "i64_trunc_sat_f32_s": |a| ok!(cv::i64_trunc_sat_f32_s(a)), ok!(hw::i64_trunc_sat_f32_s(a));
    "i64_trunc_sat_f32_u": |a| ok!(cv::i64_trunc_sat_f32_u(a)), ok!(hw::i64_trunc_sat_f32_u(a));
    "f32_convert_i32_s": |a| ok!(cv::f32_convert_i32_s(a)), ok!(hw::f32_convert_i32_s(a));
    "f32_convert_i32_u": |a| ok!(cv::f32_convert_i32_u(a)), ok!(hw::f32_convert_i32_u(a));
    "f64_convert_i32_s": |a| ok!(cv::f64_convert_i32_s(a)), ok!(hw::f64_convert_i32_s(a));
    "f64_convert_i32_u": |a| ok!(cv::f64_convert_i32_u(a)), ok!(hw::f64_convert_i32_u(a));
};

pub(crate) const UNARY64: [Unary64; 20] = rows! {
    "f64_sqrt": |a| ok!(sf64::sqrt(a)), ok!(hw::f64s::sqrt(a));
    "f64_ceil": |a| ok!(sf64::ceil(a)), ok!(hw::f64s::ceil(a));
    "f64_floor": |a| ok!(sf64::floor(a)), ok!(hw::f64s::floor(a));
    "f64_trunc": |a| ok!(sf64::trunc(a)), ok!(hw::f64s::trunc(a));
    "f64_nearest": |a| ok!(sf64::nearest(a)), ok!(hw::f64s::nearest(a));
    "f64_abs": |a| ok!(sf64::abs(a)), ok!(hw::f64s::abs(a));
    "f64_neg": |a| ok!(sf64::neg(a)), ok!(hw::f64s::neg(a));
    "f32_demote_f64": |a| ok!(cv::f32_demote_f64(a)), ok!(hw::f32_demote_f64(a));
    "i32_trunc_f64_s": |a| conv!(cv::i32_trunc_f64_s(a)), conv!(hw::i32_trunc_f64_s(a));
    "i32_trunc_f64_u": |a| conv!(cv::i32_trunc_f64_u(a)), conv!(hw::i32_trunc_f64_u(a));
    "i64_trunc_f64_s": |a| cv::i64_trunc_f64_s(a), hw::i64_trunc_f64_s(a);
    "i64_trunc_f64_u": |a| cv::i64_trunc_f64_u(a), hw::i64_trunc_f64_u(a);
    "i32_trunc_sat_f64_s": |a| ok!(cv::i32_trunc_sat_f64_s(a)), ok!(hw::i32_trunc_sat_f64_s(a));
    "i32_trunc_sat_f64_u": |a| ok!(cv::i32_trunc_sat_f64_u(a)), ok!(hw::i32_trunc_sat_f64_u(a));
    "i64_trunc_sat_f64_s": |a| ok!(cv::i64_trunc_sat_f64_s(a)), ok!(hw::i64_trunc_sat_f64_s(a));
    "i64_trunc_sat_f64_u": |a| ok!(cv::i64_trunc_sat_f64_u(a)), ok!(hw::i64_trunc_sat_f64_u(a));
    "f32_convert_i64_s": |a| ok!(cv::f32_convert_i64_s(a)), ok!(hw::f32_convert_i64_s(a));
    "f32_convert_i64_u": |a| ok!(cv::f32_convert_i64_u(a)), ok!(hw::f32_convert_i64_u(a));
    "f64_convert_i64_s": |a| ok!(cv::f64_convert_i64_s(a)), ok!(hw::f64_convert_i64_s(a));
    "f64_convert_i64_u": |a| ok!(cv::f64_convert_i64_u(a)), ok!(hw::f64_convert_i64_u(a));
};

pub(crate) const BINARY32: [Binary32; 13] = rows! {
    "f32_add": |a, b| sf32::add(a, b), hw::f32s::add(a, b);
    "f32_sub": |a, b| sf32::sub(a, b), hw::f32s::sub(a, b);
    "f32_mul": |a, b| sf32::mul(a, b), hw::f32s::mul(a, b);
    "f32_div": |a, b| sf32::div(a, b), hw::f32s::div(a, b);
    "f32_min": |a, b| sf32::min(a, b), hw::f32s::min(a, b);
    "f32_max": |a, b| sf32::max(a, b), hw::f32s::max(a, b);
    "f32_copysign": |a, b| sf32::copysign(a, b), hw::f32s::copysign(a, b);
    "f32_eq": |a, b| sf32::eq(a, b), hw::f32s::eq(a, b);
    "f32_ne": |a, b| sf32::ne(a, b), hw::f32s::ne(a, b);
    "f32_lt": |a, b| sf32::lt(a, b), hw::f32s::lt(a, b);
    "f32_gt": |a, b| sf32::gt(a, b), hw::f32s::gt(a, b);
    "f32_le": |a, b| sf32::le(a, b), hw::f32s::le(a, b);
    "f32_ge": |a, b| sf32::ge(a, b), hw::f32s::ge(a, b);
};

pub(crate) const BINARY64: [Binary64; 13] = rows! {
    "f64_add": |a, b| sf64::add(a, b), hw::f64s::add(a, b);
    "f64_sub": |a, b| sf64::sub(a, b), hw::f64s::sub(a, b);
    "f64_mul": |a, b| sf64::mul(a, b), hw::f64s::mul(a, b);
    "f64_div": |a, b| sf64::div(a, b), hw::f64s::div(a, b);
    "f64_min": |a, b| sf64::min(a, b), hw::f64s::min(a, b);
    "f64_max": |a, b| sf64::max(a, b), hw::f64s::max(a, b);
    "f64_copysign": |a, b| sf64::copysign(a, b), hw::f64s::copysign(a, b);
    "f64_eq": |a, b| sf64::eq(a, b), hw::f64s::eq(a, b);
    "f64_ne": |a, b| sf64::ne(a, b), hw::f64s::ne(a, b);
    "f64_lt": |a, b| sf64::lt(a, b), hw::f64s::lt(a, b);
    "f64_gt": |a, b| sf64::gt(a, b), hw::f64s::gt(a, b);
    "f64_le": |a, b| sf64::le(a, b), hw::f64s::le(a, b);
    "f64_ge": |a, b| sf64::ge(a, b), hw::f64s::ge(a, b);
};
