#![doc = include_str!("../README.md")]

pub mod account;
pub mod attachments;
pub mod avatars;
pub mod call;
pub mod chat;
pub mod community;
pub use session_protocol::content;
mod error;
pub mod fileserver;
pub mod group;
pub mod history;
pub mod messaging;
pub mod network;
pub mod onion;
pub mod sync;

pub use account::{Account, AccountError};
pub use chat::Chat;
pub use error::{Error, Result};
pub use fileserver::FileServer;
pub use history::{Entry, History};
pub use messaging::Messenger;
pub use network::{NetworkConfig, bootstrap};
pub use onion::{OnionClient, OnionConfig};
