//! A 3-hop onion request carried by hand through four in-memory nodes, for both hop ciphers:
//! what each hop sees, and the answer only the client opens.
//! `cargo run -p session-onion --example three_hops`

use session_crypto::{Ed25519PublicKey, X25519Secret};
use session_onion::reply::ReplyBody;
use session_onion::{Destination, EncType, Layer, Node, NodeDestination, NodeKeys, OnionEnvelope};

fn main() {
    let mut rng = rand::rng();
    let secrets: Vec<X25519Secret> = (0..4).map(|_| X25519Secret::generate(&mut rng)).collect();
    let nodes: Vec<Node> = (0..4u8)
        .map(|i| Node {
            ed25519: Ed25519PublicKey::from_bytes([i + 1; 32]),
            x25519: secrets[usize::from(i)].public_key(),
            ip: [10, 0, 0, i + 1].into(),
            port: 22021,
        })
        .collect();
    let names = ["guard", "relay", "last hop", "destination"];
    let body = br#"{"method":"info","params":{}}"#;
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        println!("== {}", enc.as_str());
        let dest = Destination::Node(NodeDestination::new(&nodes[3]));
        let request =
            session_onion::build(&nodes[..3], &dest, body, enc, &mut rng).expect("a valid path");
        println!("client → guard: {} bytes", request.body.len());
        let mut envelope = OnionEnvelope::parse(&request.body).expect("outer payload");
        for (hop, name) in names.iter().enumerate() {
            let keys = NodeKeys::new(secrets[hop].clone());
            let peeled = session_onion::peel(&keys, &envelope).expect("decrypts");
            match peeled.layer.expect("a valid layer") {
                Layer::Relay(relay) => {
                    println!(
                        "{name:>11}: relay {} bytes to {}…",
                        relay.envelope.ciphertext.len(),
                        &hex::encode(relay.next.as_bytes())[..8]
                    );
                    envelope = relay.envelope;
                }
                Layer::Destination(rpc) => {
                    println!("{name:>11}: reads {}", String::from_utf8_lossy(&rpc.body));
                    let answer = serde_json::json!({"version": [2, 11, 0]});
                    let sealed =
                        peeled
                            .reply
                            .wrap(200, ReplyBody::Json(&answer), rpc.options, &mut rng);
                    let reply = request.response.open_node_reply(&sealed).expect("opens");
                    println!("     client: status {} body {}", reply.status, reply.body);
                }
                Layer::Proxy(_) => unreachable!("no HTTP server in this example"),
            }
        }
    }
}
