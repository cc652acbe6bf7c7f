//! The conformance harnesses of opml: the WebAssembly spec suite on both engines, and the
//! differential test of the VM against wasmtime on random modules (wasm-smith).
//!
//! Reusable the way wasmi's `crates/wast` is: `spectest` and `diffcheck` (the bins) and the
//! crate's tests call the same functions.

pub mod diff;
pub mod engine;
pub mod profile;
pub mod spec;
pub mod suite;

pub use engine::{Call, Instance, Runner};
pub use spec::{FileReport, run_file, run_wast};
