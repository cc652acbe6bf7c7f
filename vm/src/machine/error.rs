//! Host misuse of a machine. Guest faults are never errors: they are trapped states.

use crate::ValType;

/// Why the host's request to a machine was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MachineError {
    /// `invoke_export` named no exported function.
    #[error("no exported function named {0:?}")]
    UnknownExport(String),
    /// `invoke_export` got arguments of other types than the export's parameters.
    #[error("export {name:?} takes {expected:?}, got {got:?}")]
    ArgumentMismatch {
        /// The export.
        name: String,
        /// Its parameter types.
        expected: Vec<ValType>,
        /// The argument types given.
        got: Vec<ValType>,
    },
    /// `Machine::at_boundary` got parts that cannot be a canonical boundary of the program.
    #[error("not a canonical boundary of this program: {0}")]
    NotABoundary(String),
}
