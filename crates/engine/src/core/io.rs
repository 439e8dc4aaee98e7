//! What flows through a core: its input ([`Source`]), its output ([`Sink`]),
//! and the buffers the block cores share: an input FIFO ([`FrameFifo`]) and
//! the per-thread output scratch ([`with_output_scratch`]).

use std::cell::RefCell;

thread_local! {
    /// Output of one rubato call or FFT block, handed to the sink right away.
    static OUTPUT_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's output scratch, `len` floats long (contents are
/// garbage). Per thread rather than per core: at 8 kHz → 768 kHz with 64
/// channels one FFT block is 11.8 MB, which thousands of idle resamplers would
/// otherwise each hold. Bounded by the largest core: 49,152 frames × 64 channels.
pub fn with_output_scratch<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    OUTPUT_SCRATCH.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.len() < len {
            buf.resize(len, 0.0);
        }
        f(&mut buf[..len])
    })
}

/// Receives output as interleaved `f32` in [-1, 1).
pub trait Sink {
    fn accept(&mut self, interleaved: &[f32]);
}

/// Where the input of one `feed` call comes from.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// Interleaved `i16` samples, read as `x / 32768` (exact); the frame count
    /// is `len / channels`.
    I16(&'a [i16]),
    /// Interleaved `f32` samples at full scale ±1.0, not clipped; the frame
    /// count is `len / channels`. [`Source::write_f32`] conditions them
    /// ([`condition_f32`]), which the polyphase history relies on (the PCM
    /// layer conditions its input for every core).
    F32(&'a [f32]),
    /// This many frames of digital silence (used by pre-roll and flush).
    Silence(usize),
}

impl Source<'_> {
    /// Frames in this source.
    pub fn frames(&self, channels: usize) -> usize {
        match self {
            Source::I16(s) => s.len() / channels,
            Source::F32(s) => s.len() / channels,
            Source::Silence(n) => *n,
        }
    }

    /// Frames `from..from + frames` of this source.
    pub fn range(&self, from: usize, frames: usize, channels: usize) -> Source<'_> {
        let (start, end) = (from * channels, (from + frames) * channels);
        match self {
            Source::I16(s) => Source::I16(&s[start..end]),
            Source::F32(s) => Source::F32(&s[start..end]),
            Source::Silence(_) => Source::Silence(frames),
        }
    }

    /// Writes frames `from..from + dst.len() / channels` as interleaved `f32`
    /// (the one place where input samples become the cores' `f32`).
    /// Inlined, so that in a polyphase core it is compiled, and vectorised,
    /// with the kernel's instruction set.
    #[inline(always)]
    pub fn write_f32(&self, from: usize, channels: usize, dst: &mut [f32]) {
        let (start, end) = (from * channels, from * channels + dst.len());
        match self {
            Source::I16(s) => {
                for (d, &x) in dst.iter_mut().zip(&s[start..end]) {
                    *d = x as f32 / 32768.0;
                }
            }
            Source::F32(s) => {
                for (d, &x) in dst.iter_mut().zip(&s[start..end]) {
                    *d = condition_f32(x);
                }
            }
            Source::Silence(_) => dst.fill(0.0),
        }
    }
}

/// Interleaved input frames (as `f32`) waiting until a fixed number of them is available.
#[derive(Default)]
pub struct FrameFifo {
    buf: Vec<f32>,
    filled: usize,
    capacity: usize,
    channels: usize,
}

impl FrameFifo {
    pub fn new(capacity: usize, channels: usize) -> FrameFifo {
        FrameFifo {
            buf: vec![0.0; capacity * channels],
            filled: 0,
            capacity,
            channels,
        }
    }

    /// Appends frames of `source` from frame `from` on, as many as fit; returns how many.
    pub fn fill(&mut self, source: Source, from: usize) -> usize {
        let ch = self.channels;
        let take = (source.frames(ch) - from).min(self.capacity - self.filled);
        let dst = &mut self.buf[self.filled * ch..(self.filled + take) * ch];
        source.write_f32(from, ch, dst);
        self.filled += take;
        take
    }

    /// Frames buffered.
    pub fn filled(&self) -> usize {
        self.filled
    }

    pub fn is_full(&self) -> bool {
        self.filled == self.capacity
    }

    /// The buffered frames, interleaved (the whole buffer once full).
    pub fn samples(&self) -> &[f32] {
        &self.buf[..self.filled * self.channels]
    }

    pub fn clear(&mut self) {
        self.filled = 0;
    }

    pub fn memory_bytes(&self) -> usize {
        self.buf.capacity() * 4
    }
}

/// The largest magnitude of `f32` input a filter sees. f32::MAX / 1e20 leaves
/// a factor 3.4e18 for the gain of any intermediate sum (an FIR phase's sum of
/// |coefficients|, an FFT's N); the worst measured over the presets is 5e4
/// (the FFT of a 64-ms block at 768 kHz), asserted finite by the tests of `pcm`.
pub const F32_INPUT_LIMIT: f32 = 1e20;

/// One `f32` input sample as a filter takes it: clamped to
/// ±[`F32_INPUT_LIMIT`], subnormal and NaN → `+0.0`, ±0 unchanged. Branch-free
/// (a clamp and compares), so slice loops over it vectorise.
#[inline]
pub fn condition_f32(x: f32) -> f32 {
    let c = x.clamp(-F32_INPUT_LIMIT, F32_INPUT_LIMIT);
    let flushed = x.is_nan() || (c != 0.0 && c.abs() < f32::MIN_POSITIVE);
    if flushed {
        0.0
    } else {
        c
    }
}
