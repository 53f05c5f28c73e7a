//! Calling other nodes: one lazily connected gRPC channel per peer, and the swarm fan-out of
//! recursive requests.

use super::auth;
use super::ping_message;
use super::proto::Auth;
use super::proto::node_internal_client::NodeInternalClient;
use super::proto::{
    FetchRequest, ForwardRequest, PingRequest, RelayRequest, RevocationsRequest, SummaryRequest,
};
use crate::state::NodeState;
use crate::swarm_view::NodeRecord;
use session_crypto::Ed25519PublicKey;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// How long the entry node waits for each peer (the reference's `sn.storage_cc` timeout).
pub const FORWARD_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a node waits for the next hop of an onion request (the reference's 30 s).
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a call to a peer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// No answer in time.
    #[error("timeout")]
    Timeout,
    /// The call failed (connection, refusal, bad answer).
    #[error("{0}")]
    Call(String),
}

/// A channel unused this long is dropped (its connection closes once no call holds it): a node
/// keeps connections to the peers it works with (its swarm, every sync round; busy onion
/// relays), not to every node it once peer-tested (one per pass interval, every node in turn:
/// at 100 nodes those connections were most of what a node's memory grew by with the network).
pub const IDLE_CHANNEL: Duration = Duration::from_secs(20);

/// Channels to peers, by gRPC address, with when each was last used.
#[derive(Debug, Default)]
pub struct Peers {
    channels: Mutex<Channels>,
    /// The address calls leave from; none lets the kernel choose.
    local: Option<IpAddr>,
}

impl Peers {
    /// Peers called from `local`, the address the node's gRPC server listens on, when that is a
    /// specific one (an unspecified address leaves the choice to the kernel). Only with
    /// `peer_calls_from_listen_address` (see [`crate::config::NodeConfig`]).
    pub fn bound_to(local: IpAddr) -> Self {
        Self {
            channels: Mutex::default(),
            local: (!local.is_unspecified()).then_some(local),
        }
    }

    fn client(&self, addr: SocketAddr) -> Result<NodeInternalClient<Channel>, PeerError> {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        channels.drop_idle(now);
        if let Some((c, used)) = channels.by_addr.get_mut(&addr) {
            *used = now;
            return Ok(c.clone());
        }
        let channel = Channel::from_shared(format!("http://{addr}"))
            .map_err(|e| PeerError::Call(e.to_string()))?
            .connect_timeout(Duration::from_secs(2))
            .local_address(self.local)
            .connect_lazy();
        let client = NodeInternalClient::new(channel)
            .max_decoding_message_size(super::MAX_MESSAGE_BYTES)
            .max_encoding_message_size(super::MAX_MESSAGE_BYTES);
        channels.by_addr.insert(addr, (client.clone(), now));
        Ok(client)
    }

    /// Peers with an open channel.
    pub fn open_channels(&self) -> usize {
        (self.channels.lock())
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_addr
            .len()
    }

    /// Has `peer` execute `body` (a recursive storage RPC request); returns its code and body.
    pub async fn forward(
        &self,
        node: &NodeState,
        peer: &NodeRecord,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>), PeerError> {
        let mut req = ForwardRequest {
            auth: None,
            body: body.to_vec(),
        };
        sign(node, "Forward", &mut req, |r, a| r.auth = Some(a));
        let mut client = self.client(peer.grpc)?;
        let reply = call_within(FORWARD_TIMEOUT, client.forward(req), call_error).await?;
        let code = u16::try_from(reply.code).unwrap_or(500);
        Ok((code, reply.body))
    }

    /// Relays an onion layer (`envelope` in the outer-payload framing, `hop_no` relays so far)
    /// to `peer`; returns what its `/onion_req/v2` answered. An unreachable peer counts as a
    /// timeout.
    pub async fn relay(
        &self,
        node: &NodeState,
        peer: &NodeRecord,
        envelope: Vec<u8>,
        hop_no: u32,
    ) -> Result<(u16, Vec<u8>), PeerError> {
        let mut req = RelayRequest {
            auth: None,
            envelope,
            hop_no,
        };
        sign(node, "Relay", &mut req, |r, a| r.auth = Some(a));
        let mut client = self.client(peer.grpc)?;
        // An unreachable next hop counts as a timeout (the client sees 504).
        let unreachable_is_timeout = |s: tonic::Status| match s.code() {
            tonic::Code::Unavailable | tonic::Code::DeadlineExceeded => PeerError::Timeout,
            _ => call_error(s),
        };
        let reply = call_within(RELAY_TIMEOUT, client.relay(req), unreachable_is_timeout).await?;
        let code = u16::try_from(reply.code).unwrap_or(500);
        Ok((code, reply.body))
    }

    /// `peer`'s summaries (messages and revocations) of the accounts that belong to this
    /// node's swarm.
    pub async fn summary(
        &self,
        node: &NodeState,
        peer: &NodeRecord,
    ) -> Result<super::proto::SummaryReply, PeerError> {
        let mut req = SummaryRequest { auth: None };
        sign(node, "Summary", &mut req, |r, a| r.auth = Some(a));
        let mut client = self.client(peer.grpc)?;
        call(client.summary(req)).await
    }

    /// `peer`'s revocation states of `account` (an account of this node's swarm).
    pub async fn revocations(
        &self,
        node: &NodeState,
        peer: &NodeRecord,
        account: &[u8],
    ) -> Result<Vec<super::proto::Revocation>, PeerError> {
        let mut req = RevocationsRequest {
            auth: None,
            account: account.to_vec(),
        };
        sign(node, "Revocations", &mut req, |r, a| r.auth = Some(a));
        let mut client = self.client(peer.grpc)?;
        Ok(call(client.revocations(req)).await?.revocations)
    }

    /// One batch of `peer`'s live messages of (account, namespace) after `after` (a hash, or
    /// empty: then its tombstones of the pair come too), leaving out the hashes in `have`;
    /// `more` says whether more follow, after `last`.
    pub async fn fetch(
        &self,
        node: &NodeState,
        peer: &NodeRecord,
        account: &[u8],
        namespace: i32,
        after: &[u8],
        have: &[Vec<u8>],
    ) -> Result<super::proto::FetchReply, PeerError> {
        let mut req = FetchRequest {
            auth: None,
            account: account.to_vec(),
            namespace,
            after: after.to_vec(),
            have: have.to_vec(),
        };
        sign(node, "Fetch", &mut req, |r, a| r.auth = Some(a));
        let mut client = self.client(peer.grpc)?;
        call(client.fetch(req)).await
    }

    /// Pings `peer` and checks that it answers with a signature by its registered key.
    pub async fn ping(&self, node: &NodeState, peer: &NodeRecord) -> Result<(), PeerError> {
        let mut nonce = [0u8; 32];
        rand::fill(&mut nonce);
        let mut req = PingRequest {
            auth: None,
            nonce: nonce.to_vec(),
        };
        sign(node, "Ping", &mut req, |r, a| r.auth = Some(a));
        let mut client = self.client(peer.grpc)?;
        let reply = call_within(FORWARD_TIMEOUT, client.ping(req), call_error).await?;
        let sig: [u8; 64] = reply
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| PeerError::Call("ping signature is not 64 bytes".into()))?;
        Ed25519PublicKey::from_bytes(peer.ed25519)
            .verify(&ping_message(&nonce, &node.record.ed25519), &sig, "ping")
            .map_err(|_| PeerError::Call("ping reply not signed by the registered key".into()))
    }
}

/// The channel map and when it was last swept.
#[derive(Debug, Default)]
struct Channels {
    by_addr: HashMap<SocketAddr, (NodeInternalClient<Channel>, Instant)>,
    swept: Option<Instant>,
}

impl Channels {
    /// Drops the channels unused for [`IDLE_CHANNEL`]; sweeps at most once per half of it.
    fn drop_idle(&mut self, now: Instant) {
        if self
            .swept
            .is_some_and(|t| now.duration_since(t) < IDLE_CHANNEL / 2)
        {
            return;
        }
        self.swept = Some(now);
        self.by_addr
            .retain(|_, (_, used)| now.duration_since(*used) < IDLE_CHANNEL);
    }
}

/// Signs `req` (its auth unset) for `method` as this node, now.
fn sign<R: prost::Message>(
    node: &NodeState,
    method: &str,
    req: &mut R,
    set: impl FnOnce(&mut R, Auth),
) {
    let auth = auth::sign(&node.keys, method, node.now_ms(), &auth::payload(req));
    set(req, auth);
}

/// A failed call's status as a peer error.
fn call_error(s: tonic::Status) -> PeerError {
    PeerError::Call(format!("{}: {}", s.code(), s.message()))
}

/// Awaits a call for at most `limit`; `on_status` classifies a failed status.
async fn call_within<T>(
    limit: std::time::Duration,
    fut: impl std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    on_status: impl FnOnce(tonic::Status) -> PeerError,
) -> Result<T, PeerError> {
    Ok(tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| PeerError::Timeout)?
        .map_err(on_status)?
        .into_inner())
}

/// Awaits a bulk call (summaries, fetch batches): the forward timeout ×6.
async fn call<T>(
    fut: impl std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, PeerError> {
    call_within(FORWARD_TIMEOUT * 6, fut, call_error).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn channels_unused_for_the_idle_time_are_dropped_and_used_ones_kept() {
        let peers = Peers::default();
        let (a, b): (SocketAddr, SocketAddr) = (
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
        );
        peers.client(a).unwrap();
        peers.client(b).unwrap();
        assert_eq!(peers.open_channels(), 2);
        let mut channels = peers.channels.lock().unwrap();
        let start = channels.by_addr[&a].1;
        // `a` used again 15 s in; at 25 s only `b` has been idle for the whole 20 s.
        channels.by_addr.get_mut(&a).unwrap().1 = start + Duration::from_secs(15);
        channels.swept = None;
        channels.drop_idle(start + Duration::from_secs(25));
        assert_eq!(channels.by_addr.keys().collect::<Vec<_>>(), [&a]);
        // Swept at most once per half the idle time: `a`, idle since the start, survives a
        // call 5 s after the last sweep and goes at the next one.
        channels.by_addr.get_mut(&a).unwrap().1 = start;
        channels.drop_idle(start + Duration::from_secs(30));
        assert_eq!(channels.by_addr.len(), 1, "no sweep 5 s after the last");
        channels.drop_idle(start + Duration::from_secs(36));
        assert!(channels.by_addr.is_empty());
    }
}
