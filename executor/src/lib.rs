#![doc = include_str!("../README.md")]

mod bounds;
mod error;
pub mod fast;
mod outcome;
mod run;
mod segments;
mod source;
mod trace;
pub mod vm;

pub use bounds::{DeclaredBounds, MAX_STEPS_SECTION, with_max_steps};
pub use error::{Error, Result};
pub use outcome::{Engine, RunStatus, Submission};
pub use run::{RunOptions, fuel_for_steps, run, run_fast};
pub use segments::{Boundaries, FastProgram, FastRun, run_program};
pub use source::{format_value, parse_value, read_module, wasm_from_bytes};
pub use trace::VmTrace;

pub use opml_vm::{Entry, Limits, TrapCode, Value};
