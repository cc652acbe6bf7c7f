//! Machine states as the contracts see them: the program fields a registration binds, the
//! program id, and the packed final state a result posts (its output commitment included).

use alloy::primitives::{B256, keccak256};
use opml_vm::{Machine, StateFields};

use crate::oracle::OpMLOracle::ProgramFields;

/// The input-independent initial-state fields of a program (what `registerProgram` takes).
pub fn program_fields(m0: &mut Machine) -> ProgramFields {
    let f = m0.state_fields();
    ProgramFields {
        status: f.status,
        trapCode: f.trap_code,
        maxCallDepth: f.max_call_depth,
        codeRoot: f.code_root.into(),
        codeDepth: f.code_depth,
        globals: f.globals.into(),
        table: f.table.into(),
        tableSize: f.table_size,
        memoryRoot: f.memory_root.into(),
        memoryPages: f.memory_pages,
        maxPages: f.max_pages,
        segments: f.segments.into(),
        segmentDepth: f.segment_depth,
    }
}

/// `programHash(fields)` of `MachineState.sol` (`docs/machine.md` §7).
pub fn program_hash(p: &ProgramFields) -> B256 {
    let mut b = opml_vm::consensus::TAG_PROGRAM.to_vec();
    b.extend_from_slice(&[p.status, p.trapCode]);
    b.extend_from_slice(&p.maxCallDepth.to_be_bytes());
    b.extend_from_slice(p.codeRoot.as_slice());
    b.push(p.codeDepth);
    b.extend_from_slice(p.globals.as_slice());
    b.extend_from_slice(p.table.as_slice());
    b.extend_from_slice(&p.tableSize.to_be_bytes());
    b.extend_from_slice(p.memoryRoot.as_slice());
    b.extend_from_slice(&p.memoryPages.to_be_bytes());
    b.extend_from_slice(&p.maxPages.to_be_bytes());
    b.extend_from_slice(p.segments.as_slice());
    b.push(p.segmentDepth);
    keccak256(b)
}

/// The program id `registerProgram` returns:
/// `H("opml/program-id/v2:" ‖ program_hash ‖ D ‖ H(metadataURI))`.
pub fn program_id(p: &ProgramFields, trace_depth: u8, metadata_uri: &str) -> B256 {
    let mut b = opml_vm::consensus::TAG_PROGRAM_ID.to_vec();
    b.extend_from_slice(program_hash(p).as_slice());
    b.push(trace_depth);
    b.extend_from_slice(keccak256(metadata_uri.as_bytes()).as_slice());
    keccak256(b)
}

/// `H("opml/output:" ‖ chain ‖ block)`.
fn push_output(chain: &B256, block: &[u8; 32]) -> B256 {
    keccak256([b"opml/output:".as_slice(), chain.as_slice(), block].concat())
}

/// The output commitment `(chain, pending, len)` of a halted state holding `output`
/// (`MachineState.outputCommitment`).
pub fn output_commitment(output: &[u8]) -> (B256, B256, u64) {
    let mut chain = B256::ZERO;
    let mut blocks = output.chunks_exact(32);
    for b in &mut blocks {
        chain = push_output(&chain, b.try_into().unwrap_or(&[0; 32]));
    }
    let mut pending = [0u8; 32];
    let rest = blocks.remainder();
    pending[..rest.len()].copy_from_slice(rest);
    (chain, B256::from(pending), output.len() as u64)
}

/// The packed final state a result posts: `fields` with its output commitment replaced by the
/// one of `output` (the identity for an honest submitter; a lie for a test-only one).
pub fn final_state_with_output(fields: &StateFields, output: &[u8]) -> StateFields {
    let (chain, pending, len) = output_commitment(output);
    StateFields {
        output_chain: chain.0,
        output_pending: pending.0,
        output_len: len,
        ..*fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_commitment_pads_the_tail_and_chains_full_blocks() {
        let (c, p, l) = output_commitment(b"");
        assert_eq!((c, p, l), (B256::ZERO, B256::ZERO, 0));
        let (c, p, l) = output_commitment(b"ab");
        assert_eq!((c, l), (B256::ZERO, 2));
        assert_eq!(&p[..3], b"ab\0");
        let out = [7u8; 33];
        let (c, p, l) = output_commitment(&out);
        assert_eq!(c, push_output(&B256::ZERO, &[7; 32]));
        assert_eq!((p[0], p[1], l), (7, 0, 33));
    }

    #[test]
    fn the_rust_program_hash_matches_the_vm() {
        let wasm = wat_module();
        let prog = std::sync::Arc::new(opml_vm::Program::load(&wasm, Default::default()).unwrap());
        let mut m = Machine::new(&prog, b"");
        let f = program_fields(&mut m);
        assert_eq!(program_hash(&f).0, opml_vm::program_hash(&prog));
    }

    fn wat_module() -> Vec<u8> {
        // (module (memory 1) (func (export "main")))
        vec![
            0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 8, 1, 4,
            109, 97, 105, 110, 0, 0, 10, 4, 1, 2, 0, 11,
        ]
    }
}
