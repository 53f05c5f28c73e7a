//! Posting in a room: text (with a quote) as a signed padded `Content`, exactly as Session
//! clients post it (`sigTimestamp`, `dataMessage.body`, the quote's `id` = the quoted post's
//! own timestamp and `author` = its poster's ID, our profile); edits, deletions, reactions and
//! the read mark.

use super::refused;
use crate::chat::{Chat, local};
use crate::error::Result;
use crate::history::community::{Post, RoomChange};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use session_crypto::blinding::ServerPubkey;
use session_protocol::community::{CommunitySigner, encode_community_message};
use session_protocol::proto::{Content, DataMessage, data_message};

/// The `Content` of a post (or a DM) saying `text`, quoting `quote`, sent at `sent_ms`.
pub fn post_content(
    text: &str,
    quote: Option<&Post>,
    profile: &crate::content::Profile,
    sent_ms: u64,
) -> Content {
    let mut c = Content {
        sig_timestamp: Some(sent_ms),
        data_message: Some(DataMessage {
            body: Some(text.to_owned()),
            quote: quote.map(|q| data_message::Quote {
                id: Some(q.sent_ms),
                author: Some(q.sender.clone()),
                text: Some(q.text.clone()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    crate::content::add_profile(&mut c, profile);
    c
}

/// The `{data, signature}` body of a post or an edit, signed with our blind15 key for
/// `server_pk` (or our own key on a server without `blind`).
pub fn signed_body(
    keys: &session_crypto::IdentityKeys,
    server_pk: &ServerPubkey,
    blind: bool,
    content: &Content,
) -> Result<serde_json::Value> {
    let signer = if blind {
        CommunitySigner::Blind15(keys, server_pk)
    } else {
        CommunitySigner::Unblinded(keys)
    };
    let m = encode_community_message(content, &signer)
        .map_err(|e| refused(format!("encoding the post: {e}")))?;
    Ok(json!({"data": STANDARD.encode(&m.data), "signature": STANDARD.encode(m.signature)}))
}

/// A path segment percent-encoded (emoji, tokens).
pub(crate) fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Chat {
    /// Posts `text` in the room of `url`, replying to post `reply_to` (quoted); returns the
    /// post as the server stored it.
    pub async fn community_post(
        &self,
        url: &str,
        text: &str,
        reply_to: Option<i64>,
    ) -> Result<Post> {
        let (addr, room) = self.joined(url)?;
        let quote = match reply_to {
            Some(id) => Some(
                self.history()
                    .community_post(&room.base_url, &room.token, id)
                    .map_err(local)?
                    .ok_or_else(|| refused(format!("no post {id} here (read the room first)")))?,
            ),
            None => None,
        };
        let blind = self.blinded(&room.base_url)?;
        let now = self.messenger().now_ms();
        let content = post_content(text, quote.as_ref(), &self.own_profile(), now);
        let keys = self.messenger().account().keys();
        let body = signed_body(keys, &addr.server.pubkey, blind, &content)?;
        let endpoint = format!("/room/{}/message", seg(&room.token));
        let answer = self
            .api(&addr.server, blind)
            .call(&super::api::Call::with_json("POST", endpoint, body))
            .await?;
        let v = answer.ok("posting")?;
        let mut refusals = Vec::new();
        let post = match self.reader(&addr.server).message(&v, &mut refusals) {
            Some((_, RoomChange::Upsert(p))) => p,
            _ => return Err(refused("the server's answer to a post is not the post")),
        };
        self.history()
            .community_record_post(&room.base_url, &room.token, &post)
            .map_err(local)?;
        Ok(post)
    }

    /// Replaces the text of our post `id`.
    pub async fn community_edit(&self, url: &str, id: i64, text: &str) -> Result<()> {
        let (addr, room) = self.joined(url)?;
        let old = self
            .history()
            .community_post(&room.base_url, &room.token, id)
            .map_err(local)?;
        if old.as_ref().is_some_and(|p| !p.mine) {
            return Err(refused(format!(
                "post {id} is not ours: only its poster edits it"
            )));
        }
        let blind = self.blinded(&room.base_url)?;
        let now = self.messenger().now_ms();
        let quote = match old.as_ref().and_then(|p| p.quote.clone()) {
            Some((author, ms)) => self
                .history()
                .community_posts(&room.base_url, &room.token, usize::MAX)
                .map_err(local)?
                .into_iter()
                .find(|p| p.sender == author && p.sent_ms == ms),
            None => None,
        };
        let content = post_content(text, quote.as_ref(), &self.own_profile(), now);
        let keys = self.messenger().account().keys();
        let body = signed_body(keys, &addr.server.pubkey, blind, &content)?;
        let endpoint = format!("/room/{}/message/{id}", seg(&room.token));
        self.api(&addr.server, blind)
            .call(&super::api::Call::with_json("PUT", endpoint, body))
            .await?
            .ok("editing")?;
        if let Some(mut p) = old {
            p.text = text.to_owned();
            p.edited_ms = Some(now);
            self.history()
                .community_record_post(&room.base_url, &room.token, &p)
                .map_err(local)?;
        }
        Ok(())
    }

    /// Deletes post `id` (ours, or anyone's for a moderator).
    pub async fn community_delete(&self, url: &str, id: i64) -> Result<()> {
        let (addr, room) = self.joined(url)?;
        let blind = self.blinded(&room.base_url)?;
        let endpoint = format!("/room/{}/message/{id}", seg(&room.token));
        self.api(&addr.server, blind)
            .call(&super::api::Call::delete(endpoint))
            .await?
            .ok("deleting the post")?;
        self.history()
            .community_remove_post(&room.base_url, &room.token, id)
            .map_err(local)
    }

    /// Adds (or with `remove`, takes back) our reaction `emoji` to post `id`.
    pub async fn community_react(
        &self,
        url: &str,
        id: i64,
        emoji: &str,
        remove: bool,
    ) -> Result<()> {
        let (addr, room) = self.joined(url)?;
        if emoji.is_empty() || emoji.len() > 64 {
            return Err(refused("a reaction is one emoji"));
        }
        let blind = self.blinded(&room.base_url)?;
        let endpoint = format!("/room/{}/reaction/{id}/{}", seg(&room.token), seg(emoji));
        let call = if remove {
            super::api::Call::delete(endpoint)
        } else {
            super::api::Call {
                method: "PUT",
                endpoint,
                json: None,
            }
        };
        self.api(&addr.server, blind)
            .call(&call)
            .await?
            .ok("reacting")
            .map(drop)
    }

    /// Marks the room of `url` read up to its newest post (`ConvoInfoVolatile`, pushed).
    pub async fn community_mark_read(&self, url: &str) -> Result<()> {
        let (_, room) = self.joined(url)?;
        let moved = self
            .history()
            .community_mark_read(&room.base_url, &room.token)
            .map_err(local)?;
        if moved {
            self.sync_configs().await;
        }
        Ok(())
    }
}
