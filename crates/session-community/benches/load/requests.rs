//! The bench's users and their signed requests, made before a phase so that the clients do
//! not sign while the server is measured.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_crypto::blinding::{ServerPubkey, blind15_keypair};
use session_crypto::{IdentityKeys, Seed};
use session_protocol::community::{CommunitySigner, encode_community_message};
use session_protocol::proto::{Content, DataMessage};
use session_sogs::{AuthHeaders, Signer, sign_request};

/// The bench's room.
pub const ROOM: &str = "bench";
/// Messages one poll returns (`?limit=100`, the default).
pub const POLL_LIMIT: i64 = 100;

/// A post's message as the server checks it: the poster's blinded key, the data, its signature.
pub struct PostParts {
    pub key: [u8; 32],
    pub data: Vec<u8>,
    pub sig: [u8; 64],
}

/// One request, signed and ready to send.
pub struct Signed {
    pub method: &'static str,
    /// The path, with `?query` when there is one (what is signed and sent).
    pub target: String,
    pub headers: AuthHeaders,
    pub body: Vec<u8>,
    /// For posts: the message inside the body (the bound verifies it again).
    pub post: Option<PostParts>,
}

impl Signed {
    /// The path and the query apart, as the server sees them.
    pub fn path_query(&self) -> (&str, Option<&str>) {
        match self.target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (&self.target, None),
        }
    }
}

/// User `i`'s keys (a fixed seed per user).
pub fn user(i: usize) -> IdentityKeys {
    let mut seed = [0x5a; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    IdentityKeys::from_seed(Seed::from_bytes(seed))
}

fn now() -> (i64, u64) {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    (d.as_secs() as i64, d.as_millis() as u64)
}

fn signed(
    keys: &IdentityKeys,
    pk: &ServerPubkey,
    method: &'static str,
    target: String,
    body: Vec<u8>,
) -> Signed {
    let nonce: [u8; 16] = rand::random();
    let headers = sign_request(
        Signer::Blind15(keys),
        pk,
        method,
        &target,
        &body,
        now().0,
        &nonce,
    );
    Signed {
        method,
        target,
        headers,
        body,
        post: None,
    }
}

/// `POST /room/bench/message` with a text message as Session clients post it: a padded
/// `Content` signed by the poster's blind15 key.
pub fn post(keys: &IdentityKeys, pk: &ServerPubkey, n: usize) -> Signed {
    let ms = now().1;
    let content = Content {
        data_message: Some(DataMessage {
            body: Some(format!(
                "bench post {n}: the quick brown fox jumps over the lazy dog"
            )),
            timestamp: Some(ms),
            ..Default::default()
        }),
        sig_timestamp: Some(ms),
        ..Default::default()
    };
    let msg = encode_community_message(&content, &CommunitySigner::Blind15(keys, pk))
        .expect("a valid Content");
    let body = serde_json::json!({
        "data": STANDARD.encode(&msg.data),
        "signature": STANDARD.encode(msg.signature),
    });
    let mut s = signed(
        keys,
        pk,
        "POST",
        format!("/room/{ROOM}/message"),
        body.to_string().into_bytes(),
    );
    s.post = Some(PostParts {
        key: *blind15_keypair(keys, pk).public().as_bytes(),
        data: msg.data,
        sig: msg.signature,
    });
    s
}

/// `GET /room/bench/messages/since/SINCE?limit=100`.
pub fn poll(keys: &IdentityKeys, pk: &ServerPubkey, since: i64) -> Signed {
    let target = format!("/room/{ROOM}/messages/since/{since}?limit={POLL_LIMIT}");
    signed(keys, pk, "GET", target, Vec::new())
}

/// `per_client` requests for each user, made by `make(user index, keys, request index)` on
/// every core.
pub fn prepare<F>(users: &[IdentityKeys], per_client: usize, make: F) -> Vec<Vec<Signed>>
where
    F: Fn(usize, &IdentityKeys, usize) -> Signed + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = users.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = users
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let make = &make;
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(k, keys)| {
                            (0..per_client)
                                .map(|j| make(c * chunk + k, keys, j))
                                .collect()
                        })
                        .collect::<Vec<Vec<Signed>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("signing thread"))
            .collect()
    })
}
