//! wasmtime traps to consensus trap codes.

use super::host::HostTrap;
use crate::RunStatus;
use opml_vm::TrapCode;
use wasmtime::Trap;

/// The run status a wasmtime error stands for, if it is a guest trap (or fuel exhaustion);
/// `None` for host failures (link errors, resource exhaustion of the host).
///
/// wasmtime has one table trap for both an active element segment out of bounds and a
/// `call_indirect` index past the table. Table instructions are outside the profile, so it is
/// the former (`TableOutOfBounds`) when no wasm code has run yet (`segments` true: during
/// instantiation, before the start function used any fuel), the latter (`UndefinedElement`)
/// otherwise.
pub fn trap_status(err: &wasmtime::Error, segments: bool) -> Option<RunStatus> {
    if let Some(HostTrap(code)) = err.downcast_ref::<HostTrap>() {
        return Some(RunStatus::Trapped(*code));
    }
    let code = match err.downcast_ref::<Trap>()? {
        Trap::OutOfFuel => return Some(RunStatus::OutOfSteps),
        Trap::StackOverflow => TrapCode::CallStackExhausted,
        Trap::MemoryOutOfBounds => TrapCode::MemoryOutOfBounds,
        Trap::TableOutOfBounds if segments => TrapCode::TableOutOfBounds,
        Trap::TableOutOfBounds => TrapCode::UndefinedElement,
        Trap::IndirectCallToNull => TrapCode::UninitializedElement,
        Trap::BadSignature => TrapCode::IndirectCallTypeMismatch,
        Trap::IntegerOverflow => TrapCode::IntegerOverflow,
        Trap::IntegerDivisionByZero => TrapCode::IntegerDivideByZero,
        Trap::BadConversionToInteger => TrapCode::InvalidConversionToInteger,
        Trap::UnreachableCodeReached => TrapCode::Unreachable,
        _ => return None,
    };
    Some(RunStatus::Trapped(code))
}
