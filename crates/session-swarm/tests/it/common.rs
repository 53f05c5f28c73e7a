//! Shared helpers: deterministic node keys and signed registrations.

use ed25519_dalek::{Signer, SigningKey};
use session_swarm::{
    NodeRecord, RegistryContext, RegistryEvent, RegistryEventKind, registration_message,
};

pub const CTX: RegistryContext = RegistryContext {
    chain_id: 31337,
    registry: [0xAB; 20],
};

/// The signing key of test node `n` (seed = n as 32-byte little-endian, plus a marker).
pub fn signing_key(n: u64) -> SigningKey {
    let mut seed = [0x5Au8; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    SigningKey::from_bytes(&seed)
}

/// A correct record for test node `n` with registry id `id`.
pub fn record(n: u64, id: u64) -> NodeRecord {
    let vk = signing_key(n).verifying_key();
    NodeRecord {
        id,
        operator: [n as u8; 20],
        ed25519: vk.to_bytes(),
        x25519: vk.to_montgomery().to_bytes(),
        ipv4: [127, 0, 0, (n % 250) as u8 + 1],
        http_port: 20_000 + n as u16,
        grpc_port: 30_000 + n as u16,
    }
}

/// A valid signature of `record` by node `n`'s key, under `ctx`.
pub fn sign(ctx: &RegistryContext, n: u64, record: &NodeRecord) -> Vec<u8> {
    signing_key(n)
        .sign(&registration_message(ctx, record))
        .to_bytes()
        .to_vec()
}

/// A correctly signed registration event of node `n` with id `id`.
pub fn registered(n: u64, id: u64, block: u64, log_index: u64) -> RegistryEvent {
    let record = record(n, id);
    let signature = sign(&CTX, n, &record);
    RegistryEvent {
        block,
        log_index,
        kind: RegistryEventKind::Registered { record, signature },
    }
}

pub fn activated(id: u64, block: u64, log_index: u64) -> RegistryEvent {
    RegistryEvent {
        block,
        log_index,
        kind: RegistryEventKind::Activated { id },
    }
}

pub fn exited(id: u64, block: u64, log_index: u64) -> RegistryEvent {
    RegistryEvent {
        block,
        log_index,
        kind: RegistryEventKind::Exited { id },
    }
}
