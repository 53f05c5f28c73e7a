//! Calls over the 1:1 pipeline: `session_call::Machine` fed by polls of the own swarm (the call
//! messages every poll keeps in the history for their TTL) and by the media session
//! (`session_media`, relay-only through the network's TURN server); its actions sent as 1:1
//! call messages with Session's 5-minute TTL, media started and stopped, calls recorded.
//!
//! One call per account at a time. While a call runs, `HOME/call.active` names it; a
//! `HOME/call.hangup` file (what `session-cli hangup` writes) ends it.

mod drive;

use crate::chat::Chat;
use crate::error::{Error, Result};
use crate::history::CallRecord;
use session_call::{CallId, HistoryEntry};
use session_crypto::SessionId;
use session_media::Recording;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File naming the running call (peer and call id, one per line).
pub const ACTIVE_FILE: &str = "call.active";
/// File that asks the running call to hang up.
pub const HANGUP_FILE: &str = "call.hangup";

/// How a call behaves.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// What we say (48 kHz mono samples), played once from connection, then silence.
    pub play: Vec<i16>,
    /// Hang up this long after media connects (`None`: when the peer hangs up).
    pub duration: Option<Duration>,
}

/// What a call did, for the caller to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallEvent {
    /// We are calling.
    Calling {
        /// Whom.
        peer: SessionId,
        /// The call.
        call: CallId,
    },
    /// A contact calls us.
    Ringing {
        /// Who.
        peer: SessionId,
        /// The call.
        call: CallId,
    },
    /// Media is connected; `setup_ms` since the call started here.
    Connected {
        /// Call start (ours, or answering) to media flowing, ms.
        setup_ms: u64,
    },
    /// Someone who is not a contact called; shown as a missed call in their request.
    MissedFromRequest {
        /// The caller.
        from: SessionId,
    },
    /// The call is over.
    Ended(HistoryEntry),
}

/// How a call went.
#[derive(Clone, Debug, Default)]
pub struct CallReport {
    /// The history entry (`None` if nothing was recorded: no call came).
    pub entry: Option<HistoryEntry>,
    /// What was heard, and the media's counters.
    pub recording: Option<Recording>,
    /// Call start to media flowing, ms.
    pub setup_ms: Option<u64>,
}

impl Chat {
    /// Calls `peer` and runs the call until it ends (hang-up by either side, no answer in
    /// 60 s, the duration, a failure).
    pub async fn call(
        &mut self,
        peer: &SessionId,
        opts: CallOptions,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<CallReport> {
        drive::Driver::new(self, opts)?.call(*peer, on).await
    }

    /// Waits up to `wait` for a contact's call (one already ringing counts), answers it and
    /// runs it until it ends. `Ok` with no entry when none came.
    pub async fn answer(
        &mut self,
        opts: CallOptions,
        wait: Duration,
        on: &mut dyn FnMut(&CallEvent),
    ) -> Result<CallReport> {
        drive::Driver::new(self, opts)?.answer(wait, on).await
    }

    /// Declines the call ringing now (an offer from a contact within the last 60 s that has
    /// not ended): END_CALL to the caller and to our other devices. `None` when none rings.
    pub async fn decline(&mut self) -> Result<Option<HistoryEntry>> {
        drive::Driver::new(self, CallOptions::default())?
            .decline()
            .await
    }

    /// The call history, newest first.
    pub fn calls(&self) -> Result<Vec<CallRecord>> {
        self.history().calls().map_err(crate::chat::local)
    }
}

/// Asks the call running in `home` to hang up. Fails when no call runs there.
pub fn request_hangup(home: &Path) -> Result<()> {
    if !home.join(ACTIVE_FILE).exists() {
        return Err(Error::Local("no call in progress".into()));
    }
    std::fs::write(home.join(HANGUP_FILE), b"hangup\n")
        .map_err(|e| Error::Local(format!("{HANGUP_FILE}: {e}")))
}

fn home_file(home: Option<&Path>, name: &str) -> Option<PathBuf> {
    home.map(|h| h.join(name))
}
