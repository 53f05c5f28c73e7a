//! Audio as the calls carry it: 48 kHz mono 16-bit samples in 20 ms frames, a test tone, and
//! the Goertzel filter that tells which tone a recording holds.

/// Samples per second (Opus in WebRTC runs at 48 kHz).
pub const SAMPLE_RATE: u32 = 48_000;
/// Samples in one 20 ms frame, the unit sent in one RTP packet.
pub const FRAME: usize = 960;
/// Frame length in milliseconds.
pub const FRAME_MS: u64 = 20;

/// `secs` seconds of a sine at `hz`, at `amplitude` (0..=1 of full scale).
pub fn sine(hz: f64, secs: f64, amplitude: f64) -> Vec<i16> {
    let n = (secs * f64::from(SAMPLE_RATE)).round() as usize;
    let scale = amplitude.clamp(0.0, 1.0) * f64::from(i16::MAX);
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(SAMPLE_RATE);
            ((2.0 * std::f64::consts::PI * hz * t).sin() * scale).round() as i16
        })
        .collect()
}

/// The share of `samples`' energy at `hz` (Goertzel), 0..=1 for a pure tone: about 1 when the
/// window holds that tone alone, near 0 when it holds another or silence.
pub fn tone_share(samples: &[i16], hz: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let n = samples.len() as f64;
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(SAMPLE_RATE);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut energy = 0.0f64;
    for &x in samples {
        let x = f64::from(x);
        energy += x * x;
        let s = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    if energy == 0.0 {
        return 0.0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    // a pure tone of amplitude A over n samples: power ≈ (A n / 2)^2, energy ≈ A^2 n / 2
    (2.0 * power / (n * energy)).min(1.0)
}

/// The offset (in samples) of the first 20 ms window from which `hz` dominates (share above
/// `threshold`), if any.
pub fn tone_onset(samples: &[i16], hz: f64, threshold: f64) -> Option<usize> {
    samples
        .chunks(FRAME)
        .position(|w| w.len() == FRAME && tone_share(w, hz) > threshold)
        .map(|i| i * FRAME)
}

/// Where the tone at `hz` begins, to the sample: the first 20 ms window (in 5 ms steps) that
/// `hz` dominates (share above `threshold`), then back to the first sample of that stretch
/// louder than 5 % of full scale (the recordings start from silence).
pub fn tone_start(samples: &[i16], hz: f64, threshold: f64) -> Option<usize> {
    if samples.len() < FRAME {
        return None;
    }
    let step = FRAME / 4;
    let window = (0..samples.len().saturating_sub(FRAME) + 1)
        .step_by(step)
        .find(|&i| tone_share(&samples[i..i + FRAME], hz) > threshold)?;
    let loud = i32::from(i16::MAX) / 20;
    let from = window.saturating_sub(FRAME);
    let first = samples[from..window + FRAME]
        .iter()
        .position(|&x| i32::from(x).abs() > loud)?;
    Some(from + first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goertzel_finds_its_tone_and_not_others() {
        let a = sine(440.0, 0.2, 0.5);
        assert!(tone_share(&a, 440.0) > 0.9, "{}", tone_share(&a, 440.0));
        assert!(tone_share(&a, 880.0) < 0.05, "{}", tone_share(&a, 880.0));
        assert!(tone_share(&a, 660.0) < 0.05);
        assert_eq!(tone_share(&[0; 960], 440.0), 0.0);
        assert_eq!(tone_share(&[], 440.0), 0.0);
    }

    #[test]
    fn the_onset_is_where_the_tone_starts() {
        let mut s = vec![0i16; FRAME * 10];
        s.extend(sine(660.0, 0.5, 0.3));
        assert_eq!(tone_onset(&s, 660.0, 0.5), Some(FRAME * 10));
        assert_eq!(tone_onset(&s, 440.0, 0.5), None);
        // to the sample, wherever in a window it starts
        for lead in [0, 1, 333, 959, 4_321] {
            let mut t = vec![0i16; lead];
            t.extend(sine(660.0, 0.3, 0.3));
            let got = tone_start(&t, 660.0, 0.5).expect("found");
            // the first sine samples are below 5 % of full scale for a few samples
            assert!((lead..lead + 8).contains(&got), "lead {lead}: {got}");
        }
        assert_eq!(tone_start(&[0; 5_000], 660.0, 0.5), None);
        assert_eq!(tone_start(&[], 660.0, 0.5), None);
    }
}
