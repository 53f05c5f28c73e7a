//! `send`, `receive`, `history`: 1:1 text over the network named by `--network` (a devnet
//! manifest or a seeds file), every request through onion paths, history in the home directory.

use crate::output::Output;
use crate::{CliError, CliResult};
use session_client::{Account, History, Messenger, NetworkConfig, OnionClient, OnionConfig};
use session_crypto::SessionId;
use std::path::{Path, PathBuf};

/// The network file: `--network`, else `$SESSION_NETWORK`, else `target/devnet/devnet.json`
/// below the current directory when a devnet is running there.
pub fn network_file(flag: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(p) = flag.or_else(|| std::env::var_os("SESSION_NETWORK").map(PathBuf::from)) {
        return Ok(p);
    }
    let devnet = PathBuf::from("target/devnet/devnet.json");
    if devnet.is_file() {
        return Ok(devnet);
    }
    Err(CliError(
        "no network: pass --network FILE (a devnet manifest or {\"seeds\": [...]})".into(),
    ))
}

fn err(e: impl std::fmt::Display) -> CliError {
    CliError(e.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(err)
}

async fn messenger(home: &Path, network: &Path) -> Result<Messenger, CliError> {
    let account = Account::open(home).map_err(err)?;
    let cfg = NetworkConfig::load(network).map_err(err)?;
    let nodes = session_client::bootstrap(&reqwest::Client::new(), &cfg)
        .await
        .map_err(err)?;
    // Loopback networks (devnets) cannot keep one node per /24.
    let config = if nodes.iter().all(|n| n.ip.is_loopback()) {
        OnionConfig::devnet()
    } else {
        OnionConfig::default()
    };
    Ok(Messenger::new(
        account,
        OnionClient::new(config, nodes.clone()),
        nodes,
    ))
}

/// `send SESSION_ID TEXT [--ttl SECONDS]`.
pub fn send(home: &Path, network: &Path, to: &str, text: &str, ttl_secs: u64) -> CliResult {
    let to = to.parse::<SessionId>().map_err(err)?;
    let history = History::open(home).map_err(err)?;
    runtime()?.block_on(async {
        let m = messenger(home, network).await?;
        let hash = m
            .send_recorded(&history, &to, text, ttl_secs.saturating_mul(1000))
            .await
            .map_err(err)?;
        Ok(Output::default()
            .field("to", to.to_string())
            .field("hash", hash))
    })
}

/// `receive`: polls once; one line (or JSON object) per new message.
pub fn receive(home: &Path, network: &Path, json: bool) -> CliResult {
    let mut history = History::open(home).map_err(err)?;
    let new = runtime()?.block_on(async {
        let m = messenger(home, network).await?;
        m.poll(&mut history).await.map_err(err)
    })?;
    for msg in &new {
        Output::default()
            .field("sender", msg.sender.to_string())
            .field("text", msg.text.clone())
            .field("sent_at_ms", msg.sent_at_ms)
            .field("hash", msg.hash.clone())
            .print(json);
    }
    Ok(Output::default().field("received", new.len()))
}

/// `history SESSION_ID`: the conversation, oldest first.
pub fn history(home: &Path, peer: &str, json: bool) -> CliResult {
    let peer = peer.parse::<SessionId>().map_err(err)?.to_string();
    let entries = History::open(home)
        .map_err(err)?
        .conversation(&peer)
        .map_err(err)?;
    for e in &entries {
        Output::default()
            .field(
                "from",
                if e.outgoing {
                    "me".to_owned()
                } else {
                    e.peer.clone()
                },
            )
            .field("text", e.text.clone())
            .field("sent_at_ms", e.sent_at_ms)
            .field("hash", e.hash.clone())
            .print(json);
    }
    Ok(Output::default().field("messages", entries.len()))
}
