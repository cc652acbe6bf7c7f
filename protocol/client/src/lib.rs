#![doc = include_str!("../README.md")]

mod actions;
mod client;
mod error;
mod follow;
mod game;
mod overview;
mod read;
mod scan;
pub mod views;

pub use actions::NewRequest;
pub use client::Client;
pub use error::{Error, Result};
pub use follow::Stage;
