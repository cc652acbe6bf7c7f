#![doc = include_str!("../README.md")]

pub mod commit;
pub mod consensus;
#[cfg(any(test, feature = "smith"))]
pub mod crafted;
pub mod generated;
pub mod isa;
mod load;
mod machine;
mod program;
pub mod proof;
#[cfg(any(test, feature = "smith"))]
pub mod smith;
mod trap;

pub use load::LoadError;
pub use machine::{
    BoundaryParts, Checkpoints, FieldSpec, Machine, MachineError, SNAPSHOT_BUDGET, StateFields,
    empty_locals, initial_state_hash, program_hash,
};
pub use program::{Entry, ExportFunc, Limits, Program, TableEntry, ValType, Value};
pub use proof::{ProofError, verify_step};
pub use trap::{Status, TrapCode};

/// A 32-byte hash.
pub type B256 = [u8; 32];
