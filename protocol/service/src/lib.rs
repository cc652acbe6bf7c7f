#![doc = include_str!("../README.md")]

pub mod chain;
mod error;
pub mod programs;
pub mod progress;
mod service;
pub mod settings;
pub mod store;

pub use error::{Error, Result};
pub use service::{Lies, LiveTrace, Run, Service, ServiceConfig, run_passes};
