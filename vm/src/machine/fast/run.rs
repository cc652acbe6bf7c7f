//! The fast dispatch loop over decoded [`Op`]s. Every arm either does exactly what its
//! instructions do one step at a time, or (when one of them would trap, or the stack holds fewer
//! values than they pop) does nothing and takes one reference step instead, which traps exactly.

use super::{MAX_FUSED, Op};
use crate::isa::{Instr, for_each_op};
use crate::machine::Machine;
use crate::machine::memory::{ld_i8_32, ld_i16_32, ld_i32_64, ld_u8, ld_u16, ld_u32, ld_u64};
use crate::machine::numeric::*;
use crate::{Program, Status};

impl Machine {
    /// Local `a` of the current frame (`a < 2^16`; zero where never written).
    #[inline(always)]
    fn loc(&self, a: u32) -> u64 {
        self.local(a as u64)
    }

    /// Whether the stack holds at least `n` values.
    #[inline(always)]
    fn has(&self, n: usize) -> bool {
        self.stack.len() >= n
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
        self.try_load::<W>(i32_add(self.loc(a), k as u64), off as u64, f)
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

    /// A store of `f(top)` at `below + off`, popping both; `false` (nothing done) on a trap or a
    /// short stack.
    #[inline(always)]
    fn try_store<const W: usize>(&mut self, off: u64, f: impl Fn(u64) -> [u8; W]) -> bool {
        if !self.has(2) {
            return false;
        }
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
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $num:literal, pops $pops:literal, pushes $pushes:literal,
        $kind:ident $($w:literal)? $h:ident
        $(fuse_bin($bl:ident $bk:ident $blk:ident))?
        $(fuse_jump($kj:ident))?
        $(fuse_load($ll:ident $la:ident $lka:ident $lk:ident $lkam:ident $lkaml:ident $ltk:ident))?;
    )*) => {
        impl Machine {
            /// Runs `ops` from `pc` while the machine runs and at least [`MAX_FUSED`] of
            /// `max_steps` remain; returns the next `pc` and the steps taken. `self.pc` is stale
            /// meanwhile, as in `exec`. The segment counter is the caller's (`run`).
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
                            self.push(self.loc(a));
                            1
                        }
                        Op::LocalSet(a) if self.has(1) => {
                            let v = self.pop();
                            self.set_local(a as u64, v);
                            1
                        }
                        Op::LocalTee(a) if self.has(1) => {
                            self.set_local(a as u64, self.peek(0));
                            1
                        }
                        Op::GlobalGet(g) => {
                            self.push(self.global(g as u64));
                            1
                        }
                        Op::GlobalSet(g) if self.has(1) => {
                            let v = self.pop();
                            self.set_global(g as u64, v);
                            1
                        }
                        Op::Drop if self.has(1) => {
                            self.popn(1);
                            1
                        }
                        Op::Select if self.has(3) => {
                            let c = self.pop() as u32;
                            let v = self.pop();
                            if c == 0 {
                                self.un(|_| v);
                            }
                            1
                        }
                        Op::I32Eqz if self.has(1) => {
                            self.un(i32_eqz);
                            1
                        }
                        Op::Un(f) if self.has(1) => {
                            self.un(f);
                            1
                        }
                        Op::Bin(f) if self.has(2) => {
                            self.bin(f);
                            1
                        }
                        Op::Jump(t) => {
                            pc = t;
                            n += 1;
                            continue;
                        }
                        Op::JumpIf(t) if self.has(1) => {
                            let c = self.pop() as u32;
                            pc = if c != 0 { t } else { pc.wrapping_add(1) };
                            n += 1;
                            continue;
                        }
                        Op::JumpIfNot(t) if self.has(1) => {
                            let c = self.pop() as u32;
                            pc = if c == 0 { t } else { pc.wrapping_add(1) };
                            n += 1;
                            continue;
                        }
                        Op::BrTable(max) if self.has(1) => {
                            let i = self.pop() as u32 as u64;
                            pc = pc.wrapping_add(1).wrapping_add(i.min(max) as u32);
                            n += 1;
                            continue;
                        }
                        Op::Call(t, locals) => {
                            if self.frames.len() as u64 >= prog.limits.max_call_depth as u64 {
                                0
                            } else {
                                self.enter(pc.wrapping_add(1), locals);
                                pc = t;
                                n += 1;
                                continue;
                            }
                        }
                        Op::Return => match self.ret() {
                            Some(to) => {
                                pc = to;
                                n += 1;
                                continue;
                            }
                            None => 0,
                        },
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
                            self.push(self.loc(a));
                            self.push(self.loc(b));
                            2
                        }
                        Op::SetGet(a, b) if self.has(1) => {
                            let v = self.pop();
                            self.set_local(a as u64, v);
                            self.push(self.loc(b));
                            2
                        }
                        Op::GetJumpIf(a, t) => {
                            pc = if self.loc(a) as u32 != 0 { t } else { pc.wrapping_add(2) };
                            n += 2;
                            continue;
                        }
                        $( $(
                            Op::$kj(k, t) => match self.stack.pop() {
                                Some(x) => {
                                    let c = $h(x, k as u64) as u32;
                                    pc = if c != 0 { t } else { pc.wrapping_add(3) };
                                    n += 3;
                                    continue;
                                }
                                None => 0,
                            },
                        )? )*
                        Op::TeeJumpIf(a, t) if self.has(1) => {
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
                            self.push(i32_add(self.loc(a), self.loc(b)));
                            3
                        }
                        Op::LkAdd(a, k) => {
                            self.push(i32_add(self.loc(a), k as u64));
                            3
                        }
                        $( $(
                            Op::$name if self.has(2) => {
                                self.bin($h);
                                1
                            }
                            Op::$bl(a) if self.has(1) => {
                                let y = self.loc(a);
                                self.un(|x| $h(x, y));
                                2
                            }
                            Op::$blk(a, k) => {
                                self.push($h(self.loc(a), k));
                                3
                            }
                            Op::$bk(y) if self.has(1) => {
                                self.un(|x| $h(x, y));
                                2
                            }
                        )? )*
                        $( $(
                            Op::$name(off) if self.has(1) => {
                                match self.try_load(self.peek(0), off, $h) {
                                    Some(v) => {
                                        self.un(|_| v);
                                        1
                                    }
                                    None => 0,
                                }
                            }
                            Op::$ll(a, off) => match self.try_load(self.loc(a), off as u64, $h) {
                                Some(v) => {
                                    self.push(v);
                                    2
                                }
                                None => 0,
                            },
                            Op::$la(off) => 2 * u32::from(self.add_load(off, $h)),
                            Op::$lka(a, k, off) => match self.elem(a, k, off, $h) {
                                Some(v) => {
                                    self.push(v);
                                    4
                                }
                                None => 0,
                            },
                            Op::$lk(k, off) if self.has(1) => {
                                let base = i32_add(self.peek(0), k as u64);
                                match self.try_load(base, off as u64, $h) {
                                    Some(v) => {
                                        self.un(|_| v);
                                        3
                                    }
                                    None => 0,
                                }
                            }
                            Op::$ltk(a, k, off) if self.has(1) => {
                                let x = self.peek(0);
                                let base = i32_add(x, k as u64);
                                match self.try_load(base, off as u64, $h) {
                                    Some(v) => {
                                        self.set_local(a as u64, x);
                                        self.un(|_| v);
                                        4
                                    }
                                    None => 0,
                                }
                            }
                            Op::$lkam(a, k, off) if self.has(1) => match self.elem(a, k, off, $h) {
                                Some(v) => {
                                    self.un(|x| i32_mul(x, v));
                                    5
                                }
                                None => 0,
                            },
                            Op::$lkaml(a, b, k, off) => {
                                match self.elem(a as u32, k, off, $h) {
                                    Some(v) => {
                                        self.push(i32_mul(v, self.loc(b as u32)));
                                        6
                                    }
                                    None => 0,
                                }
                            }
                        )? )*
                        // A guard failed (a short stack): the reference step traps exactly.
                        _ => 0,
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

for_each_op!(define_run);
