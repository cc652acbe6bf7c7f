//! Any byte string in, never a panic out: arbitrary bytes, mutated valid modules and
//! wasm-smith modules (bounded to a few seconds).

use crate::{Entry, Limits, Program};
use arbitrary::Unstructured;
use proptest::prelude::*;

/// Small limits keep every case fast (memory is allocated at load).
const LIMITS: Limits = Limits {
    max_memory_pages: 4,
    max_call_depth: 64,
    max_table_size: 64,
    max_code_len: 1 << 16,
    segment_depth: crate::consensus::DEFAULT_SEGMENT_DEPTH,
};

/// Loads with every entry; the only requirement is to return.
fn load_all_ways(bytes: &[u8]) -> bool {
    let ok = Program::load_with_entry(bytes, LIMITS, Entry::Instantiate).is_ok();
    let _ = Program::load(bytes, LIMITS);
    let _ = Program::load_with_entry(
        bytes,
        LIMITS,
        Entry::Invoke {
            export: "f".into(),
            args: vec![],
        },
    );
    ok
}

fn seeds() -> Vec<Vec<u8>> {
    let wats = [
        r#"(module (memory 1) (table 2 funcref) (elem (i32.const 0) $f)
            (global $g (mut i32) (i32.const 0)) (data (i32.const 8) "hi") (data "p")
            (func $f (export "f") (param i32) (result i32)
              (block (result i32) (loop (br_if 1 (local.get 0) (local.get 0)) (br 0)))
              (br_table 0 0 (i32.const 1)))
            (func (export "main") (call_indirect (param i32) (result i32) (i32.const 1) (i32.const 0)) drop
              (memory.copy (i32.const 0) (i32.const 1) (i32.const 2)) (global.set $g (i32.const 1))))"#,
        r#"(module (import "opml" "input_len" (func (result i32)))
            (func (export "f") (param f32 f64) (result f64)
              (f64.add (f64.promote_f32 (f32.mul (local.get 0) (local.get 0))) (local.get 1))))"#,
    ];
    let mut out: Vec<Vec<u8>> = wats.iter().map(|w| wat::parse_str(w).unwrap()).collect();
    // A real rustc-built module (the soft-float reference library; its imports are rejected
    // now, its mutations still reach every section parser).
    out.push(include_bytes!("../../../softfloat/softfloat.wasm").to_vec());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..512), header in any::<bool>()) {
        if header {
            bytes.splice(0..0, *b"\0asm\x01\0\0\0");
        }
        load_all_ways(&bytes);
    }

    #[test]
    fn mutated_modules_never_panic(
        seed in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let seeds = seeds();
        let mut bytes = seeds[seed % seeds.len()].clone();
        for (at, byte, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 if at < bytes.len() => { bytes.remove(at); }
                _ => bytes.truncate(at.max(8)),
            }
        }
        load_all_ways(&bytes);
    }

    #[test]
    fn wasm_smith_modules_never_panic(data in proptest::collection::vec(any::<u8>(), 64..2048)) {
        let mut u = Unstructured::new(&data);
        if let Ok(m) = wasm_smith::Module::new(wasm_smith::Config::default(), &mut u) {
            load_all_ways(&m.to_bytes());
        }
    }
}

#[test]
fn wasm_smith_profile_modules_mostly_load() {
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let (mut generated, mut loaded) = (0, 0);
    for _ in 0..128 {
        let data: Vec<u8> = (0..1024)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        let Ok(m) = wasm_smith::Module::new(
            crate::smith::profile_config(),
            &mut Unstructured::new(&data),
        ) else {
            continue;
        };
        generated += 1;
        let bytes = m.to_bytes();
        match Program::load_with_entry(&bytes, LIMITS, Entry::Instantiate) {
            Ok(_) => loaded += 1,
            Err(e) => {
                let text = e.to_string();
                assert!(!text.is_empty());
            }
        }
    }
    assert!(generated > 64, "only {generated} modules generated");
    assert!(
        loaded * 2 > generated,
        "only {loaded} of {generated} profile modules loaded"
    );
}
