//! `step` and `run`. `exec` is the reference step, expanded from the opcode table
//! (`isa::for_each_op!`); `run` drives the fused fast loop (`fast/`) and finishes with `exec`.
//! No hashing happens here.

use std::sync::Arc;

use super::Machine;
use super::float::*;
use super::memory::{
    ld_i8_32, ld_i8_64, ld_i16_32, ld_i16_64, ld_i32_64, ld_u8, ld_u16, ld_u32, ld_u64, to_le,
};
use super::numeric::*;
use crate::isa::{Instr, Opcode, for_each_op};
use crate::{Program, Status, TrapCode};

impl Machine {
    /// Executes one step. A halted, trapped or yielded machine steps to itself (only `steps`
    /// grows).
    pub fn step(&mut self) {
        self.steps += 1;
        if self.status != Status::Running {
            return;
        }
        self.hc.state = None;
        if self.segment_steps >= self.segment_limit() {
            return self.trap(TrapCode::SegmentTooLong);
        }
        let prog = Arc::clone(&self.prog);
        self.pc = self.exec(&prog, &prog.code, self.pc);
        if self.status == Status::Running {
            self.segment_steps += 1;
        }
    }

    /// Runs up to `max_steps` steps, stopping early once not running; returns the steps taken.
    pub fn run(&mut self, max_steps: u64) -> u64 {
        if self.status != Status::Running || max_steps == 0 {
            return 0;
        }
        self.hc.state = None;
        // Steps that may run before the segment counter traps.
        let budget =
            max_steps.min(self.segment_limit() - self.segment_steps.min(self.segment_limit()));
        let prog = Arc::clone(&self.prog);
        let code: &[Instr] = &prog.code;
        // Decoded ops, fused where possible, while enough steps remain for any of them…
        let (mut pc, mut n) = self.run_fast(&prog, code, prog.derived.ops(code), self.pc, budget);
        // …then the last few steps one at a time.
        while n < budget && self.status == Status::Running {
            pc = self.exec(&prog, code, pc);
            n += 1;
        }
        self.pc = pc;
        match self.status {
            Status::Running => self.segment_steps += n,
            // the trapping step itself does not count; halt and yield reset the counter
            Status::Trapped => self.segment_steps += n - 1,
            Status::Halted | Status::Yielded => {}
        }
        if self.status == Status::Running && n < max_steps {
            self.trap(TrapCode::SegmentTooLong);
            n += 1;
        }
        self.steps += n;
        n
    }

    /// `2^segment_depth - 1`: the `segment_steps` at which a running step traps.
    #[inline(always)]
    pub(crate) fn segment_limit(&self) -> u64 {
        (1u64 << self.prog.limits.segment_depth.min(63)) - 1
    }

    /// The value `k` below the top (0 = top); zero if absent (`exec` checks depths first).
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
    pub(crate) fn un(&mut self, f: impl Fn(u64) -> u64) {
        if let Some(a) = self.stack.last_mut() {
            *a = f(*a);
        }
    }

    #[inline(always)]
    pub(crate) fn bin(&mut self, f: impl Fn(u64, u64) -> u64) {
        let c = self.pop();
        if let Some(a) = self.stack.last_mut() {
            *a = f(*a, c);
        }
    }

    /// A unary op that may trap: the operand stays on the stack when it does.
    #[inline(always)]
    fn un_trap(&mut self, f: impl Fn(u64) -> Trapping) -> bool {
        match f(self.peek(0)) {
            Ok(r) => {
                self.un(|_| r);
                true
            }
            Err(t) => {
                self.trap(t);
                false
            }
        }
    }

    /// A binary op that may trap: operands stay on the stack when it does.
    #[inline(always)]
    fn bin_trap(&mut self, f: impl Fn(u64, u64) -> Trapping) -> bool {
        match f(self.peek(1), self.peek(0)) {
            Ok(r) => {
                self.pop();
                self.un(|_| r);
                true
            }
            Err(t) => {
                self.trap(t);
                false
            }
        }
    }

    /// Whether the value stack holds fewer than `n` values (`StackUnderflow`).
    #[inline(always)]
    fn underflows(&self, n: usize) -> bool {
        self.stack.len() < n
    }

    /// A load of `W` bytes at `top + imm`, mapped by `f`; traps out of bounds.
    #[inline(always)]
    fn load<const W: usize>(&mut self, imm: u64, f: impl Fn([u8; W]) -> u64) -> bool {
        let Some(a) = self.mem.addr(self.peek(0), imm, W as u64) else {
            self.trap(TrapCode::MemoryOutOfBounds);
            return false;
        };
        let v = f(self.mem.read::<W>(a));
        self.un(|_| v);
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

/// `pc + 1` when the op did not trap, else `pc` (a trap changes only the status).
#[inline(always)]
fn next_if(ok: bool, pc: u32) -> u32 {
    if ok { pc.wrapping_add(1) } else { pc }
}

/// One arm of `exec`, by the row's kind: returns the next `pc`.
macro_rules! exec_arm {
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, ctl $h:ident) => {
        $m.$h($prog, $imm, $pc)
    };
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, un $h:ident) => {{
        $m.un($h);
        $pc.wrapping_add(1)
    }};
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, bin $h:ident) => {{
        $m.bin($h);
        $pc.wrapping_add(1)
    }};
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, un_trap $h:ident) => {
        next_if($m.un_trap($h), $pc)
    };
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, bin_trap $h:ident) => {
        next_if($m.bin_trap($h), $pc)
    };
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, load $w:literal $h:ident) => {
        next_if($m.load::<$w>($imm, $h), $pc)
    };
    ($m:ident, $prog:ident, $imm:ident, $pc:ident, store $w:literal $h:ident) => {
        next_if($m.store::<$w>($imm, $h::<$w>), $pc)
    };
}

macro_rules! define_exec {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $num:literal, pops $pops:literal, pushes $pushes:literal,
        $kind:ident $($w:literal)? $h:ident
        $(fuse_bin($($fb:ident)*))? $(fuse_jump($($fj:ident)*))? $(fuse_load($($fl:ident)*))?;
    )*) => {
        impl Machine {
            /// Executes the instruction at `pc` and returns the next `pc`. Past the code (inside
            /// or outside its tree) is the zero instruction, `Unreachable`. A stack holding fewer
            /// values than the opcode pops traps `StackUnderflow`. `self.pc` is stale on entry
            /// and exit (the caller owns `pc`); handlers get `pc` as an argument.
            #[inline(always)]
            pub(super) fn exec(&mut self, prog: &Program, code: &[Instr], pc: u32) -> u32 {
                let Some(&Instr { op, imm }) = code.get(pc as usize) else {
                    self.trap(TrapCode::Unreachable);
                    return pc;
                };
                match op {
                    $( Opcode::$name => {
                        if self.underflows($pops) {
                            self.trap(TrapCode::StackUnderflow);
                            return pc;
                        }
                        exec_arm!(self, prog, imm, pc, $kind $($w)? $h)
                    } )*
                }
            }
        }
    };
}

for_each_op!(define_exec);
