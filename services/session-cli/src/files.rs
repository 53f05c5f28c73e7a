//! The file commands: `send … --attach FILE…`, `attachments fetch HASH`, `profile
//! set-picture FILE`, `profile remove-picture`, and the attachment lists that `history` and
//! `receive` print. Files are checked before anything goes online (missing, not a file, over
//! 10,000,000 bytes: exit 2 with one line).

use crate::chat::{err, id, online};
use crate::output::Output;
use crate::progress::Bars;
use crate::{CliError, CliResult};
use serde_json::{Value, json};
use session_client::attachments::check_file;
use session_client::history::{FileState, StoredAttachment};
use session_client::{Chat, History};
use std::path::{Path, PathBuf};

/// What `send` was given.
pub struct SendArgs<'a> {
    /// Recipient.
    pub to: &'a str,
    /// Text (may be empty with files).
    pub text: &'a str,
    /// Files to attach.
    pub attach: &'a [PathBuf],
    /// Hash of a message to quote.
    pub quote: Option<&'a str>,
    /// Store TTL in seconds.
    pub ttl_secs: Option<u64>,
}

/// One attachment as printed: `file_name`, `size`, `content_type`, `path` (null until
/// downloaded), `state` (`pending`, `downloaded`, `failed`) and `error` when it failed.
pub fn attachment_json(a: &StoredAttachment) -> Value {
    let mut v = json!({
        "file_name": a.pointer.file_name,
        "size": a.pointer.size,
        "content_type": a.pointer.content_type,
        "path": a.path,
        "state": a.state.as_str(),
    });
    if let (FileState::Failed, Some(e), Some(o)) = (a.state, &a.error, v.as_object_mut()) {
        o.insert("error".into(), Value::String(e.clone()));
    }
    v
}

/// The attachments of message `hash` as printed (empty when it has none).
pub fn attachments_of(history: &History, hash: &str) -> Result<Vec<Value>, CliError> {
    Ok(history
        .attachments_of(hash)
        .map_err(err)?
        .iter()
        .map(attachment_json)
        .collect())
}

/// `send SESSION_ID [TEXT] [--attach FILE…] [--quote HASH] [--ttl SECONDS]`.
pub fn send(home: &Path, network: Option<PathBuf>, json: bool, a: &SendArgs<'_>) -> CliResult {
    let to = id(a.to)?;
    if a.text.is_empty() && a.attach.is_empty() {
        return Err(CliError(
            "nothing to send: give a text or --attach FILE".into(),
        ));
    }
    for f in a.attach {
        check_file(f).map_err(err)?;
    }
    let ttl_ms = a.ttl_secs.map(|s| s.saturating_mul(1000));
    let bars = Bars::new(json);
    let (hash, listed) = online(home, network, async |c| {
        let hash = if a.attach.is_empty() {
            c.send_text(&to, a.text, a.quote, ttl_ms).await
        } else {
            let step = |p| bars.step(p);
            c.send_with_attachments(&to, a.text, a.attach, a.quote, ttl_ms, &step)
                .await
        }
        .map_err(err)?;
        let listed = attachments_of(c.history(), &hash)?;
        Ok((hash, listed))
    })?;
    let mut out = Output::default()
        .field("to", to.to_string())
        .field("hash", hash);
    if !listed.is_empty() {
        out = out.field("attachments", listed);
    }
    Ok(out)
}

/// `attachments fetch HASH`: downloads what of the message's attachments is not here yet.
pub fn fetch(home: &Path, network: Option<PathBuf>, json: bool, hash: &str) -> CliResult {
    let bars = Bars::new(json);
    let listed = online(home, network, async |c| {
        let step = |p| bars.step(p);
        let all = c.fetch_attachments(hash, &step).await.map_err(err)?;
        Ok(all.iter().map(attachment_json).collect::<Vec<_>>())
    })?;
    Ok(Output::default()
        .field("hash", hash.to_owned())
        .field("attachments", listed))
}

/// After a poll: downloads what it brought (attachments, contacts' pictures) and keeps our
/// picture's upload alive. Failures are reported on stderr and do not fail the poll.
pub async fn after_poll(c: &Chat, bars: &Bars) {
    let step = |p| bars.step(p);
    match c.download_pending(&step).await {
        Ok((_, 0)) => {}
        Ok((_, failed)) => {
            eprintln!(
                "warning: {failed} attachment(s) failed to download; `attachments fetch HASH` retries"
            );
        }
        Err(e) => eprintln!("warning: attachments not downloaded: {e}"),
    }
    if let Err(e) = c.fetch_avatars().await {
        eprintln!("warning: profile pictures not fetched: {e}");
    }
    if let Err(e) = c.renew_profile_picture().await {
        eprintln!("warning: your profile picture's upload was not renewed: {e}");
    }
}

/// `profile set-picture FILE`.
pub fn set_picture(home: &Path, network: Option<PathBuf>, json: bool, file: &Path) -> CliResult {
    check_file(file).map_err(err)?;
    let bars = Bars::new(json);
    let url = online(home, network, async |c| {
        let step = |p| bars.step(p);
        c.set_profile_picture(file, &step).await.map_err(err)
    })?;
    let me = session_client::Account::open(home).map_err(err)?;
    let path = session_client::avatars::local_path(home, &me.session_id().to_string());
    Ok(Output::default()
        .field("picture_url", url)
        .field("picture_path", path.display().to_string()))
}

/// `profile remove-picture`.
pub fn remove_picture(home: &Path, network: Option<PathBuf>) -> CliResult {
    online(home, network, async |c| {
        c.remove_profile_picture().await.map_err(err)
    })?;
    Ok(Output::default().field("picture_url", Value::Null))
}
