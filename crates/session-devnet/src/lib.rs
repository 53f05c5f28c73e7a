#![doc = include_str!("../README.md")]

pub mod anvil;
mod devnet;
pub mod manifest;
pub mod ops;
mod process;
pub mod servers;
pub mod turn;

pub use devnet::{Devnet, DevnetConfig, NodeHandle, SwarmReport};
pub use manifest::{CommunityEntry, FileServerEntry, Manifest, RoomEntry, TurnEntry};
pub use process::{is_running, state, terminate};

/// Errors of the devnet.
pub type Result<T> = anyhow::Result<T>;

/// A free TCP port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> std::io::Result<u16> {
    free_port_on([127, 0, 0, 1])
}

/// Ports this process has handed out. A port is bound, read and released, and its node binds
/// it only after registering on chain (a second or more later); two devnets built at once in
/// one test binary could otherwise both get it, and one node would not start.
static HANDED_OUT: std::sync::Mutex<std::collections::BTreeSet<u16>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// A free TCP port on `ipv4` (bound, read, released), never one this process handed out before.
pub fn free_port_on(ipv4: [u8; 4]) -> std::io::Result<u16> {
    let mut handed = HANDED_OUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    fresh_port(&mut handed, || {
        Ok(
            std::net::TcpListener::bind((std::net::Ipv4Addr::from(ipv4), 0))?
                .local_addr()?
                .port(),
        )
    })
}

/// The first port `draw` gives that is not in `handed` (recorded there); gives up after 1,000
/// draws.
fn fresh_port(
    handed: &mut std::collections::BTreeSet<u16>,
    mut draw: impl FnMut() -> std::io::Result<u16>,
) -> std::io::Result<u16> {
    for _ in 0..1_000 {
        let port = draw()?;
        if handed.insert(port) {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "every free port drawn had been handed out already",
    ))
}

#[cfg(test)]
mod tests {
    use super::fresh_port;
    use std::collections::BTreeSet;

    #[test]
    fn a_port_is_handed_out_once() {
        let mut handed = BTreeSet::new();
        let mut draws = [40_001u16, 40_001, 40_001, 40_003].into_iter();
        let mut draw = || Ok(draws.next().expect("a draw"));
        assert_eq!(fresh_port(&mut handed, &mut draw).unwrap(), 40_001);
        assert_eq!(fresh_port(&mut handed, &mut draw).unwrap(), 40_003);
        assert_eq!(handed.len(), 2);
    }

    #[test]
    fn drawing_only_handed_out_ports_gives_up() {
        let mut handed = BTreeSet::from([7u16]);
        let err = fresh_port(&mut handed, || Ok(7)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    }
}
