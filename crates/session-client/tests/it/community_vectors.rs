//! Interop: what the client signs for communities checks out against the published vectors
//! (`spec/vectors.md` §5 blind15, §6 request headers).

use base64::Engine as _;
use session_client::community::api::Api;
use session_client::community::posts::{post_content, signed_body};
use session_client::community::url::CommunityServer;
use session_client::content::Profile;
use session_crypto::blinding::blind15_ids;
use session_crypto::{IdentityKeys, Seed};
use session_protocol::community::{Poster, verify_community_message};

fn seed(hex_sk: &str) -> IdentityKeys {
    let mut s = [0u8; 32];
    hex::decode_to_slice(&hex_sk[..64], &mut s).unwrap();
    IdentityKeys::from_seed(Seed::from_bytes(s))
}

fn key(h: &str) -> [u8; 32] {
    let mut k = [0u8; 32];
    hex::decode_to_slice(h, &mut k).unwrap();
    k
}

#[test]
fn request_headers_match_the_desktop_vector() {
    let keys = seed(
        "c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9\
         bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc",
    );
    let server = CommunityServer::new(
        "http://open.example.org",
        key("c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d"),
    )
    .unwrap();
    let nonce: [u8; 16] = base64::engine::general_purpose::STANDARD
        .decode("CdB5nyKVmQGCw6s0Bvv8Ww==")
        .unwrap()
        .try_into()
        .unwrap();
    let call = (
        "GET",
        "/room/the-best-room/messages/recent?limit=25",
        &b""[..],
    );
    let h = Api::headers(&keys, &server, true, call, 1_642_472_103, &nonce);
    assert_eq!(
        h.pubkey,
        "1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5"
    );
    assert_eq!(h.nonce, "CdB5nyKVmQGCw6s0Bvv8Ww==");
    assert_eq!(h.timestamp, "1642472103");
    assert_eq!(
        h.signature,
        "gYqpWZX6fnF4Gb2xQM3xaXs0WIYEI49+B8q4mUUEg8Rw0ObaHUWfoWjMHMArAtP9QlORfiydsKWz1o6zdPVeCQ=="
    );
}

#[test]
fn a_post_we_sign_verifies_against_the_blind15_id_of_the_session_id() {
    let keys = seed("fecd9a6034bc9aba273925dee7062b123334587c3c6257341afae2d7fe85e122");
    assert_eq!(
        keys.session_id().to_string(),
        "05fe94b7ad4b7f1cc1bb92671f1f0d243f226e115b33770465e82b503fc3e96e1f"
    );
    let p1 = key("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    // The blinded ID as anyone derives it from the Session ID alone (vectors §5).
    let ids = blind15_ids(&keys.session_id(), &p1).unwrap();
    assert_eq!(
        ids[0].to_string(),
        "15b74ed205f1f931e1bb1291183778a9456b835937d923b0f2e248aa3a44c07844"
    );
    let profile = Profile {
        name: Some("Alice".into()),
        ..Profile::default()
    };
    let content = post_content("hello", None, &profile, 1_700_000_000_000);
    let body = signed_body(&keys, &p1, true, &content).unwrap();
    let b64 = |k: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(body[k].as_str().unwrap())
            .unwrap()
    };
    let (data, sig) = (b64("data"), b64("signature"));
    assert_eq!(data.len() % 160, 0, "padded to 160 bytes");
    let sig: [u8; 64] = sig.try_into().unwrap();
    // Plain Ed25519 against one of the two candidates (the sign is not known from the ID).
    assert!(
        ids.iter()
            .any(|id| id.key().verify(&data, &sig, "post").is_ok())
    );
    let poster = ids
        .iter()
        .find(|id| id.key().verify(&data, &sig, "post").is_ok())
        .map(|id| Poster::Blinded(*id))
        .unwrap();
    let back = verify_community_message(&data, &sig, &poster).unwrap();
    let dm = back.data_message.unwrap();
    assert_eq!(dm.body.as_deref(), Some("hello"));
    assert_eq!(dm.profile.unwrap().display_name.as_deref(), Some("Alice"));
    assert_eq!(back.sig_timestamp, Some(1_700_000_000_000));
    // A tampered post does not verify.
    let mut bad = data.clone();
    bad[3] ^= 1;
    assert!(verify_community_message(&bad, &sig, &poster).is_err());
}
