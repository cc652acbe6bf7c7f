//! Integration tests of the executor: one binary.

mod boundaries;
mod differ;
mod examples;
mod fast;
mod phase2;
mod segmod;
mod vm;
