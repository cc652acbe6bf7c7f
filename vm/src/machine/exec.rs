//! `step` and `run`. `exec` is the reference step; `run` drives the fused fast loop (`fast/`) and
//! finishes with `exec`. No hashing happens here.

use std::sync::Arc;

use super::Machine;
use super::numeric::*;
use crate::isa::{Instr, Opcode};
use crate::{Program, Status, TrapCode};

impl Machine {
    /// Executes one step. A halted or trapped machine steps to itself (only `steps` grows).
    pub fn step(&mut self) {
        self.steps += 1;
        if self.status != Status::Running {
            return;
        }
        self.hc.state = None;
        let prog = Arc::clone(&self.prog);
        self.pc = self.exec(&prog, &prog.code, self.pc);
    }

    /// Runs up to `max_steps` steps, stopping early once not running; returns the steps taken.
    pub fn run(&mut self, max_steps: u64) -> u64 {
        if self.status != Status::Running || max_steps == 0 {
            return 0;
        }
        self.hc.state = None;
        let prog = Arc::clone(&self.prog);
        let code: &[Instr] = &prog.code;
        // Decoded ops, fused where possible, while enough steps remain for any of them…
        let (mut pc, mut n) =
            self.run_fast(&prog, code, prog.derived.ops(code), self.pc, max_steps);
        // …then the last few steps one at a time.
        while n < max_steps && self.status == Status::Running {
            pc = self.exec(&prog, code, pc);
            n += 1;
        }
        self.pc = pc;
        self.steps += n;
        n
    }

    /// The value `k` below the top (0 = top); zero if absent (never, for validated code).
    #[inline(always)]
    pub(crate) fn peek(&self, k: usize) -> u64 {
        let n = self.stack.len();
        if k < n { self.stack[n - 1 - k] } else { 0 }
    }

    #[inline(always)]
    pub(crate) fn pop(&mut self) -> u64 {
        self.stack.pop().unwrap_or(0)
    }

    #[inline(always)]
    pub(crate) fn popn(&mut self, k: usize) {
        self.stack.truncate(self.stack.len().saturating_sub(k));
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, v: u64) {
        self.stack.push(v);
    }

    #[inline(always)]
    pub(super) fn un(&mut self, f: impl Fn(u64) -> u64) {
        if let Some(a) = self.stack.last_mut() {
            *a = f(*a);
        }
    }

    #[inline(always)]
    pub(super) fn bin(&mut self, f: impl Fn(u64, u64) -> u64) {
        let c = self.pop();
        if let Some(a) = self.stack.last_mut() {
            *a = f(*a, c);
        }
    }

    /// A binary op that may trap: operands stay on the stack when it does.
    #[inline(always)]
    fn bin_trap(&mut self, f: impl Fn(u64, u64) -> Trapping) -> bool {
        match f(self.peek(1), self.peek(0)) {
            Ok(r) => {
                self.pop();
                if let Some(a) = self.stack.last_mut() {
                    *a = r;
                }
                true
            }
            Err(t) => {
                self.trap(t);
                false
            }
        }
    }

    /// Runs `f` with `self.pc` set to `pc`; returns the `pc` it left.
    #[inline(always)]
    fn synced(&mut self, pc: u32, f: impl FnOnce(&mut Self)) -> u32 {
        self.pc = pc;
        f(self);
        self.pc
    }

    /// Executes the instruction at `pc` (the zero instruction, `Unreachable`, past the code) and
    /// returns the next `pc`. `self.pc` is stale on entry and exit (the caller owns `pc`), except
    /// inside [`Machine::synced`] handlers.
    #[inline(always)]
    pub(super) fn exec(&mut self, prog: &Program, code: &[Instr], pc: u32) -> u32 {
        use Opcode::*;
        let Some(&Instr { op, imm }) = code.get(pc as usize) else {
            self.trap(TrapCode::Unreachable);
            return pc;
        };
        let ok = match op {
            // control: each sets `pc` itself
            Unreachable => {
                self.trap(TrapCode::Unreachable);
                return pc;
            }
            Halt => {
                self.status = Status::Halted;
                return pc;
            }
            Trap => {
                self.status = Status::Trapped;
                self.trap_code = imm as u8;
                return pc;
            }
            Jump => return imm as u32,
            JumpIf => {
                let c = self.pop() as u32;
                return if c != 0 { imm as u32 } else { pc + 1 };
            }
            JumpIfNot => {
                let c = self.pop() as u32;
                return if c == 0 { imm as u32 } else { pc + 1 };
            }
            BrTable => {
                let i = self.pop() as u32 as u64;
                return pc.wrapping_add(1).wrapping_add(i.min(imm) as u32);
            }
            Call => return self.synced(pc, |m| m.call(imm as u32, (imm >> 32) as u32)),
            CallIndirect => return self.synced(pc, |m| m.call_indirect(prog, imm)),
            Return => return self.synced(pc, Self::ret),
            // plain ops: `pc + 1` unless they trap
            Drop => {
                self.popn(1);
                true
            }
            Select => {
                let c = self.pop() as u32;
                let v = self.pop();
                if c == 0
                    && let Some(a) = self.stack.last_mut()
                {
                    *a = v;
                }
                true
            }
            MoveToAux => {
                let v = self.pop();
                self.aux.push(v);
                true
            }
            MoveFromAux => {
                let v = self.aux.pop().unwrap_or(0);
                self.push(v);
                true
            }
            LocalGet => {
                let v = self
                    .locals
                    .get(self.locals_base + imm as usize)
                    .copied()
                    .unwrap_or(0);
                self.push(v);
                true
            }
            LocalSet => {
                let v = self.pop();
                self.set_local(imm, v);
                true
            }
            LocalTee => {
                self.set_local(imm, self.peek(0));
                true
            }
            GlobalGet => {
                let v = self.globals.get(imm as usize).copied().unwrap_or(0);
                self.push(v);
                true
            }
            GlobalSet => {
                let v = self.pop();
                if let Some(g) = self.globals.get_mut(imm as usize) {
                    *g = v;
                }
                true
            }
            Const => {
                self.push(imm);
                true
            }

            I32Load => self.load::<4>(imm, |b| u32::from_le_bytes(b) as u64),
            I64Load => self.load::<8>(imm, u64::from_le_bytes),
            I32Load8S => self.load::<1>(imm, |b| b[0] as i8 as i32 as u32 as u64),
            I32Load8U => self.load::<1>(imm, |b| b[0] as u64),
            I32Load16S => self.load::<2>(imm, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
            I32Load16U => self.load::<2>(imm, |b| u16::from_le_bytes(b) as u64),
            I64Load8S => self.load::<1>(imm, |b| b[0] as i8 as i64 as u64),
            I64Load8U => self.load::<1>(imm, |b| b[0] as u64),
            I64Load16S => self.load::<2>(imm, |b| i16::from_le_bytes(b) as i64 as u64),
            I64Load16U => self.load::<2>(imm, |b| u16::from_le_bytes(b) as u64),
            I64Load32S => self.load::<4>(imm, |b| i32::from_le_bytes(b) as i64 as u64),
            I64Load32U => self.load::<4>(imm, |b| u32::from_le_bytes(b) as u64),
            I32Store => self.store::<4>(imm, |v| (v as u32).to_le_bytes()),
            I64Store => self.store::<8>(imm, u64::to_le_bytes),
            I32Store8 | I64Store8 => self.store::<1>(imm, |v| [v as u8]),
            I32Store16 | I64Store16 => self.store::<2>(imm, |v| (v as u16).to_le_bytes()),
            I64Store32 => self.store::<4>(imm, |v| (v as u32).to_le_bytes()),
            MemorySize => {
                self.push(self.pages as u64);
                true
            }
            MemoryGrow => {
                self.memory_grow(prog);
                true
            }

            MemoryFill => self.memory_fill(),
            MemoryCopy => self.memory_copy(),
            MemoryInit => self.memory_init(imm),
            DataDrop => {
                if let Some(l) = self.seg_len.get_mut(imm as usize) {
                    *l = 0;
                }
                true
            }
            FillStep => return self.synced(pc, Self::fill_step),
            CopyStep => return self.synced(pc, Self::copy_step),
            InitStep => return self.synced(pc, |m| m.init_step(prog, imm)),
            InputLen => {
                self.push(self.statics.input().len() as u64);
                true
            }
            InputRead => self.input_read(),
            InputReadStep => return self.synced(pc, Self::input_read_step),
            OutputWrite => self.output_write(),
            OutputWriteStep => return self.synced(pc, Self::output_write_step),

            I32Eqz => {
                self.un(i32_eqz);
                true
            }
            I32Eq => {
                self.bin(i32_eq);
                true
            }
            I32Ne => {
                self.bin(i32_ne);
                true
            }
            I32LtS => {
                self.bin(i32_lt_s);
                true
            }
            I32LtU => {
                self.bin(i32_lt_u);
                true
            }
            I32GtS => {
                self.bin(i32_gt_s);
                true
            }
            I32GtU => {
                self.bin(i32_gt_u);
                true
            }
            I32LeS => {
                self.bin(i32_le_s);
                true
            }
            I32LeU => {
                self.bin(i32_le_u);
                true
            }
            I32GeS => {
                self.bin(i32_ge_s);
                true
            }
            I32GeU => {
                self.bin(i32_ge_u);
                true
            }
            I32Clz => {
                self.un(i32_clz);
                true
            }
            I32Ctz => {
                self.un(i32_ctz);
                true
            }
            I32Popcnt => {
                self.un(i32_popcnt);
                true
            }
            I32Add => {
                self.bin(i32_add);
                true
            }
            I32Sub => {
                self.bin(i32_sub);
                true
            }
            I32Mul => {
                self.bin(i32_mul);
                true
            }
            I32DivS => self.bin_trap(i32_div_s),
            I32DivU => self.bin_trap(i32_div_u),
            I32RemS => self.bin_trap(i32_rem_s),
            I32RemU => self.bin_trap(i32_rem_u),
            I32And => {
                self.bin(i32_and);
                true
            }
            I32Or => {
                self.bin(i32_or);
                true
            }
            I32Xor => {
                self.bin(i32_xor);
                true
            }
            I32Shl => {
                self.bin(i32_shl);
                true
            }
            I32ShrS => {
                self.bin(i32_shr_s);
                true
            }
            I32ShrU => {
                self.bin(i32_shr_u);
                true
            }
            I32Rotl => {
                self.bin(i32_rotl);
                true
            }
            I32Rotr => {
                self.bin(i32_rotr);
                true
            }
            I32WrapI64 => {
                self.un(i32_wrap_i64);
                true
            }
            I32Extend8S => {
                self.un(i32_extend8_s);
                true
            }
            I32Extend16S => {
                self.un(i32_extend16_s);
                true
            }

            I64Eqz => {
                self.un(i64_eqz);
                true
            }
            I64Eq => {
                self.bin(i64_eq);
                true
            }
            I64Ne => {
                self.bin(i64_ne);
                true
            }
            I64LtS => {
                self.bin(i64_lt_s);
                true
            }
            I64LtU => {
                self.bin(i64_lt_u);
                true
            }
            I64GtS => {
                self.bin(i64_gt_s);
                true
            }
            I64GtU => {
                self.bin(i64_gt_u);
                true
            }
            I64LeS => {
                self.bin(i64_le_s);
                true
            }
            I64LeU => {
                self.bin(i64_le_u);
                true
            }
            I64GeS => {
                self.bin(i64_ge_s);
                true
            }
            I64GeU => {
                self.bin(i64_ge_u);
                true
            }
            I64Clz => {
                self.un(i64_clz);
                true
            }
            I64Ctz => {
                self.un(i64_ctz);
                true
            }
            I64Popcnt => {
                self.un(i64_popcnt);
                true
            }
            I64Add => {
                self.bin(i64_add);
                true
            }
            I64Sub => {
                self.bin(i64_sub);
                true
            }
            I64Mul => {
                self.bin(i64_mul);
                true
            }
            I64DivS => self.bin_trap(i64_div_s),
            I64DivU => self.bin_trap(i64_div_u),
            I64RemS => self.bin_trap(i64_rem_s),
            I64RemU => self.bin_trap(i64_rem_u),
            I64And => {
                self.bin(i64_and);
                true
            }
            I64Or => {
                self.bin(i64_or);
                true
            }
            I64Xor => {
                self.bin(i64_xor);
                true
            }
            I64Shl => {
                self.bin(i64_shl);
                true
            }
            I64ShrS => {
                self.bin(i64_shr_s);
                true
            }
            I64ShrU => {
                self.bin(i64_shr_u);
                true
            }
            I64Rotl => {
                self.bin(i64_rotl);
                true
            }
            I64Rotr => {
                self.bin(i64_rotr);
                true
            }
            I64ExtendI32S => {
                self.un(i64_extend_i32_s);
                true
            }
            I64ExtendI32U => {
                self.un(i64_extend_i32_u);
                true
            }
            I64Extend8S => {
                self.un(i64_extend8_s);
                true
            }
            I64Extend16S => {
                self.un(i64_extend16_s);
                true
            }
            I64Extend32S => {
                self.un(i64_extend32_s);
                true
            }
            // Machine v2 opcodes, not emitted by the lowering yet (in progress on branch `v2`).
            _ => {
                self.trap(TrapCode::Unreachable);
                false
            }
        };
        if ok { pc.wrapping_add(1) } else { pc }
    }

    /// A load of `W` bytes at `top + imm`, mapped by `f`; traps out of bounds.
    #[inline(always)]
    fn load<const W: usize>(&mut self, imm: u64, f: impl Fn([u8; W]) -> u64) -> bool {
        let Some(a) = self.mem.addr(self.peek(0), imm, W as u64) else {
            self.trap(TrapCode::MemoryOutOfBounds);
            return false;
        };
        let v = f(self.mem.read::<W>(a));
        if let Some(t) = self.stack.last_mut() {
            *t = v;
        }
        true
    }

    /// A store of `f(value)` at `base + imm` (value on top, base below); traps out of bounds.
    #[inline(always)]
    fn store<const W: usize>(&mut self, imm: u64, f: impl Fn(u64) -> [u8; W]) -> bool {
        let Some(a) = self.mem.addr(self.peek(1), imm, W as u64) else {
            self.trap(TrapCode::MemoryOutOfBounds);
            return false;
        };
        let bytes = f(self.peek(0));
        self.mem.write(a, &bytes);
        self.popn(2);
        true
    }
}
