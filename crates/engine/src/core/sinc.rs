//! The fallback core: rubato's polyphase sinc resampler (`rubato::Async`), for
//! the pairs whose polyphase table would be too large or a phase too long.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::audioadapter_buffers::number_to_float::InterleavedNumbers;
use rubato::{
    calculate_cutoff, Async, FixedAsync, Indexing, Resampler, Resizable,
    SincInterpolationParameters, SincInterpolationType,
};

use crate::core::io::{with_output_scratch, FrameFifo, Sink, Source};
use crate::rate::RatePair;
use crate::EngineError;

/// Heap bytes of a `rubato::Async::<f32>::new_sinc` resampler (`FixedAsync::Input`),
/// from its layout: `oversampling` rows of `sinc_len` taps (32-byte aligned), a
/// history buffer of `chunk + 2 · sinc_len` frames per channel, and one combined
/// sinc of `sinc_len + 1` taps.
fn async_sinc_bytes(
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
    pub fn new(
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

    pub fn feed(&mut self, source: Source, sink: &mut dyn Sink) -> Result<(), EngineError> {
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

fn round_up8(n: usize) -> usize {
    n.div_ceil(8).max(1) * 8
}

impl SincCore {
    /// Whether the polyphase table is exact (`Nearest`, `os = L`), making the delay rational.
    fn is_exact(&self) -> bool {
        self.interpolation == SincInterpolationType::Nearest
    }
}

impl SincCore {
    /// Pre-roll that makes the delay whole: exactly with an exact table, else
    /// as nearly as a bounded search finds.
    pub fn preroll(&self, pair: &RatePair) -> usize {
        if self.is_exact() {
            pair.sinc_exact_preroll((self.sinc_len / 2) as u64)
        } else {
            pair.nearest_whole_preroll(self.delay)
        }
    }

    /// Group delay in output frames.
    pub fn delay(&self) -> f64 {
        self.delay
    }

    /// Silence frames per flush step: a grid chunk, or a small direct call (a
    /// flush needs only about half a filter of silence, and a step of
    /// `max_chunk` could compute thousands of frames to discard).
    pub fn flush_step(&self) -> usize {
        if self.grid > 0 {
            self.grid
        } else {
            self.max_chunk.min(SINC_FLUSH_STEP)
        }
    }

    /// Forgets all history and buffered input (the dispatcher then feeds the pre-roll).
    pub fn clear(&mut self) {
        self.resampler.reset();
        self.fifo.clear();
    }

    /// Most output frames one rubato call hands to the sink.
    pub fn max_burst_frames(&self) -> usize {
        self.out_frames
    }

    /// Most output frames feeding `frames` more input frames can produce now.
    pub fn max_output_frames(&self, frames: usize) -> usize {
        // A grid of 0 is direct mode: every call is at most `max_chunk` frames.
        let calls = (self.fifo.filled() + frames)
            .checked_div(self.grid)
            .unwrap_or_else(|| frames.div_ceil(self.max_chunk));
        calls * self.out_frames
    }

    /// Heap bytes: the FIFO, rubato's history buffers and sinc table.
    pub fn memory_bytes(&self) -> usize {
        self.fifo.memory_bytes()
            + async_sinc_bytes(
                self.sinc_len,
                self.oversampling,
                self.max_chunk,
                self.channels,
            )
    }

    pub fn describe(&self) -> String {
        format!(
            "sinc len {} os {} {:?} cutoff {:.4}",
            self.sinc_len, self.oversampling, self.interpolation, self.cutoff
        )
    }
}
