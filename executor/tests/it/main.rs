//! Integration tests of the executor: one binary.

mod fast;
mod vm;
