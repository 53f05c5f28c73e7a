//! The gRPC server side.

use super::auth::{self, Scope};
use super::proto::node_internal_server::{NodeInternal, NodeInternalServer};
use super::proto::{ForwardReply, ForwardRequest, PingReply, PingRequest};
use crate::rpc;
use crate::state::NodeState;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// Signed-message tag of a ping reply.
pub const PING_DOMAIN: &[u8] = b"session-rs-ping-v1";

/// The internal service of one node.
#[derive(Clone, Debug)]
pub struct InternalService {
    node: Arc<NodeState>,
}

impl InternalService {
    /// Serves `node`.
    pub fn new(node: Arc<NodeState>) -> Self {
        Self { node }
    }
}

/// The bytes a pinged node signs.
pub fn ping_message(nonce: &[u8], caller: &[u8; 32]) -> Vec<u8> {
    [PING_DOMAIN, nonce, caller].concat()
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
        )?;
        if !session_rpc::request::is_recursive_body(&req.body) {
            return Err(Status::invalid_argument(
                "only recursive requests are forwarded",
            ));
        }
        let reply = tokio::task::spawn_blocking(move || rpc::handle(&node, &req.body))
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(ForwardReply {
            code: u32::from(reply.code),
            body: reply.body_bytes(),
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

/// Serves the internal API on `listener` until `shutdown`.
pub async fn serve(
    node: Arc<NodeState>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tonic::transport::Server::builder()
        .add_service(NodeInternalServer::new(InternalService::new(node)))
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await
}
