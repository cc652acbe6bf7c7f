//! The reference the verifier's float code is checked against: the hardware's IEEE `f32`/`f64`
//! operations (x86-64 SSE, AArch64: correctly rounded, ties to even, subnormals kept), with
//! wasm's semantics where Rust's differ (min/max, nearest, the trapping truncations) and
//! wasmtime's NaN canonicalisation (`docs/floats.md`, "NaN rules").

use std::hint::black_box;

use super::ops::{F32_BASE, F64_BASE, TRUNC_BASE};

/// Trap code of an out-of-range or infinite truncation (`IntegerOverflow`).
pub const INTEGER_OVERFLOW: u8 = 4;
/// Trap code of a truncation of a NaN (`InvalidConversionToInteger`).
pub const INVALID_CONVERSION: u8 = 5;

/// What one float instruction does: push a value or trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The pushed value (f32 and i32 results zero-extended).
    Value(u64),
    /// The trap code.
    Trap(u8),
}

const NAN32: u32 = 0x7fc0_0000;
const NAN64: u64 = 0x7ff8_0000_0000_0000;

/// Bits of an f32 result, any NaN replaced by the canonical NaN. `black_box` keeps the
/// compiler from folding the NaN test into the operation that produced `x`.
fn c32(x: f32) -> u64 {
    let x = black_box(x);
    u64::from(if x.is_nan() { NAN32 } else { x.to_bits() })
}

fn c64(x: f64) -> u64 {
    let x = black_box(x);
    if x.is_nan() { NAN64 } else { x.to_bits() }
}

macro_rules! format_ops {
    ($name:ident, $fl:ty, $canon:ident, $nan:expr, $bits:ty) => {
        /// Operation `k` of this format's group; `a = x1`, `b = x0` (`a op b`).
        fn $name(k: u16, x0: u64, x1: u64) -> u64 {
            let raw = |x: u64| x as $bits;
            let (ub, ua) = (raw(x0), raw(x1));
            let (b, a) = (<$fl>::from_bits(ub), <$fl>::from_bits(ua));
            let flag = |t: bool| u64::from(t);
            match k {
                0 => flag(a == b),
                1 => flag(a != b),
                2 => flag(a < b),
                3 => flag(a > b),
                4 => flag(a <= b),
                5 => flag(a >= b),
                6 => u64::from(b.abs().to_bits()),
                7 => u64::from((-b).to_bits()),
                8 => $canon(b.ceil()),
                9 => $canon(b.floor()),
                10 => $canon(b.trunc()),
                11 => $canon(b.round_ties_even()),
                12 => $canon(b.sqrt()),
                13 => $canon(a + b),
                14 => $canon(a - b),
                15 => $canon(a * b),
                16 => $canon(a / b),
                // wasm min/max: a NaN operand gives NaN; -0 < +0 (equal values: combine bits).
                17 | 18 if a.is_nan() || b.is_nan() => u64::from($nan),
                17 if a == b => u64::from(ua | ub),
                18 if a == b => u64::from(ua & ub),
                17 => u64::from(if a < b { ua } else { ub }),
                18 => u64::from(if a > b { ua } else { ub }),
                19 => u64::from(a.copysign(b).to_bits()),
                20 => $canon(x0 as u32 as i32 as $fl),
                21 => $canon(x0 as u32 as $fl),
                22 => $canon(x0 as i64 as $fl),
                23 => $canon(x0 as $fl),
                // k = 24 (demote/promote) takes the other format: dispatched by `eval`.
                _ => unreachable!("float op k = {k} is not this format's"),
            }
        }
    };
}

format_ops!(f32_op, f32, c32, NAN32, u32);
format_ops!(f64_op, f64, c64, NAN64, u64);

/// Truncation `j = op - 0xf0`: bit 0 unsigned, bit 1 from f64, bit 2 to i64, bit 3 saturating.
fn truncate(j: u16, x0: u64) -> Outcome {
    let x = if j & 2 == 0 {
        f64::from(f32::from_bits(x0 as u32))
    } else {
        f64::from_bits(x0)
    };
    let (unsigned, to64, sat) = (j & 1 != 0, j & 4 != 0, j & 8 != 0);
    // Rust's float-to-int `as` is wasm's saturating truncation (NaN to 0); results are the
    // integer's two's complement bits, i32 zero-extended.
    let saturated = match (to64, unsigned) {
        (false, false) => u64::from(x as i32 as u32),
        (false, true) => u64::from(x as u32),
        (true, false) => x as i64 as u64,
        (true, true) => x as u64,
    };
    if sat {
        return Outcome::Value(saturated);
    }
    if x.is_nan() {
        return Outcome::Trap(INVALID_CONVERSION);
    }
    // The truncated value must lie in [lo, hi) (exact powers of two in f64).
    let t = x.trunc();
    let bits = if to64 { 64 } else { 32 };
    let (lo, hi) = if unsigned {
        (0.0, 2f64.powi(bits))
    } else {
        (-(2f64.powi(bits - 1)), 2f64.powi(bits - 1))
    };
    if t >= lo && t < hi {
        Outcome::Value(saturated)
    } else {
        Outcome::Trap(INTEGER_OVERFLOW)
    }
}

/// The reference result of float opcode `op` on the popped values (`x0` = top). `None` for a
/// number outside the float groups.
pub fn eval(op: u16, x0: u64, x1: u64) -> Option<Outcome> {
    let v = match op {
        0xc8 => c32(f64::from_bits(x0) as f32),
        0xe8 => c64(f64::from(f32::from_bits(x0 as u32))),
        _ if (F32_BASE..F32_BASE + 25).contains(&op) => f32_op(op - F32_BASE, x0, x1),
        _ if (F64_BASE..F64_BASE + 25).contains(&op) => f64_op(op - F64_BASE, x0, x1),
        _ if (TRUNC_BASE..=0xff).contains(&op) => return Some(truncate(op - TRUNC_BASE, x0)),
        _ => return None,
    };
    Some(Outcome::Value(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_spot_values() {
        let v = |op, x0, x1| eval(op, x0, x1).unwrap();
        // 0.1 + 0.2 (f64), operands as x1 + x0.
        assert_eq!(
            v(0xdd, 0.2f64.to_bits(), 0.1f64.to_bits()),
            Outcome::Value(0x3fd3_3333_3333_3334)
        );
        // 0/0 is the positive canonical NaN; sub is x1 - x0.
        assert_eq!(v(0xc0, 0, 0), Outcome::Value(0x7fc0_0000));
        assert_eq!(
            v(0xbe, 1f32.to_bits().into(), 3f32.to_bits().into()),
            Outcome::Value(2f32.to_bits().into())
        );
        // min(-0, +0) = -0 either order; max = +0.
        assert_eq!(v(0xc1, 0x8000_0000, 0), Outcome::Value(0x8000_0000));
        assert_eq!(v(0xc2, 0x8000_0000, 0), Outcome::Value(0));
        // Truncations: NaN traps 5, 2^31 traps 4, -0.9 to unsigned is 0, sat saturates.
        assert_eq!(v(0xf0, 0x7fc0_0000, 0), Outcome::Trap(5));
        assert_eq!(v(0xf0, 0x4f00_0000, 0), Outcome::Trap(4));
        assert_eq!(v(0xf1, (-0.9f32).to_bits().into(), 0), Outcome::Value(0));
        assert_eq!(v(0xf1, (-1f32).to_bits().into(), 0), Outcome::Trap(4));
        assert_eq!(v(0xf8, 0x4f00_0000, 0), Outcome::Value(0x7fff_ffff));
        assert_eq!(v(0xf8, 0xcf80_0000, 0), Outcome::Value(0x8000_0000));
        // Conversions and demote/promote.
        assert_eq!(v(0xc6, u64::MAX >> 1, 0), Outcome::Value(0x5f00_0000));
        assert_eq!(v(0xe7, u64::MAX, 0), Outcome::Value(0x43f0_0000_0000_0000));
        assert_eq!(
            v(0xc8, 0x7ff0_0000_0000_0001, 0),
            Outcome::Value(0x7fc0_0000)
        );
        assert_eq!(
            v(0xe8, 0xff80_0001, 0),
            Outcome::Value(0x7ff8_0000_0000_0000)
        );
        assert_eq!(eval(0xaf, 0, 0), None);
    }
}
