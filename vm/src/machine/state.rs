//! The packed state fields of `docs/machine.md` §4 and the state hash over them. Shared by the
//! machine (which fills them from its caches) and the proof verifier (which decodes them).

use super::hash::keccak;
use crate::B256;
use crate::consensus::{TAG_PROGRAM, TAG_STATE};

/// One packed state field: its name, its type in the docs and its width in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's name (`docs/machine.md` §4).
    pub name: &'static str,
    /// `u8`, `u32`, `u64` or `bytes32`.
    pub ty: &'static str,
    /// Bytes in the packed encoding.
    pub width: usize,
    /// What it holds.
    pub doc: &'static str,
}

/// A field type of the packed state: fixed width, big-endian.
trait Packed: Sized {
    const WIDTH: usize;
    const TY: &'static str;
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

macro_rules! packed_uint {
    ($($t:ty),*) => {$(
        impl Packed for $t {
            const WIDTH: usize = std::mem::size_of::<$t>();
            const TY: &'static str = stringify!($t);
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                let b = r.take(Self::WIDTH)?;
                Some(<$t>::from_be_bytes(b.try_into().ok()?))
            }
        }
    )*};
}
packed_uint!(u8, u32, u64);

impl Packed for B256 {
    const WIDTH: usize = 32;
    const TY: &'static str = "bytes32";
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        r.b256()
    }
}

/// Defines [`StateFields`], its layout table and its packed encoding from one field list.
macro_rules! state_fields {
    ($( #[doc = $doc:literal] $field:ident: $ty:ty, )*) => {
        /// The state fields in consensus order (`docs/machine.md` §4); `encode` packs them
        /// without padding.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct StateFields {
            $( #[doc = $doc] pub $field: $ty, )*
        }

        impl StateFields {
            /// The packed layout, field by field, in order.
            pub const LAYOUT: &'static [FieldSpec] = &[ $( FieldSpec {
                name: stringify!($field),
                ty: <$ty as Packed>::TY,
                width: <$ty as Packed>::WIDTH,
                doc: $doc,
            }, )* ];

            /// Length of the packed encoding.
            pub const ENCODED_LEN: usize = 0 $( + <$ty as Packed>::WIDTH )*;

            /// The packed encoding (`docs/machine.md` §4).
            pub fn encode(&self) -> Vec<u8> {
                let mut out = Vec::with_capacity(Self::ENCODED_LEN);
                $( self.$field.put(&mut out); )*
                out
            }

            /// Decodes the packed fields from the front of `r`.
            pub(crate) fn read(r: &mut Reader<'_>) -> Option<Self> {
                Some(Self { $( $field: <$ty as Packed>::get(r)?, )* })
            }
        }
    };
}

state_fields! {
    /// 0 running, 1 halted, 2 trapped, 3 yielded
    status: u8,
    /// 0 unless trapped (trap codes below)
    trap_code: u8,
    /// next instruction
    pc: u32,
    /// frames on the frame stack
    call_depth: u32,
    /// `Call` at this depth traps `CallStackExhausted`
    max_call_depth: u32,
    /// code tree root
    code_root: B256,
    /// its depth
    code_depth: u8,
    /// hash chain of the value stack
    value_stack: B256,
    /// hash chain of the aux stack
    aux_stack: B256,
    /// hash chain of saved caller frames
    frame_stack: B256,
    /// the current frame's locals root
    locals: B256,
    /// globals root
    globals: B256,
    /// table root (read-only)
    table: B256,
    /// slots in the table
    table_size: u32,
    /// memory root
    memory_root: B256,
    /// current size in 64 KiB pages
    memory_pages: u32,
    /// `memory.grow` limit
    max_pages: u32,
    /// data segments root
    segments: B256,
    /// input root
    input_root: B256,
    /// input length in bytes
    input_len: u32,
    /// hash chain over the full 32-byte output blocks
    output_chain: B256,
    /// the last partial output block, zero-padded (zero when `output_len % 32 == 0`)
    output_pending: B256,
    /// output bytes written
    output_len: u64,
    /// bulk-op destination register (zero outside a bulk op)
    bulk_dst: u64,
    /// bulk-op source register (zero outside a bulk op)
    bulk_src: u64,
    /// bulk-op bytes left
    bulk_len: u64,
    /// steps taken in the current segment (v2)
    segment_steps: u64,
    /// `D2`: a segment is at most `2^D2` steps, 1 to 63; part of the program hash (v2)
    segment_depth: u8,
    /// values on the value stack (v2)
    stack_depth: u64,
}

/// Appends big-endian fields to a byte vector.
struct Writer(Vec<u8>);

impl Writer {
    fn b(&mut self, x: &[u8]) -> &mut Self {
        self.0.extend_from_slice(x);
        self
    }
}

/// Reads big-endian fields from a byte slice; every read fails past the end.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut x = [0u8; 8];
        x.copy_from_slice(self.take(8)?);
        Some(u64::from_be_bytes(x))
    }
    pub(crate) fn b256(&mut self) -> Option<B256> {
        let mut x = [0u8; 32];
        x.copy_from_slice(self.take(32)?);
        Some(x)
    }
    /// `n` consecutive hashes.
    pub(crate) fn hashes(&mut self, n: usize) -> Option<Vec<B256>> {
        (0..n).map(|_| self.b256()).collect()
    }
}

impl StateFields {
    /// `H("opml/state/v2:" ‖ fields)` with its first byte replaced by `status`.
    pub fn hash(&self) -> B256 {
        let mut h = keccak(&[TAG_STATE, &self.encode()]);
        h[0] = self.status;
        h
    }

    /// The program identity over the input-independent initial fields (`docs/machine.md` §7).
    pub fn program_hash(&self) -> B256 {
        let mut w = Writer(Vec::with_capacity(256));
        w.b(&[self.status, self.trap_code])
            .b(&self.max_call_depth.to_be_bytes())
            .b(&self.code_root)
            .b(&[self.code_depth])
            .b(&self.globals)
            .b(&self.table)
            .b(&self.table_size.to_be_bytes())
            .b(&self.memory_root)
            .b(&self.memory_pages.to_be_bytes())
            .b(&self.max_pages.to_be_bytes())
            .b(&self.segments)
            .b(&[self.segment_depth]);
        keccak(&[TAG_PROGRAM, &w.0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_at_its_documented_length() {
        let f = StateFields {
            pc: 7,
            bulk_len: 9,
            status: 2,
            trap_code: 3,
            ..Default::default()
        };
        let enc = f.encode();
        assert_eq!(enc.len(), StateFields::ENCODED_LEN);
        assert_eq!(StateFields::ENCODED_LEN, 464);
        let widths: usize = StateFields::LAYOUT.iter().map(|f| f.width).sum();
        assert_eq!(widths, StateFields::ENCODED_LEN);
        assert_eq!(StateFields::read(&mut Reader(&enc)), Some(f));
        assert_eq!(f.hash()[0], 2);
    }
}
