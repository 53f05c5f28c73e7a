//! The media task: drives str0m's `Rtc` and the relay from one tokio task (str0m's rule: every
//! mutation is followed by draining `poll_output` to its timeout).

use crate::audio::{FRAME, FRAME_MS};
use crate::codec::{Decoder, Encoder};
use crate::relay::Relay;
use crate::session::{Command, DATA_CHANNEL_ID, DATA_CHANNEL_LABEL, MediaEvent, Recording, Start};
use crate::{Error, Result};
use session_call::signal::ice::{self, Way};
use std::time::{Duration, Instant, SystemTime};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::{ChannelConfig, ChannelId};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::sync::mpsc;

/// How far ahead of the recording (in samples: 5 s) a received frame may land.
const MAX_JUMP: usize = 5 * 48_000;

pub(crate) struct Engine {
    rtc: Rtc,
    relay: Relay,
    mid: Option<Mid>,
    channel: Option<ChannelId>,
    pending: Option<SdpPendingOffer>,
    events: mpsc::UnboundedSender<MediaEvent>,
    encoder: Encoder,
    decoder: Decoder,
    play: Vec<i16>,
    played: usize,
    frames_sent: u64,
    next_frame: Option<tokio::time::Instant>,
    origin: Instant,
    rtc_at: Instant,
    rec: Recording,
    /// The first received frame: its RTP time and where it was placed.
    anchor: Option<(u64, usize)>,
    ended: bool,
}

impl Engine {
    pub(crate) fn new(
        relay: Relay,
        play: Vec<i16>,
        events: mpsc::UnboundedSender<MediaEvent>,
        start: Start,
    ) -> Result<Self> {
        let now = Instant::now();
        let mut rtc = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .build(now);
        let local = Candidate::relayed(relay.relay_addr(), relay.local_addr()?, "udp")
            .map_err(|e| Error::Media(format!("relay candidate: {e}")))?;
        let line = local.to_sdp_string();
        rtc.add_local_candidate(local);
        let mut me = Self {
            rtc,
            rec: Recording {
                started: Some(SystemTime::now()),
                relay: Some(relay.relay_addr()),
                ..Recording::default()
            },
            relay,
            mid: None,
            channel: None,
            pending: None,
            events,
            encoder: Encoder::new()?,
            decoder: Decoder::new()?,
            play,
            played: 0,
            frames_sent: 0,
            next_frame: None,
            origin: now,
            rtc_at: now,
            anchor: None,
            ended: false,
        };
        let sdp = match start {
            Start::Offer => me.offer()?,
            Start::Answer(offer) => me.answer(&offer)?,
        };
        me.emit(MediaEvent::LocalDescription(ice::filter_sdp(
            &sdp,
            Way::Outgoing,
        )));
        let line = line.trim_start_matches("a=").to_owned();
        me.emit(MediaEvent::LocalCandidates(vec![line]));
        Ok(me)
    }

    fn channel_config() -> ChannelConfig {
        ChannelConfig {
            label: DATA_CHANNEL_LABEL.into(),
            negotiated: Some(DATA_CHANNEL_ID),
            ..Default::default()
        }
    }

    fn offer(&mut self) -> Result<String> {
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let channel = change.add_channel_with_config(Self::channel_config());
        let (offer, pending) = change
            .apply()
            .ok_or_else(|| Error::Media("empty offer".into()))?;
        self.mid = Some(mid);
        self.channel = Some(channel);
        self.pending = Some(pending);
        Ok(offer.to_sdp_string())
    }

    fn answer(&mut self, offer: &str) -> Result<String> {
        let offer = SdpOffer::from_sdp_string(&ice::filter_sdp(offer, Way::Incoming))
            .map_err(|e| Error::Media(format!("remote offer: {e}")))?;
        let answer = self
            .rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| Error::Media(format!("accept offer: {e}")))?;
        self.drain()?;
        self.channel = Some(
            self.rtc
                .direct_api()
                .create_data_channel(Self::channel_config()),
        );
        Ok(answer.to_sdp_string())
    }

    fn emit(&self, e: MediaEvent) {
        let _ = self.events.send(e);
    }

    pub(crate) async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) -> Result<Recording> {
        let mut buf = vec![0u8; 2048];
        let result = loop {
            if let Err(e) = self.drain() {
                break Err(e);
            }
            if let Err(e) = self.relay.flush().await {
                break Err(e);
            }
            if self.ended {
                break Ok(());
            }
            if let Some(why) = self.relay.failure() {
                let why = why.to_owned();
                self.emit(MediaEvent::Failed(format!("relay: {why}")));
                break Err(Error::Turn(why));
            }
            let rtc_at = self.rtc_deadline();
            let frame_at = self
                .next_frame
                .unwrap_or_else(|| rtc_at + Duration::from_secs(3600));
            tokio::select! {
                r = self.relay.recv(&mut buf) => match r {
                    Ok(n) => self.on_datagram(&buf[..n]),
                    Err(e) => break Err(e),
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::HangUp) | None => {
                        self.hangup_message();
                        self.ended = true;
                    }
                    Some(c) => self.command(c),
                },
                () = tokio::time::sleep_until(self.relay.deadline()) => self.relay.tick(),
                () = tokio::time::sleep_until(rtc_at) => self.timeout(),
                () = tokio::time::sleep_until(frame_at) => self.send_frame(),
            }
        };
        let _ = self.drain();
        let _ = self.relay.flush().await;
        self.rtc.disconnect();
        self.relay.close().await;
        result.map(|()| self.rec)
    }

    fn rtc_deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.rtc_at)
    }

    /// Drains `poll_output` to its timeout: transmits go to the relay, events are handled.
    fn drain(&mut self) -> Result<()> {
        loop {
            match self.rtc.poll_output().map_err(rtc_err)? {
                Output::Timeout(at) => {
                    self.rtc_at = at;
                    return Ok(());
                }
                Output::Transmit(t) => {
                    // the only local candidate is the relay: everything goes through it
                    self.relay.send(t.destination, &t.contents);
                }
                Output::Event(e) => self.event(e),
            }
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Connected => {
                self.emit(MediaEvent::Connected);
                if self.next_frame.is_none() {
                    self.rec.play_started_ms = Some(self.origin.elapsed().as_millis() as u64);
                    self.next_frame = Some(tokio::time::Instant::now());
                }
            }
            Event::MediaAdded(m) => {
                self.mid.get_or_insert(m.mid);
            }
            Event::MediaData(d) => self.heard(&d.data, d.time),
            Event::ChannelData(d) => self.channel_message(&d.data),
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.emit(MediaEvent::Failed("ICE disconnected".into()));
                self.ended = true;
            }
            _ => {}
        }
    }

    /// Places a received frame by its RTP time after the first frame, which is placed at its
    /// arrival: a fixed playout delay, so the recording is continuous (phase-coherent) and the
    /// first frame's position gives the mouth-to-ear delay.
    fn heard(&mut self, packet: &[u8], time: MediaTime) {
        let Ok(samples) = self.decoder.decode(packet) else {
            return;
        };
        self.rec.packets_received += 1;
        let rtp = time.rebase(Frequency::FORTY_EIGHT_KHZ).numer();
        let (first_rtp, anchor) = *self.anchor.get_or_insert_with(|| {
            let arrival = self.origin.elapsed().as_micros() as u64 * 48 / 1_000;
            (rtp, arrival as usize)
        });
        let Some(offset) = rtp.checked_sub(first_rtp) else {
            return;
        };
        let start = anchor.saturating_add(usize::try_from(offset).unwrap_or(usize::MAX));
        if start > self.rec.samples.len() + MAX_JUMP {
            return; // an RTP time far ahead of what we heard: not ours to allocate for
        }
        if start + samples.len() > self.rec.samples.len() {
            self.rec.samples.resize(start + samples.len(), 0);
        }
        self.rec.samples[start..start + samples.len()].copy_from_slice(&samples);
    }

    fn channel_message(&mut self, data: &[u8]) {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
            return;
        };
        if v.get("hangup").and_then(serde_json::Value::as_bool) == Some(true) {
            self.emit(MediaEvent::RemoteHangup);
        }
        if let Some(video) = v.get("video").and_then(serde_json::Value::as_bool) {
            self.emit(MediaEvent::RemoteVideo(video));
        }
    }

    fn on_datagram(&mut self, bytes: &[u8]) {
        self.relay.input(bytes);
        let local = self.relay.relay_addr();
        while let Some((peer, data)) = self.relay.take_data() {
            let Ok(contents) = data.as_slice().try_into() else {
                continue;
            };
            let input = Input::Receive(
                Instant::now(),
                Receive {
                    proto: Protocol::Udp,
                    source: peer,
                    destination: local,
                    contents,
                },
            );
            if self.rtc.accepts(&input) {
                let _ = self.rtc.handle_input(input);
                let _ = self.drain();
            }
        }
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::RemoteAnswer(sdp) => {
                let answer = SdpAnswer::from_sdp_string(&ice::filter_sdp(&sdp, Way::Incoming));
                match (answer, self.pending.take()) {
                    (Ok(a), Some(p)) => {
                        if let Err(e) = self.rtc.sdp_api().accept_answer(p, a) {
                            self.emit(MediaEvent::Failed(format!("remote answer: {e}")));
                        }
                    }
                    (Err(e), _) => self.emit(MediaEvent::Failed(format!("remote answer: {e}"))),
                    (Ok(_), None) => {}
                }
            }
            Command::RemoteCandidates(lines) => {
                for line in lines {
                    let relay = ice::is_relay(&line);
                    let cand = Candidate::from_sdp_string(line.trim_start_matches("a="));
                    match cand {
                        Ok(c) if relay => self.rtc.add_remote_candidate(c),
                        _ => self.rec.refused_candidates += 1,
                    }
                    let _ = self.drain();
                }
            }
            Command::HangUp => {}
        }
    }

    fn timeout(&mut self) {
        let _ = self.rtc.handle_input(Input::Timeout(Instant::now()));
    }

    fn send_frame(&mut self) {
        let Some(at) = self.next_frame else { return };
        self.next_frame = Some(at + Duration::from_millis(FRAME_MS));
        let (Some(mid), Ok(now)) = (self.mid, Ok::<_, ()>(Instant::now())) else {
            return;
        };
        let mut frame = [0i16; FRAME];
        let from = self.played.min(self.play.len());
        let to = (from + FRAME).min(self.play.len());
        frame[..to - from].copy_from_slice(&self.play[from..to]);
        self.played += FRAME;
        let Ok(packet) = self.encoder.encode(&frame) else {
            return;
        };
        let Some(writer) = self.rtc.writer(mid) else {
            return;
        };
        let Some(pt) = writer.payload_params().next().map(|p| p.pt()) else {
            return;
        };
        let time = MediaTime::new(self.frames_sent * FRAME as u64, Frequency::FORTY_EIGHT_KHZ);
        if writer.write(pt, now, time, packet).is_ok() {
            self.frames_sent += 1;
            self.rec.packets_sent += 1;
        }
    }

    fn hangup_message(&mut self) {
        if let Some(mut ch) = self.channel.and_then(|id| self.rtc.channel(id)) {
            let _ = ch.write(false, br#"{"hangup":true}"#);
        }
    }
}

fn rtc_err(e: str0m::RtcError) -> Error {
    Error::Media(format!("rtc: {e}"))
}
