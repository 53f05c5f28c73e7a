#![doc = include_str!("../README.md")]

pub mod audio;
pub mod codec;
mod engine;
pub mod relay;
pub mod session;
pub mod wav;

pub use session::{MediaConfig, MediaEvent, MediaSession, Recording, Start};

/// What went wrong with a call's media.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A socket operation failed.
    #[error("{op}: {source}")]
    Io {
        /// The operation.
        op: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The TURN server refused or never answered.
    #[error("TURN: {0}")]
    Turn(String),
    /// WebRTC (ICE, DTLS, SDP) failed.
    #[error("media: {0}")]
    Media(String),
    /// Opus refused a frame or packet.
    #[error("opus: {0}")]
    Codec(String),
    /// A WAV file could not be read or written.
    #[error("wav: {0}")]
    Wav(String),
}

impl Error {
    pub(crate) fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        move |source| Error::Io { op, source }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
