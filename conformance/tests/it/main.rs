//! The conformance tests: the spec suite's in-profile files and a bounded differential run.

mod diff;
mod models;
mod spec;
