//! Lowering one function body: structured control flow to flat jumps (docs/machine.md §2).
//!
//! Stack heights come from wasmparser's validator, which runs in lock-step: before each
//! operator, `operand_stack_height()` is the height relative to the function's frame, and the
//! innermost frame's `unreachable` flag says whether the operator is dead. Dead code emits
//! nothing; blocks opened in dead code are tracked only to match their `end`.

mod branch;
mod emit;

pub(crate) use emit::Emitter;

use super::error::{LoadError, Result};
use super::module::{Body, Import, Module, TREE_LEAVES};
use super::ops::{Simple, simple};
use super::profile::{self, require_val_type};
use crate::isa::Opcode as Op;
use wasmparser::{BlockType, FuncValidatorAllocations, Operator, OperatorsReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

/// One structured-control frame.
#[derive(Debug)]
struct Frame {
    kind: Kind,
    /// Stack height below the frame's parameters.
    base: usize,
    n_params: usize,
    n_results: usize,
    /// The loop header, for `Loop`.
    loop_pc: usize,
    /// Jumps to patch with the frame's end.
    end_fixups: Vec<usize>,
    /// An `if`'s `JumpIfNot`, patched at `else` (or `end` without `else`).
    else_fixup: Option<usize>,
    /// Opened in dead code: nothing inside is emitted.
    dead: bool,
}

impl Frame {
    /// Values a branch to this frame carries.
    fn label_arity(&self) -> usize {
        if self.kind == Kind::Loop {
            self.n_params
        } else {
            self.n_results
        }
    }
}

/// Lowers function `index` of `m`; returns its number of locals (params included).
pub(crate) fn lower_function(
    e: &mut Emitter,
    m: &Module<'_>,
    index: u32,
    body: Body<'_>,
) -> Result<u32> {
    let mut fv = body
        .func
        .into_validator(FuncValidatorAllocations::default());
    let sig = m
        .func_sig(index)
        .ok_or_else(|| LoadError::invalid(0, "function without type"))?;
    let mut reader = body.body.get_binary_reader();
    reader.set_features(profile::features());
    let mut n_locals = sig.params.len() as u64;
    for _ in 0..reader.read_var_u32()? {
        let offset = reader.original_position();
        let count = reader.read_var_u32()?;
        let ty = reader.read()?;
        fv.define_locals(offset, count, ty)?;
        require_val_type(ty, offset, "local")?;
        n_locals += u64::from(count);
        if n_locals > TREE_LEAVES {
            return Err(LoadError::limit(
                offset,
                "more than 2^16 locals in a function",
            ));
        }
    }
    let start = reader.original_position();
    e.reserve(sig.params.len(), start)?;
    for i in (0..sig.params.len()).rev() {
        e.emit(Op::LocalSet, i as u64);
    }
    let mut l = Lowerer {
        e,
        m,
        frames: vec![Frame {
            kind: Kind::Func,
            base: 0,
            n_params: 0,
            n_results: sig.results.len(),
            loop_pc: 0,
            end_fixups: Vec::new(),
            else_fixup: None,
            dead: false,
        }],
    };
    let mut ops = OperatorsReader::new(reader);
    while !l.frames.is_empty() {
        let (op, offset) = ops.read_with_offset()?;
        let h = fv.operand_stack_height() as usize;
        let reachable = fv.get_control_frame(0).is_some_and(|f| !f.unreachable);
        profile::check_operator(&op, offset)?;
        fv.op(offset, &op)?;
        let live = reachable && l.frames.last().is_some_and(|f| !f.dead);
        l.op(&op, offset, h, live)?;
        l.e.reserve(0, offset)?;
    }
    ops.finish()?;
    Ok(n_locals as u32)
}

struct Lowerer<'e, 'm, 'a> {
    e: &'e mut Emitter,
    m: &'m Module<'a>,
    frames: Vec<Frame>,
}

impl Lowerer<'_, '_, '_> {
    fn op(&mut self, op: &Operator<'_>, offset: usize, h: usize, live: bool) -> Result<()> {
        match *op {
            Operator::Block { blockty } => self.open(Kind::Block, blockty, h, live, offset),
            Operator::Loop { blockty } => self.open(Kind::Loop, blockty, h, live, offset),
            Operator::If { blockty } => {
                self.open(Kind::If, blockty, h.saturating_sub(1), live, offset)
            }
            Operator::Else => {
                let jump = live.then(|| self.e.emit(Op::Jump, 0));
                let pc = self.e.pc();
                let f = self.top()?;
                f.kind = Kind::Else;
                f.end_fixups.extend(jump);
                let else_fixup = f.else_fixup.take();
                if let Some(at) = else_fixup {
                    self.e.patch(at, pc);
                }
                Ok(())
            }
            Operator::End => {
                let f = self
                    .frames
                    .pop()
                    .ok_or_else(|| LoadError::invalid(offset, "extra end"))?;
                if f.kind == Kind::Func {
                    if live {
                        self.ret_with(f.n_results, h, offset)?;
                    }
                    return Ok(());
                }
                let pc = self.e.pc();
                for at in f.end_fixups.into_iter().chain(f.else_fixup) {
                    self.e.patch(at, pc);
                }
                Ok(())
            }
            _ if !live => Ok(()),
            Operator::Br { relative_depth } => self.br(relative_depth, h, offset),
            Operator::BrIf { relative_depth } => {
                self.br_if(relative_depth, h.saturating_sub(1), offset)
            }
            Operator::BrTable { ref targets } => {
                let mut depths = Vec::with_capacity(targets.len() as usize + 1);
                for t in targets.targets() {
                    depths.push(t?);
                }
                depths.push(targets.default());
                self.br_table(&depths, h.saturating_sub(1), offset)
            }
            Operator::Return => self.ret(h, offset),
            Operator::Unreachable => {
                self.e.emit(Op::Unreachable, 0);
                Ok(())
            }
            Operator::Call { function_index } => self.call(function_index),
            Operator::CallIndirect { type_index, .. } => {
                let id = self.m.type_ids.get(type_index as usize).copied();
                let id = id.ok_or_else(|| LoadError::invalid(offset, "unknown type"))?;
                self.e.emit(Op::CallIndirect, u64::from(id));
                Ok(())
            }
            Operator::LocalGet { local_index } => self.emit1(Op::LocalGet, local_index),
            Operator::LocalSet { local_index } => self.emit1(Op::LocalSet, local_index),
            Operator::LocalTee { local_index } => self.emit1(Op::LocalTee, local_index),
            Operator::GlobalGet { global_index } => {
                let g = self.global(global_index, offset)?;
                match g.mutable {
                    true => self.emit1(Op::GlobalGet, g.lowered),
                    false => {
                        self.e.emit(Op::Const, g.value);
                        Ok(())
                    }
                }
            }
            Operator::GlobalSet { global_index } => {
                let g = self.global(global_index, offset)?;
                self.emit1(Op::GlobalSet, g.lowered)
            }
            ref other => self.simple(other, offset),
        }
    }

    fn top(&mut self) -> Result<&mut Frame> {
        self.frames
            .last_mut()
            .ok_or_else(|| LoadError::invalid(0, "no open frame"))
    }

    fn emit1(&mut self, op: Op, imm: u32) -> Result<()> {
        self.e.emit(op, u64::from(imm));
        Ok(())
    }

    fn global(&self, index: u32, offset: usize) -> Result<super::module::Global> {
        self.m
            .globals
            .get(index as usize)
            .copied()
            .ok_or_else(|| LoadError::invalid(offset, "unknown global"))
    }

    fn block_arity(&self, ty: BlockType, offset: usize) -> Result<(usize, usize)> {
        Ok(match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(t) => {
                require_val_type(t, offset, "block result")?;
                (0, 1)
            }
            BlockType::FuncType(i) => {
                let s = self
                    .m
                    .sigs
                    .get(i as usize)
                    .ok_or_else(|| LoadError::invalid(offset, "unknown block type"))?;
                (s.params.len(), s.results.len())
            }
        })
    }

    fn open(
        &mut self,
        kind: Kind,
        ty: BlockType,
        h: usize,
        live: bool,
        offset: usize,
    ) -> Result<()> {
        let (n_params, n_results) = self.block_arity(ty, offset)?;
        let else_fixup = (kind == Kind::If && live).then(|| self.e.emit(Op::JumpIfNot, 0));
        self.frames.push(Frame {
            kind,
            base: h.saturating_sub(n_params),
            n_params,
            n_results,
            loop_pc: self.e.pc(),
            end_fixups: Vec::new(),
            else_fixup,
            dead: !live,
        });
        Ok(())
    }

    fn call(&mut self, f: u32) -> Result<()> {
        if let Some(import) = self.m.imports.get(f as usize) {
            match *import {
                Import::InputLen => self.e.emit(Op::InputLen, 0),
                Import::InputRead => {
                    self.e.emit(Op::InputRead, 0);
                    self.e.emit(Op::InputReadStep, 0)
                }
                Import::OutputWrite => {
                    self.e.emit(Op::OutputWrite, 0);
                    self.e.emit(Op::OutputWriteStep, 0)
                }
            };
            return Ok(());
        }
        let at = self.e.emit(Op::Call, 0);
        self.e.calls.push((at, f));
        Ok(())
    }

    fn simple(&mut self, op: &Operator<'_>, offset: usize) -> Result<()> {
        let Some(s) = simple(op) else {
            return Err(LoadError::unsupported(
                "unknown",
                offset,
                format!("instruction {op:?}"),
            ));
        };
        match s {
            Simple::Plain(o) => {
                self.e.emit(o, 0);
            }
            Simple::Mem(o, imm) => {
                self.e.emit(o, imm);
            }
            Simple::MemCtl(o) => {
                self.e.emit(o, 0);
            }
            Simple::Bulk(start, step, imm) => {
                self.e.emit(start, imm);
                self.e.emit(step, imm);
            }
            Simple::DataDrop(imm) => {
                self.e.emit(Op::DataDrop, imm);
            }
            Simple::Const(v) => {
                self.e.emit(Op::Const, v);
            }
            Simple::Nothing => {}
        }
        Ok(())
    }
}
