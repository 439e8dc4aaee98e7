//! The cores (our rational polyphase FIR, alone or as a two-stage cascade,
//! rubato's polyphase sinc, our shared FFT) behind one push-oriented interface.
//!
//! A [`Core`] consumes interleaved `i16` or `f32` frames (or silence) and hands every
//! output frame it can compute to a [`Sink`] as interleaved `f32`. It knows its
//! own group delay exactly, so `crate::stream` can trim it.
//!
//! Nothing here allocates after construction, except the per-thread output
//! scratch ([`with_output_scratch`]), which grows to the largest core used on
//! the thread the first time it runs there.

pub mod cascade;
pub mod fft;
pub mod polyphase;
pub mod shared_cache;

use std::cell::RefCell;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::audioadapter_buffers::number_to_float::InterleavedNumbers;
use rubato::{
    calculate_cutoff, Async, FixedAsync, Indexing, Resampler, Resizable,
    SincInterpolationParameters, SincInterpolationType,
};

use crate::design::presets::Design;
use crate::rate::RatePair;
use crate::EngineError;
use cascade::CascadeCore;
use fft::SharedFft;
use polyphase::PolyCore;

thread_local! {
    /// Output of one rubato call or FFT block, handed to the sink right away.
    static OUTPUT_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's output scratch, `len` floats long (contents are
/// garbage). Per thread rather than per core: at 8 kHz → 768 kHz with 64
/// channels one FFT block is 11.8 MB, which thousands of idle resamplers would
/// otherwise each hold. Bounded by the largest core: 49,152 frames × 64 channels.
fn with_output_scratch<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
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
    /// Interleaved `f32` samples at full scale ±1.0, used as they are (not
    /// clipped); the frame count is `len / channels`.
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
    pub fn write_f32(&self, from: usize, channels: usize, dst: &mut [f32]) {
        let (start, end) = (from * channels, from * channels + dst.len());
        match self {
            Source::I16(s) => {
                for (d, &x) in dst.iter_mut().zip(&s[start..end]) {
                    *d = x as f32 / 32768.0;
                }
            }
            Source::F32(s) => dst.copy_from_slice(&s[start..end]),
            Source::Silence(_) => dst.fill(0.0),
        }
    }
}

/// Interleaved input frames (as `f32`) waiting until a fixed number of them is available.
#[derive(Default)]
struct FrameFifo {
    buf: Vec<f32>,
    filled: usize,
    capacity: usize,
    channels: usize,
}

impl FrameFifo {
    fn new(capacity: usize, channels: usize) -> FrameFifo {
        FrameFifo {
            buf: vec![0.0; capacity * channels],
            filled: 0,
            capacity,
            channels,
        }
    }

    /// Appends frames of `source` from frame `from` on, as many as fit; returns how many.
    fn fill(&mut self, source: Source, from: usize) -> usize {
        let ch = self.channels;
        let take = (source.frames(ch) - from).min(self.capacity - self.filled);
        let dst = &mut self.buf[self.filled * ch..(self.filled + take) * ch];
        source.write_f32(from, ch, dst);
        self.filled += take;
        take
    }

    fn is_full(&self) -> bool {
        self.filled == self.capacity
    }

    /// The buffered frames, interleaved (the whole buffer once full).
    fn samples(&self) -> &[f32] {
        &self.buf[..self.filled * self.channels]
    }

    fn clear(&mut self) {
        self.filled = 0;
    }

    fn memory_bytes(&self) -> usize {
        self.buf.capacity() * 4
    }
}

/// Heap bytes of a `rubato::Async::<f32>::new_sinc` resampler (`FixedAsync::Input`),
/// from its layout: `oversampling` rows of `sinc_len` taps (32-byte aligned), a
/// history buffer of `chunk + 2 · sinc_len` frames per channel, and one combined
/// sinc of `sinc_len + 1` taps.
pub fn async_sinc_bytes(
    sinc_len: usize,
    oversampling: usize,
    max_chunk: usize,
    channels: usize,
) -> usize {
    let table = oversampling * (sinc_len * 4 + 16);
    let history = channels * ((max_chunk + 2 * sinc_len) * 4 + 24);
    let combined = (sinc_len + 1) * 4 + 32;
    table + history + combined + channels + 512
}

/// Upper bound on output frames per rubato call, to keep scratch buffers small
/// even at extreme ratios (1 Hz → 768 kHz).
const MAX_OUTPUT_FRAMES_PER_CALL: usize = 8192;
/// Upper bound on input frames per rubato call.
const MAX_INPUT_FRAMES_PER_CALL: usize = 4800;
/// Longest sinc filter we build, in input taps (bounds memory and cost for
/// extreme downsampling ratios).
const MAX_SINC_LEN: usize = 8192;
/// Silence frames per flush step in direct (exact) mode.
const SINC_FLUSH_STEP: usize = 256;
/// Largest oversampling factor for which an exact polyphase table (`os = L`) is built.
const MAX_EXACT_OVERSAMPLING: usize = 512;
/// Most taps in a sinc table (`sinc_len × oversampling`, `f32`): 2 MiB, built in
/// about 20 ms (rubato computes every tap with `sin`, about 40 ns each here).
/// Long filters (extreme downsampling) get a coarser cubic-interpolated table;
/// their cutoff is far below the input Nyquist, so 64 points per tap still
/// resolve them better than 256 do a full-band filter.
const MAX_TABLE_TAPS: usize = 1 << 19;
/// Coarsest oversampling used for a cubic-interpolated table.
const MIN_CUBIC_OVERSAMPLING: usize = 32;

/// With the `test-panic` cargo feature (test builds only), input starting with
/// these samples makes [`Core::feed`] panic.
#[cfg(feature = "test-panic")]
pub const TEST_PANIC_TRIGGER: [i16; 4] = [-32768, 32767, 0x0bad, -0x0bad];

pub enum Core {
    Poly(PolyCore),
    Cascade(CascadeCore),
    Sinc(SincCore),
    Fft(FftCore),
}

impl Core {
    pub fn new(design: Design, pair: &RatePair, channels: usize) -> Result<Core, EngineError> {
        match design {
            Design::Poly { spec } => Ok(Core::Poly(PolyCore::new(
                pair.up(),
                pair.down(),
                spec,
                channels,
            ))),
            Design::Cascade { first, second } => {
                Ok(Core::Cascade(CascadeCore::new(first, second, channels)))
            }
            Design::Sinc { base_len, window } => {
                Ok(Core::Sinc(SincCore::new(base_len, window, pair, channels)?))
            }
            Design::Fft { block_in, window } => {
                Ok(Core::Fft(FftCore::new(block_in, window, pair, channels)))
            }
        }
    }

    /// The pre-roll `P` (silent input frames fed after construction and each
    /// flush) and trim `T` (output frames dropped) that align output with
    /// input: `P · ratio + delay == T` exactly where the core's delay allows
    /// it (exact sinc table, FFT), else as nearly as a bounded search finds.
    pub fn alignment(&self, pair: &RatePair) -> (usize, usize) {
        let preroll = match self {
            Core::Poly(c) => pair.poly_preroll(c.half_taps()),
            Core::Cascade(c) => {
                let (num, den) = c.exact_delay();
                let preroll = pair.whole_delay_preroll(num, den);
                // `crate::design::presets` builds a cascade only where this has a solution.
                debug_assert!(preroll.is_some(), "no whole pre-roll for {num}/{den}");
                preroll.unwrap_or(0)
            }
            Core::Sinc(c) if c.is_exact() => pair.sinc_exact_preroll((c.sinc_len / 2) as u64),
            Core::Sinc(c) => pair.nearest_whole_preroll(c.delay),
            Core::Fft(c) => pair.fft_preroll((c.block_in / 2) as u64),
        };
        (preroll, pair.trim(preroll, self.delay()))
    }

    /// Consumes all of `source` and passes every computable output frame to `sink`.
    pub fn feed(&mut self, source: Source, sink: &mut dyn Sink) -> Result<(), EngineError> {
        #[cfg(feature = "test-panic")]
        if let Source::I16(s) = source {
            if s.starts_with(&TEST_PANIC_TRIGGER) {
                panic!("test-panic: forced panic inside the engine");
            }
        }
        match self {
            Core::Poly(c) => {
                c.feed(source, sink);
                Ok(())
            }
            Core::Cascade(c) => {
                c.feed(source, sink);
                Ok(())
            }
            Core::Sinc(c) => c.feed(source, sink),
            Core::Fft(c) => c.feed(source, sink),
        }
    }

    /// Group delay in output frames for a signal fed from a fresh (reset) core.
    pub fn delay(&self) -> f64 {
        match self {
            Core::Poly(c) => c.delay(),
            Core::Cascade(c) => c.delay(),
            Core::Sinc(c) => c.delay,
            Core::Fft(c) => c.delay,
        }
    }

    /// Frames of silence worth feeding per flush step.
    pub fn flush_step(&self) -> usize {
        match self {
            // Small steps: a flush needs only about half a filter of silence, and
            // a step of `max_chunk` could compute thousands of frames to discard.
            // The polyphase core has no FIFO: any step works, this one keeps the
            // frames computed past the end (then dropped) few.
            Core::Poly(c) => c.flush_step(),
            Core::Cascade(c) => c.flush_step(),
            Core::Sinc(c) if c.grid > 0 => c.grid,
            Core::Sinc(c) => c.max_chunk.min(SINC_FLUSH_STEP),
            Core::Fft(c) => c.block_in,
        }
    }

    /// Forgets all history and buffered input, as if newly built, then feeds
    /// `preroll` frames of silence (the alignment's `P`) to `sink`.
    pub fn restart(&mut self, preroll: usize, sink: &mut dyn Sink) -> Result<(), EngineError> {
        match self {
            Core::Poly(c) => {
                c.restart(preroll, sink);
                return Ok(());
            }
            Core::Cascade(c) => {
                c.restart(preroll, sink);
                return Ok(());
            }
            Core::Sinc(c) => {
                c.resampler.reset();
                c.fifo.clear();
            }
            Core::Fft(c) => {
                c.resampler.reset();
                c.fifo.clear();
            }
        }
        if preroll == 0 {
            return Ok(());
        }
        self.feed(Source::Silence(preroll), sink)
    }

    /// Most output frames one rubato call (or FFT block) hands to the sink.
    pub fn max_burst_frames(&self) -> usize {
        match self {
            Core::Poly(c) => c.max_burst_frames(),
            Core::Cascade(c) => c.max_burst_frames(),
            Core::Sinc(c) => c.out_frames,
            Core::Fft(c) => c.block_out,
        }
    }

    /// Most output frames feeding `frames` more input frames can produce now.
    pub fn max_output_frames(&self, frames: usize) -> usize {
        match self {
            Core::Poly(c) => c.max_output_frames(frames),
            Core::Cascade(c) => c.max_output_frames(frames),
            Core::Sinc(c) if c.grid > 0 => (c.fifo.filled + frames) / c.grid * c.out_frames,
            Core::Sinc(c) => frames.div_ceil(c.max_chunk) * c.out_frames,
            Core::Fft(c) => (c.fifo.filled + frames) / c.block_in * c.block_out,
        }
    }

    /// Heap bytes held by this core: the polyphase history and its share of the
    /// (shared) table, its FIFO, rubato's history buffers and sinc
    /// table, or the FFT overlap and (shared) plan. Not the per-thread output
    /// scratch, which all cores on a thread share.
    pub fn memory_bytes(&self) -> usize {
        match self {
            Core::Poly(c) => c.memory_bytes(),
            Core::Cascade(c) => c.memory_bytes(),
            Core::Sinc(c) => {
                c.fifo.memory_bytes()
                    + async_sinc_bytes(c.sinc_len, c.oversampling, c.max_chunk, c.channels)
            }
            Core::Fft(c) => c.fifo.memory_bytes() + c.resampler.memory_bytes(),
        }
    }

    /// A one-line summary of the configuration (for benchmarks and debugging).
    pub fn describe(&self) -> String {
        match self {
            Core::Poly(c) => c.describe(),
            Core::Cascade(c) => c.describe(),
            Core::Sinc(c) => format!(
                "sinc len {} os {} {:?} cutoff {:.4}",
                c.sinc_len, c.oversampling, c.interpolation, c.cutoff
            ),
            Core::Fft(c) => format!(
                "fft block {} -> {} cutoff {:.4}",
                c.block_in,
                c.block_out,
                c.resampler.cutoff()
            ),
        }
    }
}

/// Polyphase sinc resampler (`rubato::Async`). With an exact table it processes
/// each push directly; with an interpolated table it goes through a small FIFO.
pub struct SincCore {
    resampler: Async<f32>,
    channels: usize,
    max_chunk: usize,
    /// Interpolated (`Cubic`) tables only: rubato is always called with exactly
    /// `grid` frames. Its fractional position is an `f64` whose rounding depends
    /// on where calls start, so direct calls would make the output depend (by an
    /// LSB now and then) on the push sizes. 0 = direct mode.
    grid: usize,
    /// Input waiting for a full grid chunk (grid mode only).
    fifo: FrameFifo,
    /// Output frames one rubato call may produce (the scratch it needs).
    out_frames: usize,
    delay: f64,
    sinc_len: usize,
    oversampling: usize,
    interpolation: SincInterpolationType,
    cutoff: f32,
}

impl SincCore {
    fn new(
        base_len: usize,
        window: rubato::WindowFunction,
        pair: &RatePair,
        channels: usize,
    ) -> Result<SincCore, EngineError> {
        let up = pair.up() as usize; // L
        let ratio = pair.ratio();
        // Taps are counted at the input rate; keep `base_len` taps at the lower rate.
        let scale = (pair.input_rate() as f64 / pair.output_rate() as f64).max(1.0);
        let sinc_len = round_up8(((base_len as f64) * scale).ceil() as usize).min(MAX_SINC_LEN);
        // Pin the cutoff relative to the lower Nyquist (rubato scales it by out/in
        // when downsampling). With a capped length the filter gets proportionally shorter.
        let effective_base = ((sinc_len as f64) / scale).max(8.0) as usize;
        let cutoff = calculate_cutoff::<f32>(effective_base.min(base_len), window);
        // `Nearest` with `os = L` is an exact rational polyphase filter: bit-exact
        // under any chunking and half the cost of `Cubic`. Fall back to cubic
        // interpolation of a finely oversampled table when L is too large.
        let (interpolation, oversampling) =
            if up <= MAX_EXACT_OVERSAMPLING && sinc_len * up <= MAX_TABLE_TAPS {
                (SincInterpolationType::Nearest, up)
            } else {
                let os = (MAX_TABLE_TAPS / sinc_len).clamp(MIN_CUBIC_OVERSAMPLING, 256);
                (SincInterpolationType::Cubic, 1 << os.ilog2())
            };
        let params = SincInterpolationParameters::new(sinc_len, window)
            .f_cutoff(cutoff)
            .oversampling_factor(oversampling)
            .interpolation(interpolation);
        let max_chunk = ((MAX_OUTPUT_FRAMES_PER_CALL as f64 / ratio).floor() as usize)
            .clamp(1, MAX_INPUT_FRAMES_PER_CALL);
        let resampler =
            Async::<f32>::new_sinc(ratio, 1.0, &params, max_chunk, channels, FixedAsync::Input)
                .map_err(|e| EngineError::Internal(e.to_string()))?;
        let out_frames = resampler.output_frames_max();
        // Grid chunk: long enough that rubato's per-call cost (it moves 2 × sinc_len
        // frames of history) stays small, short enough to add little latency.
        let grid = if interpolation == SincInterpolationType::Nearest {
            0
        } else {
            (sinc_len / 4).max(64).min(max_chunk)
        };
        // Measured group delay of `rubato::Async` sinc (its `output_delay()` rounds it).
        let delay = ratio * (sinc_len as f64 / 2.0 - 1.0 / oversampling as f64) - 1.0;
        Ok(SincCore {
            resampler,
            channels,
            max_chunk,
            grid,
            fifo: FrameFifo::new(grid, channels),
            out_frames,
            delay,
            sinc_len,
            oversampling,
            interpolation,
            cutoff,
        })
    }

    fn feed(&mut self, source: Source, sink: &mut dyn Sink) -> Result<(), EngineError> {
        if self.grid == 0 {
            return self.feed_direct(source, sink);
        }
        let total = source.frames(self.channels);
        let mut done = 0;
        while done < total {
            done += self.fifo.fill(source, done);
            if self.fifo.is_full() {
                let fifo = std::mem::take(&mut self.fifo);
                let result = self.feed_direct(Source::F32(fifo.samples()), sink);
                self.fifo = fifo;
                self.fifo.clear();
                result?;
            }
        }
        Ok(())
    }

    /// Passes `source` to rubato in calls of at most `max_chunk` frames.
    fn feed_direct(&mut self, source: Source, sink: &mut dyn Sink) -> Result<(), EngineError> {
        let channels = self.channels;
        let total = source.frames(channels);
        let out_frames = self.out_frames;
        let mut done = 0;
        while done < total {
            let chunk = (total - done).min(self.max_chunk);
            self.resampler
                .set_chunk_size(chunk)
                .map_err(|e| EngineError::Internal(e.to_string()))?;
            let resampler = &mut self.resampler;
            with_output_scratch(out_frames * channels, |out_buf| {
                let mut output = InterleavedSlice::new_mut(&mut *out_buf, channels, out_frames)
                    .map_err(|e| EngineError::Internal(e.to_string()))?;
                let (_, produced) = match source {
                    Source::I16(samples) => {
                        let input =
                            InterleavedNumbers::<&[i16], f32>::new(samples, channels, total)
                                .map_err(|e| EngineError::Internal(e.to_string()))?;
                        let indexing = Indexing::new().input_offset(done);
                        resampler.process_into_buffer(&input, &mut output, Some(&indexing))
                    }
                    Source::F32(samples) => {
                        let input = InterleavedSlice::new(samples, channels, total)
                            .map_err(|e| EngineError::Internal(e.to_string()))?;
                        let indexing = Indexing::new().input_offset(done);
                        resampler.process_into_buffer(&input, &mut output, Some(&indexing))
                    }
                    Source::Silence(_) => {
                        let empty: [f32; 0] = [];
                        let input = InterleavedSlice::new(&empty[..], channels, 0)
                            .map_err(|e| EngineError::Internal(e.to_string()))?;
                        let indexing = Indexing::new().partial_len(0);
                        resampler.process_into_buffer(&input, &mut output, Some(&indexing))
                    }
                }
                .map_err(|e| EngineError::Internal(e.to_string()))?;
                sink.accept(&out_buf[..produced * channels]);
                Ok(())
            })?;
            done += chunk;
        }
        Ok(())
    }
}

/// FFT overlap-add resampler (bit-identical to `rubato::Fft`, one block per call,
/// filter and plans shared between instances) behind an input FIFO.
pub struct FftCore {
    resampler: SharedFft,
    channels: usize,
    block_in: usize,
    block_out: usize,
    /// Input waiting for a full block.
    fifo: FrameFifo,
    delay: f64,
}

impl FftCore {
    fn new(
        block_in: usize,
        window: rubato::WindowFunction,
        pair: &RatePair,
        channels: usize,
    ) -> FftCore {
        // The block sizes `rubato::Fft::new_custom(in, out, block_in, 1, …)` picks
        // for its `FftResampler::new`: `block_in` is already a multiple of `M`.
        let block_out = pair.fft_block_out(block_in);
        let resampler = SharedFft::new(block_in, block_out, channels, window);
        // Measured group delay of rubato's `Fft` (half an input block, at the output rate).
        let delay = (block_in / 2) as f64 * pair.ratio();
        FftCore {
            channels,
            block_in,
            block_out,
            fifo: FrameFifo::new(block_in, channels),
            delay,
            resampler,
        }
    }

    fn feed(&mut self, source: Source, sink: &mut dyn Sink) -> Result<(), EngineError> {
        let total = source.frames(self.channels);
        let mut done = 0;
        while done < total {
            done += self.fifo.fill(source, done);
            if self.fifo.is_full() {
                let (resampler, fifo) = (&mut self.resampler, &mut self.fifo);
                with_output_scratch(self.block_out * self.channels, |out| {
                    resampler.process(fifo.samples(), out);
                    sink.accept(out);
                });
                self.fifo.clear();
            }
        }
        Ok(())
    }
}

fn round_up8(n: usize) -> usize {
    n.div_ceil(8).max(1) * 8
}

impl SincCore {
    /// Whether the polyphase table is exact (`Nearest`, `os = L`), making the delay rational.
    fn is_exact(&self) -> bool {
        self.interpolation == SincInterpolationType::Nearest
    }
}
