#![doc = include_str!("../README.md")]

mod bert;
pub mod check;
mod error;
mod splice;

pub use bert::{BLOB_ADDR, bert_blob};
pub use error::{Error, Result};
pub use splice::{splice, working_pages};
