//! One TURN allocation over a UDP socket: [`session_call::turn::TurnClient`] driven by a tokio
//! socket and a monotonic clock. Every datagram of a call leaves through here, to the TURN
//! server and nowhere else.

use crate::{Error, Result};
use session_call::turn::{Credentials, Event, TurnClient};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// How long an allocation may take.
const ALLOCATE_TIMEOUT: Duration = Duration::from_secs(10);

/// A relayed UDP address on a TURN server.
pub struct Relay {
    socket: UdpSocket,
    client: TurnClient,
    relay: SocketAddr,
    origin: Instant,
    rng: rand::rngs::StdRng,
    inbox: VecDeque<(SocketAddr, Vec<u8>)>,
    outbox: Vec<Vec<u8>>,
    failed: Option<String>,
}

impl Relay {
    /// Allocates a relayed address on `server` with `creds` (UDP from 127.0.0.1 when the server
    /// is on loopback, else from any interface).
    pub async fn allocate(server: SocketAddr, creds: Credentials) -> Result<Self> {
        let bind: SocketAddr = if server.ip().is_loopback() {
            "127.0.0.1:0".parse().expect("addr")
        } else {
            "0.0.0.0:0".parse().expect("addr")
        };
        let socket = UdpSocket::bind(bind).await.map_err(Error::io("bind"))?;
        socket.connect(server).await.map_err(Error::io("connect"))?;
        let mut rng: rand::rngs::StdRng = rand::make_rng();
        let origin = Instant::now();
        let mut client = TurnClient::new(creds);
        client.allocate(0, &mut rng);
        let mut me = Self {
            socket,
            client,
            relay: bind,
            origin,
            rng,
            inbox: VecDeque::new(),
            outbox: Vec::new(),
            failed: None,
        };
        let deadline = tokio::time::Instant::now() + ALLOCATE_TIMEOUT;
        loop {
            me.pump();
            me.flush().await?;
            if let Some(relay) = me.client.relay() {
                me.relay = relay;
                return Ok(me);
            }
            if let Some(why) = me.failed.take() {
                return Err(Error::Turn(why));
            }
            let mut buf = vec![0u8; 2048];
            tokio::select! {
                r = me.socket.recv(&mut buf) => {
                    let n = r.map_err(Error::io("recv"))?;
                    me.input(&buf[..n]);
                }
                () = tokio::time::sleep_until(me.deadline()) => me.tick(),
                () = tokio::time::sleep_until(deadline) => {
                    return Err(Error::Turn(format!("no allocation from {server} within {ALLOCATE_TIMEOUT:?}")));
                }
            }
        }
    }

    /// The relayed address peers send to.
    pub fn relay_addr(&self) -> SocketAddr {
        self.relay
    }

    /// The local socket's address (the base of the relayed candidate; never given to a peer).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.socket.local_addr().map_err(Error::io("local_addr"))
    }

    /// Queues `data` for `peer` through the relay.
    pub fn send(&mut self, peer: SocketAddr, data: &[u8]) {
        let now = self.now();
        self.client.send(peer, data, now, &mut self.rng);
        self.pump();
    }

    /// A datagram the socket received from the server.
    pub fn input(&mut self, bytes: &[u8]) {
        let now = self.now();
        self.client.handle_input(bytes, now, &mut self.rng);
        self.pump();
    }

    /// Runs retransmissions and refreshes that are due.
    pub fn tick(&mut self) {
        let now = self.now();
        self.client.handle_timeout(now, &mut self.rng);
        self.pump();
    }

    /// When [`Relay::tick`] next has work.
    pub fn deadline(&self) -> tokio::time::Instant {
        let at = self.client.poll_timeout().unwrap_or(self.now() + 60_000);
        tokio::time::Instant::from_std(self.origin + Duration::from_millis(at))
    }

    /// The next datagram a peer sent us, if any arrived.
    pub fn take_data(&mut self) -> Option<(SocketAddr, Vec<u8>)> {
        self.inbox.pop_front()
    }

    /// Why the allocation failed, once it has.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// Sends what is queued for the server.
    pub async fn flush(&mut self) -> Result<()> {
        for b in self.outbox.drain(..) {
            // a refused send (ICMP from a dead server) is seen as a timeout of the next request
            let _ = self.socket.send(&b).await;
        }
        Ok(())
    }

    /// Receives one datagram from the server into `buf` (cancel-safe).
    pub async fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        self.socket.recv(buf).await.map_err(Error::io("recv"))
    }

    /// Releases the allocation.
    pub async fn close(mut self) {
        let now = self.now();
        self.client.close(now, &mut self.rng);
        self.pump();
        let _ = self.flush().await;
    }

    fn now(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    fn pump(&mut self) {
        while let Some(e) = self.client.poll_event() {
            match e {
                Event::Transmit(b) => self.outbox.push(b),
                Event::Data { peer, data } => self.inbox.push_back((peer, data)),
                Event::Allocated { .. } => {}
                Event::Failed(f) => self.failed = Some(format!("{f:?}")),
            }
        }
    }
}
