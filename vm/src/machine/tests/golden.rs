//! Golden vectors: these hashes are consensus. If one changes, the spec version must change.

use super::workload::workload;
use crate::machine::hash::{empty_locals, zeros};
use crate::machine::testutil::{ProgramBuilder, b};
use crate::isa::Opcode::Halt;
use crate::{Machine, initial_state_hash, program_hash};

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn vectors() -> Vec<(&'static str, [u8; 32])> {
    let z = zeros();
    let tiny = ProgramBuilder::new(vec![b(Halt)]).build();
    let w = workload();
    let mut after = Machine::new(&w, b"golden");
    after.run(1_000_000);
    vec![
        ("Z_value[0]", z.value[0]),
        ("Z_value[16] = EMPTY_LOCALS", empty_locals()),
        ("Z_bytes[0]", z.bytes[0]),
        ("Z_bytes[27]", z.bytes[27]),
        ("Z_instr[0]", z.instr[0]),
        ("Z_table[16]", z.table[16]),
        ("Z_segment[0]", z.segment[0]),
        ("Z_segment[16]", z.segment[16]),
        ("tiny [Halt] S_0 (empty input)", initial_state_hash(&tiny, &[])),
        ("tiny [Halt] program_hash", program_hash(&tiny)),
        ("workload S_0 (input \"golden\")", initial_state_hash(&w, b"golden")),
        ("workload program_hash", program_hash(&w)),
        ("workload final state (input \"golden\")", after.state_hash()),
    ]
}

const PINNED: &[(&str, &str)] = &[];

#[test]
fn golden_vectors() {
    let got = vectors();
    for (name, h) in &got {
        println!("(\"{name}\", \"{}\"),", hex(h));
    }
    assert_eq!(got.len(), PINNED.len(), "pin every vector");
    for ((name, h), (pname, want)) in got.iter().zip(PINNED) {
        assert_eq!(name, pname);
        assert_eq!(&hex(h), want, "{name}");
    }
}
