//! Keccak-256 with the domain-separated prefixes of `docs/machine.md` §3, and the zero-subtree
//! tables every fixed-depth tree needs.

use std::sync::OnceLock;

use sha3::{Digest, Keccak256};

use crate::B256;
use crate::isa::Instr;
use crate::program::TableEntry;

/// Deepest tree the machine builds (code trees of up to 2^32 instructions).
pub(crate) const MAX_DEPTH: usize = 32;
pub(crate) use crate::consensus::{BYTES_DEPTH, SMALL_DEPTH};
use crate::consensus::{
    TAG_BYTES, TAG_FRAME, TAG_INSTR, TAG_NODE, TAG_OUTPUT, TAG_SEGMENT, TAG_STACK, TAG_TABLE,
    TAG_VALUE,
};

/// `keccak256(p0 ‖ p1 ‖ …)`.
#[inline]
pub(crate) fn keccak(parts: &[&[u8]]) -> B256 {
    let mut h = Keccak256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// `H("opml/node:" ‖ left ‖ right)`.
#[inline]
pub(crate) fn node(left: &B256, right: &B256) -> B256 {
    keccak(&[TAG_NODE, left, right])
}

/// `H("opml/value:" ‖ v)`.
#[inline]
pub(crate) fn value_leaf(v: u64) -> B256 {
    if v == 0 {
        return zeros().value[0];
    }
    keccak(&[TAG_VALUE, &v.to_be_bytes()])
}

/// `H("opml/bytes:" ‖ b)` for one 32-byte leaf.
#[inline]
pub(crate) fn bytes_leaf(b: &[u8; 32]) -> B256 {
    if b == &[0u8; 32] {
        return zeros().bytes[0];
    }
    keccak(&[TAG_BYTES, b])
}

/// `H("opml/instr:" ‖ op ‖ imm)`.
pub(crate) fn instr_leaf(i: &Instr) -> B256 {
    instr_leaf_bytes(&i.encode())
}

/// As [`instr_leaf`], from the 10 encoded bytes.
pub(crate) fn instr_leaf_bytes(enc: &[u8; 10]) -> B256 {
    keccak(&[TAG_INSTR, enc])
}

/// The 13-byte table slot encoding `present ‖ type_id ‖ pc ‖ n_locals` (all zero when empty).
pub(crate) fn table_slot_bytes(e: Option<&TableEntry>) -> [u8; 13] {
    let mut out = [0u8; 13];
    if let Some(e) = e {
        out[0] = 1;
        out[1..5].copy_from_slice(&e.type_id.to_be_bytes());
        out[5..9].copy_from_slice(&e.pc.to_be_bytes());
        out[9..13].copy_from_slice(&e.n_locals.to_be_bytes());
    }
    out
}

/// `H("opml/table:" ‖ slot)`.
pub(crate) fn table_leaf_bytes(slot: &[u8; 13]) -> B256 {
    keccak(&[TAG_TABLE, slot])
}

/// `H("opml/segment:" ‖ len ‖ bytes_root)`.
pub(crate) fn segment_leaf(len: u64, bytes_root: &B256) -> B256 {
    keccak(&[TAG_SEGMENT, &len.to_be_bytes(), bytes_root])
}

/// `H("opml/stack:" ‖ h ‖ v)`: one push onto the value or aux stack chain.
#[inline]
pub(crate) fn stack_push(h: &B256, v: u64) -> B256 {
    keccak(&[TAG_STACK, h, &v.to_be_bytes()])
}

/// `H("opml/frame:" ‖ h ‖ return_pc ‖ locals_root)`: one push onto the frame chain.
pub(crate) fn frame_push(h: &B256, return_pc: u32, locals_root: &B256) -> B256 {
    keccak(&[TAG_FRAME, h, &return_pc.to_be_bytes(), locals_root])
}

/// `H("opml/output:" ‖ h ‖ block)`: folds one full output block.
pub(crate) fn output_fold(h: &B256, block: &[u8; 32]) -> B256 {
    keccak(&[TAG_OUTPUT, h, block])
}

/// Zero-subtree roots per leaf kind: `z[0]` is the zero leaf, `z[i+1] = node(z[i], z[i])`.
#[derive(Debug)]
pub(crate) struct Zeros {
    /// Value leaves (locals, globals).
    pub(crate) value: [B256; MAX_DEPTH + 1],
    /// 32-byte leaves (memory, input, segment bytes).
    pub(crate) bytes: [B256; MAX_DEPTH + 1],
    /// Instruction leaves (`Unreachable`, imm 0).
    pub(crate) instr: [B256; MAX_DEPTH + 1],
    /// Table slots (empty).
    pub(crate) table: [B256; MAX_DEPTH + 1],
    /// Data segments (length 0, empty bytes root): a dropped segment equals an unused slot.
    pub(crate) segment: [B256; MAX_DEPTH + 1],
}

fn ladder(leaf: B256) -> [B256; MAX_DEPTH + 1] {
    let mut z = [leaf; MAX_DEPTH + 1];
    for i in 1..=MAX_DEPTH {
        z[i] = node(&z[i - 1], &z[i - 1]);
    }
    z
}

/// The zero-subtree tables, computed once per process.
pub(crate) fn zeros() -> &'static Zeros {
    static Z: OnceLock<Zeros> = OnceLock::new();
    Z.get_or_init(|| {
        let bytes = ladder(keccak(&[TAG_BYTES, &[0u8; 32]]));
        Zeros {
            value: ladder(keccak(&[TAG_VALUE, &0u64.to_be_bytes()])),
            instr: ladder(instr_leaf_bytes(&[0u8; 10])),
            table: ladder(table_leaf_bytes(&[0u8; 13])),
            segment: ladder(segment_leaf(0, &bytes[BYTES_DEPTH as usize])),
            bytes,
        }
    })
}

/// The root of an all-zero locals tree: every frame starts with it.
pub fn empty_locals() -> B256 {
    zeros().value[SMALL_DEPTH as usize]
}
