//! What the protocol computes on-chain from `MachineState.sol` (program id, `S_0` from the input
//! bytes, the halted-with-output check) equals what the Rust machine computes.

use opml_stepcheck::artifacts::STATE_HARNESS;
use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::programs::{guest_cases, wat_cases};
use opml_vm::{Machine, StateFields, initial_state_hash, program_hash};

fn word_u(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

fn program_fields(f: &StateFields) -> Vec<u8> {
    let words = [
        word_u(f.status.into()),
        word_u(f.trap_code.into()),
        word_u(f.max_call_depth.into()),
        f.code_root,
        word_u(f.code_depth.into()),
        f.globals,
        f.table,
        word_u(f.table_size.into()),
        f.memory_root,
        word_u(f.memory_pages.into()),
        word_u(f.max_pages.into()),
        f.segments,
        word_u(f.segment_depth.into()),
    ];
    words.concat()
}

fn bytes_tail(b: &[u8]) -> Vec<u8> {
    let mut out = word_u(b.len() as u64).to_vec();
    out.extend_from_slice(b);
    out.resize(32 + b.len().div_ceil(32) * 32, 0);
    out
}

fn call32(evm: &mut StepEvm, to: revm::primitives::Address, data: Vec<u8>) -> [u8; 32] {
    let out = evm
        .call(to, data)
        .expect("evm")
        .expect("harness call reverted");
    out.try_into().expect("32-byte return")
}

#[test]
fn program_id_initial_state_and_final_output_match_the_machine() {
    let mut evm = StepEvm::new().expect("deploy");
    let h = evm
        .deploy_artifact(STATE_HARNESS)
        .expect("deploy the MachineState harness");
    let mut cases = wat_cases().expect("wat");
    cases.truncate(3);
    cases.extend(guest_cases().expect("guests"));
    for c in &cases {
        let fields = Machine::new(&c.program, &c.input).state_fields();
        let pf = program_fields(&fields);
        let id = call32(&mut evm, h, [&[0xbe, 0xb3, 0x3e, 0xce][..], &pf].concat());
        assert_eq!(id, program_hash(&c.program), "{}: programHash", c.name);
        for input in [
            c.input.clone(),
            vec![],
            vec![0xa5; 33],
            (0..=255u8).collect(),
        ] {
            let data = [
                &[0xde, 0x83, 0xf9, 0x48][..],
                &pf,
                &word_u(14 * 32),
                &bytes_tail(&input),
            ]
            .concat();
            let s0 = call32(&mut evm, h, data);
            assert_eq!(
                s0,
                initial_state_hash(&c.program, &input),
                "{}: S_0 on {} bytes",
                c.name,
                input.len()
            );
        }
    }
    // The ops program halts with output: the contract's output check accepts exactly it.
    let ops = &wat_cases().expect("wat")[0];
    let mut m = Machine::new(&ops.program, &ops.input);
    m.run(1_000_000);
    let packed = m.state_fields().encode();
    let output = m.output().to_vec();
    assert!(output.len() > 32, "ops writes a multi-block output");
    let check = |evm: &mut StepEvm, out: &[u8]| {
        let tail1 = bytes_tail(&packed);
        let data = [
            &[0xe9, 0x20, 0xfc, 0x4a][..],
            &word_u(64),
            &word_u(64 + tail1.len() as u64),
            &tail1,
            &bytes_tail(out),
        ]
        .concat();
        evm.call(h, data).expect("evm").expect("no revert")[31] == 1
    };
    assert!(check(&mut evm, &output), "honest output accepted");
    let mut wrong = output.clone();
    wrong[5] ^= 1;
    assert!(!check(&mut evm, &wrong), "altered output rejected");
    assert!(
        !check(&mut evm, &output[..output.len() - 1]),
        "truncated output rejected"
    );
    let sh = call32(
        &mut evm,
        h,
        [
            &[0x23, 0x54, 0x8a, 0x8f][..],
            &word_u(32),
            &bytes_tail(&packed),
        ]
        .concat(),
    );
    assert_eq!(sh, m.state_hash(), "stateHash of the final state");
}
