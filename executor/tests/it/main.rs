//! Integration tests of the executor: one binary.

mod boundaries;
mod fast;
mod segmod;
mod vm;
