//! The one STUN exchange the devnet needs: a Binding request (RFC 8489 §6) and its success
//! response's XOR-MAPPED-ADDRESS, used to tell when the TURN server answers. The codec is
//! `session_call::turn::stun` (tested against RFC 5769's vectors there).

use session_call::turn::stun::{Attr, Class, Message, Method};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The XOR-MAPPED-ADDRESS of `msg` when it is a Binding success response to `txid`; `None` for
/// anything else (another message, another transaction, a truncated or malformed one).
fn binding_success(msg: &[u8], txid: &[u8; 12]) -> Option<SocketAddr> {
    let m = Message::decode(msg).ok()?;
    if (m.class, m.method) != (Class::Success, Method::Binding) || m.tx != *txid {
        return None;
    }
    m.find(|a| match a {
        Attr::XorMapped(addr) => Some(*addr),
        _ => None,
    })
}

/// Sends one Binding request to `server` over UDP and waits up to `timeout` for the success
/// response to it; returns the address the server saw us at (its XOR-MAPPED-ADDRESS).
pub async fn binding(server: SocketAddr, timeout: Duration) -> std::io::Result<SocketAddr> {
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::LOCALHOST, 0).into()
    } else {
        (Ipv6Addr::LOCALHOST, 0).into()
    };
    let socket = tokio::net::UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    let txid: [u8; 12] = rand::random();
    let request = Message::new(Class::Request, Method::Binding, txid).encode(None, false);
    socket.send(&request).await?;
    let answer = async {
        let mut buf = [0u8; 1500];
        loop {
            let n = socket.recv(&mut buf).await?;
            if let Some(mapped) = binding_success(&buf[..n], &txid) {
                return Ok(mapped);
            }
        }
    };
    tokio::time::timeout(timeout, answer).await.map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no STUN Binding success from {server} within {timeout:?}"),
        )
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_binding_success_to_our_transaction_answers() {
        let tx = [9; 12];
        let addr: SocketAddr = "127.0.0.1:3478".parse().unwrap();
        let ok = Message::new(Class::Success, Method::Binding, tx).with(Attr::XorMapped(addr));
        assert_eq!(binding_success(&ok.encode(None, true), &tx), Some(addr));
        assert_eq!(binding_success(&ok.encode(None, true), &[0; 12]), None);
        let mut err = ok.clone();
        err.class = Class::Error;
        assert_eq!(binding_success(&err.encode(None, false), &tx), None);
        let bytes = ok.encode(None, false);
        for n in 0..bytes.len() {
            assert_eq!(binding_success(&bytes[..n], &tx), None);
        }
    }
}
