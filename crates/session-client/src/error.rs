//! The client's errors.

use session_onion::Shortage;

/// What can go wrong sending through the onion transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The node list could not be fetched or read.
    #[error("node list: {0}")]
    NodeList(String),
    /// The pool cannot give the paths the policy needs.
    #[error("no onion paths: {0:?}")]
    NoPaths(Shortage),
    /// Every path includes the destination node.
    #[error("no onion path avoids the destination node")]
    NoPathAvoidsDestination,
    /// Building the request failed.
    #[error("building the onion request: {0}")]
    Build(#[source] session_onion::Error),
    /// A node's answer was not what the request needed.
    #[error("unexpected answer: {0}")]
    Reply(String),
    /// The local database failed.
    #[error("{0}")]
    Local(String),
    /// The peer is blocked.
    #[error("{0} is blocked")]
    Blocked(String),
    /// The network file names no file server, so attachments and profile pictures cannot
    /// travel.
    #[error("no file server configured (add a \"file_server\" entry to the network file)")]
    NoFileServer,
    /// The file server answered with an error status.
    #[error("file server answered {status}{}", if what.is_empty() { String::new() } else { format!(": {what}") })]
    FileServer {
        /// The HTTP status.
        status: u16,
        /// A short description (never file contents).
        what: String,
    },
    /// A community server refused a request or answered what the client cannot use
    /// (`status` 0: refused before anything was sent, or an answer that does not parse).
    #[error("community{}: {what}", if *status == 0 { String::new() } else { format!(" server answered {status}") })]
    Community {
        /// The HTTP status (0 when there is none).
        status: u16,
        /// What went wrong (never message contents or keys).
        what: String,
    },
    /// An attachment could not be read, encrypted, verified or decrypted.
    #[error("attachment: {0}")]
    Attachment(String),
    /// Every attempt failed; `last` says how the last one did.
    #[error("onion request failed after {attempts} attempts: {last}")]
    Exhausted {
        /// Attempts made.
        attempts: usize,
        /// What happened to the last one.
        last: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
