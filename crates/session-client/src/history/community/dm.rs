//! Blinded DMs kept here: recording, listing, and what we know of a blinded peer (whether
//! DMs went both ways, so that each side has learned the other's Session ID).

use super::poll::insert_dm;
use super::types::Dm;
use crate::history::{History, HistoryError, unms};
use rusqlite::params;

/// What we know of a blinded peer on one server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlindedPeer {
    /// Their Session ID, once a DM from them revealed it.
    pub session_id: Option<String>,
    /// We have DMed them (so they know our Session ID).
    pub sent: bool,
    /// They have DMed us.
    pub received: bool,
}

impl BlindedPeer {
    /// Both sides know each other's Session ID: the conversation can go on as a 1:1.
    pub fn mutual(&self) -> bool {
        self.sent && self.received && self.session_id.is_some()
    }
}

fn dm_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Dm> {
    Ok(Dm {
        id: r.get(0)?,
        outgoing: r.get(1)?,
        peer: r.get(2)?,
        peer_session_id: r.get(3)?,
        text: r.get(4)?,
        posted_ms: unms(r.get(5)?),
    })
}

impl History {
    /// Records a DM we sent (the outbox poll brings it again; kept once).
    pub fn community_record_dm(&self, base_url: &str, dm: &Dm) -> Result<(), HistoryError> {
        insert_dm(&self.db, base_url, dm).map(drop)
    }

    /// The DMs with `peer` (a blinded ID) on `base_url`, oldest first.
    pub fn community_dms(&self, base_url: &str, peer: &str) -> Result<Vec<Dm>, HistoryError> {
        let mut st = self.db.prepare(
            "SELECT id, outgoing, peer, peer_session_id, text, posted_ms FROM community_dms
             WHERE base_url = ?1 AND peer = ?2 ORDER BY posted_ms, id",
        )?;
        let rows = st.query_map(params![base_url, peer], dm_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What we know of the blinded `peer` on `base_url`.
    pub fn blinded_peer(&self, base_url: &str, peer: &str) -> Result<BlindedPeer, HistoryError> {
        let mut out = BlindedPeer::default();
        for d in self.community_dms(base_url, peer)? {
            if d.outgoing {
                out.sent = true;
            } else {
                out.received = true;
                out.session_id = out.session_id.or(d.peer_session_id);
            }
        }
        Ok(out)
    }
}
