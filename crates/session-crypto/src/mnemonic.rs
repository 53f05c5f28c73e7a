//! Recovery phrases: Session's Electrum-style encoding of 16 or 32 seed bytes as 13 or 25 words
//! from a 1,626-word list, with a checksum word, matched on unique 3-letter prefixes.

use crate::error::{Error, Result};
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// The English word list (1,626 words, one per line).
pub const ENGLISH_WORDS: &str = include_str!("../data/english.txt");
/// Length of the unique prefix words are matched on.
pub const PREFIX_LEN: usize = 3;
const N: u64 = 1626;

/// The word list as a slice.
pub fn word_list() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| ENGLISH_WORDS.lines().filter(|w| !w.is_empty()).collect())
}

fn prefix(word: &str) -> &str {
    match word.char_indices().nth(PREFIX_LEN) {
        Some((i, _)) => &word[..i],
        None => word,
    }
}

fn index_of(word: &str) -> Option<usize> {
    let want = prefix(word);
    word_list().iter().position(|w| prefix(w) == want)
}

/// Encodes bytes (a multiple of 4 long) as words plus a checksum word, space-separated.
pub fn encode(bytes: &[u8]) -> Result<Zeroizing<String>> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return Err(Error::InvalidLength {
            what: "mnemonic input",
            expected: "a non-zero multiple of 4 bytes",
            got: bytes.len(),
        });
    }
    let words = word_list();
    let mut chosen: Vec<&str> = Vec::with_capacity(bytes.len() / 4 * 3 + 1);
    for chunk in bytes.chunks_exact(4) {
        let v = u64::from(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
        let w1 = v % N;
        let w2 = (v / N + w1) % N;
        let w3 = (v / N / N + w2) % N;
        for w in [w1, w2, w3] {
            chosen.push(words[w as usize]);
        }
    }
    chosen.push(chosen[checksum_index(&chosen)]);
    Ok(Zeroizing::new(chosen.join(" ")))
}

fn checksum_index(words: &[&str]) -> usize {
    let mut crc = crc32fast::Hasher::new();
    for w in words {
        crc.update(prefix(w).as_bytes());
    }
    crc.finalize() as usize % words.len()
}

/// Decodes a 13- or 25-word phrase (case-insensitive, any whitespace) into 16 or 32 bytes.
pub fn decode(phrase: &str) -> Result<Zeroizing<Vec<u8>>> {
    let lower = Zeroizing::new(phrase.to_lowercase());
    let words: Vec<&str> = lower.split_whitespace().collect();
    match words.len() {
        13 | 25 => {}
        n @ (12 | 24) => return Err(Error::MissingChecksumWord { got: n }),
        n => return Err(Error::WrongWordCount { got: n }),
    }
    let (data, check) = words.split_at(words.len() - 1);
    let indices = Zeroizing::new(
        data.iter()
            .enumerate()
            .map(|(i, w)| index_of(w).ok_or(Error::UnknownWord { position: i + 1 }))
            .collect::<Result<Vec<usize>>>()?,
    );
    if index_of(check[0]).is_none() {
        return Err(Error::UnknownWord {
            position: words.len(),
        });
    }
    let mut out = Zeroizing::new(Vec::with_capacity(data.len() / 3 * 4));
    for (g, triple) in indices.chunks_exact(3).enumerate() {
        let v = decode_triple(triple).ok_or(Error::InvalidWordGroup {
            first: 3 * g + 1,
            last: 3 * g + 3,
        })?;
        out.extend_from_slice(&v.to_le_bytes());
    }
    let expected = prefix(data[checksum_index(data)]);
    if prefix(check[0]) != expected {
        return Err(Error::ChecksumMismatch);
    }
    Ok(out)
}

fn decode_triple(t: &[usize]) -> Option<u32> {
    let (w1, w2, w3) = (t[0] as u64, t[1] as u64, t[2] as u64);
    // Desktop also checks `v % N == w1`, which always holds for indices below N; what can fail
    // is the range: three words can encode up to ~N^3 > 2^32.
    let v = w1 + N * ((N - w1 + w2) % N) + N * N * ((N - w2 + w3) % N);
    u32::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_list_has_1626_words_with_unique_prefixes() {
        let words = word_list();
        assert_eq!(words.len(), 1626);
        let mut prefixes: Vec<&str> = words.iter().map(|w| prefix(w)).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), 1626);
    }

    #[test]
    fn word_counts_are_checked() {
        assert_eq!(
            decode("abbey ".repeat(12).as_str()).unwrap_err(),
            Error::MissingChecksumWord { got: 12 }
        );
        assert_eq!(
            decode("abbey ".repeat(14).as_str()).unwrap_err(),
            Error::WrongWordCount { got: 14 }
        );
        assert_eq!(decode("").unwrap_err(), Error::WrongWordCount { got: 0 });
    }

    #[test]
    fn prefix_matching_and_case_folding() {
        let full = encode(&[9u8; 16]).unwrap();
        let short: Vec<String> = full.split(' ').map(|w| prefix(w).to_uppercase()).collect();
        assert_eq!(*decode(&short.join("  ")).unwrap(), vec![9u8; 16]);
    }

    #[test]
    fn unknown_word_reports_its_position() {
        let full = encode(&[1u8; 16]).unwrap();
        let mut w: Vec<&str> = full.split(' ').collect();
        w[4] = "qqqq";
        assert_eq!(
            decode(&w.join(" ")).unwrap_err(),
            Error::UnknownWord { position: 5 }
        );
    }

    #[test]
    fn overflowing_group_is_rejected() {
        // (0, 0, 1625) decodes to 1625 * N^2 > u32::MAX.
        let (first, last) = (word_list()[0], word_list()[1625]);
        let mut words = vec![first; 13];
        words[2] = last;
        let phrase = words.join(" ");
        assert_eq!(
            decode(&phrase).unwrap_err(),
            Error::InvalidWordGroup { first: 1, last: 3 }
        );
    }
}
