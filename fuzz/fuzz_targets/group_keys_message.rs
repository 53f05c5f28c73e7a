//! Group keys messages (namespace 12) on arbitrary bytes: never panics. The first byte picks
//! what the rest is: 0 = a stored message as fetched (usually failing the signature check),
//! 1 = the rest as the body of a dict signed by the group key — so the fuzzer gets past the
//! signature into the structure, the member copies and supplements. Each input is loaded by a
//! member's ring and by an admin's ring; whatever loads must leave a consistent ring.
#![no_main]
use libfuzzer_sys::fuzz_target;
use session_crypto::Seed;
use session_group::{GroupAdmin, GroupKeys, keys_msg};

/// libsession's test_group_keys group seed, so the committed rekey seed input verifies.
const GROUP_SEED: [u8; 32] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
];
/// libsession's member1 seed (a recipient of that rekey).
const MEMBER_SEED: [u8; 32] = [
    0x00, 0x01, 0x11, 0x22, 0x23, 0x33, 0x44, 0x45, 0x55, 0x66, 0x67, 0x77, 0x88, 0x89, 0x99, 0xaa,
    0xab, 0xbb, 0xcc, 0xcd, 0xdd, 0xee, 0xef, 0xff, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
];

fn signed(admin: &GroupAdmin, body: &[u8]) -> Vec<u8> {
    let mut out = vec![b'd'];
    out.extend_from_slice(body);
    let sig = admin.sign(&out);
    out.extend_from_slice(b"1:~64:");
    out.extend_from_slice(&sig);
    out.push(b'e');
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let admin = GroupAdmin::from_seed(Seed::from_bytes(GROUP_SEED));
    let group = admin.group_id();
    let input = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        signed(&admin, rest)
    };
    let _ = keys_msg::parse(&input, &group);
    let mut member = GroupKeys::new(&Seed::from_bytes(MEMBER_SEED), group, None).expect("ring");
    let mut admin_ring = GroupKeys::new(
        &Seed::from_bytes(MEMBER_SEED),
        group,
        Some(admin.duplicate()),
    )
    .expect("admin ring");
    for ring in [&mut member, &mut admin_ring] {
        if let Ok(found) = ring.load_key_message("fuzz", &input, 1_000) {
            assert!(
                !found || ring.encryption_key().is_ok(),
                "a found key is usable"
            );
            assert!(ring.current_hashes().contains("fuzz") || ring.key_infos().is_empty());
            let _ = ring.load_key_message("again", &input, 2_000);
            let _ = ring.group_keys();
            let _ = ring.needs_rekey();
        }
    }
});
