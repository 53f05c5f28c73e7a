//! Opus (libopus through the `opus` crate): one 20 ms mono frame per packet, VoIP mode.

use crate::audio::{FRAME, SAMPLE_RATE};
use crate::{Error, Result};

/// The largest Opus packet this crate produces or accepts.
const MAX_PACKET: usize = 1_500;

/// Encodes 20 ms frames.
pub struct Encoder(opus::Encoder);

impl Encoder {
    /// A mono VoIP encoder at 48 kHz.
    pub fn new() -> Result<Self> {
        opus::Encoder::new(SAMPLE_RATE, opus::Channels::Mono, opus::Application::Voip)
            .map(Self)
            .map_err(|e| Error::Codec(e.to_string()))
    }

    /// One packet for one frame of exactly [`FRAME`] samples.
    pub fn encode(&mut self, frame: &[i16]) -> Result<Vec<u8>> {
        if frame.len() != FRAME {
            return Err(Error::Codec(format!(
                "a frame has {FRAME} samples, not {}",
                frame.len()
            )));
        }
        self.0
            .encode_vec(frame, MAX_PACKET)
            .map_err(|e| Error::Codec(e.to_string()))
    }
}

/// Decodes packets back to 20 ms frames.
pub struct Decoder(opus::Decoder);

impl Decoder {
    /// A mono decoder at 48 kHz.
    pub fn new() -> Result<Self> {
        opus::Decoder::new(SAMPLE_RATE, opus::Channels::Mono)
            .map(Self)
            .map_err(|e| Error::Codec(e.to_string()))
    }

    /// The samples of one received packet (a corrupt packet is an error, not a panic).
    pub fn decode(&mut self, packet: &[u8]) -> Result<Vec<i16>> {
        if packet.len() > MAX_PACKET {
            return Err(Error::Codec("packet too large".into()));
        }
        let mut out = vec![0i16; FRAME * 6];
        let n = self
            .0
            .decode(packet, &mut out, false)
            .map_err(|e| Error::Codec(e.to_string()))?;
        out.truncate(n);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{sine, tone_share};

    #[test]
    fn a_tone_survives_encoding() {
        let mut enc = Encoder::new().expect("encoder");
        let mut dec = Decoder::new().expect("decoder");
        let tone = sine(440.0, 0.5, 0.4);
        let mut out = Vec::new();
        for f in tone.chunks_exact(FRAME) {
            let p = enc.encode(f).expect("encode");
            assert!(p.len() < 400, "{}", p.len());
            out.extend(dec.decode(&p).expect("decode"));
        }
        assert_eq!(out.len(), tone.len());
        // past the codec's look-ahead, the tone is there and nothing else
        let tail = &out[FRAME * 5..];
        assert!(tone_share(tail, 440.0) > 0.8, "{}", tone_share(tail, 440.0));
        assert!(tone_share(tail, 880.0) < 0.05);
        assert!(enc.encode(&tone[..100]).is_err());
        // a garbage packet is an error or noise, never a panic
        let _ = dec.decode(&[0xFF; 3]);
    }
}
