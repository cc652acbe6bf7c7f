//! Memory access, bulk operations and the host interface.

use proptest::prelude::*;

use super::{assert_code_traps, assert_traps, run_code, run_prog};
use crate::isa::Opcode::*;
use crate::machine::hash::output_fold;
use crate::machine::testutil::{ProgramBuilder, b, i};
use crate::{Machine, Status, TrapCode};

const SIZE: u64 = 65536;

#[test]
fn loads_and_stores_little_endian_with_extension() {
    let m = run_code(vec![
        i(Const, 30), // straddles leaves 0 and 1
        i(Const, 0x8877_6655_4433_2211),
        i(I64Store, 0),
        i(Const, 0),
        i(I64Load, 30),
        i(Const, 30),
        i(I32Load8S, 7),
        i(Const, 30),
        i(I64Load16S, 6),
        i(Const, 30),
        i(I64Load32U, 4),
        i(Const, 30),
        i(I32Load16U, 1),
        b(Halt),
    ]);
    assert_eq!(
        m.stack(),
        &[
            0x8877_6655_4433_2211,
            0xffff_ff88,
            0xffff_ffff_ffff_8877,
            0x8877_6655,
            0x3322
        ]
    );
    assert_eq!(&m.memory()[30..38], &0x8877_6655_4433_2211u64.to_le_bytes());
}

#[test]
fn narrow_stores_write_only_their_bytes() {
    let m = run_code(vec![
        i(Const, 0),
        i(Const, u64::MAX),
        i(I64Store, 0),
        i(Const, 1),
        i(Const, 0x1234),
        i(I32Store8, 0),
        i(Const, 2),
        i(Const, 0),
        i(I64Store16, 0),
        i(Const, 0),
        i(I64Load, 0),
        b(Halt),
    ]);
    assert_eq!(m.stack(), &[0xffff_ffff_0000_34ff]);
}

#[test]
fn out_of_bounds_accesses_trap() {
    for (base, imm, ok) in [
        (SIZE - 4, 0, true),
        (SIZE - 3, 0, false),
        (SIZE - 4, 1, false),
        (0, SIZE, false),
    ] {
        let store = vec![i(Const, base), i(Const, 1), i(I32Store, imm), b(Halt)];
        let load = vec![i(Const, base), i(I32Load, imm), b(Halt)];
        for code in [store, load] {
            if ok {
                assert_eq!(run_code(code).status(), Status::Halted);
            } else {
                assert_code_traps(code, TrapCode::MemoryOutOfBounds);
            }
        }
    }
    assert_code_traps(
        vec![i(Const, 0xffff_ffff), i(I64Load, u32::MAX as u64), b(Halt)],
        TrapCode::MemoryOutOfBounds,
    );
}

/// Reference `memory.copy`/`memory.fill` results against the stepped ones.
fn bulk(op: crate::isa::Opcode, step: crate::isa::Opcode, d: u64, v: u64, n: u64) -> Machine {
    let init: Vec<u8> = (0..300u32).map(|x| (x * 7 + 1) as u8).collect();
    let p = ProgramBuilder::new(vec![
        i(Const, d),
        i(Const, v),
        i(Const, n),
        b(op),
        b(step),
        b(Halt),
    ])
    .pages(1, 1)
    .data(0, &init)
    .build();
    run_prog(&p, &[])
}

proptest! {
    #[test]
    fn copy_is_memmove(d in 0u64..260, s in 0u64..260, n in 0u64..40) {
        let m = bulk(MemoryCopy, CopyStep, d, s, n);
        let mut want: Vec<u8> = (0..300u32).map(|x| (x * 7 + 1) as u8).collect();
        want.resize(65536, 0);
        want.copy_within(s as usize..(s + n) as usize, d as usize);
        prop_assert_eq!(m.status(), Status::Halted);
        prop_assert_eq!(m.memory(), &want[..]);
        // 3 consts, start, chunks, final advance, halt; a chunk moves at least one byte
        prop_assert!(m.steps() <= 6 + n);
    }

    #[test]
    fn fill_writes_the_low_byte(d in 0u64..260, v in any::<u32>(), n in 0u64..70) {
        let m = bulk(MemoryFill, FillStep, d, v as u64, n);
        let mut want: Vec<u8> = (0..300u32).map(|x| (x * 7 + 1) as u8).collect();
        want.resize(65536, 0);
        want[d as usize..(d + n) as usize].fill(v as u8);
        prop_assert_eq!(m.memory(), &want[..]);
        let chunks = if n == 0 { 0 } else { (d + n - 1) / 32 - d / 32 + 1 };
        prop_assert_eq!(m.steps(), 6 + chunks);
    }
}

#[test]
fn bulk_bounds_trap_before_any_byte_moves() {
    assert_code_traps(
        vec![
            i(Const, SIZE - 2),
            i(Const, 1),
            i(Const, 3),
            b(MemoryFill),
            b(FillStep),
            b(Halt),
        ],
        TrapCode::MemoryOutOfBounds,
    );
    assert_code_traps(
        vec![
            i(Const, 0),
            i(Const, SIZE - 2),
            i(Const, 3),
            b(MemoryCopy),
            b(CopyStep),
            b(Halt),
        ],
        TrapCode::MemoryOutOfBounds,
    );
    // n = 0 at the very end is fine
    assert_eq!(
        run_code(vec![
            i(Const, SIZE),
            i(Const, SIZE),
            i(Const, 0),
            b(MemoryCopy),
            b(CopyStep),
            b(Halt)
        ])
        .status(),
        Status::Halted
    );
}

#[test]
fn memory_init_and_data_drop() {
    let code = |s: u64, n: u64| {
        vec![
            i(Const, 40),
            i(Const, s),
            i(Const, n),
            i(MemoryInit, 0),
            i(InitStep, 0),
            i(DataDrop, 0),
            i(Const, 0),
            i(Const, 0),
            i(Const, 1),
            i(MemoryInit, 0),
            b(Halt),
        ]
    };
    let seg: Vec<u8> = (1..=50).collect();
    let prog = |s, n| {
        ProgramBuilder::new(code(s, n))
            .pages(1, 1)
            .segments(vec![seg.clone()])
            .build()
    };
    // the second init (1 byte of a dropped segment) traps; the first one copied
    let m = assert_traps(&prog(3, 45), &[], TrapCode::MemoryOutOfBounds);
    assert_eq!(&m.memory()[40..85], &seg[3..48]);
    assert_eq!(m.seg_len, vec![0]);
    assert_traps(&prog(10, 41), &[], TrapCode::MemoryOutOfBounds);
}

#[test]
fn input_reads() {
    let input: Vec<u8> = (0..100).collect();
    let code = |ptr: u64, off: u64, len: u64| {
        vec![
            b(InputLen),
            i(Const, ptr),
            i(Const, off),
            i(Const, len),
            b(InputRead),
            b(InputReadStep),
            b(Halt),
        ]
    };
    let p = ProgramBuilder::new(code(5, 17, 83)).pages(1, 1).build();
    let m = run_prog(&p, &input);
    assert_eq!(m.stack(), &[100]);
    assert_eq!(&m.memory()[5..88], &input[17..]);
    let p = ProgramBuilder::new(code(5, 17, 84)).pages(1, 1).build();
    assert_traps(&p, &input, TrapCode::InputOutOfBounds);
    let p = ProgramBuilder::new(code(SIZE - 3, 0, 4))
        .pages(1, 1)
        .build();
    assert_traps(&p, &input, TrapCode::MemoryOutOfBounds);
}

#[test]
fn output_folds_at_32_byte_boundaries() {
    let data: Vec<u8> = (0..100u8).map(|x| x.wrapping_mul(13)).collect();
    let write = |ptr: u64, len: u64| {
        vec![
            i(Const, ptr),
            i(Const, len),
            b(OutputWrite),
            b(OutputWriteStep),
        ]
    };
    let mut code = write(3, 20);
    code.extend(write(40, 50));
    code.push(b(Halt));
    let p = ProgramBuilder::new(code).pages(1, 1).data(0, &data).build();
    let mut m = run_prog(&p, &[]);
    let mut out = data[3..23].to_vec();
    out.extend_from_slice(&data[40..90]);
    assert_eq!(m.output(), &out[..]);
    let f = m.state_fields();
    let mut chain = [0u8; 32];
    for blk in out.chunks_exact(32) {
        chain = output_fold(&chain, blk.try_into().unwrap());
    }
    let mut pending = [0u8; 32];
    pending[..6].copy_from_slice(&out[64..]);
    assert_eq!(
        (f.output_chain, f.output_pending, f.output_len),
        (chain, pending, 70)
    );
    let p = ProgramBuilder::new(vec![
        i(Const, SIZE - 1),
        i(Const, 2),
        b(OutputWrite),
        b(Halt),
    ])
    .pages(1, 1)
    .build();
    assert_traps(&p, &[], TrapCode::MemoryOutOfBounds);
}
