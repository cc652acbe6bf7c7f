//! Integration tests: the compiled verifier in revm against the Rust machine.

mod deploy;
mod differential;
mod float;
mod golden;
mod state;
mod tampering;
