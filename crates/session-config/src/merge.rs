//! Merging competing config messages (docs/config-merge-logic.md "Conflict resolution";
//! libsession's multi-message `ConfigMessage` constructor), so that every device holding the
//! same set of messages produces the same bytes, whatever order it saw them in:
//!
//! 1. drop messages that fail to decode (or to verify), duplicates, messages contained in
//!    another's lagged diffs, and messages `lag` or more seqnos behind the newest;
//! 2. one left: it is the result, unchanged;
//! 3. more: the result has seqno max + 1 and starts from the data of the highest
//!    (seqno, hash); every message's own diff and lagged diffs (the higher-ranked message's copy
//!    wins a tie) are replayed in ascending (seqno, hash) order against the data of the message
//!    that carried them, empty sets and dicts are pruned, and the replayed diffs become the
//!    result's lagged diffs; its own diff is empty.
//!
//! A config that must be signed but that we cannot sign is never merged: the highest message is
//! kept and someone with the key merges.

use crate::data;
use crate::diff::{self, Diff};
use crate::error::{Error, Result};
use crate::message::{ConfigMessage, DEFAULT_LAG, SeqnoHash, Signer, Verify, hash_message};
use std::collections::BTreeMap;

/// How to decode and merge.
#[derive(Clone, Copy)]
pub struct MergeOptions<'a> {
    /// Lagged diffs kept per message, and how far behind the newest a message may be.
    pub lag: i64,
    /// Signature policy for the inputs.
    pub verify: Verify,
    /// The key that signs the merged message, when the config is signed.
    pub signer: Option<&'a dyn Signer>,
}

impl Default for MergeOptions<'_> {
    fn default() -> Self {
        Self {
            lag: DEFAULT_LAG,
            verify: Verify::Ignore,
            signer: None,
        }
    }
}

/// What became of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputStatus {
    /// The result is this message, unchanged.
    Used,
    /// Its changes were merged into a new message.
    Merged,
    /// Already contained in another input (a duplicate, or in its lagged diffs).
    Redundant,
    /// Not merged because the config needs a signature we cannot make: a higher message was
    /// kept as it is, and someone holding the key will merge.
    Outranked,
    /// `lag` or more seqnos behind the newest input: ignored.
    Stale {
        /// Its seqno.
        seqno: i64,
        /// The newest seqno among the inputs.
        newest: i64,
    },
    /// Did not decode or verify.
    Rejected(Error),
}

/// The result of [`merge`].
#[derive(Debug, Clone)]
pub struct Merged {
    /// The resulting message.
    pub message: ConfigMessage,
    /// Index of the input used unchanged, or `None` when a new message was made.
    pub unmerged_index: Option<usize>,
    /// One status per input, in input order.
    pub status: Vec<InputStatus>,
}

impl Merged {
    /// True when a new, merged message was produced (it must be pushed).
    pub fn merged(&self) -> bool {
        self.unmerged_index.is_none()
    }
}

/// Decodes `inputs` (serialized, decrypted messages) and merges them. Fails only when no input
/// is usable.
pub fn merge(inputs: &[&[u8]], opts: &MergeOptions<'_>) -> Result<Merged> {
    let mut status: Vec<InputStatus> = Vec::with_capacity(inputs.len());
    let mut parsed: Vec<(usize, ConfigMessage)> = Vec::new();
    for (i, bytes) in inputs.iter().enumerate() {
        match ConfigMessage::decode_with_lag(bytes, opts.verify, opts.lag) {
            Ok(m) => {
                parsed.push((i, m));
                status.push(InputStatus::Merged);
            }
            Err(e) => status.push(InputStatus::Rejected(e)),
        }
    }
    if parsed.is_empty() {
        return Err(Error::NoValidMessages);
    }
    let newest = parsed.iter().map(|(_, m)| m.seqno).max().unwrap_or(0);
    let mut redundant = vec![false; parsed.len()];
    for (a, (ia, ma)) in parsed.iter().enumerate() {
        let key = ma.seqno_hash();
        let contained = parsed.iter().enumerate().any(|(b, (_, mb))| {
            b != a && (mb.lagged.contains_key(&key) || (b < a && mb.seqno_hash() == key))
        });
        if contained {
            redundant[a] = true;
            status[*ia] = InputStatus::Redundant;
        } else if ma.seqno.saturating_add(opts.lag) <= newest {
            redundant[a] = true;
            status[*ia] = InputStatus::Stale {
                seqno: ma.seqno,
                newest,
            };
        }
    }
    let live: Vec<usize> = (0..parsed.len()).filter(|&a| !redundant[a]).collect();
    let cannot_sign = matches!(opts.verify, Verify::Require(_)) && opts.signer.is_none();
    let chosen = match live.as_slice() {
        [one] => Some(*one),
        _ if cannot_sign => {
            (0..parsed.len()).max_by_key(|&a| (!redundant[a], parsed[a].1.seqno_hash()))
        }
        _ => None,
    };
    if let Some(a) = chosen {
        for s in status.iter_mut().filter(|s| **s == InputStatus::Merged) {
            *s = InputStatus::Outranked;
        }
        let (index, message) = parsed.swap_remove(a);
        status[index] = InputStatus::Used;
        return Ok(Merged {
            message,
            unmerged_index: Some(index),
            status,
        });
    }
    let mut live: Vec<ConfigMessage> = parsed
        .into_iter()
        .enumerate()
        .filter(|(a, _)| !redundant[*a])
        .map(|(_, (_, m))| m)
        .collect();
    live.sort_by_key(|m| std::cmp::Reverse(m.seqno_hash()));
    let message = replay(&live, newest, opts)?;
    Ok(Merged {
        message,
        unmerged_index: None,
        status,
    })
}

/// Builds the merged message from `live` (sorted highest first).
fn replay(live: &[ConfigMessage], newest: i64, opts: &MergeOptions<'_>) -> Result<ConfigMessage> {
    let top = live.first().ok_or(Error::NoValidMessages)?;
    // (seqno, hash) → (index of the message whose data is the source, the diff). The first
    // insertion wins, so a higher-ranked message's copy of a shared diff is the one replayed.
    let mut plan: BTreeMap<SeqnoHash, (usize, &Diff)> = BTreeMap::new();
    for (i, m) in live.iter().enumerate() {
        plan.entry(m.seqno_hash()).or_insert((i, &m.diff));
        for (sh, d) in &m.lagged {
            plan.entry(*sh).or_insert((i, d));
        }
    }
    let mut data = top.data.clone();
    let mut lagged = BTreeMap::new();
    for (sh, (i, d)) in plan {
        diff::apply(&mut data, d, &live[i].data);
        lagged.insert(sh, d.clone());
    }
    data::prune(&mut data);
    let mut message = ConfigMessage {
        seqno: newest.checked_add(1).ok_or(Error::SeqnoOutOfRange)?,
        data,
        lagged,
        diff: Diff::new(),
        unknown: BTreeMap::new(),
        signature: None,
        hash: [0; 32],
        lag: opts.lag,
    };
    message.hash = hash_message(&message.encode(opts.signer));
    Ok(message)
}
