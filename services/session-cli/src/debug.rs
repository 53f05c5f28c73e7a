//! `session-cli debug …`

use crate::output::Output;
use crate::{CliError, CliResult};
use base64::Engine as _;
use clap::Subcommand;
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient};
use session_crypto::{IdentityKeys, Seed, SessionId};

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Encrypt a plaintext with the 1:1 Session Protocol (raw ciphertext, no envelope).
    Encrypt {
        /// The sender's seed (32 or 64 hex digits).
        #[arg(long)]
        seed: String,
        /// The recipient's Session ID.
        #[arg(long)]
        to: String,
        /// The plaintext, in hex.
        #[arg(long)]
        hex: String,
    },
    /// Decrypt a raw 1:1 Session Protocol ciphertext and verify its sender.
    Decrypt {
        /// The recipient's seed (32 or 64 hex digits).
        #[arg(long)]
        seed: String,
        /// The ciphertext, in base64.
        #[arg(long)]
        base64: String,
    },
}

pub fn run(cmd: DebugCommand) -> CliResult {
    match cmd {
        DebugCommand::Encrypt {
            seed,
            to,
            hex: plaintext,
        } => {
            let keys = IdentityKeys::from_seed(Seed::from_hex(&seed)?);
            let to: SessionId = to.parse()?;
            let plaintext = hex::decode(plaintext.trim())
                .map_err(|_| CliError("plaintext: not valid hex".into()))?;
            let ct = encrypt_for_recipient(&keys, &to, &plaintext, &mut rand::rng())?;
            Ok(Output::default().field(
                "ciphertext",
                base64::engine::general_purpose::STANDARD.encode(ct),
            ))
        }
        DebugCommand::Decrypt { seed, base64: ct } => {
            let keys = IdentityKeys::from_seed(Seed::from_hex(&seed)?);
            let ct = base64::engine::general_purpose::STANDARD
                .decode(ct.trim())
                .map_err(|_| CliError("ciphertext: not valid base64".into()))?;
            let out = decrypt_incoming(&keys, &ct)?;
            Ok(Output::default()
                .field("sender_session_id", out.sender.to_string())
                .field("sender_ed25519", hex::encode(out.sender_ed25519.as_bytes()))
                .field("plaintext_hex", hex::encode(out.plaintext.as_slice())))
        }
    }
}
