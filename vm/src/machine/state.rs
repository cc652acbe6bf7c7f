//! The packed state fields of `docs/machine.md` §4 and the state hash over them. Shared by the
//! machine (which fills them from its caches) and the proof verifier (which decodes them).

use super::hash::keccak;
use crate::B256;

/// The state fields in consensus order; `encode` packs them without padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct StateFields {
    pub status: u8,
    pub trap_code: u8,
    pub pc: u32,
    pub call_depth: u32,
    pub max_call_depth: u32,
    pub code_root: B256,
    pub code_depth: u8,
    pub value_stack: B256,
    pub aux_stack: B256,
    pub frame_stack: B256,
    pub locals: B256,
    pub globals: B256,
    pub table: B256,
    pub table_size: u32,
    pub memory_root: B256,
    pub memory_pages: u32,
    pub max_pages: u32,
    pub segments: B256,
    pub input_root: B256,
    pub input_len: u32,
    pub output_chain: B256,
    pub output_pending: B256,
    pub output_len: u64,
    pub bulk_dst: u64,
    pub bulk_src: u64,
    pub bulk_len: u64,
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
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
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
    /// Length of the packed encoding.
    pub const ENCODED_LEN: usize = 447;

    /// The packed encoding (`docs/machine.md` §4).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(Self::ENCODED_LEN));
        w.b(&[self.status, self.trap_code])
            .b(&self.pc.to_be_bytes())
            .b(&self.call_depth.to_be_bytes())
            .b(&self.max_call_depth.to_be_bytes())
            .b(&self.code_root)
            .b(&[self.code_depth])
            .b(&self.value_stack)
            .b(&self.aux_stack)
            .b(&self.frame_stack)
            .b(&self.locals)
            .b(&self.globals)
            .b(&self.table)
            .b(&self.table_size.to_be_bytes())
            .b(&self.memory_root)
            .b(&self.memory_pages.to_be_bytes())
            .b(&self.max_pages.to_be_bytes())
            .b(&self.segments)
            .b(&self.input_root)
            .b(&self.input_len.to_be_bytes())
            .b(&self.output_chain)
            .b(&self.output_pending)
            .b(&self.output_len.to_be_bytes())
            .b(&self.bulk_dst.to_be_bytes())
            .b(&self.bulk_src.to_be_bytes())
            .b(&self.bulk_len.to_be_bytes());
        w.0
    }

    /// Decodes the packed fields from the front of `r`.
    pub(crate) fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(Self {
            status: r.u8()?,
            trap_code: r.u8()?,
            pc: r.u32()?,
            call_depth: r.u32()?,
            max_call_depth: r.u32()?,
            code_root: r.b256()?,
            code_depth: r.u8()?,
            value_stack: r.b256()?,
            aux_stack: r.b256()?,
            frame_stack: r.b256()?,
            locals: r.b256()?,
            globals: r.b256()?,
            table: r.b256()?,
            table_size: r.u32()?,
            memory_root: r.b256()?,
            memory_pages: r.u32()?,
            max_pages: r.u32()?,
            segments: r.b256()?,
            input_root: r.b256()?,
            input_len: r.u32()?,
            output_chain: r.b256()?,
            output_pending: r.b256()?,
            output_len: r.u64()?,
            bulk_dst: r.u64()?,
            bulk_src: r.u64()?,
            bulk_len: r.u64()?,
        })
    }

    /// `H("opml/state/v1:" ‖ fields)` with its first byte replaced by `status`.
    pub fn hash(&self) -> B256 {
        let mut h = keccak(&[b"opml/state/v1:", &self.encode()]);
        h[0] = self.status;
        h
    }

    /// The program identity over the input-independent initial fields (`docs/machine.md` §7).
    pub(crate) fn program_hash(&self) -> B256 {
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
            .b(&self.segments);
        keccak(&[b"opml/program/v1:", &w.0])
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
        assert_eq!(StateFields::read(&mut Reader(&enc)), Some(f));
        assert_eq!(f.hash()[0], 2);
    }
}
