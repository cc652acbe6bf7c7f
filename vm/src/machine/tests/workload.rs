//! A program exercising every opcode group (calls, indirect calls, locals, globals, aux,
//! straddling stores, bulk ops, input, output, memory growth, branches), driven by its input.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Program;
use crate::isa::{Instr, Opcode, Opcode::*};
use crate::machine::testutil::ProgramBuilder;
use crate::program::TableEntry;

/// A tiny assembler with forward labels.
#[derive(Default)]
struct Asm {
    code: Vec<Instr>,
    labels: HashMap<&'static str, u32>,
    fixups: Vec<(usize, &'static str)>,
}

impl Asm {
    fn op(&mut self, op: Opcode, imm: u64) -> &mut Self {
        self.code.push(Instr::new(op, imm));
        self
    }
    fn o(&mut self, op: Opcode) -> &mut Self {
        self.op(op, 0)
    }
    fn c(&mut self, v: u64) -> &mut Self {
        self.op(Const, v)
    }
    /// `op` whose immediate's low 32 bits are label `l` (high bits `hi`).
    fn to(&mut self, op: Opcode, l: &'static str, hi: u64) -> &mut Self {
        self.fixups.push((self.code.len(), l));
        self.op(op, hi << 32)
    }
    fn label(&mut self, l: &'static str) -> &mut Self {
        self.labels.insert(l, self.code.len() as u32);
        self
    }
    fn finish(mut self) -> Vec<Instr> {
        for (at, l) in std::mem::take(&mut self.fixups) {
            self.code[at].imm |= self.labels[l] as u64;
        }
        self.code
    }
}

/// The workload program; it reads its whole input and loops `input_len + 3` times.
pub(crate) fn workload() -> Arc<Program> {
    let mut a = Asm::default();
    a.to(Call, "main", 3).o(Halt);
    a.label("main");
    a.c(1000).c(0).o(InputLen).o(InputRead).o(InputReadStep);
    a.o(InputLen).c(3).o(I32Add).op(LocalSet, 0);
    a.label("loop");
    a.op(LocalGet, 1)
        .op(LocalGet, 1)
        .c(2)
        .o(I32RemU)
        .op(CallIndirect, 0)
        .op(LocalSet, 2);
    a.op(LocalGet, 1)
        .c(9)
        .o(I32Mul)
        .op(LocalGet, 2)
        .o(I64ExtendI32U)
        .op(I64Store, 1003);
    a.op(GlobalGet, 0)
        .op(LocalGet, 2)
        .o(I32Add)
        .op(GlobalSet, 0);
    a.op(LocalGet, 1).op(I32Load8S, 1000).o(Drop);
    a.c(7).c(8).o(MoveToAux).o(Drop).o(MoveFromAux).o(Drop);
    a.op(LocalGet, 1)
        .c(1)
        .o(I32Add)
        .op(LocalTee, 1)
        .op(LocalGet, 0)
        .o(I32LtU)
        .to(JumpIf, "loop", 0);
    a.c(1010)
        .c(1000)
        .op(LocalGet, 1)
        .c(4)
        .o(I32Mul)
        .o(MemoryCopy)
        .o(CopyStep);
    a.c(1500).c(1010).c(77).o(MemoryCopy).o(CopyStep);
    a.c(2000).c(0x1ab).c(45).o(MemoryFill).o(FillStep);
    a.c(3000)
        .c(1)
        .c(33)
        .op(MemoryInit, 0)
        .op(InitStep, 0)
        .op(DataDrop, 0);
    a.c(1).o(MemoryGrow).o(Drop);
    a.op(LocalGet, 0).c(3).o(I32RemU).op(BrTable, 2);
    a.to(Jump, "a", 0).to(Jump, "b", 0).to(Jump, "c", 0);
    a.label("a").c(1).to(Jump, "out", 0);
    a.label("b").c(2).to(Jump, "out", 0);
    a.label("c").c(3);
    a.label("out").op(GlobalSet, 1);
    a.c(995)
        .op(LocalGet, 0)
        .c(9)
        .o(I32Mul)
        .c(20)
        .o(I32Add)
        .o(OutputWrite)
        .o(OutputWriteStep);
    a.c(5).c(6).op(LocalGet, 0).o(Select).o(Drop);
    a.c(100).c(7).o(I32DivU).o(Drop);
    a.o(Return);
    a.label("f0")
        .op(LocalSet, 0)
        .op(LocalGet, 0)
        .op(LocalGet, 0)
        .o(I32Mul)
        .c(7)
        .o(I32Add)
        .o(Return);
    a.label("f1")
        .op(LocalSet, 0)
        .op(LocalGet, 0)
        .c(3)
        .o(I32Shl)
        .op(LocalGet, 0)
        .o(I32Xor)
        .o(Return);
    let (f0, f1) = (a.labels["f0"], a.labels["f1"]);
    let code = a.finish();
    let entry = |pc| {
        Some(TableEntry {
            type_id: 0,
            pc,
            n_locals: 2,
        })
    };
    ProgramBuilder::new(code)
        .pages(1, 3)
        .data(1000, &[9; 40])
        .globals(vec![11, 0])
        .table(vec![entry(f0), entry(f1), None])
        .segments(vec![(0..60).collect()])
        .build()
}
