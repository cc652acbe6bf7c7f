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

// The fused forms are named in the opcode table's rows (`isa::for_each_op!`):
// `fuse_bin(L K LK)`: a binary op `B` after `LocalGet a` (`…L`), after `Const k` (`…K`) and
// after `LocalGet a; Const k` (`…LK`). `fuse_jump(KJ)`: an i32 comparison as
// `Const k; C; JumpIf t` (a branch on a constant bound). `fuse_load(L A Lka K LkaM LkaML Tk)`: a
// load `L` after `LocalGet a` (`…L`), after `I32Add` (`…A`), as `LocalGet a; Const k; I32Add; L`
// (`…Lka`, an array element), `Const k; I32Add; L` (`…K`), `…Lka; I32Mul` (`…LkaM`),
// `…Lka; LocalGet b; I32Mul` (`…LkaML`) (dot products) and `LocalTee a; Const k; I32Add; L`
// (`…Tk`). Rows of kind `un`/`bin` without fused forms (floats among them) run as `Op::Un`/
// `Op::Bin` through a function pointer; the enum keeps to 256 variants (a one-byte tag), which
// measurably helps the dispatch.

pub(crate) use decode::{Op, decode};
