//! `session-cli keys …`

use crate::CliResult;
use crate::output::Output;
use clap::{Args, Subcommand};
use session_crypto::blinding::{blind15_ids, blind15_keypair, blind25_id, blind25_keypair};
use session_crypto::{IdentityKeys, Seed, SessionId};

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a new identity (a 16-byte seed, shown as a 13-word recovery phrase).
    New,
    /// Show the keys and Session ID of a seed or recovery phrase.
    Derive(SecretArgs),
    /// Show this identity's blinded IDs on a community server.
    Blind {
        #[command(flatten)]
        secret: SecretArgs,
        /// The community server's Ed25519 public key (64 hex digits).
        #[arg(long)]
        server_pubkey: String,
    },
    /// Show the blinded IDs a Session ID may have on a community server.
    BlindIds {
        /// The Session ID (66 hex digits starting with 05).
        #[arg(long)]
        session_id: String,
        /// The community server's Ed25519 public key (64 hex digits).
        #[arg(long)]
        server_pubkey: String,
    },
}

/// Where the account secret comes from.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SecretArgs {
    /// The Ed25519 seed: 32 hex digits (16 bytes, padded) or 64 hex digits.
    #[arg(long)]
    seed: Option<String>,
    /// The recovery phrase (13 or 25 words).
    #[arg(long)]
    mnemonic: Option<String>,
}

impl SecretArgs {
    pub fn identity(&self) -> Result<IdentityKeys, crate::CliError> {
        let seed = match (&self.seed, &self.mnemonic) {
            (Some(hex), _) => Seed::from_hex(hex)?,
            (None, Some(words)) => Seed::from_mnemonic(words)?,
            (None, None) => return Err(crate::CliError("give --seed or --mnemonic".into())),
        };
        Ok(IdentityKeys::from_seed(seed))
    }
}

pub fn server_pubkey(hex_str: &str) -> Result<[u8; 32], crate::CliError> {
    Ok(*session_crypto::Ed25519PublicKey::from_hex(hex_str)
        .map_err(|e| crate::CliError(e.to_string().replace("Ed25519 public key", "server pubkey")))?
        .as_bytes())
}

pub fn run(cmd: KeysCommand) -> CliResult {
    match cmd {
        KeysCommand::New => {
            let keys = IdentityKeys::from_seed(Seed::generate(&mut rand::rng()));
            Ok(Output::default()
                .field("session_id", keys.session_id().to_string())
                .field("mnemonic", keys.seed().to_mnemonic().as_str()))
        }
        KeysCommand::Derive(secret) => {
            let keys = secret.identity()?;
            Ok(Output::default()
                .field("session_id", keys.session_id().to_string())
                .field(
                    "ed25519_pubkey",
                    hex::encode(keys.ed25519_public().as_bytes()),
                )
                .field(
                    "x25519_pubkey",
                    hex::encode(keys.x25519_public().as_bytes()),
                )
                .field("mnemonic", keys.seed().to_mnemonic().as_str()))
        }
        KeysCommand::Blind {
            secret,
            server_pubkey: server,
        } => {
            let keys = secret.identity()?;
            let server = server_pubkey(&server)?;
            Ok(Output::default()
                .field(
                    "blind15_id",
                    blind15_keypair(&keys, &server).id().to_string(),
                )
                .field(
                    "blind25_id",
                    blind25_keypair(&keys, &server).id().to_string(),
                ))
        }
        KeysCommand::BlindIds {
            session_id,
            server_pubkey: server,
        } => {
            let sid: SessionId = session_id.parse()?;
            let server = server_pubkey(&server)?;
            let b15: Vec<String> = blind15_ids(&sid, &server)?
                .iter()
                .map(|i| i.to_string())
                .collect();
            Ok(Output::default()
                .field("blind15_ids", b15)
                .field("blind25_id", blind25_id(&sid, &server)?.to_string()))
        }
    }
}
