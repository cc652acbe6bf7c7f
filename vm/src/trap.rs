//! Machine status and trap codes: guest faults are states, never Rust errors. Both numberings
//! are consensus (`docs/machine.md` §4); the Solidity constants and the docs tables are
//! generated from the tables below.

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
    /// Stopped at a segment boundary by `Yield`; [`crate::Machine::resume`] runs it on.
    Yielded = 3,
}

impl Status {
    /// Every status, in numbering order.
    pub const ALL: [Status; 4] = [
        Status::Running,
        Status::Halted,
        Status::Trapped,
        Status::Yielded,
    ];

    /// The status numbered `n`.
    pub fn from_u8(n: u8) -> Option<Self> {
        Self::ALL.get(n as usize).copied()
    }

    /// The status's name in docs and the Solidity constants (`STATUS_<NAME>`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Halted => "halted",
            Status::Trapped => "trapped",
            Status::Yielded => "yielded",
        }
    }
}

macro_rules! trap_codes {
    ($( $name:ident = $num:literal, $msg:literal, $doc:literal; )*) => {
        /// Why a machine trapped. The number is consensus (`docs/machine.md`, "Trap codes").
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum TrapCode {
            $( #[doc = $doc] $name = $num, )*
        }

        impl TrapCode {
            /// Every trap code, in numbering order.
            pub const ALL: &'static [TrapCode] = &[ $( TrapCode::$name, )* ];

            /// The trap code numbered `n`.
            pub fn from_u8(n: u8) -> Option<Self> {
                match n {
                    $( $num => Some(TrapCode::$name), )*
                    _ => None,
                }
            }

            /// The code's name (docs; the Solidity constant is `TRAP_` and its snake case).
            pub const fn name(self) -> &'static str {
                match self { $( TrapCode::$name => stringify!($name), )* }
            }

            /// When the machine traps with this code.
            pub const fn doc(self) -> &'static str {
                match self { $( TrapCode::$name => $doc, )* }
            }

            /// The message the WebAssembly spec tests use for this trap.
            pub const fn spec_message(self) -> &'static str {
                match self { $( TrapCode::$name => $msg, )* }
            }
        }
    };
}

trap_codes! {
    Unreachable = 1, "unreachable",
        "`unreachable` executed (also `Return` without a frame, `pc` past the code tree).";
    MemoryOutOfBounds = 2, "out of bounds memory access",
        "A memory access, bulk operation or bulk step out of bounds.";
    IntegerDivideByZero = 3, "integer divide by zero",
        "Integer division or remainder by zero.";
    IntegerOverflow = 4, "integer overflow",
        "Signed division overflow (`MIN / -1`), or a float-to-int truncation out of range.";
    InvalidConversionToInteger = 5, "invalid conversion to integer",
        "A trapping float-to-int truncation of NaN.";
    UndefinedElement = 6, "undefined element",
        "`call_indirect` with an index past the table.";
    UninitializedElement = 7, "uninitialized element",
        "`call_indirect` to an empty slot.";
    IndirectCallTypeMismatch = 8, "indirect call type mismatch",
        "`call_indirect` with the wrong signature.";
    CallStackExhausted = 9, "call stack exhausted",
        "Too many nested calls.";
    InputOutOfBounds = 10, "input out of bounds",
        "`opml.input_read` past the input's end.";
    TableOutOfBounds = 11, "out of bounds table access",
        "An active element segment out of the table's bounds (at instantiation).";
    SegmentTooLong = 12, "segment too long",
        "A running step with `segment_steps = 2^segment_depth - 1` (machine v2).";
    YieldOutsideBoundary = 13, "yield outside a boundary",
        "`Yield` with a frame, or a value or aux stack not empty (machine v2).";
    StackUnderflow = 14, "stack underflow",
        "An opcode popping more values than the stack holds, or `MoveFromAux` on an empty aux stack (machine v2).";
    IndexOutOfRange = 15, "index out of range",
        "A local, global or data segment index of `2^16` or more (machine v2).";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for (i, &t) in TrapCode::ALL.iter().enumerate() {
            assert_eq!(
                t as u8,
                i as u8 + 1,
                "trap codes are numbered 1, 2, … without gaps"
            );
            assert_eq!(TrapCode::from_u8(t as u8), Some(t));
        }
        assert_eq!(TrapCode::from_u8(0), None);
        for s in Status::ALL {
            assert_eq!(Status::from_u8(s as u8), Some(s));
        }
    }
}
