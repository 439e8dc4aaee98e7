//! [`PcmResampler`]: a [`StreamResampler`] with fixed input and output
//! [`SampleFormat`]s, plus the equal-rate case (conversion only, no filter,
//! no delay), and the one-shot [`resample`].

use crate::format::{convert, Input, Output, OutputMut, SampleFormat};
use crate::presets::Quality;
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
}

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
            Some(s) => s.push_as(input, self.output),
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
        match self.stream.as_mut() {
            Some(s) => s.push_into(input, out),
            None => {
                if out.len() / self.channels < frames {
                    return Err(EngineError::OutputTooSmall(format!(
                        "out has room for {} frames; pushInto of {frames} frames needs \
                         maxOutputFrames({frames}) = {frames}",
                        out.len() / self.channels
                    )));
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
    }
}

/// `v` resized to `n` elements (fallibly), for an equal-rate conversion.
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
                let a = s.push_into_exact(input, reborrow(&mut out, 0))?;
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
