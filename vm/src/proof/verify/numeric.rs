//! i32 (0x50–0x7f) and i64 (0x80–0xaf) groups: the machine's pure opcode functions applied to
//! the revealed operands.

use super::{Ctx, Flow};
use crate::isa::Opcode::*;
use crate::machine::numeric::*;
use crate::proof::{ProofError, Result};

impl Ctx<'_> {
    pub(super) fn numeric(&mut self) -> Result<Flow> {
        let r: Trapping = if self.op.pops() == 1 {
            let a = self.arg(0);
            Ok(match self.op {
                I32Eqz => i32_eqz(a),
                I32Clz => i32_clz(a),
                I32Ctz => i32_ctz(a),
                I32Popcnt => i32_popcnt(a),
                I32WrapI64 => i32_wrap_i64(a),
                I32Extend8S => i32_extend8_s(a),
                I32Extend16S => i32_extend16_s(a),
                I64Eqz => i64_eqz(a),
                I64Clz => i64_clz(a),
                I64Ctz => i64_ctz(a),
                I64Popcnt => i64_popcnt(a),
                I64ExtendI32S => i64_extend_i32_s(a),
                I64ExtendI32U => i64_extend_i32_u(a),
                I64Extend8S => i64_extend8_s(a),
                I64Extend16S => i64_extend16_s(a),
                I64Extend32S => i64_extend32_s(a),
                _ => return Err(ProofError::UnknownOpcode(self.op as u16)),
            })
        } else {
            let (b, a) = (self.arg(0), self.arg(1));
            let f: fn(u64, u64) -> u64 = match self.op {
                I32DivS => return Ok(self.finish(i32_div_s(a, b))),
                I32DivU => return Ok(self.finish(i32_div_u(a, b))),
                I32RemS => return Ok(self.finish(i32_rem_s(a, b))),
                I32RemU => return Ok(self.finish(i32_rem_u(a, b))),
                I64DivS => return Ok(self.finish(i64_div_s(a, b))),
                I64DivU => return Ok(self.finish(i64_div_u(a, b))),
                I64RemS => return Ok(self.finish(i64_rem_s(a, b))),
                I64RemU => return Ok(self.finish(i64_rem_u(a, b))),
                I32Eq => i32_eq,
                I32Ne => i32_ne,
                I32LtS => i32_lt_s,
                I32LtU => i32_lt_u,
                I32GtS => i32_gt_s,
                I32GtU => i32_gt_u,
                I32LeS => i32_le_s,
                I32LeU => i32_le_u,
                I32GeS => i32_ge_s,
                I32GeU => i32_ge_u,
                I32Add => i32_add,
                I32Sub => i32_sub,
                I32Mul => i32_mul,
                I32And => i32_and,
                I32Or => i32_or,
                I32Xor => i32_xor,
                I32Shl => i32_shl,
                I32ShrS => i32_shr_s,
                I32ShrU => i32_shr_u,
                I32Rotl => i32_rotl,
                I32Rotr => i32_rotr,
                I64Eq => i64_eq,
                I64Ne => i64_ne,
                I64LtS => i64_lt_s,
                I64LtU => i64_lt_u,
                I64GtS => i64_gt_s,
                I64GtU => i64_gt_u,
                I64LeS => i64_le_s,
                I64LeU => i64_le_u,
                I64GeS => i64_ge_s,
                I64GeU => i64_ge_u,
                I64Add => i64_add,
                I64Sub => i64_sub,
                I64Mul => i64_mul,
                I64And => i64_and,
                I64Or => i64_or,
                I64Xor => i64_xor,
                I64Shl => i64_shl,
                I64ShrS => i64_shr_s,
                I64ShrU => i64_shr_u,
                I64Rotl => i64_rotl,
                I64Rotr => i64_rotr,
                _ => return Err(ProofError::UnknownOpcode(self.op as u16)),
            };
            Ok(f(a, b))
        };
        Ok(self.finish(r))
    }

    fn finish(&mut self, r: Trapping) -> Flow {
        match r {
            Ok(v) => {
                self.push(v);
                Flow::Next
            }
            Err(t) => Flow::Trap(t as u8),
        }
    }
}
