//! A loaded program: validated, lowered and instantiated, ready for a [`crate::Machine`].

use crate::TrapCode;
use crate::isa::Instr;

/// Bounds a program must stay within. Part of the program's identity where they reach the state
/// (`max_pages`, `max_call_depth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most 64 KiB pages linear memory may have (initial and after `memory.grow`).
    pub max_memory_pages: u32,
    /// Deepest call nesting; one more call traps `CallStackExhausted`.
    pub max_call_depth: u32,
    /// Most table slots (at most 2^16, the table tree's size).
    pub max_table_size: u32,
    /// Most lowered instructions (at most 2^24).
    pub max_code_len: u32,
    /// `D2`: a segment is at most `2^segment_depth` steps (1 to 63), after which a running step
    /// traps `SegmentTooLong`. Part of the program hash (`docs/machine.md` §7, §9); for a
    /// program without segments, the depth of its whole trace.
    pub segment_depth: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_pages: 1024,
            max_call_depth: 16_384,
            max_table_size: 1 << 16,
            max_code_len: 1 << 24,
            segment_depth: crate::consensus::DEFAULT_SEGMENT_DEPTH,
        }
    }
}

/// A wasm value, as passed to and returned from an invoked export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits.
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
}

impl Value {
    /// The machine's representation: a `u64`, 32-bit types zero-extended.
    pub fn to_bits(self) -> u64 {
        match self {
            Value::I32(v) => v as u32 as u64,
            Value::I64(v) => v as u64,
            Value::F32(v) => v as u64,
            Value::F64(v) => v,
        }
    }

    /// The value of type `ty` whose representation is `bits`.
    pub fn from_bits(ty: ValType, bits: u64) -> Self {
        match ty {
            ValType::I32 => Value::I32(bits as u32 as i32),
            ValType::I64 => Value::I64(bits as i64),
            ValType::F32 => Value::F32(bits as u32),
            ValType::F64 => Value::F64(bits),
        }
    }

    /// The value's type.
    pub fn ty(self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
        }
    }
}

/// A value type of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

/// What the bootstrap code at `pc = 0` calls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Entry {
    /// The export `main`, else `_start`, of type `[] -> []`: an inference program.
    #[default]
    Main,
    /// Only instantiation: the start function (if any), then `Halt`. Exports are then called
    /// with `Machine::invoke_export` (spec tests keep one instance across invocations).
    Instantiate,
    /// Any export, with arguments: for `opml run --invoke`.
    Invoke {
        /// The export's name.
        export: String,
        /// Its arguments; their types must match the export's.
        args: Vec<Value>,
    },
}

/// One table slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableEntry {
    /// The callee's signature id.
    pub type_id: u32,
    /// The callee's first instruction.
    pub pc: u32,
    /// The callee's locals count, params included.
    pub n_locals: u32,
}

/// An exported function, for [`Entry::Invoke`] and `Machine::invoke_export`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFunc {
    /// The export's name.
    pub name: String,
    /// The function's first instruction.
    pub pc: u32,
    /// Its locals count, params included.
    pub n_locals: u32,
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// A program ready to run: lowered code plus the instantiated initial state.
///
/// Produced by [`Program::load`]; everything in it is a deterministic function of the wasm
/// bytes, the [`Limits`] and the [`Entry`].
#[derive(Debug, Clone)]
pub struct Program {
    /// The lowered code, bootstrap first.
    pub(crate) code: Vec<Instr>,
    /// Initial linear memory, `memory_pages * 65536` bytes.
    pub(crate) memory: Vec<u8>,
    /// Initial memory size in pages.
    pub(crate) memory_pages: u32,
    /// `memory.grow` limit: the declared maximum capped by [`Limits::max_memory_pages`].
    pub(crate) max_pages: u32,
    /// Initial values of the mutable globals, in lowered order.
    pub(crate) globals: Vec<u64>,
    /// The table after active element segments: `None` is an empty slot.
    pub(crate) table: Vec<Option<TableEntry>>,
    /// Data segments by index: passive ones with their bytes, active ones empty (dropped).
    pub(crate) segments: Vec<Vec<u8>>,
    /// Set when instantiation itself traps (an active segment out of bounds).
    pub(crate) init_trap: Option<TrapCode>,
    /// The result types of the entry function.
    pub(crate) results: Vec<ValType>,
    /// The limits it was loaded with.
    pub(crate) limits: Limits,
    /// Exported functions.
    pub(crate) exports: Vec<ExportFunc>,
    /// The `pc` of the bootstrap's `Halt`, where an invoked export returns to.
    pub(crate) halt_pc: u32,
    /// The `pc` of the bootstrap's `Call segment` (and of every yielded boundary), for a
    /// segmented program.
    pub(crate) segment_pc: Option<u32>,
    /// Caches derived from the fields above for speed only (the machine's decoded code, the
    /// initial memory's non-zero leaves), built on first use; not part of the program's identity.
    pub(crate) derived: crate::machine::Derived,
}

impl Program {
    /// The lowered code.
    pub fn code(&self) -> &[Instr] {
        &self.code
    }

    /// The entry function's result types (empty for `main`).
    pub fn result_types(&self) -> &[ValType] {
        &self.results
    }

    /// The limits the program was loaded with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The exported function named `name`.
    pub fn export(&self, name: &str) -> Option<&ExportFunc> {
        self.exports.iter().find(|e| e.name == name)
    }

    /// The `pc` of the bootstrap's `Halt`: where a halted boundary stands.
    pub fn halt_pc(&self) -> u32 {
        self.halt_pc
    }

    /// For a program exporting `segment`, the `pc` every yielded boundary stands at (the
    /// bootstrap's `Call segment`); `None` for a program without segments.
    pub fn segment_pc(&self) -> Option<u32> {
        self.segment_pc
    }

    /// `D2`, the program's segment depth ([`Limits::segment_depth`]).
    pub fn segment_depth(&self) -> u8 {
        self.limits.segment_depth
    }
}
