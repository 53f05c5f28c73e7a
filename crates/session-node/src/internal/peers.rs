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
use std::time::Duration;
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

/// Channels to peers, by gRPC address.
#[derive(Debug, Default)]
pub struct Peers {
    channels: Mutex<HashMap<SocketAddr, NodeInternalClient<Channel>>>,
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
        let mut map = self
            .channels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = map.get(&addr) {
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
        map.insert(addr, client.clone());
        Ok(client)
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
