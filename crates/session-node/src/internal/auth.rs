//! Authentication of internal calls: the caller signs (method, timestamp, body hash) with its
//! node key; the callee checks the key is a registered node (of its own swarm, for swarm calls)
//! and that the timestamp is within a minute of its clock.

use super::proto::Auth;
use crate::swarm_view::SwarmView;
use prost::Message;
use session_crypto::hash::{Blake2bParams, hash32};
use session_crypto::{Ed25519PublicKey, IdentityKeys};
use tonic::Status;

/// Domain tag of every internal signature.
pub const DOMAIN: &[u8] = b"session-rs-internal-v1";
/// Largest accepted distance between the caller's timestamp and the callee's clock.
pub const MAX_SKEW_MS: u64 = 60_000;

/// Who may make a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Any registered node of the current epoch.
    AnyNode,
    /// Only members of the callee's own swarm.
    OwnSwarm,
}

/// The bytes a caller signs.
pub fn signed_bytes(method: &str, timestamp_ms: u64, payload: &[u8]) -> Vec<u8> {
    let digest = hash32(Blake2bParams::PLAIN, &[payload]);
    let mut out = Vec::with_capacity(DOMAIN.len() + method.len() + 1 + 8 + 32);
    out.extend_from_slice(DOMAIN);
    out.extend_from_slice(method.as_bytes());
    out.push(0);
    out.extend_from_slice(&timestamp_ms.to_be_bytes());
    out.extend_from_slice(&digest);
    out
}

/// `msg` encoded without its auth field (what the signature covers).
pub fn payload<M: Message>(msg: &M) -> Vec<u8> {
    msg.encode_to_vec()
}

/// An `Auth` for calling `method` with a message whose auth-less encoding is `payload`.
pub fn sign(keys: &IdentityKeys, method: &str, now_ms: u64, payload: &[u8]) -> Auth {
    Auth {
        caller: keys.ed25519_public().as_bytes().to_vec(),
        timestamp_ms: now_ms,
        signature: keys.sign(&signed_bytes(method, now_ms, payload)).to_vec(),
    }
}

/// Checks an `Auth`; returns the caller's key.
pub fn verify(
    auth: Option<&Auth>,
    method: &str,
    payload: &[u8],
    now_ms: u64,
    view: &SwarmView,
    scope: Scope,
    clock: &super::peer_clock::PeerClock,
) -> Result<[u8; 32], Status> {
    let auth = auth.ok_or_else(|| Status::unauthenticated("missing auth"))?;
    let caller: [u8; 32] = auth
        .caller
        .as_slice()
        .try_into()
        .map_err(|_| Status::unauthenticated("caller key is not 32 bytes"))?;
    let sig: [u8; 64] = auth
        .signature
        .as_slice()
        .try_into()
        .map_err(|_| Status::unauthenticated("signature is not 64 bytes"))?;
    let Some(caller_swarm) = view
        .nodes()
        .find(|(_, n)| n.ed25519 == caller)
        .map(|(id, _)| id)
    else {
        return Err(Status::permission_denied("caller is not a registered node"));
    };
    if scope == Scope::OwnSwarm && view.own_swarm() != Some(caller_swarm) {
        return Err(Status::permission_denied("caller is not in this swarm"));
    }
    Ed25519PublicKey::from_bytes(caller)
        .verify(
            &signed_bytes(method, auth.timestamp_ms, payload),
            &sig,
            "internal call",
        )
        .map_err(|_| Status::unauthenticated("bad signature"))?;
    // Authentic: its clock counts towards the network's time, in the window or not.
    clock.record(caller, auth.timestamp_ms, now_ms);
    if auth.timestamp_ms.abs_diff(now_ms) > MAX_SKEW_MS {
        return Err(Status::unauthenticated("stale timestamp"));
    }
    Ok(caller)
}
