//! Segmented programs (`docs/machine.md` §9): the `segment` bootstrap yields between calls,
//! every step proves and verifies across `resume`, and every boundary's hash equals the one
//! `Program::boundary_fields` builds from memory, globals, segments, input and output alone.

use std::sync::Arc;

use opml_vm::commit::{Boundary, MemoryTree, globals_root, input_commitment, output_commitment};
use opml_vm::{Limits, Machine, Program, Status, TrapCode, verify_step};

const SEGMENTED: &str = r#"(module
  (import "opml" "output_write" (func $out (param i32 i32)))
  (memory 1)
  (global $n (mut i32) (i32.const 0))
  (global $acc (mut i64) (i64.const 1))
  (data $d "hello")
  (func (export "segment") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (global.set $acc (i64.mul (global.get $acc) (i64.const 3)))
    (i64.store (i32.mul (global.get $n) (i32.const 8)) (global.get $acc))
    (if (i32.eq (global.get $n) (i32.const 2))
      (then (memory.init $d (i32.const 100) (i32.const 0) (i32.const 5)) (data.drop $d)))
    (call $out (i32.const 100) (i32.const 3))
    (i32.lt_u (global.get $n) (i32.const 5))))"#;

fn load(wat: &str, depth: u8) -> Arc<Program> {
    let limits = Limits {
        segment_depth: depth,
        ..Limits::default()
    };
    Arc::new(Program::load(&wat::parse_str(wat).unwrap(), limits).unwrap())
}

/// The boundary the fast path would compute for `m`'s current state.
fn boundary(p: &Program, m: &Machine, mem: &mut MemoryTree, dropped: bool) -> [u8; 32] {
    let (input_root, input_len) = input_commitment(m.input());
    let (output_chain, output_pending, output_len) = output_commitment(m.output());
    let b = Boundary {
        status: m.status(),
        memory_root: mem.update(m.memory()),
        memory_pages: (m.memory().len() / 65536) as u32,
        globals_root: globals_root(m.globals()),
        segments_root: p.segments_root(|_| dropped),
        input_root,
        input_len,
        output_chain,
        output_pending,
        output_len,
    };
    p.boundary_fields(&b).expect("a canonical boundary").hash()
}

#[test]
fn segments_yield_resume_and_hash_like_the_fast_path() {
    let p = load(SEGMENTED, 8);
    let mut m = Machine::new(&p, b"in");
    let mut mem = MemoryTree::default();
    let mut boundaries = 0;
    loop {
        let pre = m.state_hash();
        let proof = m.prove_step();
        assert_eq!(
            verify_step(pre, &proof),
            Ok(m.state_hash()),
            "step {}",
            m.steps()
        );
        match m.status() {
            Status::Running => {}
            Status::Yielded | Status::Halted => {
                boundaries += 1;
                assert_eq!(
                    m.pc(),
                    if m.status() == Status::Halted {
                        p.halt_pc()
                    } else {
                        p.segment_pc().unwrap()
                    }
                );
                assert_eq!(
                    m.state_hash(),
                    boundary(&p, &m, &mut mem, boundaries >= 2),
                    "boundary {boundaries}"
                );
                if !m.resume() {
                    break;
                }
            }
            Status::Trapped => panic!("trapped: {:?}", m.trap_code()),
        }
    }
    assert_eq!(boundaries, 5, "four yields and the final halt");
    assert_eq!(m.output(), b"\0\0\0helhelhelhel");
}

#[test]
fn a_segment_longer_than_its_depth_traps() {
    // Depth 4: 16 steps per segment, far fewer than one call of `segment` needs.
    let p = load(SEGMENTED, 4);
    let mut m = Machine::new(&p, b"");
    m.run(1_000);
    assert_eq!(m.trap_code(), Some(TrapCode::SegmentTooLong));
    assert_eq!(m.steps(), 16);
    assert_eq!(m.segment_steps(), 15);
}

#[test]
fn a_program_without_segments_halts_at_a_canonical_boundary() {
    let p = load(
        r#"(module (import "opml" "output_write" (func $out (param i32 i32))) (memory 1)
            (data (i32.const 0) "0123456789abcdef0123456789abcdefXYZ")
            (func (export "main") (call $out (i32.const 0) (i32.const 35))))"#,
        32,
    );
    let mut m = Machine::new(&p, b"some input");
    m.run(10_000);
    assert_eq!(m.status(), Status::Halted);
    assert_eq!(m.segment_steps(), 0, "Halt resets the counter");
    let mut mem = MemoryTree::default();
    assert_eq!(m.state_hash(), boundary(&p, &m, &mut mem, false));
    assert_eq!(p.segment_pc(), None);
}
