//! What the group commands check before going online: group IDs, Session IDs, message
//! hashes, timers. Bad input is one line and exit code 2.

use super::GroupCommand;
use crate::CliError;
use crate::chat::{err, id};
use session_client::group::parse_group_id;
use session_crypto::{GroupId, SessionId};

pub(super) fn ids(list: &[String]) -> Result<Vec<SessionId>, CliError> {
    list.iter().map(|s| id(s)).collect()
}

pub(super) fn gid(s: &str) -> Result<GroupId, CliError> {
    parse_group_id(s).map_err(err)
}

/// A message hash (43 characters of unpadded base64, as `group history` shows them).
fn hash(s: &str) -> Result<(), CliError> {
    session_client::group::parse_hash(s).map_err(err)
}

/// Checks IDs before going online.
pub(super) fn precheck(cmd: &GroupCommand) -> Result<(), CliError> {
    use GroupCommand as G;
    match cmd {
        G::Create { members, .. } => ids(members).map(drop),
        G::Invite { group, members, .. } | G::Remove { group, members, .. } => {
            gid(group)?;
            ids(members).map(drop)
        }
        G::Promote { group, member } => {
            gid(group)?;
            id(member).map(drop)
        }
        G::Delete {
            group,
            hashes,
            members,
        } => {
            gid(group)?;
            if hashes.is_empty() && members.is_empty() {
                return Err(CliError(
                    "group delete: give message hashes and/or --member SESSION_ID".into(),
                ));
            }
            hashes.iter().try_for_each(|h| hash(h))?;
            ids(members).map(drop)
        }
        G::React { group, hash: h, .. } => {
            gid(group)?;
            hash(h)
        }
        G::Send {
            group,
            quote: Some(q),
            ..
        } => {
            gid(group)?;
            hash(q)
        }
        G::Disappear { group, seconds } => {
            gid(group)?;
            let (min, max) = (
                session_client::group::MIN_TIMER_SECS,
                session_client::group::MAX_TIMER_SECS,
            );
            if *seconds != 0 && !(min..=max).contains(seconds) {
                return Err(CliError(format!(
                    "group disappear: {seconds}: the timer is 0 (off) or {min} to {max} seconds"
                )));
            }
            Ok(())
        }
        G::Accept { group }
        | G::Decline { group }
        | G::Send { group, .. }
        | G::Rename { group, .. }
        | G::Describe { group, .. }
        | G::Leave { group }
        | G::Destroy { group }
        | G::History { group }
        | G::Members { group } => gid(group).map(drop),
        G::Invitations => Ok(()),
    }
}
