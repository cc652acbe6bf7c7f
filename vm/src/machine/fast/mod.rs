//! The pre-decoded code `run` dispatches on: one [`Op`] per `pc`, beside the consensus code.
//!
//! An op may stand for a short straight-line run of lowered instructions (a superinstruction,
//! e.g. `LocalGet a; Const k; I32Add; I32Load off`), so the hot loop pays one dispatch for several
//! steps. Nothing here is consensus: every fused op counts one step per lowered instruction it
//! covers and leaves exactly the state those instructions leave. An op that would trap midway
//! does nothing and falls back to one reference step (`exec`), which traps at the exact step.
//! Every `pc` has its own op, so a branch into the middle of a fused run lands on the op decoded
//! at its target.

mod decode;
mod run;

/// Most lowered instructions one [`Op`] covers; `run` fuses only with this many steps left.
pub(crate) const MAX_FUSED: u64 = 8;

/// Lists the fused forms once; `$m` builds the enum (`decode.rs`) or the dispatch (`run.rs`).
///
/// `bins`: a binary op `B`, its forms `LocalGet a; B` (`…L`), `Const k; B` (`…K`) and
/// `LocalGet a; Const k; B` (`…LK`), and its numeric function. `cmps`: an i32 comparison, its
/// form `Const k; C; JumpIf t` (`…KJ`, a branch on a constant bound) and its function. `loads`: a load `L`, its forms `LocalGet a; L` (`…L`), `I32Add; L` (`…A`),
/// `LocalGet a; Const k; I32Add; L` (`…Lka`, an array element), `Const k; I32Add; L` (`…K`),
/// `…Lka; I32Mul` (`…LkaM`), `…Lka; LocalGet b; I32Mul` (`…LkaML`) (dot products) and
/// `LocalTee a; Const k; I32Add; L` (`…Tk`), then its width and byte mapping. The narrow i64
/// loads, rare in practice, stay on the reference path: the enum keeps to 256 variants (a one-byte
/// tag), which measurably helps the dispatch.
macro_rules! with_fused {
    ($m:ident) => {
        $m! {
            bins: [
                I32Add I32AddL I32AddK I32AddLK i32_add,
                I32Sub I32SubL I32SubK I32SubLK i32_sub,
                I32Mul I32MulL I32MulK I32MulLK i32_mul,
                I32And I32AndL I32AndK I32AndLK i32_and,
                I32Or I32OrL I32OrK I32OrLK i32_or,
                I32Xor I32XorL I32XorK I32XorLK i32_xor,
                I32Shl I32ShlL I32ShlK I32ShlLK i32_shl,
                I32ShrS I32ShrSL I32ShrSK I32ShrSLK i32_shr_s,
                I32ShrU I32ShrUL I32ShrUK I32ShrULK i32_shr_u,
                I32Eq I32EqL I32EqK I32EqLK i32_eq,
                I32Ne I32NeL I32NeK I32NeLK i32_ne,
                I32LtS I32LtSL I32LtSK I32LtSLK i32_lt_s,
                I32LtU I32LtUL I32LtUK I32LtULK i32_lt_u,
                I32GtS I32GtSL I32GtSK I32GtSLK i32_gt_s,
                I32GtU I32GtUL I32GtUK I32GtULK i32_gt_u,
                I32LeS I32LeSL I32LeSK I32LeSLK i32_le_s,
                I32LeU I32LeUL I32LeUK I32LeULK i32_le_u,
                I32GeS I32GeSL I32GeSK I32GeSLK i32_ge_s,
                I32GeU I32GeUL I32GeUK I32GeULK i32_ge_u,
                I64Add I64AddL I64AddK I64AddLK i64_add,
                I64Sub I64SubL I64SubK I64SubLK i64_sub,
                I64Mul I64MulL I64MulK I64MulLK i64_mul,
                I64And I64AndL I64AndK I64AndLK i64_and,
                I64Or I64OrL I64OrK I64OrLK i64_or,
                I64Xor I64XorL I64XorK I64XorLK i64_xor,
                I64Shl I64ShlL I64ShlK I64ShlLK i64_shl,
                I64ShrS I64ShrSL I64ShrSK I64ShrSLK i64_shr_s,
                I64ShrU I64ShrUL I64ShrUK I64ShrULK i64_shr_u,
                I64Eq I64EqL I64EqK I64EqLK i64_eq,
                I64Ne I64NeL I64NeK I64NeLK i64_ne,
                I64LtS I64LtSL I64LtSK I64LtSLK i64_lt_s,
                I64LtU I64LtUL I64LtUK I64LtULK i64_lt_u,
                I64GtS I64GtSL I64GtSK I64GtSLK i64_gt_s,
                I64GtU I64GtUL I64GtUK I64GtULK i64_gt_u,
                I64LeS I64LeSL I64LeSK I64LeSLK i64_le_s,
                I64LeU I64LeUL I64LeUK I64LeULK i64_le_u,
                I64GeS I64GeSL I64GeSK I64GeSLK i64_ge_s,
                I64GeU I64GeUL I64GeUK I64GeULK i64_ge_u,
            ],
            cmps: [
                I32Eq I32EqKJ i32_eq,
                I32Ne I32NeKJ i32_ne,
                I32LtS I32LtSKJ i32_lt_s,
                I32LtU I32LtUKJ i32_lt_u,
                I32GtS I32GtSKJ i32_gt_s,
                I32GtU I32GtUKJ i32_gt_u,
                I32LeS I32LeSKJ i32_le_s,
                I32LeU I32LeUKJ i32_le_u,
                I32GeS I32GeSKJ i32_ge_s,
                I32GeU I32GeUKJ i32_ge_u,
            ],
            loads: [
                I32Load I32LoadL I32LoadA I32LoadLka
                    I32LoadK I32LoadLkaM I32LoadLkaML I32LoadTk 4 ld_u32,
                I64Load I64LoadL I64LoadA I64LoadLka
                    I64LoadK I64LoadLkaM I64LoadLkaML I64LoadTk 8 ld_u64,
                I32Load8S I32Load8SL I32Load8SA I32Load8SLka
                    I32Load8SK I32Load8SLkaM I32Load8SLkaML I32Load8STk 1 ld_i8_32,
                I32Load8U I32Load8UL I32Load8UA I32Load8ULka
                    I32Load8UK I32Load8ULkaM I32Load8ULkaML I32Load8UTk 1 ld_u8,
                I32Load16S I32Load16SL I32Load16SA I32Load16SLka
                    I32Load16SK I32Load16SLkaM I32Load16SLkaML I32Load16STk 2 ld_i16_32,
                I32Load16U I32Load16UL I32Load16UA I32Load16ULka
                    I32Load16UK I32Load16ULkaM I32Load16ULkaML I32Load16UTk 2 ld_u16,
                I64Load32S I64Load32SL I64Load32SA I64Load32SLka
                    I64Load32SK I64Load32SLkaM I64Load32SLkaML I64Load32STk 4 ld_i32_64,
                I64Load32U I64Load32UL I64Load32UA I64Load32ULka
                    I64Load32UK I64Load32ULkaM I64Load32ULkaML I64Load32UTk 4 ld_u32,
            ],
        }
    };
}
use with_fused;

pub(crate) use decode::{Op, decode};

/// The byte mappings of the loads (the same as `exec`'s).
mod ld {
    #[inline(always)]
    pub(super) fn ld_u32(b: [u8; 4]) -> u64 {
        u32::from_le_bytes(b) as u64
    }
    #[inline(always)]
    pub(super) fn ld_u64(b: [u8; 8]) -> u64 {
        u64::from_le_bytes(b)
    }
    #[inline(always)]
    pub(super) fn ld_i8_32(b: [u8; 1]) -> u64 {
        b[0] as i8 as i32 as u32 as u64
    }
    #[inline(always)]
    pub(super) fn ld_u8(b: [u8; 1]) -> u64 {
        b[0] as u64
    }
    #[inline(always)]
    pub(super) fn ld_i16_32(b: [u8; 2]) -> u64 {
        i16::from_le_bytes(b) as i32 as u32 as u64
    }
    #[inline(always)]
    pub(super) fn ld_u16(b: [u8; 2]) -> u64 {
        u16::from_le_bytes(b) as u64
    }
    #[inline(always)]
    pub(super) fn ld_i32_64(b: [u8; 4]) -> u64 {
        i32::from_le_bytes(b) as i64 as u64
    }
}
