//! Two new accounts on a running network: Alice writes to Bob, Bob polls, reads it and answers,
//! Alice polls for the answer. Everything goes through 3-hop onion paths.
//! `cargo xtask devnet --detach`, then
//! `cargo run -p session-client --example hello [target/devnet/devnet.json]`.

use session_client::{Account, Chat, NetworkConfig, OnionConfig};
use session_crypto::SessionId;
use std::path::Path;
use std::time::Duration;

/// Polls until a message arrives (at most a minute); its text.
async fn next_text(chat: &mut Chat) -> session_client::Result<String> {
    for _ in 0..120 {
        if let Some(entry) = chat.poll().await?.new.pop() {
            return Ok(entry.text);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("nothing arrived within a minute");
}

/// A new account in `home`, its Session ID and its client on the network (the devnet's
/// onion settings: all its nodes share 127.0.0.1, so the one-node-per-/24 rule is off).
async fn client(home: &Path, network: &NetworkConfig) -> session_client::Result<(Chat, SessionId)> {
    let (account, _phrase) = Account::create(home, &mut rand::rng()).expect("a new home");
    let chat = Chat::open(home, network, OnionConfig::devnet()).await?;
    Ok((chat, account.session_id()))
}

#[tokio::main]
async fn main() -> session_client::Result<()> {
    let file = std::env::args()
        .nth(1)
        .unwrap_or("target/devnet/devnet.json".into());
    let network = NetworkConfig::load(Path::new(&file))?;
    let homes = tempfile::tempdir().expect("temporary homes");
    let (mut alice, alice_id) = client(&homes.path().join("alice"), &network).await?;
    let (mut bob, bob_id) = client(&homes.path().join("bob"), &network).await?;

    alice.send_text(&bob_id, "hello Bob", None, None).await?;
    println!("bob read:   {}", next_text(&mut bob).await?);
    bob.send_text(&alice_id, "hello Alice", None, None).await?;
    println!("alice read: {}", next_text(&mut alice).await?);
    Ok(())
}
