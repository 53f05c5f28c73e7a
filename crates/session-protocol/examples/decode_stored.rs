//! Decodes a 1:1 message as `retrieve` returns it (the base64 `data` of one message) with the
//! recipient's seed: `cargo run -p session-protocol --example decode_stored SEED_HEX DATA`.
//! Without arguments it makes a message from a fresh sender to a fresh recipient first.

use base64::Engine as _;
use session_crypto::{IdentityKeys, Seed};
use session_protocol::content::{self, Expiry, Payload};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (recipient, data) = match args.as_slice() {
        [seed, data] => (IdentityKeys::from_seed(Seed::from_hex(seed)?), data.clone()),
        _ => {
            let mut rng = rand::rng();
            let sender = IdentityKeys::from_seed(Seed::generate(&mut rng));
            let recipient = IdentityKeys::from_seed(Seed::generate(&mut rng));
            let said = Payload::Text {
                body: "stored for you".into(),
                quote: None,
            };
            let sent_ms = 1_765_000_000_000;
            let bytes = session_protocol::encode_for_recipient(
                &sender,
                &recipient.session_id(),
                &content::build(&said, Expiry::Off, sent_ms),
                sent_ms,
                &mut rng,
            )?;
            println!("made a message from {}", sender.session_id());
            (recipient, b64.encode(bytes))
        }
    };
    let incoming = session_protocol::decode_incoming(&recipient, &b64.decode(data.trim())?)?;
    println!("to:     {}", recipient.session_id());
    println!("from:   {}", incoming.sender);
    println!("sent:   {} ms", incoming.envelope_timestamp_ms);
    match content::parse(&incoming.content) {
        (Some(Payload::Text { body, .. }), expiry) => println!("text:   {body:?} ({expiry:?})"),
        (Some(other), _) => println!("says:   {other:?}"),
        (None, _) => println!("says:   nothing a 1:1 conversation shows"),
    }
    Ok(())
}
