//! Lowering one function body: structured control flow to flat jumps (docs/machine.md §2).
//!
//! Stack heights come from wasmparser's validator, which runs in lock-step: before each
//! operator, `operand_stack_height()` is the height relative to the function's frame, and the
//! innermost frame's `unreachable` flag says whether the operator is dead. Dead code emits
//! nothing; blocks opened in dead code are tracked only to match their `end`.

use super::error::{LoadError, Result};
use super::module::{Body, Import, Module, Role, TREE_LEAVES};
use super::ops::{Routine, Simple, simple};
use super::profile::{self, require_val_type};
use crate::isa::{Instr, Opcode as Op};
use wasmparser::{BlockType, FuncValidatorAllocations, Operator, OperatorsReader};

/// The target of a `Call` whose immediate is fixed up once every function has a `pc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Callee {
    /// A function of the program, by index.
    Func(u32),
    /// A function of the soft-float library, by index.
    LibFunc(u32),
    /// The soft-float routine for a float operator; `usize` is the operator's offset.
    Float(Routine, usize),
}

/// The code being produced, with its pending call fix-ups.
pub(crate) struct Emitter {
    pub(crate) code: Vec<Instr>,
    max_len: usize,
    /// `(position of a Call, callee)`.
    pub(crate) calls: Vec<(usize, Callee)>,
}

impl Emitter {
    /// An emitter whose code may not grow past `max_len` instructions.
    pub(crate) fn new(code: Vec<Instr>, max_len: usize) -> Self {
        Self {
            code,
            max_len,
            calls: Vec::new(),
        }
    }

    fn pc(&self) -> usize {
        self.code.len()
    }

    fn emit(&mut self, op: Op, imm: u64) -> usize {
        self.code.push(Instr::new(op, imm));
        self.code.len() - 1
    }

    fn patch(&mut self, at: usize, target: usize) {
        if let Some(i) = self.code.get_mut(at) {
            i.imm = target as u64;
        }
    }

    /// Fails unless `extra` more instructions fit.
    fn reserve(&self, extra: usize, offset: usize) -> Result<()> {
        if self.code.len().saturating_add(extra) > self.max_len {
            return Err(LoadError::limit(
                offset,
                format!("lowered code longer than {} instructions", self.max_len),
            ));
        }
        Ok(())
    }
}

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
    routine: &str,
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
        routine,
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
    routine: &'m str,
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
                self.no_lib(offset, "calls indirectly")?;
                let id = self.m.type_ids.get(type_index as usize).copied();
                let id = id.ok_or_else(|| LoadError::invalid(offset, "unknown type"))?;
                self.e.emit(Op::CallIndirect, u64::from(id));
                Ok(())
            }
            Operator::LocalGet { local_index } => self.emit1(Op::LocalGet, local_index),
            Operator::LocalSet { local_index } => self.emit1(Op::LocalSet, local_index),
            Operator::LocalTee { local_index } => self.emit1(Op::LocalTee, local_index),
            Operator::GlobalGet { global_index } => {
                self.no_lib(offset, "uses a global")?;
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
                self.no_lib(offset, "uses a global")?;
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

    /// The soft-float library may use neither memory, globals nor the table.
    fn no_lib(&self, offset: usize, what: &str) -> Result<()> {
        if self.m.role == Role::SoftFloat {
            return Err(LoadError::SoftFloat {
                routine: self.routine.to_string(),
                offset,
                reason: format!("the routine {what}; routines must be pure integer code"),
            });
        }
        Ok(())
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

    fn frame(&self, depth: u32, offset: usize) -> Result<&Frame> {
        let i = self.frames.len().checked_sub(1 + depth as usize);
        i.and_then(|i| self.frames.get(i))
            .ok_or_else(|| LoadError::invalid(offset, "bad branch depth"))
    }

    /// `k × MoveToAux, d × Drop, k × MoveFromAux`: drop `d` values below the top `k`.
    fn adjust(&mut self, k: usize, d: usize, offset: usize) -> Result<()> {
        if d == 0 {
            return Ok(());
        }
        self.e.reserve(
            k.saturating_mul(2).saturating_add(d).saturating_add(2),
            offset,
        )?;
        for _ in 0..k {
            self.e.emit(Op::MoveToAux, 0);
        }
        for _ in 0..d {
            self.e.emit(Op::Drop, 0);
        }
        for _ in 0..k {
            self.e.emit(Op::MoveFromAux, 0);
        }
        Ok(())
    }

    /// `(kept, dropped)` for a branch to `depth` from height `h`.
    fn branch_shape(&self, depth: u32, h: usize, offset: usize) -> Result<(usize, usize, bool)> {
        let f = self.frame(depth, offset)?;
        let k = f.label_arity();
        let d = h.saturating_sub(f.base).saturating_sub(k);
        Ok((k, d, f.kind == Kind::Func))
    }

    /// An unconditional jump to the label at `depth` (its pc or a fix-up).
    fn jump_to(&mut self, op: Op, depth: u32, offset: usize) -> Result<()> {
        let at = self.e.emit(op, 0);
        let i = self.frames.len().checked_sub(1 + depth as usize);
        let f = i
            .and_then(|i| self.frames.get_mut(i))
            .ok_or_else(|| LoadError::invalid(offset, "bad depth"))?;
        if f.kind == Kind::Loop {
            let pc = f.loop_pc;
            self.e.patch(at, pc);
        } else {
            f.end_fixups.push(at);
        }
        Ok(())
    }

    fn br(&mut self, depth: u32, h: usize, offset: usize) -> Result<()> {
        let (k, d, is_func) = self.branch_shape(depth, h, offset)?;
        self.adjust(k, d, offset)?;
        if is_func {
            self.e.emit(Op::Return, 0);
            Ok(())
        } else {
            self.jump_to(Op::Jump, depth, offset)
        }
    }

    fn br_if(&mut self, depth: u32, h: usize, offset: usize) -> Result<()> {
        let (_, d, is_func) = self.branch_shape(depth, h, offset)?;
        if d == 0 && !is_func {
            return self.jump_to(Op::JumpIf, depth, offset);
        }
        let skip = self.e.emit(Op::JumpIfNot, 0);
        self.br(depth, h, offset)?;
        let pc = self.e.pc();
        self.e.patch(skip, pc);
        Ok(())
    }

    fn br_table(&mut self, depths: &[u32], h: usize, offset: usize) -> Result<()> {
        self.e.reserve(depths.len().saturating_add(1), offset)?;
        self.e.emit(Op::BrTable, depths.len() as u64 - 1);
        let table = self.e.pc();
        let mut trampolines = Vec::new();
        for (i, &depth) in depths.iter().enumerate() {
            let (_, d, is_func) = self.branch_shape(depth, h, offset)?;
            if d == 0 && !is_func {
                self.jump_to(Op::Jump, depth, offset)?;
            } else {
                self.e.emit(Op::Jump, 0);
                trampolines.push((table + i, depth));
            }
        }
        for (at, depth) in trampolines {
            let pc = self.e.pc();
            self.e.patch(at, pc);
            self.br(depth, h, offset)?;
        }
        Ok(())
    }

    fn ret(&mut self, h: usize, offset: usize) -> Result<()> {
        let f = self
            .frames
            .first()
            .ok_or_else(|| LoadError::invalid(offset, "no function frame"))?;
        self.ret_with(f.n_results, h, offset)
    }

    /// Keep the `k` results, drop the rest of the frame's stack, `Return`.
    fn ret_with(&mut self, k: usize, h: usize, offset: usize) -> Result<()> {
        self.adjust(k, h.saturating_sub(k), offset)?;
        self.e.emit(Op::Return, 0);
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
                Import::Trap(code) => self.e.emit(Op::Trap, u64::from(code)),
            };
            return Ok(());
        }
        let at = self.e.emit(Op::Call, 0);
        let callee = match self.m.role {
            Role::Program => Callee::Func(f),
            Role::SoftFloat => Callee::LibFunc(f),
        };
        self.e.calls.push((at, callee));
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
                self.no_lib(offset, "touches memory")?;
                self.e.emit(o, imm);
            }
            Simple::MemCtl(o) => {
                self.no_lib(offset, "touches memory")?;
                self.e.emit(o, 0);
            }
            Simple::Bulk(start, step, imm) => {
                self.no_lib(offset, "touches memory")?;
                self.e.emit(start, imm);
                self.e.emit(step, imm);
            }
            Simple::DataDrop(imm) => {
                self.no_lib(offset, "touches data segments")?;
                self.e.emit(Op::DataDrop, imm);
            }
            Simple::Const(v) => {
                self.e.emit(Op::Const, v);
            }
            Simple::Nothing => {}
            Simple::Seq(seq) => {
                for &(o, imm) in seq {
                    self.e.emit(o, imm);
                }
            }
            Simple::Float(routine) => {
                if self.m.role == Role::SoftFloat {
                    return Err(LoadError::SoftFloat {
                        routine: self.routine.to_string(),
                        offset,
                        reason: format!("the routine uses the float instruction {op:?}"),
                    });
                }
                let at = self.e.emit(Op::Call, 0);
                self.e.calls.push((at, Callee::Float(routine, offset)));
            }
        }
        Ok(())
    }
}
