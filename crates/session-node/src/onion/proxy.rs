//! The last hop's proxy to an HTTP server: POST the whole decrypted layer to
//! `protocol://host:port target` (25 s), pass the status and body back.
//!
//! Private, loopback, link-local and other non-public addresses are refused (wrapped 400
//! `Invalid url`) unless [`ProxyConfig::allow_private`] is set (devnets): an IP literal is
//! checked directly, a host name through a resolver that drops denied addresses (so a name
//! cannot be made to point inside the node's network between the check and the connection),
//! and redirects are not followed.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use session_onion::{HopError, ProxyRequest};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long the proxy waits for the HTTP server (the reference's 25 s).
pub const PROXY_TIMEOUT: Duration = Duration::from_secs(25);

/// Proxy settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// Allow private and loopback destinations (off by default; devnets on loopback need it).
    pub allow_private: bool,
}

pub(super) struct Proxy {
    config: ProxyConfig,
    client: reqwest::Client,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A resolver that leaves out the addresses the proxy must not reach.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_denied(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("no public address for the host".into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl Proxy {
    pub(super) fn new(config: ProxyConfig) -> Self {
        let builder = reqwest::Client::builder()
            .timeout(PROXY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        let builder = if config.allow_private {
            builder
        } else {
            builder.dns_resolver(Arc::new(PublicOnly))
        };
        // Without a TLS backend there is nothing that can fail to initialise.
        let client = builder.build().expect("a TLS-less HTTP client builds");
        Self { config, client }
    }

    /// Sends the layer; the server's status and body, or the error to answer with.
    pub(super) async fn send(&self, req: &ProxyRequest) -> Result<(u16, Vec<u8>), HopError> {
        if !self.config.allow_private
            && let Ok(ip) = req.host.parse::<IpAddr>()
            && is_denied(ip)
        {
            return Err(HopError::InvalidUrl("private address"));
        }
        let sent = self
            .client
            .post(req.url())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(req.payload.clone())
            .send()
            .await;
        let fail = |e: reqwest::Error| HopError::ProxyFailed {
            timed_out: e.is_timeout(),
            message: without_url(&e),
        };
        let response = sent.map_err(fail)?;
        let code = response.status().as_u16();
        let body = response.bytes().await.map_err(fail)?;
        Ok((code, body.to_vec()))
    }
}

/// The HTTP client's error text without the URL (which names the server).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    text
}

/// True for addresses a node must not proxy to: loopback, private (RFC 1918, unique local),
/// link-local, unspecified, broadcast, multicast, shared (100.64/10), documentation and other
/// reserved ranges, and IPv6 forms of denied IPv4 addresses.
pub fn is_denied(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_denied_v4(v4),
        IpAddr::V6(v6) => is_denied_v6(v6),
    }
}

fn is_denied_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn is_denied_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_denied_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_list() {
        for denied in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_denied(denied.parse().unwrap()), "{denied}");
        }
        for allowed in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_denied(allowed.parse().unwrap()), "{allowed}");
        }
    }

    #[tokio::test]
    async fn private_literals_are_refused_unless_allowed() {
        let req = ProxyRequest {
            protocol: session_onion::Protocol::Http,
            host: "127.0.0.1".into(),
            port: 9,
            target: "/oxen/v4/lsrpc".into(),
            payload: vec![1, 2, 3],
        };
        let denied = Proxy::new(ProxyConfig::default()).send(&req).await;
        assert_eq!(denied, Err(HopError::InvalidUrl("private address")));
        // Allowed: the request is made (and fails to connect to the discard port).
        let allowed = Proxy::new(ProxyConfig {
            allow_private: true,
        })
        .send(&req)
        .await;
        assert!(
            matches!(allowed, Err(HopError::ProxyFailed { .. })),
            "{allowed:?}"
        );
    }
}
