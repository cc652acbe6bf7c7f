//! Machine status and trap codes: guest faults are states, never Rust errors.

/// Whether the machine runs on. Its number is the first byte of the state hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// Executing.
    Running = 0,
    /// Returned from the entry function.
    Halted = 1,
    /// Stopped by a guest fault; see [`TrapCode`].
    Trapped = 2,
}

/// Why a machine trapped. The number is consensus (`docs/machine.md`, "Trap codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapCode {
    /// `unreachable` executed.
    Unreachable = 1,
    /// A memory access or bulk operation out of bounds.
    MemoryOutOfBounds = 2,
    /// Integer division or remainder by zero.
    IntegerDivideByZero = 3,
    /// Signed division overflow (`MIN / -1`).
    IntegerOverflow = 4,
    /// A float-to-int conversion of NaN or out of range.
    InvalidConversionToInteger = 5,
    /// `call_indirect` with an index past the table.
    UndefinedElement = 6,
    /// `call_indirect` to an empty slot.
    UninitializedElement = 7,
    /// `call_indirect` with the wrong signature.
    IndirectCallTypeMismatch = 8,
    /// Too many nested calls.
    CallStackExhausted = 9,
    /// `opml.input_read` past the input's end.
    InputOutOfBounds = 10,
    /// An active element segment out of the table's bounds (at instantiation).
    TableOutOfBounds = 11,
}

impl TrapCode {
    /// The trap code numbered `n`.
    pub fn from_u8(n: u8) -> Option<Self> {
        use TrapCode::*;
        Some(match n {
            1 => Unreachable,
            2 => MemoryOutOfBounds,
            3 => IntegerDivideByZero,
            4 => IntegerOverflow,
            5 => InvalidConversionToInteger,
            6 => UndefinedElement,
            7 => UninitializedElement,
            8 => IndirectCallTypeMismatch,
            9 => CallStackExhausted,
            10 => InputOutOfBounds,
            11 => TableOutOfBounds,
            _ => return None,
        })
    }

    /// The message the WebAssembly spec tests use for this trap.
    pub fn spec_message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::InputOutOfBounds => "input out of bounds",
            TrapCode::TableOutOfBounds => "out of bounds table access",
        }
    }
}
