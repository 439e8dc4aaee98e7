//! `StreamResampler`: the streaming contract users rely on, on top of a [`Core`].
//!
//! * Output is time-aligned with input: output frame `k` is input time
//!   `k / output_rate`. The core's group delay is made a whole number of output
//!   frames by feeding a few frames of silence first (pre-roll), then trimmed.
//! * After `flush()` the total output is `round(n_in * out / in)` frames, like libsoxr.
//! * Output is a deterministic function of the input samples, whatever the push sizes.
//! * No allocation per push once the output buffer has grown to the push size.
//! * Bounded memory: a call reserves (fallibly) at most the frames it may emit,
//!   its own output plus what the filter still owes (a per-configuration
//!   constant); a reservation that fails is an [`EngineError::TooLarge`] and
//!   leaves the resampler unchanged. [`StreamResampler::memory_bytes`] reports
//!   the heap the resampler holds.

use crate::kernel::{Core, Sink, Source};
use crate::presets::{design_for, Quality};
use crate::rate::RatePair;
use crate::{check_ratio, EngineError, MAX_CHANNELS, MAX_RATE};

/// One resampler: a fixed rate pair, channel count and [`Quality`], fed
/// interleaved `i16` frames by [`push`](StreamResampler::push) and drained by
/// [`flush`](StreamResampler::flush), then reusable as new.
pub struct StreamResampler {
    pair: RatePair,
    channels: usize,
    core: Core,
    emitter: Emitter,
    /// Silent frames fed after construction and after each flush.
    preroll: usize,
    /// Output frames dropped at the start of each segment (delay compensation).
    trim: usize,
    /// Input frames pushed since the last flush.
    frames_in: u64,
    /// Output capacity (samples) kept between calls: enough for the largest
    /// output a small push can get (one core burst, an FFT block say).
    keep_capacity: usize,
}

/// Output capacity (samples) above which the buffer is given back after a huge push.
const KEEP_CAPACITY: usize = 1 << 18;

impl StreamResampler {
    /// Builds a resampler. Rates must be in `[1, MAX_RATE]` with a ratio of at
    /// most [`MAX_RATIO`](crate::MAX_RATIO) ([`EngineError::OutOfRange`]
    /// otherwise), channels in `[1, MAX_CHANNELS]`.
    pub fn new(
        input_rate: u32,
        output_rate: u32,
        channels: usize,
        quality: Quality,
    ) -> Result<StreamResampler, EngineError> {
        validate(input_rate, "inputRate")?;
        validate(output_rate, "outputRate")?;
        check_ratio(input_rate, output_rate)?;
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(EngineError::InvalidArgument(format!(
                "channels must be an integer in [1, {MAX_CHANNELS}], got {channels}"
            )));
        }
        let pair = RatePair::new(input_rate, output_rate);
        let design = design_for(quality, &pair);
        let core = Core::new(design, &pair, channels)?;
        let (preroll, trim) = core.alignment(&pair);
        let keep_capacity = KEEP_CAPACITY.max((2 * core.max_burst_frames() + 2) * channels);
        let mut resampler = StreamResampler {
            pair,
            channels,
            core,
            emitter: Emitter::new(channels),
            preroll,
            trim,
            frames_in: 0,
            keep_capacity,
        };
        resampler.start_segment()?;
        Ok(resampler)
    }

    /// A one-line summary of the filter configuration (for benchmarks and debugging).
    pub fn describe(&self) -> String {
        self.core.describe()
    }

    /// Resamples `input` (interleaved, a whole number of frames) and returns all
    /// output that is available now. The slice is valid until the next call.
    pub fn push(&mut self, input: &[i16]) -> Result<&[i16], EngineError> {
        if !input.len().is_multiple_of(self.channels) {
            return Err(EngineError::InvalidArgument(format!(
                "input length {} is not a multiple of channels ({})",
                input.len(),
                self.channels
            )));
        }
        let frames = input.len() / self.channels;
        let frames_in = self.frames_in + frames as u64;
        // Never emit past round(frames_in * ratio): with extreme downsampling the
        // filter can compute a frame before the input "owns" it; hold it back.
        // So this call emits at most `limit - emitted` frames, and at most what the
        // core can compute from this input plus the held frames: reserve that
        // (fallibly) before touching any state.
        let limit = self.target_for(frames_in);
        let wanted = self.push_output_bound(limit, frames);
        self.emitter
            .begin(wanted, self.keep_capacity)
            .map_err(|bytes| too_large("push", wanted, self.channels, bytes))?;
        self.frames_in = frames_in;
        self.emitter.limit = limit;
        self.emitter.release_carry();
        self.core.feed(Source::I16(input), &mut self.emitter)?;
        Ok(&self.emitter.out)
    }

    /// Returns the tail so that the total output since the last flush is exactly
    /// `round(frames_in * output_rate / input_rate)` frames, then resets for reuse.
    pub fn flush(&mut self) -> Result<&[i16], EngineError> {
        let target = self.target_total();
        let missing = target.saturating_sub(self.emitter.emitted);
        self.emitter
            .begin(missing, self.keep_capacity)
            .map_err(|bytes| too_large("flush", missing, self.channels, bytes))?;
        let missing = missing as usize;
        self.emitter.limit = target;
        self.emitter.release_carry();
        self.emitter.hold_excess = false;
        let step = self.core.flush_step();
        // Output still owed needs at most (missing + trim) / ratio input frames plus
        // one block; allow twice that before declaring an internal error (never hang).
        let ratio = self.pair.ratio();
        let needed_in = ((missing + self.trim) as f64 / ratio).ceil() as usize + step;
        let max_steps = 2 * needed_in.div_ceil(step) + 4;
        let mut steps = 0;
        while self.emitter.emitted < target {
            if steps == max_steps {
                return Err(EngineError::Internal(format!(
                    "flush did not converge ({} of {} frames)",
                    self.emitter.emitted, target
                )));
            }
            self.core.feed(Source::Silence(step), &mut self.emitter)?;
            steps += 1;
        }
        // The tail stays in `emitter.out`; restart without touching it.
        self.restart()?;
        Ok(&self.emitter.out)
    }

    /// Most samples a `push` of `input_samples` interleaved samples can return
    /// (what it reserves): its own output plus what the filter still owes.
    pub fn max_push_output_samples(&self, input_samples: usize) -> u64 {
        let frames = input_samples / self.channels;
        let limit = self.target_for(self.frames_in.saturating_add(frames as u64));
        self.push_output_bound(limit, frames) * self.channels as u64
    }

    /// Frames a push of `frames` input frames can emit, `limit` being the new target.
    fn push_output_bound(&self, limit: u64, frames: usize) -> u64 {
        let by_length = limit.saturating_sub(self.emitter.emitted);
        let held = (self.emitter.carry.len() / self.channels) as u64;
        let by_core = self.core.max_output_frames(frames) as u64 + held;
        by_length.min(by_core)
    }

    /// Samples a `flush` now returns (what it reserves): the frames pushed
    /// since the last flush but not yet returned, times the channels.
    pub fn max_flush_output_samples(&self) -> u64 {
        self.target_total().saturating_sub(self.emitter.emitted) * self.channels as u64
    }

    /// Heap bytes this resampler holds: its own buffers, the core's buffers and
    /// filter table (rubato's, computed from its documented layout), and the FFT
    /// plan it uses (shared with resamplers of the same configuration, counted
    /// in full for each). Changes only when the output buffer grows or shrinks.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<StreamResampler>()
            + self.emitter.out.capacity() * 2
            + self.emitter.carry.capacity() * 2
            + self.core.memory_bytes()
    }

    /// Output frames trimmed at the start of each segment (the delay
    /// compensation). For tests and measurement tools.
    pub fn trim_frames(&self) -> usize {
        self.trim
    }

    /// Most output frames the core computes in one step (an FFT block, or one
    /// rubato call): the granularity of its work. For tests and measurement tools.
    pub fn max_burst_frames(&self) -> usize {
        self.core.max_burst_frames()
    }

    /// Output frames the core has computed since construction, including the
    /// ones trimmed (delay compensation) or dropped past the exact length at
    /// flush: the work done, for tests and tools that bound it.
    pub fn computed_frames(&self) -> u64 {
        self.emitter.computed
    }

    fn target_total(&self) -> u64 {
        self.target_for(self.frames_in)
    }

    fn target_for(&self, frames_in: u64) -> u64 {
        self.pair.output_frames(frames_in)
    }

    fn start_segment(&mut self) -> Result<(), EngineError> {
        self.emitter.out.clear();
        self.restart()
    }

    /// Returns to the state of a new resampler (mirrors `soxr_clear`), except
    /// for `emitter.out`, which may still hold a flushed tail.
    fn restart(&mut self) -> Result<(), EngineError> {
        self.core.clear();
        self.frames_in = 0;
        self.emitter.emitted = 0;
        self.emitter.limit = 0;
        self.emitter.hold_excess = true;
        self.emitter.carry.clear();
        self.emitter.to_skip = self.trim;
        self.feed_preroll()
    }

    fn feed_preroll(&mut self) -> Result<(), EngineError> {
        if self.preroll == 0 {
            return Ok(());
        }
        // Pre-roll output lands inside the trimmed region, so nothing is emitted;
        // feed it through a throwaway sink state to keep `emitter.out` intact.
        let kept = std::mem::take(&mut self.emitter.out);
        let result = self
            .core
            .feed(Source::Silence(self.preroll), &mut self.emitter);
        debug_assert!(self.emitter.out.is_empty() && self.emitter.carry.is_empty());
        self.emitter.out = kept;
        result
    }
}

fn too_large(call: &str, frames: u64, channels: usize, _bytes: u64) -> EngineError {
    too_large_error(call, frames.saturating_mul(channels as u64))
}

/// The error for a call whose output (`samples` interleaved samples) cannot be allocated.
pub fn too_large_error(call: &str, samples: u64) -> EngineError {
    EngineError::TooLarge(format!(
        "{call} would produce up to {samples} samples ({} bytes), more than can be \
         allocated; push smaller frames",
        samples.saturating_mul(2)
    ))
}

fn validate(rate: u32, name: &str) -> Result<(), EngineError> {
    if rate == 0 || rate > MAX_RATE {
        return Err(EngineError::InvalidArgument(format!(
            "{name} must be an integer in [1, {MAX_RATE}], got {rate}"
        )));
    }
    Ok(())
}

/// Collects core output: drops the trimmed delay, caps the total during flush,
/// and rounds to `i16` (round half away from zero, saturating, no dither).
struct Emitter {
    out: Vec<i16>,
    channels: usize,
    to_skip: usize,
    emitted: u64,
    /// Output frames allowed so far: `round(frames_in * ratio)`.
    limit: u64,
    /// Whether frames past `limit` are kept for later (push) or dropped (flush).
    hold_excess: bool,
    /// Frames computed before the input owned them (only at extreme downsampling ratios).
    carry: Vec<i16>,
    /// Every frame the core has handed over (emitted, trimmed, held or dropped).
    computed: u64,
}

impl Emitter {
    fn new(channels: usize) -> Emitter {
        Emitter {
            out: Vec::new(),
            channels,
            to_skip: 0,
            emitted: 0,
            limit: 0,
            hold_excess: true,
            carry: Vec::new(),
            computed: 0,
        }
    }

    /// Emits held-back frames that the input now covers.
    fn release_carry(&mut self) {
        if self.carry.is_empty() {
            return;
        }
        let room = self.limit.saturating_sub(self.emitted) as usize;
        let take = (self.carry.len() / self.channels).min(room);
        self.out
            .extend_from_slice(&self.carry[..take * self.channels]);
        self.carry.drain(..take * self.channels);
        self.emitted += take as u64;
    }

    /// Starts a new call's output, room for at most `max_frames` frames: keeps
    /// the allocation unless a huge push left it larger than `keep` samples, and
    /// reserves fallibly. On failure (`Err(bytes wanted)`) only the previous
    /// output is gone.
    fn begin(&mut self, max_frames: u64, keep: usize) -> Result<(), u64> {
        self.out.clear();
        let samples = max_frames.saturating_mul(self.channels as u64);
        let bytes = samples.saturating_mul(2);
        let wanted = usize::try_from(samples).map_err(|_| bytes)?;
        if self.out.capacity() > keep && wanted < keep {
            self.out.shrink_to(keep);
        }
        if self.out.try_reserve_exact(wanted).is_err() {
            // Give back what a previous huge call left before failing.
            self.out.shrink_to(keep.min(self.out.capacity()));
            return Err(bytes);
        }
        Ok(())
    }
}

impl Sink for Emitter {
    fn accept(&mut self, interleaved: &[f32]) {
        let frames = interleaved.len() / self.channels;
        self.computed += frames as u64;
        let skip = frames.min(self.to_skip);
        self.to_skip -= skip;
        let room = if self.carry.is_empty() {
            self.limit.saturating_sub(self.emitted)
        } else {
            0 // keep order: older held frames go first
        };
        let take = ((frames - skip) as u64).min(room) as usize;
        let samples = &interleaved[skip * self.channels..(skip + take) * self.channels];
        // `begin` reserved room for everything a call may emit: no reallocation.
        debug_assert!(self.out.len() + samples.len() <= self.out.capacity());
        push_i16(&mut self.out, samples);
        self.emitted += take as u64;
        if self.hold_excess {
            let rest = &interleaved[(skip + take) * self.channels..];
            self.carry.extend(rest.iter().map(|&x| to_i16(x)));
        }
    }
}

/// Appends `samples` converted by [`to_i16`], vectorised with AVX2 when the CPU has it
/// (same operations per sample, so the same result either way).
fn push_i16(out: &mut Vec<i16>, samples: &[f32]) {
    let start = out.len();
    out.resize(start + samples.len(), 0);
    let dst = &mut out[start..];
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { convert_avx2(dst, samples) };
        return;
    }
    convert(dst, samples);
}

#[inline(always)]
fn convert(dst: &mut [i16], samples: &[f32]) {
    for (o, &x) in dst.iter_mut().zip(samples) {
        *o = to_i16(x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn convert_avx2(dst: &mut [i16], samples: &[f32]) {
    convert(dst, samples)
}

/// `(x * 32768.0).round() as i16` (round half away from zero, saturating, NaN → 0)
/// without the `roundf` libm call, which baseline x86-64 cannot inline; this
/// branch-free form vectorises.
#[inline]
fn to_i16(x: f32) -> i16 {
    let y = x * 32768.0;
    // NaN → 0 (as `as` does); clamping keeps everything below in range.
    let y = if y.is_nan() {
        0.0
    } else {
        y.clamp(-40000.0, 40000.0)
    };
    // Truncates toward zero. SAFETY: `y` is finite and well within i32.
    // (`as i32` would be the same here but its saturation logic does not vectorise.)
    let t = unsafe { y.to_int_unchecked::<i32>() };
    // Exact, since |y| < 2^23.
    let frac = y - t as f32;
    let r = t + (frac >= 0.5) as i32 - (frac <= -0.5) as i32;
    r.clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

#[cfg(test)]
mod tests {
    use super::{push_i16, to_i16};

    fn reference(x: f32) -> i16 {
        (x * 32768.0).round() as i16
    }

    #[test]
    fn to_i16_matches_round() {
        let mut special = vec![
            0.0f32,
            -0.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1.0,
            -1.0,
            0.5 / 32768.0,
            -0.5 / 32768.0,
            1.5 / 32768.0,
            -1.5 / 32768.0,
            32767.5 / 32768.0,
            -32768.5 / 32768.0,
            -32767.5 / 32768.0,
            1e10,
            -1e10,
        ];
        // Neighbours of every half-integer and integer output level.
        for k in -65600i32..=65600 {
            let y = k as f32 * 0.5 / 32768.0;
            special.push(y);
            special.push(f32::from_bits(y.to_bits() + 1));
            special.push(f32::from_bits(y.to_bits().saturating_sub(1)));
        }
        for x in &special {
            assert_eq!(to_i16(*x), reference(*x), "x = {x:e} ({:#x})", x.to_bits());
        }
        // The (vectorised) slice conversion agrees too.
        let mut out = vec![7i16];
        push_i16(&mut out, &special);
        assert_eq!(out[0], 7);
        for (o, x) in out[1..].iter().zip(&special) {
            assert_eq!(*o, reference(*x), "x = {x:e} ({:#x})", x.to_bits());
        }
        // And a spread of arbitrary bit patterns.
        let mut s: u32 = 0x1234_5678;
        for _ in 0..2_000_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let x = f32::from_bits(s);
            assert_eq!(to_i16(x), reference(x), "x = {x:e} ({s:#x})");
        }
    }
}
