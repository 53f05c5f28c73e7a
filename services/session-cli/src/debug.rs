//! `session-cli debug …`

use crate::output::Output;
use crate::{CliError, CliResult};
use base64::Engine as _;
use clap::Subcommand;
use serde_json::Value;
use session_crypto::session_protocol::{decrypt_incoming, encrypt_for_recipient};
use session_crypto::{IdentityKeys, Seed, SessionId};
use session_protocol::proto::{self, Content, Envelope, WebSocketMessage};
use session_protocol::{one_to_one, padding, wire};

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
    /// Decode a stored 1:1 message, or a raw WebSocketMessage, Envelope or (padded) Content,
    /// and print its layers as JSON (decrypting a 1:1 envelope when a seed is given).
    Decode {
        /// The message, in base64.
        #[arg(long)]
        base64: String,
        /// The recipient's seed (32 or 64 hex digits), to decrypt a 1:1 message.
        #[arg(long)]
        seed: Option<String>,
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
        DebugCommand::Decode { base64: b64, seed } => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| CliError("message: not valid base64".into()))?;
            let keys = seed
                .map(|s| Seed::from_hex(&s).map(IdentityKeys::from_seed))
                .transpose()?;
            decode(&bytes, keys.as_ref())
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Tries the layers from the outside in: a websocket message carrying an envelope, an envelope,
/// a Content, a padded Content.
fn decode(bytes: &[u8], keys: Option<&IdentityKeys>) -> CliResult {
    if let Ok(envelope) = wire::envelope_from_websocket(bytes) {
        let ws: WebSocketMessage = proto::decode(bytes)?;
        let out = Output::default()
            .field("kind", "websocket_message")
            .field("websocket_message", to_json(&ws));
        return envelope_fields(out, envelope, keys);
    }
    if let Ok(envelope) = proto::decode::<Envelope>(bytes) {
        let out = Output::default().field("kind", "envelope");
        return envelope_fields(out, envelope, keys);
    }
    if let Ok(content) = proto::decode::<Content>(bytes) {
        return Ok(Output::default()
            .field("kind", "content")
            .field("content", to_json(&content)));
    }
    if let Ok(content) = padding::unpad(bytes).and_then(proto::decode::<Content>) {
        return Ok(Output::default()
            .field("kind", "padded_content")
            .field("content", to_json(&content)));
    }
    Err(CliError(
        "message: not a WebSocketMessage, Envelope or Content".into(),
    ))
}

fn envelope_fields(out: Output, envelope: Envelope, keys: Option<&IdentityKeys>) -> CliResult {
    let out = out.field("envelope", to_json(&envelope));
    let Some(keys) = keys else {
        return Ok(out);
    };
    let msg = one_to_one::decode_envelope(keys, envelope)?;
    Ok(out
        .field("sender_session_id", msg.sender.to_string())
        .field("sender_ed25519", hex::encode(msg.sender_ed25519.as_bytes()))
        .field("content", to_json(&msg.content)))
}
