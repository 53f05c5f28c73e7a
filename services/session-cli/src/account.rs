//! `init`, `restore`, `whoami`: the account in the client's home directory.

use crate::output::Output;
use crate::{CliError, CliResult};
use session_client::Account;
use std::path::{Path, PathBuf};

/// The home directory: `--home`, else `$SESSION_HOME`, else `$XDG_DATA_HOME/session-rs`, else
/// `~/.local/share/session-rs`.
pub fn home_dir(flag: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(h) = flag.or_else(|| std::env::var_os("SESSION_HOME").map(PathBuf::from)) {
        return Ok(h);
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME") {
        return Ok(PathBuf::from(x).join("session-rs"));
    }
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".local/share/session-rs"))
        .ok_or_else(|| CliError("no home directory: pass --home DIR".into()))
}

fn fail(e: session_client::AccountError) -> CliError {
    CliError(e.to_string())
}

fn describe(account: &Account) -> Output {
    Output::default()
        .field("session_id", account.session_id().to_string())
        .field(
            "ed25519_pubkey",
            hex::encode(account.keys().ed25519_public().as_bytes()),
        )
        .field("home", account.home().display().to_string())
}

/// `init`: a new account; the recovery phrase is printed this once.
pub fn init(home: &Path) -> CliResult {
    let (account, phrase) = Account::create(home, &mut rand::rng()).map_err(fail)?;
    Ok(describe(&account).field("mnemonic", phrase.as_str()))
}

/// `restore --mnemonic "…"`.
pub fn restore(home: &Path, mnemonic: &str) -> CliResult {
    Account::restore(home, mnemonic)
        .map(|a| describe(&a))
        .map_err(fail)
}

/// `whoami`.
pub fn whoami(home: &Path) -> CliResult {
    Account::open(home).map(|a| describe(&a)).map_err(fail)
}
