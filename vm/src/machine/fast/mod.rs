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
/// `bins`: a binary op `B`, its forms `LocalGet a; B` (`…L`) and `Const k; B` (`…K`), and its
/// numeric function. `loads`: a load `L`, its forms `LocalGet a; L` (`…L`), `I32Add; L` (`…A`),
/// `LocalGet a; Const k; I32Add; L` (`…Lka`, an array element), `Const k; I32Add; L` (`…K`),
/// `…Lka; I32Mul` (`…LkaM`), `…Lka; LocalGet b; I32Mul` (`…LkaML`) (dot products) and
/// `LocalTee a; Const k; I32Add; L` (`…Tk`), then its width and byte mapping.
macro_rules! with_fused {
    ($m:ident) => {
        $m! {
            bins: [
                I32Add I32AddL I32AddK i32_add,
                I32Sub I32SubL I32SubK i32_sub,
                I32Mul I32MulL I32MulK i32_mul,
                I32And I32AndL I32AndK i32_and,
                I32Or I32OrL I32OrK i32_or,
                I32Xor I32XorL I32XorK i32_xor,
                I32Shl I32ShlL I32ShlK i32_shl,
                I32ShrS I32ShrSL I32ShrSK i32_shr_s,
                I32ShrU I32ShrUL I32ShrUK i32_shr_u,
                I32Eq I32EqL I32EqK i32_eq,
                I32Ne I32NeL I32NeK i32_ne,
                I32LtS I32LtSL I32LtSK i32_lt_s,
                I32LtU I32LtUL I32LtUK i32_lt_u,
                I32GtS I32GtSL I32GtSK i32_gt_s,
                I32GtU I32GtUL I32GtUK i32_gt_u,
                I32LeS I32LeSL I32LeSK i32_le_s,
                I32LeU I32LeUL I32LeUK i32_le_u,
                I32GeS I32GeSL I32GeSK i32_ge_s,
                I32GeU I32GeUL I32GeUK i32_ge_u,
                I64Add I64AddL I64AddK i64_add,
                I64Sub I64SubL I64SubK i64_sub,
                I64Mul I64MulL I64MulK i64_mul,
                I64And I64AndL I64AndK i64_and,
                I64Or I64OrL I64OrK i64_or,
                I64Xor I64XorL I64XorK i64_xor,
                I64Shl I64ShlL I64ShlK i64_shl,
                I64ShrS I64ShrSL I64ShrSK i64_shr_s,
                I64ShrU I64ShrUL I64ShrUK i64_shr_u,
                I64Eq I64EqL I64EqK i64_eq,
                I64Ne I64NeL I64NeK i64_ne,
                I64LtS I64LtSL I64LtSK i64_lt_s,
                I64LtU I64LtUL I64LtUK i64_lt_u,
                I64GtS I64GtSL I64GtSK i64_gt_s,
                I64GtU I64GtUL I64GtUK i64_gt_u,
                I64LeS I64LeSL I64LeSK i64_le_s,
                I64LeU I64LeUL I64LeUK i64_le_u,
                I64GeS I64GeSL I64GeSK i64_ge_s,
                I64GeU I64GeUL I64GeUK i64_ge_u,
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
                I64Load8S I64Load8SL I64Load8SA I64Load8SLka
                    I64Load8SK I64Load8SLkaM I64Load8SLkaML I64Load8STk 1 ld_i8_64,
                I64Load8U I64Load8UL I64Load8UA I64Load8ULka
                    I64Load8UK I64Load8ULkaM I64Load8ULkaML I64Load8UTk 1 ld_u8,
                I64Load16S I64Load16SL I64Load16SA I64Load16SLka
                    I64Load16SK I64Load16SLkaM I64Load16SLkaML I64Load16STk 2 ld_i16_64,
                I64Load16U I64Load16UL I64Load16UA I64Load16ULka
                    I64Load16UK I64Load16ULkaM I64Load16ULkaML I64Load16UTk 2 ld_u16,
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
    pub(super) fn ld_i8_64(b: [u8; 1]) -> u64 {
        b[0] as i8 as i64 as u64
    }
    #[inline(always)]
    pub(super) fn ld_i16_64(b: [u8; 2]) -> u64 {
        i16::from_le_bytes(b) as i64 as u64
    }
    #[inline(always)]
    pub(super) fn ld_i32_64(b: [u8; 4]) -> u64 {
        i32::from_le_bytes(b) as i64 as u64
    }
}
