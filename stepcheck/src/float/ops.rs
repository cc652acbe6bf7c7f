//! The float opcodes (machine v2, `docs/isa.md`): numbers, names and operand types. The f32
//! group `0xb0–0xcf` and the f64 group `0xd0–0xef` number their operations in the same order
//! from their base; `0xf0–0xff` are the truncations to integers.

use opml_vm::isa::Opcode;

/// Base of the f32 group.
pub const F32_BASE: u16 = Opcode::F32Eq as u16;
/// Base of the f64 group.
pub const F64_BASE: u16 = Opcode::F64Eq as u16;
/// Base of the float-to-integer group.
pub const TRUNC_BASE: u16 = Opcode::I32TruncF32S as u16;

/// Operation names in group order (`k = op - base`), without the `f32.`/`f64.` prefix.
pub const ARITH: [&str; 25] = [
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "abs",
    "neg",
    "ceil",
    "floor",
    "trunc",
    "nearest",
    "sqrt",
    "add",
    "sub",
    "mul",
    "div",
    "min",
    "max",
    "copysign",
    "convert_i32_s",
    "convert_i32_u",
    "convert_i64_s",
    "convert_i64_u",
    "demote_f64/promote_f32",
];

/// The operand types a float opcode pops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// An f32 bit pattern (zero-extended to 64 bits).
    F32,
    /// An f64 bit pattern.
    F64,
    /// An i32 (zero-extended).
    I32,
    /// An i64.
    I64,
}

impl Ty {
    /// Width in bits.
    pub fn bits(self) -> u32 {
        match self {
            Ty::F32 | Ty::I32 => 32,
            Ty::F64 | Ty::I64 => 64,
        }
    }
}

/// One float opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloatOp {
    /// The opcode number.
    pub code: u16,
    /// Its operand type (for a binary op, both operands).
    pub arg: Ty,
    /// Whether it pops two values (`x1 op x0`).
    pub binary: bool,
}

impl FloatOp {
    /// Every float opcode, in numeric order.
    pub fn all() -> Vec<FloatOp> {
        let mut v = Vec::new();
        for (base, fmt, other) in [(F32_BASE, Ty::F32, Ty::F64), (F64_BASE, Ty::F64, Ty::F32)] {
            for k in 0..ARITH.len() as u16 {
                let (arg, binary) = match k {
                    0..=5 | 13..=19 => (fmt, true),
                    6..=12 => (fmt, false),
                    20 | 21 => (Ty::I32, false),
                    22 | 23 => (Ty::I64, false),
                    _ => (other, false),
                };
                v.push(FloatOp {
                    code: base + k,
                    arg,
                    binary,
                });
            }
        }
        for j in 0..16u16 {
            let arg = if j & 2 == 0 { Ty::F32 } else { Ty::F64 };
            v.push(FloatOp {
                code: TRUNC_BASE + j,
                arg,
                binary: false,
            });
        }
        v
    }

    /// The wasm name, e.g. `f64.div` or `i32.trunc_sat_f64_u`.
    pub fn name(self) -> String {
        if self.code >= TRUNC_BASE {
            let j = self.code - TRUNC_BASE;
            let to = if j & 4 == 0 { "i32" } else { "i64" };
            let sat = if j & 8 == 0 { "" } else { "sat_" };
            let from = if j & 2 == 0 { "f32" } else { "f64" };
            let sign = if j & 1 == 0 { "s" } else { "u" };
            return format!("{to}.trunc_{sat}{from}_{sign}");
        }
        let (prefix, base) = if self.code >= F64_BASE {
            ("f64", F64_BASE)
        } else {
            ("f32", F32_BASE)
        };
        let k = usize::from(self.code - base);
        let op = match (k, prefix) {
            (24, "f32") => "demote_f64",
            (24, _) => "promote_f32",
            _ => ARITH[k],
        };
        format!("{prefix}.{op}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_machine_v2_numbers() {
        let all = FloatOp::all();
        assert_eq!(all.len(), 66);
        let name = |c: u16| all.iter().find(|o| o.code == c).map(|o| o.name());
        assert_eq!(name(0xb0).as_deref(), Some("f32.eq"));
        assert_eq!(name(0xc3).as_deref(), Some("f32.copysign"));
        assert_eq!(name(0xc4).as_deref(), Some("f32.convert_i32_s"));
        assert_eq!(name(0xc8).as_deref(), Some("f32.demote_f64"));
        assert_eq!(name(0xe3).as_deref(), Some("f64.copysign"));
        assert_eq!(name(0xe8).as_deref(), Some("f64.promote_f32"));
        assert_eq!(name(0xf0).as_deref(), Some("i32.trunc_f32_s"));
        assert_eq!(name(0xf7).as_deref(), Some("i64.trunc_f64_u"));
        assert_eq!(name(0xf8).as_deref(), Some("i32.trunc_sat_f32_s"));
        assert_eq!(name(0xff).as_deref(), Some("i64.trunc_sat_f64_u"));
    }

    #[test]
    fn the_table_is_the_machines() {
        let squash = |s: &str| s.replace(['.', '_'], "").to_lowercase();
        for op in FloatOp::all() {
            let m = Opcode::from_u16(op.code).expect("a machine opcode");
            assert_eq!(squash(&op.name()), squash(m.name()), "{:#x}", op.code);
            assert_eq!(m.pops(), 1 + u8::from(op.binary), "{}", op.name());
            assert_eq!(m.pushes(), 1, "{}", op.name());
        }
        let float_ops = Opcode::ALL
            .iter()
            .filter(|o| **o as u16 >= F32_BASE)
            .count();
        assert_eq!(float_ops, FloatOp::all().len());
    }
}
