//! From a recovery phrase to a Session ID, then a 1:1 message sealed to another account and
//! opened by it: `cargo run -p session-crypto --example phrase_and_message [PHRASE]`.

use session_crypto::{IdentityKeys, Seed, session_protocol};

fn main() -> session_crypto::Result<()> {
    // A phrase from the command line, or a fresh account (13 words, as Session makes them).
    let seed = match std::env::args().nth(1) {
        Some(phrase) => Seed::from_mnemonic(&phrase)?,
        None => Seed::generate(&mut rand::rng()),
    };
    let alice = IdentityKeys::from_seed(seed);
    println!("phrase:     {}", alice.seed().to_mnemonic().as_str());
    println!("session id: {}", alice.session_id());

    // Bob: another account. Alice writes to his Session ID.
    let bob = IdentityKeys::from_seed(Seed::generate(&mut rand::rng()));
    let sealed = session_protocol::encrypt_for_recipient(
        &alice,
        &bob.session_id(),
        b"hello from the example",
        &mut rand::rng(),
    )?;
    println!(
        "sealed:     {} bytes for {}",
        sealed.len(),
        bob.session_id()
    );

    // Only Bob opens it, and learns who wrote it (the signature inside is checked).
    let opened = session_protocol::decrypt_incoming(&bob, &sealed)?;
    println!(
        "opened:     {:?} from {}",
        String::from_utf8_lossy(&opened.plaintext),
        opened.sender
    );
    assert_eq!(opened.sender, alice.session_id());
    Ok(())
}
