//! One poll round per server: a single `/batch` covering every joined room on it (`pollInfo`
//! and `messages/since/SEQNO` with reaction updates, or the room and its recent posts the
//! first time this device reads it), the DM inbox and outbox since their last ids, and the
//! capabilities while unknown. The answers are checked here (signatures verified, DMs
//! decrypted) into a [`ServerPoll`] that the history applies in one transaction.
//!
//! Untrusted answers never panic: a room whose answer is unusable keeps its cursor; a post
//! whose signature does not verify, or a DM that does not decrypt, is skipped (and reported)
//! while the cursor passes it, since it can never become valid.

use super::api::{Answer, Call};
use crate::history::community::{Dm, Perms, Post, Reaction, RoomChange, RoomPoll, ServerPoll};
use serde_json::Value;
use session_crypto::{BlindedId, IdentityKeys};
use session_protocol::community::{Poster, decode_blinded_dm, verify_community_message};
use session_protocol::proto::Content;

/// Posts asked for per room and round (the servers' maximum is 256).
pub const PAGE: usize = 256;
/// Reactors listed per emoji.
pub const REACTORS: usize = 5;

/// A room as the poll sees it.
#[derive(Clone, Debug)]
pub struct PolledRoom {
    /// Token.
    pub token: String,
    /// Cursor (`None`: first read on this device).
    pub seqno: Option<i64>,
    /// Info version last seen.
    pub info_updates: i64,
}

/// What the answers are read with.
pub struct Reader<'a> {
    /// Our keys (DMs are decrypted with them).
    pub keys: &'a IdentityKeys,
    /// The server key.
    pub server_pk: [u8; 32],
    /// Our IDs on this server (blinded and unblinded), to tell our posts.
    pub me: Vec<String>,
}

/// Which answer belongs to what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `/capabilities`.
    Capabilities,
    /// `GET /room/T` (first read).
    Room(usize),
    /// `messages/recent` (first read).
    Recent(usize),
    /// `pollInfo`.
    Info(usize),
    /// `messages/since`.
    Since(usize),
    /// Inbox.
    Inbox,
    /// Outbox.
    Outbox,
}

fn enc(token: &str) -> String {
    token
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The calls of one round and what each answers.
pub fn calls(rooms: &[PolledRoom], caps_known: bool, dms: Option<(i64, i64)>) -> Vec<(Slot, Call)> {
    let mut out = Vec::new();
    if !caps_known {
        out.push((Slot::Capabilities, Call::get("/capabilities")));
    }
    for (i, r) in rooms.iter().enumerate() {
        let t = enc(&r.token);
        match r.seqno {
            None => {
                out.push((Slot::Room(i), Call::get(format!("/room/{t}"))));
                out.push((
                    Slot::Recent(i),
                    Call::get(format!(
                        "/room/{t}/messages/recent?limit=100&reactors={REACTORS}"
                    )),
                ));
            }
            Some(seqno) => {
                out.push((
                    Slot::Info(i),
                    Call::get(format!("/room/{t}/pollInfo/{}", r.info_updates)),
                ));
                out.push((
                    Slot::Since(i),
                    Call::get(format!(
                        "/room/{t}/messages/since/{seqno}?t=r&limit={PAGE}&reactors={REACTORS}"
                    )),
                ));
            }
        }
    }
    if let Some((inbox, outbox)) = dms {
        let path = |b: &str, since: i64| {
            if since > 0 {
                format!("/{b}/since/{since}")
            } else {
                format!("/{b}")
            }
        };
        out.push((Slot::Inbox, Call::get(path("inbox", inbox))));
        out.push((Slot::Outbox, Call::get(path("outbox", outbox))));
    }
    out
}

fn secs_to_ms(v: Option<&Value>) -> Option<u64> {
    let s = v?.as_f64().filter(|s| s.is_finite() && *s >= 0.0)?;
    // Finite and non-negative: the cast saturates at most.
    Some((s * 1000.0) as u64)
}

fn b64(v: Option<&Value>) -> Option<Vec<u8>> {
    session_sogs::decode_base64(v?.as_str()?)
}

/// A post's reactions (`{emoji: {index, count, reactors, you}}`); malformed entries skipped.
pub fn reactions(v: Option<&Value>) -> Vec<Reaction> {
    let Some(Value::Object(map)) = v else {
        return Vec::new();
    };
    let mut out: Vec<Reaction> = map
        .iter()
        .filter_map(|(emoji, r)| {
            Some(Reaction {
                emoji: emoji.clone(),
                count: r.get("count")?.as_i64()?,
                you: r.get("you").and_then(Value::as_bool).unwrap_or(false),
                reactors: r
                    .get("reactors")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                index: r.get("index").and_then(Value::as_i64).unwrap_or(0),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.index, &a.emoji).cmp(&(b.index, &b.emoji)));
    out
}

/// What a post (or a DM) says.
struct Said {
    text: String,
    sent_ms: Option<u64>,
    name: Option<String>,
    quote: Option<(String, u64)>,
}

fn said(c: &Content) -> Said {
    let dm = c.data_message.as_ref();
    Said {
        text: dm.and_then(|d| d.body.clone()).unwrap_or_default(),
        sent_ms: c.sig_timestamp,
        name: dm
            .and_then(|d| d.profile.as_ref())
            .and_then(|p| p.display_name.clone())
            .filter(|n| !n.is_empty()),
        quote: dm
            .and_then(|d| d.quote.as_ref())
            .and_then(|q| Some((q.author.clone()?, q.id?))),
    }
}

impl Reader<'_> {
    /// One message object of a room listing: its seqno and change (`None`: no id or seqno).
    pub fn message(&self, v: &Value, refused: &mut Vec<String>) -> Option<(i64, RoomChange)> {
        let id = v.get("id")?.as_i64()?;
        let seqno = v.get("seqno")?.as_i64()?;
        if v.get("deleted").and_then(Value::as_bool) == Some(true)
            || v.get("data").is_some_and(Value::is_null)
        {
            return Some((seqno, RoomChange::Delete(id)));
        }
        if v.get("data").is_none() {
            return Some((
                seqno,
                RoomChange::Reactions(id, reactions(v.get("reactions"))),
            ));
        }
        match self.post(v, id, seqno) {
            Some(p) => Some((seqno, RoomChange::Upsert(p))),
            None => {
                refused.push(format!("post {id}: signature or content does not verify"));
                Some((seqno, RoomChange::Skipped(id)))
            }
        }
    }

    fn post(&self, v: &Value, id: i64, seqno: i64) -> Option<Post> {
        let data = b64(v.get("data"))?;
        let sig = b64(v.get("signature"))?;
        let sender = v.get("session_id")?.as_str()?;
        let poster: Poster = sender.parse().ok()?;
        let content = verify_community_message(&data, &sig, &poster).ok()?;
        let Said {
            text,
            sent_ms: sent,
            name: sender_name,
            quote,
        } = said(&content);
        let posted_ms = secs_to_ms(v.get("posted")).unwrap_or(0);
        Some(Post {
            id,
            seqno,
            sender: sender.to_owned(),
            sender_name,
            text,
            posted_ms,
            sent_ms: sent.unwrap_or(posted_ms),
            edited_ms: secs_to_ms(v.get("edited")),
            quote,
            mine: self.me.iter().any(|m| m == sender),
            reactions: reactions(v.get("reactions")),
        })
    }

    /// One inbox (`outgoing` false) or outbox entry; `None` when it does not decrypt.
    pub fn dm(&self, v: &Value, outgoing: bool) -> Option<Dm> {
        let id = v.get("id")?.as_i64()?;
        let sender: BlindedId = v.get("sender")?.as_str()?.parse().ok()?;
        let recipient: BlindedId = v.get("recipient")?.as_str()?.parse().ok()?;
        let bytes = b64(v.get("message"))?;
        let got =
            decode_blinded_dm(self.keys, &self.server_pk, &sender, &recipient, &bytes).ok()?;
        let text = said(&got.content).text;
        Some(Dm {
            id,
            outgoing,
            peer: if outgoing { recipient } else { sender }.to_string(),
            peer_session_id: (!outgoing).then(|| got.sender.to_string()),
            text,
            posted_ms: secs_to_ms(v.get("posted_at")).unwrap_or(0),
        })
    }

    /// Reads a round's answers (paired with their slots) into a [`ServerPoll`].
    pub fn read(
        &self,
        base_url: &str,
        rooms: &[PolledRoom],
        slots: &[Slot],
        answers: Vec<Answer>,
    ) -> ServerPoll {
        let mut out = ServerPoll {
            base_url: base_url.to_owned(),
            ..ServerPoll::default()
        };
        let mut polls: Vec<RoomPoll> = rooms
            .iter()
            .map(|r| RoomPoll {
                token: r.token.clone(),
                pubkey: self.server_pk,
                ..RoomPoll::default()
            })
            .collect();
        // A first read's cursor comes from the room; its posts only count with it.
        let mut usable = vec![true; rooms.len()];
        for (slot, a) in slots.iter().zip(answers) {
            let ok = a.code == 200;
            match slot {
                Slot::Capabilities if ok => {
                    out.capabilities =
                        a.body
                            .get("capabilities")
                            .and_then(Value::as_array)
                            .map(|c| {
                                c.iter()
                                    .filter_map(|x| x.as_str().map(str::to_owned))
                                    .collect()
                            });
                }
                Slot::Room(i) | Slot::Info(i) => {
                    let p = &mut polls[*i];
                    let room = if matches!(slot, Slot::Room(_)) {
                        Some(&a.body)
                    } else {
                        a.body.get("details")
                    };
                    if ok {
                        p.perms = Some(Perms::from_json(&a.body));
                        if let Some(r) = room.filter(|r| r.is_object()) {
                            let n = r.get("info_updates").and_then(Value::as_i64).unwrap_or(0);
                            let name = r.get("name").and_then(Value::as_str).unwrap_or_default();
                            p.info = Some((n, name.to_owned()));
                        }
                    }
                    if matches!(slot, Slot::Room(_)) {
                        let seq = a.body.get("message_sequence").and_then(Value::as_i64);
                        match seq.filter(|_| ok) {
                            Some(s) => p.seqno = Some(s),
                            None => {
                                usable[*i] = false;
                                out.refused
                                    .push(format!("room {}: answered {}", p.token, a.code));
                            }
                        }
                    }
                }
                Slot::Recent(i) | Slot::Since(i) => {
                    let p = &mut polls[*i];
                    let Some(list) = a.body.as_array().filter(|_| ok) else {
                        if matches!(slot, Slot::Since(_)) || usable[*i] {
                            out.refused
                                .push(format!("room {}: answered {}", p.token, a.code));
                        }
                        usable[*i] = false;
                        p.seqno = None;
                        continue;
                    };
                    let mut changes: Vec<(i64, RoomChange)> = list
                        .iter()
                        .filter_map(|m| self.message(m, &mut out.refused))
                        .collect();
                    changes.sort_by_key(|(s, _)| *s);
                    if matches!(slot, Slot::Since(_)) {
                        p.seqno = changes.iter().map(|(s, _)| *s).max();
                    }
                    p.changes = changes.into_iter().map(|(_, c)| c).collect();
                }
                Slot::Inbox | Slot::Outbox if ok => {
                    let outgoing = matches!(slot, Slot::Outbox);
                    let list = a.body.as_array().cloned().unwrap_or_default();
                    let top = list.iter().filter_map(|v| v.get("id")?.as_i64()).max();
                    for v in &list {
                        match self.dm(v, outgoing) {
                            Some(d) => out.dms.push(d),
                            None => out.refused.push("a DM that does not decrypt".into()),
                        }
                    }
                    if outgoing {
                        out.outbox_since = top;
                    } else {
                        out.inbox_since = top;
                    }
                }
                _ => {}
            }
        }
        out.rooms = polls
            .into_iter()
            .zip(usable)
            .filter_map(|(p, ok)| ok.then_some(p))
            .collect();
        out
    }
}
