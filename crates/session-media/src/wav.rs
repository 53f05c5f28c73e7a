//! WAV files in and out: what a headless call plays and records (16-bit PCM, 48 kHz, mono).

use crate::audio::SAMPLE_RATE;
use crate::{Error, Result};
use std::path::Path;

/// The samples of a 16-bit PCM WAV file at 48 kHz; a stereo file gives its first channel.
pub fn read(path: &Path) -> Result<Vec<i16>> {
    let reader = hound::WavReader::open(path).map_err(|e| Error::Wav(e.to_string()))?;
    let spec = reader.spec();
    if spec.sample_rate != SAMPLE_RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(Error::Wav(format!(
            "{}: need 16-bit PCM at 48000 Hz, found {}-bit at {} Hz",
            path.display(),
            spec.bits_per_sample,
            spec.sample_rate
        )));
    }
    let channels = usize::from(spec.channels.max(1));
    reader
        .into_samples::<i16>()
        .step_by(channels)
        .map(|s| s.map_err(|e| Error::Wav(e.to_string())))
        .collect()
}

/// Writes `samples` as a mono 16-bit PCM WAV file at 48 kHz.
pub fn write(path: &Path, samples: &[i16]) -> Result<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(|e| Error::Wav(e.to_string()))?;
    for &s in samples {
        w.write_sample(s).map_err(|e| Error::Wav(e.to_string()))?;
    }
    w.finalize().map_err(|e| Error::Wav(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_and_other_formats_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.wav");
        let s: Vec<i16> = (0..4_800).map(|i| (i % 300) as i16 - 150).collect();
        write(&p, &s).expect("write");
        assert_eq!(read(&p).expect("read"), s);
        let q = dir.path().join("b.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        hound::WavWriter::create(&q, spec)
            .expect("create")
            .finalize()
            .expect("fin");
        let err = read(&q).expect_err("8 kHz is refused").to_string();
        assert!(err.contains("48000"), "{err}");
        std::fs::write(&q, b"not a wav").expect("write");
        assert!(read(&q).is_err());
    }
}
