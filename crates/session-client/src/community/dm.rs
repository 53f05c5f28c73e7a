//! Blinded DMs: writing to a `15…` ID seen in a room through the server's inbox
//! (`spec/crypto.md` §3.5 encryption), and the move to a normal 1:1 conversation once both
//! sides know each other's Session ID: each DM reveals its sender's Session ID to the
//! recipient, so after a DM each way, both know; from then on the conversation goes through
//! the swarm, with the peer an accepted contact. A first DM from a stranger (one we never
//! wrote to) is a message request.

use super::api::Call;
use super::refused;
use super::url::CommunityServer;
use crate::chat::{Chat, local};
use crate::error::Result;
use crate::history::ContactState;
use crate::history::community::{CommunityApplied, Dm};
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::{BlindKind, BlindedId, SessionId};
use session_protocol::community::encode_blinded_dm;

/// How a DM went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DmSent {
    /// Through the community inbox, with the server's id.
    Inbox(i64),
    /// As a 1:1 message (both sides know each other), with its hash.
    OneToOne {
        /// The peer's Session ID.
        peer: String,
        /// The message hash.
        hash: String,
    },
}

impl Chat {
    /// The server named by `url`: a URL with its key, or the base URL of a joined server.
    pub fn community_server_of(&self, url: &str) -> Result<CommunityServer> {
        if url.contains("?public_key=") {
            return CommunityServer::parse(url);
        }
        let base = session_config::community::canonical_url(url.trim_end_matches('/'))
            .map_err(|e| refused(format!("community URL: {e}")))?;
        self.communities()?
            .into_iter()
            .find(|r| r.base_url == base)
            .map(|r| CommunityServer::new(&r.base_url, r.pubkey))
            .transpose()?
            .ok_or_else(|| refused(format!("no joined room on {base}; give ?public_key=")))
    }

    /// Writes `text` to the blinded `to` on the server of `server_url`: through the inbox,
    /// or as a 1:1 once both sides know each other's Session ID.
    pub async fn community_dm(&self, server_url: &str, to: &str, text: &str) -> Result<DmSent> {
        let server = self.community_server_of(server_url)?;
        let recipient: BlindedId = to
            .parse()
            .map_err(|_| refused(format!("{to}: expected a 15… blinded ID")))?;
        if recipient.kind() != BlindKind::Blind15 {
            return Err(refused("DMs go to 15… blinded IDs"));
        }
        let peer = self
            .history()
            .blinded_peer(&server.base_url, to)
            .map_err(local)?;
        if let (true, Some(sid)) = (peer.mutual(), peer.session_id.as_deref()) {
            let id: SessionId = sid.parse().map_err(|_| refused("bad stored Session ID"))?;
            self.approve_quietly(sid)?;
            let hash = self.send_text(&id, text, None, None).await?;
            return Ok(DmSent::OneToOne {
                peer: sid.to_owned(),
                hash,
            });
        }
        let now = self.messenger().now_ms();
        let content = super::posts::post_content(text, None, &self.own_profile(), now);
        let keys = self.messenger().account().keys();
        let bytes = encode_blinded_dm(keys, &server.pubkey, &recipient, &content, &mut rand::rng())
            .map_err(|e| refused(format!("encrypting the DM: {e}")))?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let answer = self
            .api(&server, true)
            .call(&Call::with_json(
                "POST",
                format!("/inbox/{to}"),
                json!({ "message": b64 }),
            ))
            .await?;
        let v = answer.ok("sending the DM")?;
        let id = v
            .get("id")
            .and_then(Value::as_i64)
            .ok_or_else(|| refused("the server's answer to a DM has no id"))?;
        let posted_ms = v
            .get("posted_at")
            .and_then(Value::as_f64)
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(now, |s| (s * 1000.0) as u64);
        let dm = Dm {
            id,
            outgoing: true,
            peer: to.to_owned(),
            peer_session_id: None,
            text: text.to_owned(),
            posted_ms,
        };
        self.history()
            .community_record_dm(&server.base_url, &dm)
            .map_err(local)?;
        if let (true, Some(sid)) = (
            self.history()
                .blinded_peer(&server.base_url, to)
                .map_err(local)?
                .mutual(),
            peer.session_id.as_deref(),
        ) {
            self.approve_quietly(sid)?;
            self.sync_configs().await;
        }
        Ok(DmSent::Inbox(id))
    }

    /// The peer becomes an accepted contact without a request response (they wrote to us
    /// through the community, and we to them).
    fn approve_quietly(&self, session_id: &str) -> Result<()> {
        let state = self.history().contact(session_id).map_err(local)?;
        if state.is_none_or(|c| c.state != ContactState::Approved) {
            self.history()
                .set_contact_state(session_id, ContactState::Approved)
                .map_err(local)?;
        }
        Ok(())
    }

    /// After a poll: peers with DMs both ways become accepted contacts.
    pub(crate) async fn after_dms(&self, applied: &CommunityApplied) -> Result<()> {
        let mut changed = false;
        for (base, dm) in &applied.dms {
            let peer = self.history().blinded_peer(base, &dm.peer).map_err(local)?;
            if let (true, Some(sid)) = (peer.mutual(), peer.session_id.as_deref()) {
                let before = self.history().contact(sid).map_err(local)?;
                if before.is_none_or(|c| c.state != ContactState::Approved) {
                    self.approve_quietly(sid)?;
                    changed = true;
                }
            }
        }
        if changed {
            self.sync_configs().await;
        }
        Ok(())
    }

    /// Whether a DM from `peer` on `base_url` is a message request (we never wrote to them).
    pub fn community_dm_is_request(&self, base_url: &str, peer: &str) -> Result<bool> {
        Ok(!self
            .history()
            .blinded_peer(base_url, peer)
            .map_err(local)?
            .sent)
    }
}
