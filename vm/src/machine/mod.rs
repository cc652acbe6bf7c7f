//! The machine: state, step, hashing. (Owned by the machine work; see docs/machine.md §3–5.)

/// A running program.
#[derive(Debug, Clone)]
pub struct Machine {}
