//! The reference: hardware `f32`/`f64` arithmetic plus wasmtime's NaN canonicalisation, with
//! wasm's semantics where Rust's differ (min/max, trapping conversions). Shared by the
//! `exhaustive` command and the property tests (`tests/native.rs`).

#![allow(dead_code, unreachable_pub, missing_docs)]

use opml_softfloat::convert::ConvError;

const NAN32: u32 = 0x7fc0_0000;
const NAN64: u64 = 0x7ff8_0000_0000_0000;

fn f(x: u32) -> f32 {
    f32::from_bits(x)
}

fn d(x: u64) -> f64 {
    f64::from_bits(x)
}

/// Bits of a result, a NaN replaced by the canonical NaN. `black_box` keeps LLVM (with LTO)
/// from folding the NaN test into the operation: it then returned `sqrt(sNaN)`'s payload.
fn c32(x: f32) -> u32 {
    let x = std::hint::black_box(x);
    if x.is_nan() { NAN32 } else { x.to_bits() }
}

fn c64(x: f64) -> u64 {
    let x = std::hint::black_box(x);
    if x.is_nan() { NAN64 } else { x.to_bits() }
}

macro_rules! per_format {
    ($fmt:ident, $u:ty, $fl:ty, $from:ident, $canon:ident, $nan:ident) => {
        pub mod $fmt {
            use super::*;
            pub fn add(a: $u, b: $u) -> $u {
                $canon($from(a) + $from(b))
            }
            pub fn sub(a: $u, b: $u) -> $u {
                $canon($from(a) - $from(b))
            }
            pub fn mul(a: $u, b: $u) -> $u {
                $canon($from(a) * $from(b))
            }
            pub fn div(a: $u, b: $u) -> $u {
                $canon($from(a) / $from(b))
            }
            pub fn sqrt(a: $u) -> $u {
                $canon($from(a).sqrt())
            }
            pub fn ceil(a: $u) -> $u {
                $canon($from(a).ceil())
            }
            pub fn floor(a: $u) -> $u {
                $canon($from(a).floor())
            }
            pub fn trunc(a: $u) -> $u {
                $canon($from(a).trunc())
            }
            pub fn nearest(a: $u) -> $u {
                $canon($from(a).round_ties_even())
            }
            pub fn abs(a: $u) -> $u {
                $from(a).abs().to_bits()
            }
            pub fn neg(a: $u) -> $u {
                (-$from(a)).to_bits()
            }
            pub fn copysign(a: $u, b: $u) -> $u {
                $from(a).copysign($from(b)).to_bits()
            }
            pub fn eq(a: $u, b: $u) -> bool {
                $from(a) == $from(b)
            }
            pub fn ne(a: $u, b: $u) -> bool {
                $from(a) != $from(b)
            }
            pub fn lt(a: $u, b: $u) -> bool {
                $from(a) < $from(b)
            }
            pub fn gt(a: $u, b: $u) -> bool {
                $from(a) > $from(b)
            }
            pub fn le(a: $u, b: $u) -> bool {
                $from(a) <= $from(b)
            }
            pub fn ge(a: $u, b: $u) -> bool {
                $from(a) >= $from(b)
            }
            /// wasm min: NaN-propagating, -0 below +0 (hardware comparison decides the rest).
            pub fn min(a: $u, b: $u) -> $u {
                let (x, y) = ($from(a), $from(b));
                if x.is_nan() || y.is_nan() {
                    $nan
                } else if x == y {
                    a | b
                } else if x < y {
                    a
                } else {
                    b
                }
            }
            /// wasm max: NaN-propagating, +0 above -0.
            pub fn max(a: $u, b: $u) -> $u {
                let (x, y) = ($from(a), $from(b));
                if x.is_nan() || y.is_nan() {
                    $nan
                } else if x == y {
                    a & b
                } else if x > y {
                    a
                } else {
                    b
                }
            }
            /// A checked truncation in the wasm reference interpreter's style: the truncated
            /// value must lie in `[lo, hi)`, compared in f64 (where the bounds are exact).
            pub fn trunc_checked(a: $u, lo: f64, hi: f64) -> Result<f64, ConvError> {
                let x = $from(a);
                if x.is_nan() {
                    return Err(ConvError::InvalidConversion);
                }
                let t = x.trunc() as f64;
                if t >= lo && t < hi {
                    Ok(t)
                } else {
                    Err(ConvError::IntegerOverflow)
                }
            }
        }
    };
}

per_format!(f32s, u32, f32, f, c32, NAN32);
per_format!(f64s, u64, f64, d, c64, NAN64);

const I32: (f64, f64) = (-2147483648.0, 2147483648.0);
const U32: (f64, f64) = (-0.9999999999999999, 4294967296.0);
const I64: (f64, f64) = (-9223372036854775808.0, 9223372036854775808.0);
const U64: (f64, f64) = (-0.9999999999999999, 18446744073709551616.0);

pub fn i32_trunc_f32_s(a: u32) -> Result<u32, ConvError> {
    f32s::trunc_checked(a, I32.0, I32.1).map(|t| t as i32 as u32)
}
pub fn i32_trunc_f32_u(a: u32) -> Result<u32, ConvError> {
    f32s::trunc_checked(a, U32.0, U32.1).map(|t| t as u32)
}
pub fn i32_trunc_f64_s(a: u64) -> Result<u32, ConvError> {
    f64s::trunc_checked(a, I32.0, I32.1).map(|t| t as i32 as u32)
}
pub fn i32_trunc_f64_u(a: u64) -> Result<u32, ConvError> {
    f64s::trunc_checked(a, U32.0, U32.1).map(|t| t as u32)
}
pub fn i64_trunc_f32_s(a: u32) -> Result<u64, ConvError> {
    f32s::trunc_checked(a, I64.0, I64.1).map(|t| t as i64 as u64)
}
pub fn i64_trunc_f32_u(a: u32) -> Result<u64, ConvError> {
    f32s::trunc_checked(a, U64.0, U64.1).map(|t| t as u64)
}
pub fn i64_trunc_f64_s(a: u64) -> Result<u64, ConvError> {
    f64s::trunc_checked(a, I64.0, I64.1).map(|t| t as i64 as u64)
}
pub fn i64_trunc_f64_u(a: u64) -> Result<u64, ConvError> {
    f64s::trunc_checked(a, U64.0, U64.1).map(|t| t as u64)
}

// Rust's float-to-int `as` is exactly wasm's saturating truncation (NaN to 0).
pub fn i32_trunc_sat_f32_s(a: u32) -> u32 {
    f(a) as i32 as u32
}
pub fn i32_trunc_sat_f32_u(a: u32) -> u32 {
    f(a) as u32
}
pub fn i32_trunc_sat_f64_s(a: u64) -> u32 {
    d(a) as i32 as u32
}
pub fn i32_trunc_sat_f64_u(a: u64) -> u32 {
    d(a) as u32
}
pub fn i64_trunc_sat_f32_s(a: u32) -> u64 {
    f(a) as i64 as u64
}
pub fn i64_trunc_sat_f32_u(a: u32) -> u64 {
    f(a) as u64
}
pub fn i64_trunc_sat_f64_s(a: u64) -> u64 {
    d(a) as i64 as u64
}
pub fn i64_trunc_sat_f64_u(a: u64) -> u64 {
    d(a) as u64
}

// Rust's int-to-float `as` rounds to nearest, ties to even, like wasm.
pub fn f32_convert_i32_s(a: u32) -> u32 {
    (a as i32 as f32).to_bits()
}
pub fn f32_convert_i32_u(a: u32) -> u32 {
    (a as f32).to_bits()
}
pub fn f32_convert_i64_s(a: u64) -> u32 {
    (a as i64 as f32).to_bits()
}
pub fn f32_convert_i64_u(a: u64) -> u32 {
    (a as f32).to_bits()
}
pub fn f64_convert_i32_s(a: u32) -> u64 {
    (a as i32 as f64).to_bits()
}
pub fn f64_convert_i32_u(a: u32) -> u64 {
    (a as f64).to_bits()
}
pub fn f64_convert_i64_s(a: u64) -> u64 {
    (a as i64 as f64).to_bits()
}
pub fn f64_convert_i64_u(a: u64) -> u64 {
    (a as f64).to_bits()
}

pub fn f32_demote_f64(a: u64) -> u32 {
    c32(d(a) as f32)
}
pub fn f64_promote_f32(a: u32) -> u64 {
    c64(f(a) as f64)
}
