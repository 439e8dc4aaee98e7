//! [`PcmResampler`]: a [`StreamResampler`] with fixed input and output
//! [`SampleFormat`]s, plus the equal-rate case (conversion only, no filter,
//! no delay), and the one-shot [`resample`]. `f32` input that needs it is
//! conditioned here before it reaches a filter ([`crate::core::io::condition_f32`]).

use crate::design::presets::Quality;
use crate::format::{
    condition_f32_slice, convert, f32_needs_conditioning, Input, Output, OutputMut, SampleFormat,
};
use crate::rate::RatePair;
use crate::stream::{check_config, too_large_error, StreamResampler};
use crate::EngineError;

/// A streaming resampler from `input`-format samples to `output`-format samples.
///
/// At different rates it is a [`StreamResampler`] (same exact length,
/// alignment and split invariance). At equal rates there is no filter: each
/// push is converted sample by sample (a copy for equal formats) and
/// [`flush`](PcmResampler::flush) returns nothing.
pub struct PcmResampler {
    stream: Option<StreamResampler>,
    channels: usize,
    input: SampleFormat,
    output: SampleFormat,
    /// Owned output of equal-rate conversions, per output format.
    conv_s16: Vec<i16>,
    conv_f32: Vec<f32>,
    conv_u8: Vec<u8>,
    /// Conditioned `f32` input of a `push` (used only for input that needs it).
    conditioned: Vec<f32>,
}

/// Samples conditioned per piece through a stack buffer (`push_into`, `resample`).
const CONDITION_CHUNK: usize = 1024;

/// A whole converted signal, returned by [`resample`].
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedOutput {
    /// `s16` samples.
    S16(Vec<i16>),
    /// `f32` samples.
    F32(Vec<f32>),
    /// μ-law codes.
    Mulaw(Vec<u8>),
    /// A-law codes.
    Alaw(Vec<u8>),
}

impl OwnedOutput {
    /// Number of samples (all channels).
    pub fn len(&self) -> usize {
        match self {
            OwnedOutput::S16(v) => v.len(),
            OwnedOutput::F32(v) => v.len(),
            OwnedOutput::Mulaw(v) | OwnedOutput::Alaw(v) => v.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PcmResampler {
    /// Builds a resampler; the limits are those of [`StreamResampler::new`]
    /// (equal rates included, although they build no filter).
    pub fn new(
        input_rate: u32,
        output_rate: u32,
        channels: usize,
        quality: Quality,
        input: SampleFormat,
        output: SampleFormat,
    ) -> Result<PcmResampler, EngineError> {
        check_config(input_rate, output_rate, channels)?;
        let stream = if input_rate == output_rate {
            None
        } else {
            Some(StreamResampler::new(
                input_rate,
                output_rate,
                channels,
                quality,
            )?)
        };
        Ok(PcmResampler {
            stream,
            channels,
            input,
            output,
            conv_s16: Vec::new(),
            conv_f32: Vec::new(),
            conv_u8: Vec::new(),
            conditioned: Vec::new(),
        })
    }

    /// The input format.
    pub fn input_format(&self) -> SampleFormat {
        self.input
    }

    /// The output format.
    pub fn output_format(&self) -> SampleFormat {
        self.output
    }

    /// A one-line summary of the filter (`"conversion only"` at equal rates),
    /// for benchmarks and debugging.
    pub fn describe(&self) -> String {
        self.stream
            .as_ref()
            .map_or_else(|| "conversion only".to_string(), |s| s.describe())
    }

    /// Whether the rates are equal (conversion only).
    pub fn is_equal_rate(&self) -> bool {
        self.stream.is_none()
    }

    fn check_input(&self, input: &Input<'_>) -> Result<usize, EngineError> {
        if input.format() != self.input {
            return Err(EngineError::InvalidArgument(format!(
                "samples must be {} samples, got {}",
                self.input.name(),
                input.format().name()
            )));
        }
        if !input.len().is_multiple_of(self.channels) {
            return Err(EngineError::InvalidArgument(format!(
                "input length {} is not a multiple of channels ({})",
                input.len(),
                self.channels
            )));
        }
        Ok(input.len() / self.channels)
    }

    fn check_output(&self, out: &OutputMut<'_>) -> Result<(), EngineError> {
        if out.format() != self.output {
            return Err(EngineError::InvalidArgument(format!(
                "out must hold {} samples, got {}",
                self.output.name(),
                out.format().name()
            )));
        }
        Ok(())
    }

    /// Resamples `input` (a whole number of frames) and returns the output
    /// available now. Valid until the next call.
    pub fn push(&mut self, input: Input<'_>) -> Result<Output<'_>, EngineError> {
        let frames = self.check_input(&input)?;
        match self.stream.as_mut() {
            Some(s) => {
                let input = match input {
                    Input::F32(x) if f32_needs_conditioning(x) => {
                        let dst = sized(&mut self.conditioned, x.len(), "push")?;
                        condition_f32_slice(dst, x);
                        Input::F32(dst)
                    }
                    _ => input,
                };
                s.push_as(input, self.output)
            }
            None => {
                let n = frames * self.channels;
                let out = match self.output {
                    SampleFormat::S16 => OutputMut::S16(sized(&mut self.conv_s16, n, "push")?),
                    SampleFormat::F32 => OutputMut::F32(sized(&mut self.conv_f32, n, "push")?),
                    SampleFormat::Mulaw => OutputMut::Mulaw(sized(&mut self.conv_u8, n, "push")?),
                    SampleFormat::Alaw => OutputMut::Alaw(sized(&mut self.conv_u8, n, "push")?),
                };
                convert(input, out)?;
                Ok(match self.output {
                    SampleFormat::S16 => Output::S16(&self.conv_s16),
                    SampleFormat::F32 => Output::F32(&self.conv_f32),
                    SampleFormat::Mulaw => Output::Mulaw(&self.conv_u8),
                    SampleFormat::Alaw => Output::Alaw(&self.conv_u8),
                })
            }
        }
    }

    /// Returns the rest of the output (exact total length, see
    /// [`StreamResampler::flush`]) and resets. Empty at equal rates.
    pub fn flush(&mut self) -> Result<Output<'_>, EngineError> {
        match self.stream.as_mut() {
            Some(s) => s.flush_as(self.output),
            None => Ok(match self.output {
                SampleFormat::S16 => Output::S16(&[]),
                SampleFormat::F32 => Output::F32(&[]),
                SampleFormat::Mulaw => Output::Mulaw(&[]),
                SampleFormat::Alaw => Output::Alaw(&[]),
            }),
        }
    }

    /// Resamples `input` into `out`; returns the frames written. Allocates
    /// nothing. `out` must have room for `max_output_frames(frames)` frames,
    /// else [`EngineError::OutputTooSmall`] before anything is consumed.
    pub fn push_into(
        &mut self,
        input: Input<'_>,
        out: OutputMut<'_>,
    ) -> Result<usize, EngineError> {
        let frames = self.check_input(&input)?;
        self.check_output(&out)?;
        let room = (out.len() / self.channels) as u64;
        match self.stream.as_mut() {
            Some(s) => match input {
                Input::F32(x) if f32_needs_conditioning(x) => {
                    // `StreamResampler::push_into`'s check, for the whole call
                    // before the pieces (each then held only to its own need).
                    let need = s.max_output_frames(frames);
                    if room < need {
                        return Err(room_error(room, frames, need));
                    }
                    push_conditioned(s, x, self.channels, out)
                }
                _ => s.push_into(input, out),
            },
            None => {
                if room < frames as u64 {
                    return Err(room_error(room, frames, frames as u64));
                }
                convert(input, out)?;
                Ok(frames)
            }
        }
    }

    /// Writes the rest of the output into `out` and resets; returns the frames
    /// written (0 at equal rates). `out` must have room for
    /// `max_output_frames(0)` frames.
    pub fn flush_into(&mut self, out: OutputMut<'_>) -> Result<usize, EngineError> {
        self.check_output(&out)?;
        match self.stream.as_mut() {
            Some(s) => s.flush_into(out),
            None => Ok(0),
        }
    }

    /// Most frames a push of `input_frames` returns; `max_output_frames(0)`
    /// bounds a flush. At equal rates, `input_frames`.
    pub fn max_output_frames(&self, input_frames: usize) -> u64 {
        match self.stream.as_ref() {
            Some(s) => s.max_output_frames(input_frames),
            None => input_frames as u64,
        }
    }

    /// Most samples a `push` of `input_samples` samples returns (what it reserves).
    pub fn max_push_output_samples(&self, input_samples: usize) -> u64 {
        match self.stream.as_ref() {
            Some(s) => s.max_push_output_samples(input_samples),
            None => input_samples as u64,
        }
    }

    /// Samples a `flush` now returns.
    pub fn max_flush_output_samples(&self) -> u64 {
        self.stream
            .as_ref()
            .map_or(0, |s| s.max_flush_output_samples())
    }

    /// Heap bytes held (see [`StreamResampler::memory_bytes`]).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<PcmResampler>()
            + self.stream.as_ref().map_or(0, |s| s.memory_bytes())
            + self.conv_s16.capacity() * 2
            + self.conv_f32.capacity() * 4
            + self.conv_u8.capacity()
            + self.conditioned.capacity() * 4
    }
}

/// The error of a `pushInto` whose `out` has `room` frames for a push of
/// `frames` frames that needs `need`.
fn room_error(room: u64, frames: usize, need: u64) -> EngineError {
    EngineError::OutputTooSmall(format!(
        "out has room for {room} frames; pushInto of {frames} frames needs \
         maxOutputFrames({frames}) = {need}"
    ))
}

/// `push_into_exact` of `input`, with `f32` input that needs conditioning
/// conditioned in pieces (see [`push_conditioned`]).
fn push_exact(
    s: &mut StreamResampler,
    input: Input<'_>,
    channels: usize,
    out: OutputMut<'_>,
) -> Result<usize, EngineError> {
    match input {
        Input::F32(x) if f32_needs_conditioning(x) => push_conditioned(s, x, channels, out),
        _ => s.push_into_exact(input, out),
    }
}

/// Conditions `samples` piece by piece into a stack buffer and pushes each
/// piece into the rest of `out`; returns the frames written. The output is the
/// same as one push (split invariance), and `out` holds it when it holds the
/// whole call's bound, so a piece fails only on an internal error. Out of line,
/// so that the ordinary path does not zero the buffer.
#[inline(never)]
fn push_conditioned(
    s: &mut StreamResampler,
    samples: &[f32],
    channels: usize,
    mut out: OutputMut<'_>,
) -> Result<usize, EngineError> {
    let piece = CONDITION_CHUNK / channels * channels; // whole frames (channels <= 64)
    let mut buf = [0f32; CONDITION_CHUNK];
    let mut written = 0;
    for chunk in samples.chunks(piece) {
        let dst = &mut buf[..chunk.len()];
        condition_f32_slice(dst, chunk);
        written += s.push_into_exact(Input::F32(dst), reborrow(&mut out, written * channels))?;
    }
    Ok(written)
}

/// `v` resized to `n` elements (fallibly): an equal-rate conversion's output, or
/// conditioned input.
fn sized<'a, T: Copy + Default>(
    v: &'a mut Vec<T>,
    n: usize,
    call: &str,
) -> Result<&'a mut [T], EngineError> {
    v.clear();
    if v.try_reserve_exact(n).is_err() {
        return Err(too_large_error(call, n as u64));
    }
    v.resize(n, T::default());
    Ok(&mut v[..])
}

/// Resamples a whole signal: `input` (interleaved, a whole number of frames)
/// from `input_rate` to `output_rate`, returning exactly
/// `round(frames · output_rate / input_rate)` frames in `output` format, the
/// same samples as a [`PcmResampler`] push of everything followed by a flush.
pub fn resample(
    input_rate: u32,
    output_rate: u32,
    channels: usize,
    quality: Quality,
    input: Input<'_>,
    output: SampleFormat,
) -> Result<OwnedOutput, EngineError> {
    let mut r = PcmResampler::new(
        input_rate,
        output_rate,
        channels,
        quality,
        input.format(),
        output,
    )?;
    let frames = r.check_input(&input)?;
    let samples = resample_output_samples(input_rate, output_rate, channels, frames * channels);
    let n = usize::try_from(samples).map_err(|_| too_large_error("resample", samples))?;
    let mut result = match output {
        SampleFormat::S16 => OwnedOutput::S16(alloc(n)?),
        SampleFormat::F32 => OwnedOutput::F32(alloc(n)?),
        SampleFormat::Mulaw => OwnedOutput::Mulaw(alloc(n)?),
        SampleFormat::Alaw => OwnedOutput::Alaw(alloc(n)?),
    };
    let written = {
        let mut out = match &mut result {
            OwnedOutput::S16(v) => OutputMut::S16(v),
            OwnedOutput::F32(v) => OutputMut::F32(v),
            OwnedOutput::Mulaw(v) => OutputMut::Mulaw(v),
            OwnedOutput::Alaw(v) => OutputMut::Alaw(v),
        };
        match r.stream.as_mut() {
            None => convert(input, out)?,
            Some(s) => {
                // The exact total fits; each call is checked against its own
                // need (not the streaming bound, which adds the filter's slack).
                let a = push_exact(s, input, channels, reborrow(&mut out, 0))?;
                let b = s.flush_into_exact(reborrow(&mut out, a * channels))?;
                (a + b) * channels
            }
        }
    };
    if written != n {
        return Err(EngineError::Internal(format!(
            "resample produced {written} samples instead of {n}"
        )));
    }
    Ok(result)
}

/// Samples [`resample`] returns for `input_samples` interleaved samples (a
/// whole number of frames): `round(frames · output_rate / input_rate)` frames,
/// the length rule of every flush. Rates must be non-zero.
pub fn resample_output_samples(
    input_rate: u32,
    output_rate: u32,
    channels: usize,
    input_samples: usize,
) -> u64 {
    let frames = (input_samples / channels.max(1)) as u64;
    RatePair::new(input_rate, output_rate)
        .output_frames(frames)
        .saturating_mul(channels as u64)
}

/// `out[from..]`, borrowed again.
fn reborrow<'a>(out: &'a mut OutputMut<'_>, from: usize) -> OutputMut<'a> {
    match out {
        OutputMut::S16(d) => OutputMut::S16(&mut d[from..]),
        OutputMut::F32(d) => OutputMut::F32(&mut d[from..]),
        OutputMut::Mulaw(d) => OutputMut::Mulaw(&mut d[from..]),
        OutputMut::Alaw(d) => OutputMut::Alaw(&mut d[from..]),
    }
}

fn alloc<T: Copy + Default>(n: usize) -> Result<Vec<T>, EngineError> {
    let mut v = Vec::new();
    if v.try_reserve_exact(n).is_err() {
        return Err(too_large_error("resample", n as u64));
    }
    v.resize(n, T::default());
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::io::F32_INPUT_LIMIT;

    /// Rate pairs that reach every core: the common polyphase pairs, the
    /// extreme ratios, and the 768 kHz input whose FFT blocks are the longest.
    const PAIRS: [(u32, u32); 9] = [
        (768_000, 8_000),
        (8_000, 768_000),
        (48_000, 16_000),
        (44_100, 48_000),
        (16_000, 48_000),
        (96_000, 44_100),
        (768_000, 44_100),
        (11_025, 192_000),
        (22_050, 16_000),
    ];

    fn f32s(o: OwnedOutput) -> Vec<f32> {
        match o {
            OwnedOutput::F32(v) => v,
            _ => unreachable!(),
        }
    }

    fn s16s(o: OwnedOutput) -> Vec<i16> {
        match o {
            OwnedOutput::S16(v) => v,
            _ => unreachable!(),
        }
    }

    fn run(a: u32, b: u32, q: Quality, x: &[f32], output: SampleFormat) -> OwnedOutput {
        resample(a, b, 1, q, Input::F32(x), output).unwrap()
    }

    /// `push` and `push_into` (in odd pieces) give `resample`'s samples.
    fn streamed_agree(a: u32, b: u32, q: Quality, x: &[f32], want: &[f32]) {
        let new = || PcmResampler::new(a, b, 1, q, SampleFormat::F32, SampleFormat::F32).unwrap();
        let (mut p, mut r) = (new(), new());
        let (mut pushed, mut into) = (Vec::new(), Vec::new());
        for piece in x.chunks(1237) {
            match p.push(Input::F32(piece)).unwrap() {
                Output::F32(y) => pushed.extend_from_slice(y),
                _ => unreachable!(),
            }
            let mut out = vec![0f32; r.max_output_frames(piece.len()) as usize];
            let n = r
                .push_into(Input::F32(piece), OutputMut::F32(&mut out))
                .unwrap();
            into.extend_from_slice(&out[..n]);
        }
        match p.flush().unwrap() {
            Output::F32(y) => pushed.extend_from_slice(y),
            _ => unreachable!(),
        }
        let mut out = vec![0f32; r.max_output_frames(0) as usize];
        let n = r.flush_into(OutputMut::F32(&mut out)).unwrap();
        into.extend_from_slice(&out[..n]);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&pushed), bits(want), "push {a}->{b} {q:?}");
        assert_eq!(bits(&into), bits(want), "push_into {a}->{b} {q:?}");
    }

    #[test]
    fn huge_f32_input_stays_finite_and_s16_saturates_toward_its_sign() {
        for (a, b) in PAIRS {
            let n = a as usize / 25; // 40 ms
            for q in Quality::ALL {
                for v in [f32::MAX, 3.2e38, 3.5e34, F32_INPUT_LIMIT] {
                    for sign in [1.0f32, -1.0] {
                        let x = vec![sign * v; n];
                        let y = f32s(run(a, b, q, &x, SampleFormat::F32));
                        assert!(
                            y.iter().all(|t| t.is_finite() && t.signum() == sign),
                            "{a}->{b} {q:?} {:e}",
                            sign * v
                        );
                        let y16 = s16s(run(a, b, q, &x, SampleFormat::S16));
                        let sat = if sign > 0.0 { i16::MAX } else { i16::MIN };
                        assert!(y16.iter().all(|&t| t == sat), "{a}->{b} {q:?}");
                    }
                    // The worst patterns for a sum: alternating and random signs.
                    let mut s = 0x2545_f491u32;
                    let alt: Vec<f32> = (0..n).map(|i| if i % 2 == 0 { v } else { -v }).collect();
                    let rnd: Vec<f32> = (0..n)
                        .map(|_| {
                            s ^= s << 13;
                            s ^= s >> 17;
                            s ^= s << 5;
                            if s & 1 == 0 {
                                v
                            } else {
                                -v
                            }
                        })
                        .collect();
                    for x in [&alt, &rnd] {
                        let y = f32s(run(a, b, q, x, SampleFormat::F32));
                        assert!(y.iter().all(|t| t.is_finite()), "{a}->{b} {q:?} {v:e}");
                    }
                }
            }
        }
        // One pair per core through push and push_into as well.
        for (a, b) in [(768_000, 8_000), (48_000, 16_000), (44_100, 48_000)] {
            let x: Vec<f32> = (0..a as usize / 20)
                .map(|i| if i % 7 < 3 { f32::MAX } else { -3e36 })
                .collect();
            let want = f32s(run(a, b, Quality::Low, &x, SampleFormat::F32));
            streamed_agree(a, b, Quality::Low, &x, &want);
        }
    }

    #[test]
    fn subnormal_f32_input_gives_the_output_of_zeros() {
        for (a, b) in PAIRS {
            let n = a as usize / 25;
            let tiny: Vec<f32> = (0..n).map(|i| 1e-40 * (i as f32 / 3.0).sin()).collect();
            assert!(tiny.iter().any(|x| x.is_subnormal()));
            for q in [Quality::Quick, Quality::Medium, Quality::VeryHigh] {
                let zeros = f32s(run(a, b, q, &vec![0.0; n], SampleFormat::F32));
                let y = f32s(run(a, b, q, &tiny, SampleFormat::F32));
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&y), bits(&zeros), "{a}->{b} {q:?}");
                if q == Quality::Medium {
                    streamed_agree(a, b, q, &tiny, &zeros);
                }
            }
        }
    }
}
