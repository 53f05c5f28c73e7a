//! vectors.md section 2.
use session_crypto::mnemonic::{decode, encode};
use session_crypto::{Error, Seed};

const PHRASE: &str =
    "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed";

#[test]
fn sixteen_bytes_to_thirteen_words() {
    let bytes = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
    assert_eq!(encode(&bytes).unwrap().as_str(), PHRASE);
    assert_eq!(*decode(PHRASE).unwrap(), bytes);
}

#[test]
fn zero_bytes_are_all_abbey() {
    let phrase = ["abbey"; 13].join(" ");
    assert_eq!(encode(&[0u8; 16]).unwrap().as_str(), phrase);
    assert_eq!(*decode(&phrase).unwrap(), vec![0u8; 16]);
}

#[test]
fn wrong_checksum_is_rejected() {
    let words: Vec<&str> = PHRASE.split(' ').collect();
    let bad = format!("{} amaze", words[..12].join(" "));
    assert_eq!(decode(&bad).unwrap_err(), Error::ChecksumMismatch);
}

#[test]
fn seed_round_trips_through_13_and_25_words() {
    let short = Seed::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
    assert_eq!(short.to_mnemonic().as_str(), PHRASE);
    let back = Seed::from_mnemonic(PHRASE).unwrap();
    assert_eq!(back.expose_secret(), short.expose_secret());

    let long = Seed::from_bytes(core::array::from_fn(|i| i as u8 * 7 + 1));
    let phrase = long.to_mnemonic();
    assert_eq!(phrase.split(' ').count(), 25);
    assert_eq!(
        Seed::from_mnemonic(&phrase).unwrap().expose_secret(),
        long.expose_secret()
    );
}

#[test]
fn encode_rejects_lengths_not_multiple_of_four() {
    assert!(encode(&[1, 2, 3]).is_err());
    assert!(encode(&[]).is_err());
}
