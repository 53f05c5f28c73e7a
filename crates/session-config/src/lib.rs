#![doc = include_str!("../README.md")]

pub mod community;
mod config;
pub mod data;
pub mod diff;
mod dump;
pub mod encrypt;
mod error;
mod kind;
pub mod legacy;
pub mod merge;
pub mod message;
pub mod user;

pub use config::{Config, MergeReport, Push, Signing, State};
pub use encrypt::ConfigKey;
pub use error::{Error, Result};
pub use kind::Kind;
pub use message::{ConfigMessage, MutableConfigMessage, Signer, Verify};
