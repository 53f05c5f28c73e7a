//! The gRPC server side of the internal API: authenticates each call, then hands it to the
//! request logic (storage RPC, onion relay, replication's summaries and fetches).

use crate::internal::auth::{self, Scope};
use crate::internal::proto::node_internal_server::{NodeInternal, NodeInternalServer};
use crate::internal::proto::{
    AccountSummary, FetchReply, FetchRequest, ForwardReply, ForwardRequest, PingReply, PingRequest,
    RelayReply, RelayRequest, RevocationsReply, RevocationsRequest, StoredMessage, SummaryReply,
    SummaryRequest, Tombstone,
};
use crate::internal::{MAX_MESSAGE_BYTES, ping_message};
use crate::onion::Onion;
use crate::replication::revocations;
use crate::rpc;
use crate::state::NodeState;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// The internal service of one node.
#[derive(Clone, Debug)]
pub struct InternalService {
    node: Arc<NodeState>,
    onion: Arc<Onion>,
}

impl InternalService {
    /// Serves the node of `onion` (which also handles relayed onion layers).
    pub fn new(onion: Arc<Onion>) -> Self {
        Self {
            node: onion.node().clone(),
            onion,
        }
    }
}

#[tonic::async_trait]
impl NodeInternal for InternalService {
    async fn forward(
        &self,
        request: Request<ForwardRequest>,
    ) -> Result<Response<ForwardReply>, Status> {
        let mut req = request.into_inner();
        let auth = req.auth.take();
        let node = self.node.clone();
        auth::verify(
            auth.as_ref(),
            "Forward",
            &auth::payload(&req),
            node.now_ms(),
            &node.view(),
            Scope::OwnSwarm,
            &node.peer_clock,
        )?;
        let forwarded = node.clone();
        let reply = (node.executor)
            .run(move || rpc::handle_forwarded(&forwarded, &req.body))
            .await
            .map_err(|e| match e {
                crate::executor::ExecError::Busy => Status::resource_exhausted(e.to_string()),
                crate::executor::ExecError::Panicked => Status::internal(e.to_string()),
            })?
            .ok_or_else(|| Status::invalid_argument("only recursive requests are forwarded"))?;
        Ok(Response::new(ForwardReply {
            code: u32::from(reply.code),
            body: reply.body_bytes(),
        }))
    }

    async fn summary(
        &self,
        request: Request<SummaryRequest>,
    ) -> Result<Response<SummaryReply>, Status> {
        let mut req = request.into_inner();
        let auth = req.auth.take();
        let swarm = self.caller_swarm(auth.as_ref(), "Summary", &auth::payload(&req))?;
        let node = self.node.clone();
        let view = node.view();
        let now = node.now_ms();
        let (summaries, revocations) = blocking(move || {
            let theirs = |a: &session_store::Account| view.swarm_id_for(a) == Some(swarm);
            Ok((
                node.store.summaries(now, theirs)?,
                node.store.revocation_summaries(theirs)?,
            ))
        })
        .await?;
        Ok(Response::new(SummaryReply {
            revocations: revocations::to_wire(revocations),
            summaries: summaries
                .into_iter()
                .map(|s| AccountSummary {
                    account: s.account.0.to_vec(),
                    namespace: i32::from(s.namespace.0),
                    count: s.count,
                    digest: s.digest.to_vec(),
                    expiry_digest: s.expiry_digest.to_vec(),
                })
                .collect(),
        }))
    }

    async fn fetch(&self, request: Request<FetchRequest>) -> Result<Response<FetchReply>, Status> {
        let mut req = request.into_inner();
        let auth = req.auth.take();
        let swarm = self.caller_swarm(auth.as_ref(), "Fetch", &auth::payload(&req))?;
        let account = self.account_of_swarm(&req.account, swarm)?;
        let ns = i16::try_from(req.namespace)
            .map(session_store::Namespace)
            .map_err(|_| Status::invalid_argument("namespace out of range"))?;
        let after = match <[u8; 32]>::try_from(req.after.as_slice()) {
            Ok(hash) => Some(session_store::MessageHash(hash)),
            Err(_) if req.after.is_empty() => None,
            Err(_) => return Err(Status::invalid_argument("after is not a 32-byte hash")),
        };
        let node = self.node.clone();
        let now = node.now_ms();
        let have: std::collections::HashSet<Vec<u8>> = req.have.into_iter().collect();
        let (batch, deleted, proofs, stamps, expiry_proofs) = blocking(move || {
            let all = usize::MAX;
            let batch =
                node.store
                    .retrieve(&account, ns, after.as_ref(), all, FETCH_BATCH_BYTES, now)?;
            // Tombstones and expiry stamps travel with the first batch.
            let (deleted, stamps) = match after {
                None => (
                    node.store.tombstones(&account, ns)?,
                    node.store.stamps(&account, ns)?,
                ),
                Some(_) => (Vec::new(), Vec::new()),
            };
            let proofs = crate::replication::proofs::for_reply(&node.store, &deleted);
            let expiry_proofs = crate::replication::expiries::for_reply(&node.store, &stamps);
            Ok((batch, deleted, proofs, stamps, expiry_proofs))
        })
        .await?;
        let last = batch
            .messages
            .last()
            .map(|m| m.hash.0.to_vec())
            .unwrap_or_default();
        Ok(Response::new(FetchReply {
            more: batch.more,
            last,
            proofs,
            expiry_proofs,
            stamps: crate::replication::expiries::to_wire(&stamps),
            deleted: deleted
                .into_iter()
                .map(|t| Tombstone {
                    hash: t.hash.0.to_vec(),
                    expiry_ms: t.expiry_ms,
                    proof: t.proof.map(|id| id.to_vec()).unwrap_or_default(),
                })
                .collect(),
            messages: batch
                .messages
                .into_iter()
                .filter(|m| !have.contains(m.hash.0.as_slice()))
                .map(|m| StoredMessage {
                    hash: m.hash.0.to_vec(),
                    timestamp_ms: m.timestamp_ms,
                    expiry_ms: m.expiry_ms,
                    data: m.data,
                })
                .collect(),
        }))
    }

    async fn revocations(
        &self,
        request: Request<RevocationsRequest>,
    ) -> Result<Response<RevocationsReply>, Status> {
        let mut req = request.into_inner();
        let auth = req.auth.take();
        let swarm = self.caller_swarm(auth.as_ref(), "Revocations", &auth::payload(&req))?;
        let account = self.account_of_swarm(&req.account, swarm)?;
        let node = self.node.clone();
        let revocations = blocking(move || revocations::reply(&node.store, &account)).await?;
        Ok(Response::new(RevocationsReply { revocations }))
    }

    async fn relay(&self, request: Request<RelayRequest>) -> Result<Response<RelayReply>, Status> {
        let mut req = request.into_inner();
        let auth = req.auth.take();
        auth::verify(
            auth.as_ref(),
            "Relay",
            &auth::payload(&req),
            self.node.now_ms(),
            &self.node.view(),
            Scope::AnyNode,
            &self.node.peer_clock,
        )?;
        let reply = self.onion.relayed(&req.envelope, req.hop_no).await;
        Ok(Response::new(RelayReply {
            code: u32::from(reply.code),
            body: reply.body,
        }))
    }

    async fn ping(&self, request: Request<PingRequest>) -> Result<Response<PingReply>, Status> {
        let mut req = request.into_inner();
        let auth = req.auth.take();
        let caller = auth::verify(
            auth.as_ref(),
            "Ping",
            &auth::payload(&req),
            self.node.now_ms(),
            &self.node.view(),
            Scope::AnyNode,
            &self.node.peer_clock,
        )?;
        Ok(Response::new(PingReply {
            responder: self.node.record.ed25519.to_vec(),
            signature: self
                .node
                .keys
                .sign(&ping_message(&req.nonce, &caller))
                .to_vec(),
        }))
    }
}

impl InternalService {
    /// `bytes` as an account of `swarm`: refused otherwise.
    fn account_of_swarm(
        &self,
        bytes: &[u8],
        swarm: session_swarm::SwarmId,
    ) -> Result<session_store::Account, Status> {
        let account = session_store::Account(
            bytes
                .try_into()
                .map_err(|_| Status::invalid_argument("account is not 33 bytes"))?,
        );
        if self.node.view().swarm_id_for(&account) != Some(swarm) {
            return Err(Status::permission_denied(
                "account does not belong to the caller's swarm",
            ));
        }
        Ok(account)
    }

    /// Verifies a replication call and returns the caller's swarm.
    fn caller_swarm(
        &self,
        auth: Option<&crate::internal::proto::Auth>,
        method: &str,
        payload: &[u8],
    ) -> Result<session_swarm::SwarmId, Status> {
        let view = self.node.view();
        let caller = auth::verify(
            auth,
            method,
            payload,
            self.node.now_ms(),
            &view,
            Scope::AnyNode,
            &self.node.peer_clock,
        )?;
        view.nodes()
            .find(|(_, n)| n.ed25519 == caller)
            .map(|(id, _)| id)
            .ok_or_else(|| Status::permission_denied("caller is not in any swarm"))
    }
}

/// Most message data in one `Fetch` reply (the reference's push batch bound).
pub const FETCH_BATCH_BYTES: usize = 9_000_000;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> session_store::Result<T> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Status::internal(e.to_string()))?
        .map_err(|e| Status::internal(e.to_string()))
}

/// Longest a call may take, from its start to its answer (a peer that streams a request body
/// without end is cut here; the largest Fetch batch takes well under a second on loopback).
pub const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves the internal API of `onion`'s node on `listener` until `shutdown`.
pub async fn serve(
    onion: Arc<Onion>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tonic::transport::Server::builder()
        .timeout(CALL_TIMEOUT)
        .add_service(
            NodeInternalServer::new(InternalService::new(onion))
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await
}
