#![doc = include_str!("../README.md")]

pub mod contracts;
pub mod demo;
pub mod devnet;
mod error;
pub mod solidity;

pub use contracts::{Deployment, default_config, deploy, deploy_consumer, register};
pub use error::{Error, Result};
