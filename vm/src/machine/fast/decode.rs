//! Decoding: the [`Op`] for each `pc`, fusing the longest known pattern that starts there.

use super::MAX_FUSED;
use crate::isa::{Instr, Opcode, for_each_op};
use crate::machine::control::TREE_LEAVES;
use crate::machine::float::*;
use crate::machine::numeric::*;

macro_rules! define_op {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $num:literal, pops $pops:literal, pushes $pushes:literal,
        $kind:ident $($w:literal)? $h:ident
        $(fuse_bin($bl:ident $bk:ident $blk:ident))?
        $(fuse_jump($kj:ident))?
        $(fuse_load($ll:ident $la:ident $lka:ident $lk:ident $lkam:ident $lkaml:ident $ltk:ident))?;
    )*) => {
        /// A decoded op. Each names the lowered instructions it covers; fields are immediates
        /// (`a`/`b` local indices, `k` a constant, `t` a jump target, `off` a memory offset).
        // Equality (tests) compares the function-pointer forms by address: good enough to tell
        // decoded programs apart, never used to run them.
        #[allow(unpredictable_function_pointer_comparisons)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Op {
            /// No fast form: one step of the reference `exec`.
            Ref,
            Const(u64),
            LocalGet(u32),
            LocalSet(u32),
            LocalTee(u32),
            GlobalGet(u32),
            GlobalSet(u32),
            Drop,
            Select,
            I32Eqz,
            Jump(u32),
            JumpIf(u32),
            JumpIfNot(u32),
            BrTable(u64),
            /// `Call`: target, locals.
            Call(u32, u32),
            Return,
            I32Store(u64),
            I64Store(u64),
            Store8(u64),
            Store16(u64),
            Store32(u64),
            /// `LocalGet a; LocalGet b`.
            GetGet(u32, u32),
            /// `LocalGet a; LocalGet b; I32Add`.
            LlAdd(u32, u32),
            /// `LocalSet a; LocalGet b`.
            SetGet(u32, u32),
            /// `LocalGet a; JumpIf t`.
            GetJumpIf(u32, u32),
            /// `LocalTee a; JumpIf t`.
            TeeJumpIf(u32, u32),
            /// `LocalGet a; Const k; I32Add`.
            LkAdd(u32, u32),
            /// `I32Add` `n` times (2 ≤ `n` ≤ [`MAX_FUSED`]): a sum of the top `n + 1` values.
            AddN(u32),
            /// A `un` row without a fused form.
            Un(fn(u64) -> u64),
            /// A `bin` row without fused forms.
            Bin(fn(u64, u64) -> u64),
            $( $( $name, $bl(u32), $bk(u64), $blk(u32, u64), )? )*
            $( $( $kj(u32, u32), )? )*
            $( $(
                $name(u64), $ll(u32, u32), $la(u64), $lka(u32, u32, u32), $lk(u32, u32),
                $lkam(u32, u32, u32), $lkaml(u16, u16, u32, u32), $ltk(u32, u32, u32),
            )? )*
        }

        /// A binary op's forms: alone, after `LocalGet a`, after `Const k`, after
        /// `LocalGet a; Const k`.
        type BinForms = (Op, fn(u32) -> Op, fn(u64) -> Op, fn(u32, u64) -> Op);

        fn bin_forms(op: Opcode) -> Option<BinForms> {
            match op {
                $( $( Opcode::$name => Some((Op::$name, Op::$bl, Op::$bk, Op::$blk)), )? )*
                _ => None,
            }
        }

        /// An i32 comparison's `Const k; C; JumpIf t` form.
        fn cmp_jump(op: Opcode) -> Option<fn(u32, u32) -> Op> {
            match op {
                $( $( Opcode::$name => Some(Op::$kj), )? )*
                _ => None,
            }
        }

        /// A load's forms (see `fast/mod.rs`).
        struct LoadForms {
            single: fn(u64) -> Op,
            l: fn(u32, u32) -> Op,
            a: fn(u64) -> Op,
            lka: fn(u32, u32, u32) -> Op,
            k: fn(u32, u32) -> Op,
            lkam: fn(u32, u32, u32) -> Op,
            lkaml: fn(u16, u16, u32, u32) -> Op,
            tk: fn(u32, u32, u32) -> Op,
        }

        fn load_forms(op: Opcode) -> Option<LoadForms> {
            match op {
                $( $( Opcode::$name => Some(LoadForms {
                    single: Op::$name,
                    l: Op::$ll,
                    a: Op::$la,
                    lka: Op::$lka,
                    k: Op::$lk,
                    lkam: Op::$lkam,
                    lkaml: Op::$lkaml,
                    tk: Op::$ltk,
                }), )? )*
                _ => None,
            }
        }

        /// The function-pointer form of a `un` or `bin` row ([`Op::Ref`] for other kinds).
        fn by_kind(op: Opcode) -> Op {
            match op {
                $( Opcode::$name => by_kind!($kind $h), )*
            }
        }
    };
}

macro_rules! by_kind {
    (un $h:ident) => {
        Op::Un($h)
    };
    (bin $h:ident) => {
        Op::Bin($h)
    };
    ($other:ident $h:ident) => {
        Op::Ref
    };
}

for_each_op!(define_op);

/// One op per instruction of `code`.
pub(crate) fn decode(code: &[Instr]) -> Box<[Op]> {
    (0..code.len()).map(|i| fuse(&code[i..])).collect()
}

/// `x` as a `u32` offset, if it is one (larger immediates stay on the reference path, which
/// handles them exactly).
fn u(x: u64) -> Option<u32> {
    u32::try_from(x).ok()
}

/// `x` as a local or global index inside its tree (an index past it traps on the reference
/// path).
fn ix(x: u64) -> Option<u32> {
    (x < TREE_LEAVES).then_some(x as u32)
}

/// The op for the instructions starting at `c[0]`: the first pattern below that matches (longer
/// patterns are tried before their prefixes).
fn fuse(c: &[Instr]) -> Op {
    use Opcode::*;
    let at = |j: usize| c.get(j).map_or((Unreachable, 0), |i| (i.op, i.imm));
    let (op0, i0) = at(0);
    let (op1, i1) = at(1);
    let (op2, i2) = at(2);
    let (op3, i3) = at(3);
    let (op4, i4) = at(4);
    let (op5, _) = at(5);
    if op0 == LocalGet
        && let Some(a) = ix(i0)
    {
        if op1 == Const && op2 == I32Add {
            if let (Some(f), Some(off)) = (load_forms(op3), u(i3)) {
                let (k, b) = (i1 as u32, u16::try_from(i4));
                if let (LocalGet, I32Mul, Ok(a), Ok(b)) = (op4, op5, u16::try_from(a), b) {
                    return (f.lkaml)(a, b, k, off);
                }
                if op4 == I32Mul {
                    return (f.lkam)(a, k, off);
                }
                return (f.lka)(a, k, off);
            }
            return Op::LkAdd(a, i1 as u32);
        }
        if let (Const, Some(f)) = (op1, bin_forms(op2)) {
            return f.3(a, i1);
        }
        if let (Some(f), Some(off)) = (load_forms(op1), u(i1)) {
            return (f.l)(a, off);
        }
        if let Some(f) = bin_forms(op1) {
            return f.1(a);
        }
        if op1 == LocalGet
            && let Some(b) = ix(i1)
        {
            if op2 == I32Add {
                return Op::LlAdd(a, b);
            }
            return Op::GetGet(a, b);
        }
        if op1 == JumpIf {
            return Op::GetJumpIf(a, i1 as u32);
        }
    }
    if op0 == I32Add {
        if let Some(f) = load_forms(op1) {
            return (f.a)(i1);
        }
        let adds = c
            .iter()
            .take(MAX_FUSED as usize)
            .take_while(|x| x.op == I32Add);
        if let n @ 2.. = adds.count() {
            return Op::AddN(n as u32);
        }
    }
    if let (Const, Some(f), JumpIf) = (op0, cmp_jump(op1), op2) {
        return f(i0 as u32, i2 as u32);
    }
    if let (Const, I32Add, Some(f), Some(off)) = (op0, op1, load_forms(op2), u(i2)) {
        return (f.k)(i0 as u32, off);
    }
    if op0 == Const
        && let Some(f) = bin_forms(op1)
    {
        return f.2(i0);
    }
    if let (LocalTee, Const, I32Add, Some(f), Some(a), Some(off)) =
        (op0, op1, op2, load_forms(op3), ix(i0), u(i3))
    {
        return (f.tk)(a, i1 as u32, off);
    }
    if let (LocalTee, JumpIf, Some(a)) = (op0, op1, ix(i0)) {
        return Op::TeeJumpIf(a, i1 as u32);
    }
    if let (LocalSet, LocalGet, Some(a), Some(b)) = (op0, op1, ix(i0), ix(i1)) {
        return Op::SetGet(a, b);
    }
    single(op0, i0)
}

/// The op for one instruction.
fn single(op: Opcode, imm: u64) -> Op {
    use Opcode::*;
    if let Some(f) = bin_forms(op) {
        return f.0;
    }
    if let Some(f) = load_forms(op) {
        return (f.single)(imm);
    }
    let idx = |f: fn(u32) -> Op| ix(imm).map_or(Op::Ref, f);
    match op {
        Const => Op::Const(imm),
        LocalGet => idx(Op::LocalGet),
        LocalSet => idx(Op::LocalSet),
        LocalTee => idx(Op::LocalTee),
        GlobalGet => idx(Op::GlobalGet),
        GlobalSet => idx(Op::GlobalSet),
        Drop => Op::Drop,
        Select => Op::Select,
        I32Eqz => Op::I32Eqz,
        Jump => Op::Jump(imm as u32),
        JumpIf => Op::JumpIf(imm as u32),
        JumpIfNot => Op::JumpIfNot(imm as u32),
        BrTable => Op::BrTable(imm),
        Call => Op::Call(imm as u32, (imm >> 32) as u32),
        Return => Op::Return,
        I32Store => Op::I32Store(imm),
        I64Store => Op::I64Store(imm),
        I32Store8 | I64Store8 => Op::Store8(imm),
        I32Store16 | I64Store16 => Op::Store16(imm),
        I64Store32 => Op::Store32(imm),
        _ => by_kind(op),
    }
}
