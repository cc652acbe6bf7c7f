//! Golden vectors: these hashes are consensus. If one changes, the spec version must change.

use super::workload::workload;
use crate::isa::Opcode::Halt;
use crate::machine::hash::{empty_locals, zeros};
use crate::machine::testutil::{ProgramBuilder, b};
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
        (
            "tiny [Halt] S_0 (empty input)",
            initial_state_hash(&tiny, &[]),
        ),
        ("tiny [Halt] program_hash", program_hash(&tiny)),
        (
            "workload S_0 (input \"golden\")",
            initial_state_hash(&w, b"golden"),
        ),
        ("workload program_hash", program_hash(&w)),
        (
            "workload final state (input \"golden\")",
            after.state_hash(),
        ),
    ]
}

/// Pinned values (machine v2). The tiny program's `S_0` and `program_hash` were also recomputed
/// from the spec alone by an independent script (Python building the preimages of
/// `docs/machine.md`, hashing with `cast keccak`).
const PINNED: &[(&str, &str)] = &[
    (
        "Z_value[0]",
        "1d739d0e59e14c9bca4ebf76f5067ea27352375567caf0630020e57ddd2169e9",
    ),
    (
        "Z_value[16] = EMPTY_LOCALS",
        "e0364f499a6ef08fb40fcdb9c421ae1104a84475b9e8c95041928f7e887a6151",
    ),
    (
        "Z_bytes[0]",
        "1c3988966975a08b319fdacbc7588020c4534b4fe2c6f3c376bf9aab6ad31a68",
    ),
    (
        "Z_bytes[27]",
        "d009a2cb0ff060ad1d183f6d1759c9d299d832ec32d82f956f2f10fe22167dc0",
    ),
    (
        "Z_instr[0]",
        "96ed8b7a1d02046c3aa8a307b5cb749825928a6cb285d1f47e23a15e505d11bc",
    ),
    (
        "Z_table[16]",
        "c1d2ca765212ec7c7b4315c15fe4fc4f350071670b513cda7b6dad767d11ddbc",
    ),
    (
        "Z_segment[0]",
        "95c2489fef2c83e8a0134a249e531a2c1cf5402df26e3dc4a0aebe97a9c4f2af",
    ),
    (
        "Z_segment[16]",
        "3ba28925be52d97088500ab5dd37f7ced9681be67414c336cba6c8bf7bc15b55",
    ),
    (
        "tiny [Halt] S_0 (empty input)",
        "008130e5d9abd871723870333b69d33c1a3c5a8c7776b489e088c1cb50e33841",
    ),
    (
        "tiny [Halt] program_hash",
        "c69bf34d48225ee20a46312df7f25bca2ca5a7299e764db144c56120733b2fde",
    ),
    (
        "workload S_0 (input \"golden\")",
        "000834a7547a67d3c20b619f20413b3b209380c0b68eaa8c675317c0676f4c96",
    ),
    (
        "workload program_hash",
        "2b8b4afc351ef6b570ddda82a8ce2ba6976488601b26b6c267f2e28353a69d80",
    ),
    (
        "workload final state (input \"golden\")",
        "01d6980897c33fb2128635a555a80e9d43c45f35aac658e58983830e2213bc08",
    ),
];

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
