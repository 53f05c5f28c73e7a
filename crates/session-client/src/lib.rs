//! The Session client library. Today it holds the account ([`account::Account`]: one identity
//! per home directory, seed file 0600, phrase shown once) and the onion transport
//! ([`onion::OnionClient`]):
//! a pool of nodes and two tested 3-hop paths kept by `session-onion`'s [`PathManager`], every
//! request built through a path and sent to its guard's `POST /onion_req/v2`, the answer opened
//! with the request's key, failures reported to the policy and retried on the other path.
//! On top of it: swarm requests ([`messaging::Messenger`]), conversations ([`chat::Chat`]),
//! the local state in SQLite ([`history::History`]) with the account's user configs, and the
//! own swarm shared by the account's devices ([`sync`]: one batch polls messages and configs,
//! one sequence pushes configs), attachments and profile pictures on the network's file server
//! ([`fileserver`], [`attachments`], [`avatars`]), and communities ([`community`]: SOGS
//! servers through onion paths, blinded DMs). Groups come later.
//!
//! This crate must never depend on a server crate (`session-node`, `session-store`), and it
//! must never log keys, decrypted payloads or node addresses.
//!
//! [`PathManager`]: session_onion::PathManager

pub mod account;
pub mod attachments;
pub mod avatars;
pub mod chat;
pub mod community;
pub use session_protocol::content;
mod error;
pub mod fileserver;
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
