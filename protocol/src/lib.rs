#![doc = include_str!("../README.md")]

pub mod agent;
pub mod bindings;
pub mod chain;
pub mod config;
pub mod demo;
pub mod deploy;
mod error;
pub mod game;
pub mod programs;
pub mod progress;
mod prover;
pub mod state;
pub mod store;
pub mod tree;

pub use error::{Error, Result};
