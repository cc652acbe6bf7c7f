//! The wasm exports: one function per float operator, named like the operator with `.`
//! replaced by `_`, taking and returning integer bits (the loader lowers each float
//! instruction to a `Call` of the matching export).

use crate::{convert as cv, convert::ConvError, sf32, sf64};

#[link(wasm_import_module = "opml_softfloat")]
unsafe extern "C" {
    /// Lowered by the loader to a trap with code "invalid conversion to integer".
    safe fn trap_invalid_conversion();
    /// Lowered by the loader to a trap with code "integer overflow".
    safe fn trap_integer_overflow();
}

/// Traps the guest; the imports never return, `unreachable` makes that explicit.
#[inline(always)]
fn trap(e: ConvError) -> ! {
    match e {
        ConvError::InvalidConversion => trap_invalid_conversion(),
        ConvError::IntegerOverflow => trap_integer_overflow(),
    }
    core::arch::wasm32::unreachable()
}

macro_rules! export {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:expr;)*) => {$(
        #[unsafe(no_mangle)]
        extern "C" fn $name($($a: $t),*) -> $r {
            $body
        }
    )*};
}

macro_rules! export_trunc {
    ($($name:ident($t:ty) -> $r:ty;)*) => {$(
        #[unsafe(no_mangle)]
        extern "C" fn $name(x: $t) -> $r {
            match cv::$name(x) {
                Ok(v) => v,
                Err(e) => trap(e),
            }
        }
    )*};
}

export! {
    f32_add(a: u32, b: u32) -> u32 = sf32::add(a, b);
    f32_sub(a: u32, b: u32) -> u32 = sf32::sub(a, b);
    f32_mul(a: u32, b: u32) -> u32 = sf32::mul(a, b);
    f32_div(a: u32, b: u32) -> u32 = sf32::div(a, b);
    f32_min(a: u32, b: u32) -> u32 = sf32::min(a, b);
    f32_max(a: u32, b: u32) -> u32 = sf32::max(a, b);
    f32_copysign(a: u32, b: u32) -> u32 = sf32::copysign(a, b);
    f32_sqrt(a: u32) -> u32 = sf32::sqrt(a);
    f32_ceil(a: u32) -> u32 = sf32::ceil(a);
    f32_floor(a: u32) -> u32 = sf32::floor(a);
    f32_trunc(a: u32) -> u32 = sf32::trunc(a);
    f32_nearest(a: u32) -> u32 = sf32::nearest(a);
    f32_abs(a: u32) -> u32 = sf32::abs(a);
    f32_neg(a: u32) -> u32 = sf32::neg(a);
    f32_eq(a: u32, b: u32) -> u32 = sf32::eq(a, b) as u32;
    f32_ne(a: u32, b: u32) -> u32 = sf32::ne(a, b) as u32;
    f32_lt(a: u32, b: u32) -> u32 = sf32::lt(a, b) as u32;
    f32_gt(a: u32, b: u32) -> u32 = sf32::gt(a, b) as u32;
    f32_le(a: u32, b: u32) -> u32 = sf32::le(a, b) as u32;
    f32_ge(a: u32, b: u32) -> u32 = sf32::ge(a, b) as u32;

    f64_add(a: u64, b: u64) -> u64 = sf64::add(a, b);
    f64_sub(a: u64, b: u64) -> u64 = sf64::sub(a, b);
    f64_mul(a: u64, b: u64) -> u64 = sf64::mul(a, b);
    f64_div(a: u64, b: u64) -> u64 = sf64::div(a, b);
    f64_min(a: u64, b: u64) -> u64 = sf64::min(a, b);
    f64_max(a: u64, b: u64) -> u64 = sf64::max(a, b);
    f64_copysign(a: u64, b: u64) -> u64 = sf64::copysign(a, b);
    f64_sqrt(a: u64) -> u64 = sf64::sqrt(a);
    f64_ceil(a: u64) -> u64 = sf64::ceil(a);
    f64_floor(a: u64) -> u64 = sf64::floor(a);
    f64_trunc(a: u64) -> u64 = sf64::trunc(a);
    f64_nearest(a: u64) -> u64 = sf64::nearest(a);
    f64_abs(a: u64) -> u64 = sf64::abs(a);
    f64_neg(a: u64) -> u64 = sf64::neg(a);
    f64_eq(a: u64, b: u64) -> u32 = sf64::eq(a, b) as u32;
    f64_ne(a: u64, b: u64) -> u32 = sf64::ne(a, b) as u32;
    f64_lt(a: u64, b: u64) -> u32 = sf64::lt(a, b) as u32;
    f64_gt(a: u64, b: u64) -> u32 = sf64::gt(a, b) as u32;
    f64_le(a: u64, b: u64) -> u32 = sf64::le(a, b) as u32;
    f64_ge(a: u64, b: u64) -> u32 = sf64::ge(a, b) as u32;

    i32_trunc_sat_f32_s(x: u32) -> u32 = cv::i32_trunc_sat_f32_s(x);
    i32_trunc_sat_f32_u(x: u32) -> u32 = cv::i32_trunc_sat_f32_u(x);
    i32_trunc_sat_f64_s(x: u64) -> u32 = cv::i32_trunc_sat_f64_s(x);
    i32_trunc_sat_f64_u(x: u64) -> u32 = cv::i32_trunc_sat_f64_u(x);
    i64_trunc_sat_f32_s(x: u32) -> u64 = cv::i64_trunc_sat_f32_s(x);
    i64_trunc_sat_f32_u(x: u32) -> u64 = cv::i64_trunc_sat_f32_u(x);
    i64_trunc_sat_f64_s(x: u64) -> u64 = cv::i64_trunc_sat_f64_s(x);
    i64_trunc_sat_f64_u(x: u64) -> u64 = cv::i64_trunc_sat_f64_u(x);

    f32_convert_i32_s(x: u32) -> u32 = cv::f32_convert_i32_s(x);
    f32_convert_i32_u(x: u32) -> u32 = cv::f32_convert_i32_u(x);
    f32_convert_i64_s(x: u64) -> u32 = cv::f32_convert_i64_s(x);
    f32_convert_i64_u(x: u64) -> u32 = cv::f32_convert_i64_u(x);
    f64_convert_i32_s(x: u32) -> u64 = cv::f64_convert_i32_s(x);
    f64_convert_i32_u(x: u32) -> u64 = cv::f64_convert_i32_u(x);
    f64_convert_i64_s(x: u64) -> u64 = cv::f64_convert_i64_s(x);
    f64_convert_i64_u(x: u64) -> u64 = cv::f64_convert_i64_u(x);
    f32_demote_f64(x: u64) -> u32 = cv::f32_demote_f64(x);
    f64_promote_f32(x: u32) -> u64 = cv::f64_promote_f32(x);
}

export_trunc! {
    i32_trunc_f32_s(u32) -> u32;
    i32_trunc_f32_u(u32) -> u32;
    i32_trunc_f64_s(u64) -> u32;
    i32_trunc_f64_u(u64) -> u32;
    i64_trunc_f32_s(u32) -> u64;
    i64_trunc_f32_u(u32) -> u64;
    i64_trunc_f64_s(u64) -> u64;
    i64_trunc_f64_u(u64) -> u64;
}
