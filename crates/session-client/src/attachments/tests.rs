use super::*;
use prost::Message as _;

const URL: &str = "http://127.0.0.1:4433/file/Fz4nM0lAtxXyCwJDuyVZoBY33ArUtQUVlkDvUlqE8d6g";

fn seed() -> Seed {
    Seed::from_bytes([9; 32])
}

fn deterministic(data: &[u8]) -> (Pointer, Vec<u8>) {
    let (blob, key) = attachment::encrypt(&seed(), data, Domain::Attachment).expect("encrypts");
    let p = Pointer {
        url: format!("{URL}#d="),
        key: key.expose_secret().to_vec(),
        size: data.len() as u64,
        digest: None,
        content_type: Some("text/plain".into()),
        file_name: Some("notes.txt".into()),
    };
    (p, blob)
}

#[test]
fn a_pointer_survives_the_wire_and_carries_what_session_reads() {
    let (p, _) = deterministic(b"hello");
    let wire = p.to_proto().encode_to_vec();
    let back = AttachmentPointer::decode(wire.as_slice()).expect("decodes");
    assert_eq!(back.id, Some(0), "a base64 ID is not a number: 0");
    assert_eq!(back.size, Some(5));
    assert_eq!(back.digest, None, "the deterministic scheme has no digest");
    assert_eq!(back.url.as_deref(), Some(p.url.as_str()));
    assert_eq!(Pointer::from_proto(&back), Some(p.clone()));
    // A numeric ID (older servers) is repeated in `id`.
    let numeric = Pointer {
        url: "http://h/file/12345".into(),
        ..p.clone()
    };
    assert_eq!(numeric.to_proto().id, Some(12345));
    // The key never shows in Debug.
    let shown = format!("{p:?}");
    assert!(shown.contains("redacted") && !shown.contains(&format!("{:?}", p.key)));
}

#[test]
fn unusable_pointers_are_skipped_and_names_made_safe() {
    let (p, _) = deterministic(b"x");
    let mut w = p.to_proto();
    w.url = None;
    assert_eq!(Pointer::from_proto(&w), None, "no URL");
    let mut w = p.to_proto();
    w.key = Some(Vec::new());
    assert_eq!(Pointer::from_proto(&w), None, "no key");
    let mut w = p.to_proto();
    w.size = Some(10_000_001);
    assert_eq!(Pointer::from_proto(&w), None, "over the limit");
    let mut w = p.to_proto();
    w.file_name = Some("../../etc/passwd".into());
    assert_eq!(
        Pointer::from_proto(&w).and_then(|p| p.file_name).as_deref(),
        Some("passwd")
    );
    assert_eq!(safe_name(".."), None);
    assert_eq!(safe_name("a\u{1b}[2Jb.txt").as_deref(), Some("a[2Jb.txt"));
    assert_eq!(safe_name("c:\\x\\y.png").as_deref(), Some("y.png"));
    let path = local_path(Path::new("/h"), "ab/cd+ef", 2, Some("../x.png"));
    assert_eq!(path, Path::new("/h/attachments/abcdef-2-x.png"));
}

#[test]
fn both_schemes_are_told_apart_and_decrypted() {
    let data: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let (p, blob) = deterministic(&data);
    assert_eq!(p.scheme().expect("scheme"), Scheme::Deterministic);
    assert_eq!(p.decrypt(&blob).expect("decrypts"), data);
    // Without `#d=`, a 32-byte key and no digest still read as deterministic.
    let bare = Pointer {
        url: URL.into(),
        ..p.clone()
    };
    assert_eq!(bare.decrypt(&blob).expect("decrypts"), data);

    let (enc, key) = legacy::encrypt(&data, &mut rand::rng());
    let old = Pointer {
        url: URL.into(),
        key: key.expose_secret().to_vec(),
        size: data.len() as u64,
        digest: Some(enc.digest.to_vec()),
        content_type: None,
        file_name: None,
    };
    assert_eq!(old.scheme().expect("scheme"), Scheme::Legacy);
    assert_eq!(old.decrypt(&enc.blob).expect("decrypts"), data);
    // A 64-byte key without a digest fits neither scheme.
    let neither = Pointer {
        digest: None,
        ..old.clone()
    };
    assert!(neither.scheme().is_err());
}

#[test]
fn a_tampered_blob_or_a_wrong_size_is_refused() {
    let (p, mut blob) = deterministic(b"the real file");
    let last = blob.len() - 1;
    blob[last] ^= 1;
    assert!(p.decrypt(&blob).is_err(), "a flipped bit");
    let (p, blob) = deterministic(b"the real file");
    let wrong = Pointer { size: 3, ..p };
    assert!(wrong.decrypt(&blob).is_err(), "size disagrees");
    let (enc, key) = legacy::encrypt(b"legacy", &mut rand::rng());
    let mut digest = enc.digest.to_vec();
    digest[0] ^= 1;
    let old = Pointer {
        url: URL.into(),
        key: key.expose_secret().to_vec(),
        size: 6,
        digest: Some(digest),
        content_type: None,
        file_name: None,
    };
    assert!(
        old.decrypt(&enc.blob).is_err(),
        "a digest that does not match"
    );
}

#[test]
fn files_over_the_limit_or_missing_are_refused_before_reading() {
    let dir = tempfile::tempdir().expect("dir");
    let big = dir.path().join("big.bin");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
    let e = Outgoing::read(&big).expect_err("too big");
    assert!(e.to_string().contains("limit"), "{e}");
    assert!(Outgoing::read(&dir.path().join("nope")).is_err());
    assert!(Outgoing::read(dir.path()).is_err(), "a folder");
    let ok = dir.path().join("photo.JPG");
    std::fs::write(&ok, b"jpeg").expect("write");
    let o = Outgoing::read(&ok).expect("reads");
    assert_eq!(
        (o.file_name.as_str(), o.content_type.as_str()),
        ("photo.JPG", "image/jpeg")
    );
    // Saved through a temporary file, the folder created.
    let to = local_path(dir.path(), "hash", 0, Some("photo.JPG"));
    save(&to, &o.data).expect("saves");
    assert_eq!(std::fs::read(&to).expect("reads"), b"jpeg");
}

#[test]
fn the_largest_sendable_file_is_the_largest_whose_blob_fits_the_server() {
    // Blobs of 9.96 MB round up to 38 × 262,144 bytes = 9,961,472; one byte more spills into
    // the next step, past 10,000,000.
    assert!(fits_upload(9_956_278));
    assert_eq!(attachment::encrypted_size(9_956_278), 9_961_472);
    assert!(!fits_upload(9_956_279));
    assert!(attachment::encrypted_size(9_956_279) > 10_000_000);
    assert!(fits_upload(9_000_000));
    assert!(!fits_upload(u64::MAX));
}
