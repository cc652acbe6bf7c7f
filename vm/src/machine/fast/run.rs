//! The fast dispatch loop over decoded [`Op`]s. Every arm either does exactly what its
//! instructions do one step at a time, or (when one of them would trap or the stack is not
//! what validated code guarantees) does nothing and takes one reference step instead.

use super::ld::*;
use super::{MAX_FUSED, Op, with_fused};
use crate::isa::Instr;
use crate::machine::Machine;
use crate::machine::numeric::*;
use crate::{Program, Status};

impl Machine {
    /// Local `a` of the current frame (zero if absent, as in `exec`).
    #[inline(always)]
    fn local(&self, a: u32) -> u64 {
        self.locals
            .get(self.locals_base + a as usize)
            .copied()
            .unwrap_or(0)
    }

    /// The `W`-byte load at `base + off` mapped by `f`, or `None` when it would trap.
    #[inline(always)]
    fn try_load<const W: usize>(&self, base: u64, off: u64, f: fn([u8; W]) -> u64) -> Option<u64> {
        let a = self.mem.addr(base, off, W as u64)?;
        Some(f(self.mem.read::<W>(a)))
    }

    /// `LocalGet a; Const k; I32Add; L off`: the element load, or `None` when it would trap.
    #[inline(always)]
    fn elem<const W: usize>(&self, a: u32, k: u32, off: u32, f: fn([u8; W]) -> u64) -> Option<u64> {
        self.try_load::<W>(i32_add(self.local(a), k as u64), off as u64, f)
    }

    /// `I32Add; L off`: the load at the sum of the top two values, which it replaces; `false`
    /// (nothing done) when it would trap or the stack is short.
    #[inline(always)]
    fn add_load<const W: usize>(&mut self, off: u64, f: fn([u8; W]) -> u64) -> bool {
        let n = self.stack.len();
        if n < 2 {
            return false;
        }
        let base = i32_add(self.stack[n - 2], self.stack[n - 1]);
        let Some(v) = self.try_load::<W>(base, off, f) else {
            return false;
        };
        self.stack.pop();
        self.stack[n - 2] = v;
        true
    }

    /// A store of `f(top)` at `below + off`, popping both; `false` (nothing done) on a trap.
    #[inline(always)]
    fn try_store<const W: usize>(&mut self, off: u64, f: impl Fn(u64) -> [u8; W]) -> bool {
        let Some(a) = self.mem.addr(self.peek(1), off, W as u64) else {
            return false;
        };
        let bytes = f(self.peek(0));
        self.mem.write(a, &bytes);
        self.popn(2);
        true
    }

    /// One reference step at `pc`, outside the hot loop's body.
    #[inline(never)]
    fn ref_step(&mut self, prog: &Program, code: &[Instr], pc: u32) -> u32 {
        self.exec(prog, code, pc)
    }
}

macro_rules! define_run {
    (
        bins: [$($b:ident $bl:ident $bk:ident $blk:ident $f:ident),* $(,)?],
        cmps: [$($c:ident $ckj:ident $cf:ident),* $(,)?],
        loads: [$(
            $l:ident $ll:ident $la:ident $lka:ident $lk:ident $lkam:ident $lkaml:ident $ltk:ident
            $w:literal $lf:ident
        ),* $(,)?] $(,)?
    ) => {
        impl Machine {
            /// Runs `ops` from `pc` while the machine runs and at least [`MAX_FUSED`] of
            /// `max_steps` remain; returns the next `pc` and the steps taken. `self.pc` is stale
            /// meanwhile, as in `exec`.
            #[inline(never)]
            pub(crate) fn run_fast(
                &mut self,
                prog: &Program,
                code: &[Instr],
                ops: &[Op],
                mut pc: u32,
                max_steps: u64,
            ) -> (u32, u64) {
                let limit = max_steps.saturating_sub(MAX_FUSED - 1);
                let mut n = 0u64;
                while n < limit {
                    let op = ops.get(pc as usize).copied().unwrap_or(Op::Ref);
                    // The steps this op covers, or 0 to take one reference step instead.
                    let k: u32 = match op {
                        Op::Ref => 0,
                        Op::Const(v) => {
                            self.push(v);
                            1
                        }
                        Op::LocalGet(a) => {
                            self.push(self.local(a));
                            1
                        }
                        Op::LocalSet(a) => {
                            let v = self.pop();
                            self.set_local(a as u64, v);
                            1
                        }
                        Op::LocalTee(a) => {
                            self.set_local(a as u64, self.peek(0));
                            1
                        }
                        Op::GlobalGet(g) => {
                            self.push(self.globals.get(g as usize).copied().unwrap_or(0));
                            1
                        }
                        Op::GlobalSet(g) => {
                            let v = self.pop();
                            if let Some(x) = self.globals.get_mut(g as usize) {
                                *x = v;
                            }
                            1
                        }
                        Op::Drop => {
                            self.popn(1);
                            1
                        }
                        Op::Select => {
                            let c = self.pop() as u32;
                            let v = self.pop();
                            if c == 0
                                && let Some(a) = self.stack.last_mut()
                            {
                                *a = v;
                            }
                            1
                        }
                        Op::I32Eqz => {
                            self.un(i32_eqz);
                            1
                        }
                        Op::I64Eqz => {
                            self.un(i64_eqz);
                            1
                        }
                        Op::Jump(t) => {
                            pc = t;
                            n += 1;
                            continue;
                        }
                        Op::JumpIf(t) => {
                            let c = self.pop() as u32;
                            pc = if c != 0 { t } else { pc.wrapping_add(1) };
                            n += 1;
                            continue;
                        }
                        Op::JumpIfNot(t) => {
                            let c = self.pop() as u32;
                            pc = if c == 0 { t } else { pc.wrapping_add(1) };
                            n += 1;
                            continue;
                        }
                        Op::BrTable(max) => {
                            let i = self.pop() as u32 as u64;
                            pc = pc.wrapping_add(1).wrapping_add(i.min(max) as u32);
                            n += 1;
                            continue;
                        }
                        Op::Call(t, locals) => {
                            if self.frames.len() as u64 >= prog.limits.max_call_depth as u64 {
                                0
                            } else {
                                self.enter(pc.wrapping_add(1), t, locals);
                                pc = t;
                                n += 1;
                                continue;
                            }
                        }
                        Op::Return => {
                            if self.frames.is_empty() {
                                0
                            } else {
                                self.ret();
                                pc = self.pc;
                                n += 1;
                                continue;
                            }
                        }
                        Op::I32Store(off) => {
                            u32::from(self.try_store::<4>(off, |v| (v as u32).to_le_bytes()))
                        }
                        Op::I64Store(off) => u32::from(self.try_store::<8>(off, u64::to_le_bytes)),
                        Op::Store8(off) => u32::from(self.try_store::<1>(off, |v| [v as u8])),
                        Op::Store16(off) => {
                            u32::from(self.try_store::<2>(off, |v| (v as u16).to_le_bytes()))
                        }
                        Op::Store32(off) => {
                            u32::from(self.try_store::<4>(off, |v| (v as u32).to_le_bytes()))
                        }
                        Op::GetGet(a, b) => {
                            self.push(self.local(a));
                            self.push(self.local(b));
                            2
                        }
                        Op::SetGet(a, b) => {
                            let v = self.pop();
                            self.set_local(a as u64, v);
                            self.push(self.local(b));
                            2
                        }
                        Op::GetJumpIf(a, t) => {
                            pc = if self.local(a) as u32 != 0 { t } else { pc.wrapping_add(2) };
                            n += 2;
                            continue;
                        }
                        $(
                            Op::$ckj(k, t) => match self.stack.pop() {
                                Some(x) => {
                                    let c = $cf(x, k as u64) as u32;
                                    pc = if c != 0 { t } else { pc.wrapping_add(3) };
                                    n += 3;
                                    continue;
                                }
                                None => 0,
                            },
                        )*
                        Op::TeeJumpIf(a, t) => {
                            let v = self.peek(0);
                            self.set_local(a as u64, v);
                            let c = self.pop() as u32;
                            pc = if c != 0 { t } else { pc.wrapping_add(2) };
                            n += 2;
                            continue;
                        }
                        Op::AddN(m) => {
                            let (len, m) = (self.stack.len(), m as usize);
                            if len > m {
                                let top = &self.stack[len - m - 1..];
                                let sum = top.iter().fold(0, |s, &v| i32_add(s, v));
                                self.stack.truncate(len - m);
                                self.un(|_| sum);
                                m as u32
                            } else {
                                0
                            }
                        }
                        Op::LlAdd(a, b) => {
                            self.push(i32_add(self.local(a), self.local(b)));
                            3
                        }
                        Op::LkAdd(a, k) => {
                            self.push(i32_add(self.local(a), k as u64));
                            3
                        }
                        $(
                            Op::$b => {
                                self.bin($f);
                                1
                            }
                            Op::$bl(a) => {
                                let y = self.local(a);
                                if let Some(x) = self.stack.last_mut() {
                                    *x = $f(*x, y);
                                }
                                2
                            }
                            Op::$blk(a, k) => {
                                self.push($f(self.local(a), k));
                                3
                            }
                            Op::$bk(y) => {
                                if let Some(x) = self.stack.last_mut() {
                                    *x = $f(*x, y);
                                }
                                2
                            }
                        )*
                        $(
                            Op::$l(off) => match self.try_load::<$w>(self.peek(0), off, $lf) {
                                Some(v) => {
                                    if let Some(x) = self.stack.last_mut() {
                                        *x = v;
                                    }
                                    1
                                }
                                None => 0,
                            },
                            Op::$ll(a, off) => {
                                match self.try_load::<$w>(self.local(a), off as u64, $lf) {
                                    Some(v) => {
                                        self.push(v);
                                        2
                                    }
                                    None => 0,
                                }
                            }
                            Op::$la(off) => 2 * u32::from(self.add_load::<$w>(off, $lf)),
                            Op::$lka(a, k, off) => match self.elem::<$w>(a, k, off, $lf) {
                                Some(v) => {
                                    self.push(v);
                                    4
                                }
                                None => 0,
                            },
                            Op::$lk(k, off) => {
                                let base = i32_add(self.peek(0), k as u64);
                                match self.try_load::<$w>(base, off as u64, $lf) {
                                    Some(v) if !self.stack.is_empty() => {
                                        self.un(|_| v);
                                        3
                                    }
                                    _ => 0,
                                }
                            }
                            Op::$ltk(a, k, off) => {
                                let x = self.peek(0);
                                let base = i32_add(x, k as u64);
                                match self.try_load::<$w>(base, off as u64, $lf) {
                                    Some(v) if !self.stack.is_empty() => {
                                        self.set_local(a as u64, x);
                                        self.un(|_| v);
                                        4
                                    }
                                    _ => 0,
                                }
                            }
                            Op::$lkam(a, k, off) => match self.elem::<$w>(a, k, off, $lf) {
                                Some(v) => {
                                    self.un(|x| i32_mul(x, v));
                                    5
                                }
                                None => 0,
                            },
                            Op::$lkaml(a, b, k, off) => {
                                match self.elem::<$w>(a as u32, k, off, $lf) {
                                    Some(v) => {
                                        self.push(i32_mul(v, self.local(b as u32)));
                                        6
                                    }
                                    None => 0,
                                }
                            }
                        )*
                    };
                    if k == 0 {
                        pc = self.ref_step(prog, code, pc);
                        n += 1;
                        if self.status != Status::Running {
                            break;
                        }
                    } else {
                        pc = pc.wrapping_add(k);
                        n += k as u64;
                    }
                }
                (pc, n)
            }
        }
    };
}

with_fused!(define_run);
