//! Registry logs → [`RegistryEvent`]s.

use crate::bindings::ServiceNodeRegistry::{self, ServiceNodeRegistryEvents as Ev};
use alloy::rpc::types::Log;
use alloy::sol_types::SolEventInterface;
use session_swarm::{NodeRecord, RegistryEvent, RegistryEventKind};

/// Why a log could not be turned into an event.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A pending log (no block number or index): only mined logs are read.
    #[error("log without block number or log index")]
    Unmined,
    /// The log is not one of the registry's events or its data does not decode.
    #[error("undecodable registry log: {0}")]
    Abi(String),
}

/// Decodes one registry log. `Ok(None)` for registry events that do not change the node set
/// (stake contributions).
pub fn decode_log(log: &Log) -> Result<Option<RegistryEvent>, DecodeError> {
    let (Some(block), Some(log_index)) = (log.block_number, log.log_index) else {
        return Err(DecodeError::Unmined);
    };
    let decoded = Ev::decode_log(&log.inner).map_err(|e| DecodeError::Abi(e.to_string()))?;
    let kind = match decoded.data {
        Ev::NodeRegistered(e) => registered(e),
        Ev::NodeActivated(e) => RegistryEventKind::Activated { id: e.id },
        Ev::NodeExitRequested(e) => RegistryEventKind::ExitRequested {
            id: e.id,
            unlock_time: e.unlockTime,
        },
        Ev::NodeExited(e) => RegistryEventKind::Exited { id: e.id },
        Ev::NodeContribution(_) => return Ok(None),
    };
    Ok(Some(RegistryEvent {
        block,
        log_index,
        kind,
    }))
}

fn registered(e: ServiceNodeRegistry::NodeRegistered) -> RegistryEventKind {
    RegistryEventKind::Registered {
        record: NodeRecord {
            id: e.id,
            operator: e.operator.into_array(),
            ed25519: e.ed25519.0,
            x25519: e.x25519.0,
            ipv4: e.ipv4.to_be_bytes(),
            http_port: e.httpPort,
            grpc_port: e.grpcPort,
        },
        signature: e.signature.to_vec(),
    }
}
