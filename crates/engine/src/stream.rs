//! `StreamResampler`: the streaming contract users rely on, on top of a [`Core`].
//!
//! * Output is time-aligned with input: output frame `k` is input time
//!   `k / output_rate`. The core's group delay is made a whole number of output
//!   frames by feeding a few frames of silence first (pre-roll), then trimmed.
//! * After `flush()` the total output is `round(n_in * out / in)` frames, like libsoxr.
//! * Output is a deterministic function of the input samples, whatever the push sizes.
//! * No allocation per push once the output buffer has grown to the push size,
//!   and none at all when writing into a caller's buffer ([`StreamResampler::push_into`]).
//! * Any input and output [`SampleFormat`]: the core computes in `f32`; `s16`
//!   and G.711 output is that `f32` converted by the one rule of `crate::format`.
//! * Bounded memory: a call reserves (fallibly) at most the frames it may emit,
//!   its own output plus what the filter still owes (a per-configuration
//!   constant); a reservation that fails is an [`EngineError::TooLarge`] and
//!   leaves the resampler unchanged. [`StreamResampler::memory_bytes`] reports
//!   the heap the resampler holds.

use crate::core::{Core, Sink, Source};
use crate::design::presets::{design_for, Quality};
use crate::format::{f32_to_s16_slice, Input, Output, OutputMut, SampleFormat};
use crate::g711;
use crate::rate::RatePair;
use crate::{check_ratio, EngineError, MAX_CHANNELS, MAX_RATE};

/// One resampler: a fixed rate pair, channel count and [`Quality`], fed
/// interleaved frames by [`push`](StreamResampler::push) (or
/// [`push_as`](StreamResampler::push_as) / [`push_into`](StreamResampler::push_into)
/// in any [`SampleFormat`]) and drained by [`flush`](StreamResampler::flush),
/// then reusable as new.
pub struct StreamResampler {
    pair: RatePair,
    channels: usize,
    core: Core,
    emitter: Emitter,
    /// Output of the last `push`/`flush`, per output format (only the formats used grow).
    out: Vec<i16>,
    out_f32: Vec<f32>,
    out_u8: Vec<u8>,
    /// Silent frames fed after construction and after each flush.
    preroll: usize,
    /// Output frames dropped at the start of each segment (delay compensation).
    trim: usize,
    /// Input frames pushed since the last flush.
    frames_in: u64,
    /// Output capacity (samples) kept between calls: enough for the largest
    /// output a small push can get (one core burst, an FFT block say).
    keep_capacity: usize,
    /// Most frames owed between calls (`round(frames_in · ratio)` minus the
    /// frames returned): the core's delay, trimmed, plus what its input FIFO
    /// holds. The base of [`StreamResampler::max_output_frames`].
    max_pending: u64,
}

/// Output capacity (samples) above which the buffer is given back after a huge push.
const KEEP_CAPACITY: usize = 1 << 18;
/// G.711 input is decoded to `s16` in pieces of this many samples (on the
/// stack, so that no call allocates); the output does not depend on how the
/// input is split.
const DECODE_CHUNK: usize = 1024;

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
        check_config(input_rate, output_rate, channels)?;
        let pair = RatePair::new(input_rate, output_rate);
        let design = design_for(quality, &pair);
        let core = Core::new(design, &pair, channels)?;
        let (preroll, trim) = core.alignment(&pair);
        let keep_capacity = KEEP_CAPACITY.max((2 * core.max_burst_frames() + 2) * channels);
        // Between calls the output owed is the delay still inside the filter
        // (at most the trim) plus the input waiting in the core's FIFO (less
        // than one flush step), at the output rate; +2 for rounding on both
        // ends. `crates/engine/tests/fuzz.rs` checks this bound on every call.
        let max_pending = trim as u64 + (core.flush_step() as f64 * pair.ratio()).ceil() as u64 + 2;
        let mut resampler = StreamResampler {
            pair,
            channels,
            core,
            emitter: Emitter::new(channels),
            out: Vec::new(),
            out_f32: Vec::new(),
            out_u8: Vec::new(),
            preroll,
            trim,
            frames_in: 0,
            keep_capacity,
            max_pending,
        };
        resampler.restart()?;
        Ok(resampler)
    }

    /// A one-line summary of the filter configuration (for benchmarks and debugging).
    pub fn describe(&self) -> String {
        self.core.describe()
    }

    /// The channel count.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Resamples `input` (interleaved, a whole number of frames) and returns all
    /// output that is available now. The slice is valid until the next call.
    pub fn push(&mut self, input: &[i16]) -> Result<&[i16], EngineError> {
        let plan = self.plan_push(input.len())?;
        let mut out = std::mem::take(&mut self.out);
        let result = self.run_owned(&mut out, plan, "push", |s, w| {
            s.run_push(Input::S16(input), plan, w)
        });
        self.out = out;
        result?;
        Ok(&self.out)
    }

    /// Like [`push`](StreamResampler::push) for input of any format, returning
    /// output in `output` format. The slice is valid until the next call.
    pub fn push_as(
        &mut self,
        input: Input<'_>,
        output: SampleFormat,
    ) -> Result<Output<'_>, EngineError> {
        let plan = self.plan_push(input.len())?;
        self.owned_call(output, plan, "push", |s, w| s.run_push(input, plan, w))
    }

    /// Returns the tail so that the total output since the last flush is exactly
    /// `round(frames_in * output_rate / input_rate)` frames, then resets for reuse.
    pub fn flush(&mut self) -> Result<&[i16], EngineError> {
        let plan = self.plan_flush();
        let mut out = std::mem::take(&mut self.out);
        let result = self.run_owned(&mut out, plan, "flush", |s, w| s.run_flush(w));
        self.out = out;
        result?;
        Ok(&self.out)
    }

    /// Like [`flush`](StreamResampler::flush), returning output in `output` format.
    pub fn flush_as(&mut self, output: SampleFormat) -> Result<Output<'_>, EngineError> {
        let plan = self.plan_flush();
        self.owned_call(output, plan, "flush", |s, w| s.run_flush(w))
    }

    /// Resamples `input` and writes the output now available into `out` (any
    /// format); returns the frames written. Allocates nothing. `out` must have
    /// room for [`max_output_frames`](StreamResampler::max_output_frames)`(frames)`
    /// frames, else [`EngineError::OutputTooSmall`] and nothing is consumed.
    pub fn push_into(
        &mut self,
        input: Input<'_>,
        out: OutputMut<'_>,
    ) -> Result<usize, EngineError> {
        let frames = self.frames_of(input.len())?;
        self.check_room(&out, frames, "pushInto")?;
        let plan = self.plan_push(input.len())?;
        self.run_into(out, plan, |s, w| s.run_push(input, plan, w))
    }

    /// `push_into` held only to this call's own need (for the one-shot `resample`).
    pub(crate) fn push_into_exact(
        &mut self,
        input: Input<'_>,
        out: OutputMut<'_>,
    ) -> Result<usize, EngineError> {
        let plan = self.plan_push(input.len())?;
        self.run_into(out, plan, |s, w| s.run_push(input, plan, w))
    }

    /// `flush_into` held only to this call's own need.
    pub(crate) fn flush_into_exact(&mut self, out: OutputMut<'_>) -> Result<usize, EngineError> {
        let plan = self.plan_flush();
        self.run_into(out, plan, |s, w| s.run_flush(w))
    }

    /// Writes the tail (see [`flush`](StreamResampler::flush)) into `out` and
    /// resets; returns the frames written. Allocates nothing. `out` must have
    /// room for `max_output_frames(0)` frames, else
    /// [`EngineError::OutputTooSmall`] and nothing changes.
    pub fn flush_into(&mut self, out: OutputMut<'_>) -> Result<usize, EngineError> {
        self.check_room(&out, 0, "flushInto")?;
        let plan = self.plan_flush();
        self.run_into(out, plan, |s, w| s.run_flush(w))
    }

    /// Most frames a push of `input_frames` frames returns, whatever was pushed
    /// before; `max_output_frames(0)` bounds a flush. Enough room for
    /// [`push_into`](StreamResampler::push_into) / [`flush_into`](StreamResampler::flush_into).
    pub fn max_output_frames(&self, input_frames: usize) -> u64 {
        // A push moves the target round(frames_in · ratio) by at most
        // floor(n · ratio) + 1 and can also release everything owed before it.
        let by_ratio = (input_frames as u128 * self.pair.output_rate() as u128)
            / self.pair.input_rate() as u128;
        u64::try_from(by_ratio)
            .unwrap_or(u64::MAX)
            .saturating_add(1 + self.max_pending)
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
    /// in full for each). Changes only when an output buffer grows or shrinks.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<StreamResampler>()
            + self.out.capacity() * 2
            + self.out_f32.capacity() * 4
            + self.out_u8.capacity()
            + self.emitter.carry.capacity() * 4
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

    fn frames_of(&self, samples: usize) -> Result<usize, EngineError> {
        if !samples.is_multiple_of(self.channels) {
            return Err(EngineError::InvalidArgument(format!(
                "input length {samples} is not a multiple of channels ({})",
                self.channels
            )));
        }
        Ok(samples / self.channels)
    }

    fn check_room(
        &self,
        out: &OutputMut<'_>,
        frames: usize,
        call: &str,
    ) -> Result<(), EngineError> {
        let need = self.max_output_frames(frames);
        let room = (out.len() / self.channels) as u64;
        if room < need {
            return Err(EngineError::OutputTooSmall(format!(
                "out has room for {room} frames; {call} of {frames} frames needs \
                 maxOutputFrames({frames}) = {need}"
            )));
        }
        Ok(())
    }

    /// What a push of `samples` input samples will do, computed before any state changes.
    fn plan_push(&self, samples: usize) -> Result<Plan, EngineError> {
        let frames = self.frames_of(samples)?;
        let frames_in = self.frames_in + frames as u64;
        // Never emit past round(frames_in * ratio): with extreme downsampling the
        // filter can compute a frame before the input "owns" it; hold it back.
        // So this call emits at most `limit - emitted` frames, and at most what the
        // core can compute from this input plus the held frames.
        let limit = self.target_for(frames_in);
        Ok(Plan {
            frames_in,
            limit,
            max_frames: self.push_output_bound(limit, frames),
        })
    }

    fn plan_flush(&self) -> Plan {
        let target = self.target_total();
        Plan {
            frames_in: self.frames_in,
            limit: target,
            max_frames: target.saturating_sub(self.emitter.emitted),
        }
    }

    /// Runs a call into an owned buffer after reserving (fallibly) all it may
    /// emit; a failed reservation consumes nothing.
    fn run_owned<T, W: OwnedBuf<T>>(
        &mut self,
        out: &mut W,
        plan: Plan,
        call: &str,
        run: impl FnOnce(&mut Self, &mut W) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        out.begin(
            plan.max_frames.saturating_mul(self.channels as u64),
            self.keep_capacity,
        )
        .map_err(|_| too_large_error(call, plan.max_frames.saturating_mul(self.channels as u64)))?;
        run(self, out)
    }

    fn owned_call(
        &mut self,
        output: SampleFormat,
        plan: Plan,
        call: &str,
        run: impl FnOnce(&mut Self, &mut dyn Writer) -> Result<(), EngineError>,
    ) -> Result<Output<'_>, EngineError> {
        match output {
            SampleFormat::S16 => {
                let mut out = std::mem::take(&mut self.out);
                let r = self.run_owned(&mut out, plan, call, |s, w| run(s, w));
                self.out = out;
                r?;
                Ok(Output::S16(&self.out))
            }
            SampleFormat::F32 => {
                let mut out = std::mem::take(&mut self.out_f32);
                let r = self.run_owned(&mut out, plan, call, |s, w| run(s, w));
                self.out_f32 = out;
                r?;
                Ok(Output::F32(&self.out_f32))
            }
            SampleFormat::Mulaw | SampleFormat::Alaw => {
                let mut out = Coded {
                    out: std::mem::take(&mut self.out_u8),
                    law: output,
                };
                let r = self.run_owned(&mut out, plan, call, |s, w| run(s, w));
                self.out_u8 = out.out;
                r?;
                Ok(if output == SampleFormat::Mulaw {
                    Output::Mulaw(&self.out_u8)
                } else {
                    Output::Alaw(&self.out_u8)
                })
            }
        }
    }

    fn run_into(
        &mut self,
        out: OutputMut<'_>,
        plan: Plan,
        run: impl FnOnce(&mut Self, &mut dyn Writer) -> Result<(), EngineError>,
    ) -> Result<usize, EngineError> {
        // `check_room` held the caller to the public bound; this is the exact
        // need of this call, which that bound covers (never true in practice,
        // but an overflow must be an error before anything is consumed).
        let room = (out.len() / self.channels) as u64;
        if plan.max_frames > room {
            return Err(EngineError::Internal(format!(
                "output bound {} frames exceeds maxOutputFrames ({room})",
                plan.max_frames
            )));
        }
        let mut w = IntoSlice { out, pos: 0 };
        run(self, &mut w)?;
        Ok(w.pos / self.channels)
    }

    fn run_push(
        &mut self,
        input: Input<'_>,
        plan: Plan,
        w: &mut dyn Writer,
    ) -> Result<(), EngineError> {
        self.frames_in = plan.frames_in;
        self.emitter.limit = plan.limit;
        self.emitter.release_carry(w);
        let mut sink = Collect {
            em: &mut self.emitter,
            w,
        };
        feed_input(&mut self.core, input, self.channels, &mut sink)
    }

    fn run_flush(&mut self, w: &mut dyn Writer) -> Result<(), EngineError> {
        let target = self.target_total();
        let missing = target.saturating_sub(self.emitter.emitted) as usize;
        self.emitter.limit = target;
        self.emitter.release_carry(w);
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
            let mut sink = Collect {
                em: &mut self.emitter,
                w: &mut *w,
            };
            self.core.feed(Source::Silence(step), &mut sink)?;
            steps += 1;
        }
        // The tail is in the caller's writer; restart without touching it.
        self.restart()
    }

    /// Returns to the state of a new resampler (mirrors `soxr_clear`).
    fn restart(&mut self) -> Result<(), EngineError> {
        self.frames_in = 0;
        self.emitter.emitted = 0;
        self.emitter.limit = 0;
        self.emitter.hold_excess = true;
        self.emitter.carry.clear();
        self.emitter.to_skip = self.trim;
        // Pre-roll output lands inside the trimmed region, so nothing is emitted.
        let mut sink = Collect {
            em: &mut self.emitter,
            w: &mut Discard,
        };
        let result = self.core.restart(self.preroll, &mut sink);
        debug_assert!(self.emitter.carry.is_empty());
        result
    }
}

/// Feeds `input` to the core; G.711 codes are decoded to `s16` on the way.
fn feed_input(
    core: &mut Core,
    input: Input<'_>,
    channels: usize,
    sink: &mut dyn Sink,
) -> Result<(), EngineError> {
    match input {
        Input::S16(s) => core.feed(Source::I16(s), sink),
        Input::F32(s) => core.feed(Source::F32(s), sink),
        Input::Mulaw(c) => feed_codes(core, c, &g711::MULAW_TO_S16, channels, sink),
        Input::Alaw(c) => feed_codes(core, c, &g711::ALAW_TO_S16, channels, sink),
    }
}

/// Decodes G.711 `codes` in pieces into a stack buffer and feeds them. Kept
/// out of line so that the s16/f32 paths do not zero that buffer on every call.
#[inline(never)]
fn feed_codes(
    core: &mut Core,
    codes: &[u8],
    table: &[i16; 256],
    channels: usize,
    sink: &mut dyn Sink,
) -> Result<(), EngineError> {
    let piece = DECODE_CHUNK / channels * channels; // whole frames (channels <= 64)
    let mut buf = [0i16; DECODE_CHUNK];
    for chunk in codes.chunks(piece) {
        let dst = &mut buf[..chunk.len()];
        for (d, &c) in dst.iter_mut().zip(chunk) {
            *d = table[c as usize];
        }
        core.feed(Source::I16(dst), sink)?;
    }
    Ok(())
}

/// What one call will do, computed before it changes anything.
#[derive(Clone, Copy)]
struct Plan {
    frames_in: u64,
    limit: u64,
    /// Most frames the call emits (the room it needs).
    max_frames: u64,
}

/// The error for a call whose output (`samples` interleaved samples) cannot be allocated.
pub fn too_large_error(call: &str, samples: u64) -> EngineError {
    EngineError::TooLarge(format!(
        "{call} would produce up to {samples} samples ({} bytes), more than can be \
         allocated; push smaller frames",
        samples.saturating_mul(2)
    ))
}

/// The limits every resampler shares: rates in `[1, MAX_RATE]`, a ratio within
/// [`MAX_RATIO`](crate::MAX_RATIO), channels in `[1, MAX_CHANNELS]`; the
/// messages name the argument.
pub(crate) fn check_config(
    input_rate: u32,
    output_rate: u32,
    channels: usize,
) -> Result<(), EngineError> {
    for (rate, name) in [(input_rate, "inputRate"), (output_rate, "outputRate")] {
        if rate == 0 || rate > MAX_RATE {
            return Err(EngineError::InvalidArgument(format!(
                "{name} must be an integer in [1, {MAX_RATE}], got {rate}"
            )));
        }
    }
    check_ratio(input_rate, output_rate)?;
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(EngineError::InvalidArgument(format!(
            "channels must be an integer in [1, {MAX_CHANNELS}], got {channels}"
        )));
    }
    Ok(())
}

/// Where a call's output goes, converted from the core's `f32`.
trait Writer {
    /// Appends interleaved samples. The call reserved or checked room for them.
    fn write(&mut self, samples: &[f32]);
}

/// An owned output buffer: cleared and reserved (fallibly) at the start of a call.
trait OwnedBuf<T>: Writer {
    fn begin(&mut self, samples: u64, keep: usize) -> Result<(), ()>;
}

/// Clears `v` and reserves room for `samples` without reallocating later:
/// keeps the allocation unless a huge call left it larger than `keep` samples.
/// On failure only the previous output is gone.
fn begin_vec<T>(v: &mut Vec<T>, samples: u64, keep: usize) -> Result<(), ()> {
    v.clear();
    let wanted = usize::try_from(samples).map_err(|_| ())?;
    if v.capacity() > keep && wanted < keep {
        v.shrink_to(keep);
    }
    if v.try_reserve_exact(wanted).is_err() {
        // Give back what a previous huge call left before failing.
        v.shrink_to(keep.min(v.capacity()));
        return Err(());
    }
    Ok(())
}

impl Writer for Vec<i16> {
    fn write(&mut self, samples: &[f32]) {
        // `begin` reserved room for everything a call may emit: no reallocation.
        debug_assert!(self.len() + samples.len() <= self.capacity());
        let start = self.len();
        self.resize(start + samples.len(), 0);
        f32_to_s16_slice(&mut self[start..], samples);
    }
}

impl OwnedBuf<i16> for Vec<i16> {
    fn begin(&mut self, samples: u64, keep: usize) -> Result<(), ()> {
        begin_vec(self, samples, keep)
    }
}

impl Writer for Vec<f32> {
    fn write(&mut self, samples: &[f32]) {
        debug_assert!(self.len() + samples.len() <= self.capacity());
        self.extend_from_slice(samples);
    }
}

impl OwnedBuf<f32> for Vec<f32> {
    fn begin(&mut self, samples: u64, keep: usize) -> Result<(), ()> {
        begin_vec(self, samples, keep)
    }
}

/// G.711 codes in an owned buffer.
struct Coded {
    out: Vec<u8>,
    law: SampleFormat,
}

impl Writer for Coded {
    fn write(&mut self, samples: &[f32]) {
        debug_assert!(self.out.len() + samples.len() <= self.out.capacity());
        let start = self.out.len();
        self.out.resize(start + samples.len(), 0);
        let mut dst = if self.law == SampleFormat::Mulaw {
            OutputMut::Mulaw(&mut self.out[start..])
        } else {
            OutputMut::Alaw(&mut self.out[start..])
        };
        dst.write_f32(0, samples);
    }
}

impl OwnedBuf<u8> for Coded {
    fn begin(&mut self, samples: u64, keep: usize) -> Result<(), ()> {
        begin_vec(&mut self.out, samples, keep)
    }
}

impl<T, W: OwnedBuf<T> + ?Sized> OwnedBuf<T> for &mut W {
    fn begin(&mut self, samples: u64, keep: usize) -> Result<(), ()> {
        (**self).begin(samples, keep)
    }
}

impl<W: Writer + ?Sized> Writer for &mut W {
    fn write(&mut self, samples: &[f32]) {
        (**self).write(samples)
    }
}

/// A caller's buffer, filled from the start.
struct IntoSlice<'a> {
    out: OutputMut<'a>,
    /// Samples written so far.
    pos: usize,
}

impl Writer for IntoSlice<'_> {
    fn write(&mut self, samples: &[f32]) {
        // `run_into` checked the room for everything the call may emit; never
        // write past the end even so.
        let n = samples.len().min(self.out.len() - self.pos);
        self.out.write_f32(self.pos, &samples[..n]);
        self.pos += n;
    }
}

/// Pre-roll output: always trimmed, so nothing arrives here.
struct Discard;

impl Writer for Discard {
    fn write(&mut self, samples: &[f32]) {
        debug_assert!(samples.is_empty());
    }
}

/// The kernel's sink for one call: the emitter's bookkeeping, then the writer.
struct Collect<'a, 'w> {
    em: &'a mut Emitter,
    w: &'w mut dyn Writer,
}

impl Sink for Collect<'_, '_> {
    fn accept(&mut self, interleaved: &[f32]) {
        self.em.accept(interleaved, self.w);
    }
}

/// Drops the trimmed delay, caps the total during flush, and holds back
/// frames computed before the input owned them.
struct Emitter {
    channels: usize,
    to_skip: usize,
    emitted: u64,
    /// Output frames allowed so far: `round(frames_in * ratio)`.
    limit: u64,
    /// Whether frames past `limit` are kept for later (push) or dropped (flush).
    hold_excess: bool,
    /// Frames computed before the input owned them (only at extreme downsampling ratios).
    carry: Vec<f32>,
    /// Every frame the core has handed over (emitted, trimmed, held or dropped).
    computed: u64,
}

impl Emitter {
    fn new(channels: usize) -> Emitter {
        Emitter {
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
    fn release_carry(&mut self, w: &mut dyn Writer) {
        if self.carry.is_empty() {
            return;
        }
        let room = self.limit.saturating_sub(self.emitted) as usize;
        let take = (self.carry.len() / self.channels).min(room);
        w.write(&self.carry[..take * self.channels]);
        self.carry.drain(..take * self.channels);
        self.emitted += take as u64;
    }

    fn accept(&mut self, interleaved: &[f32], w: &mut dyn Writer) {
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
        if !samples.is_empty() {
            w.write(samples);
        }
        self.emitted += take as u64;
        if self.hold_excess {
            let rest = &interleaved[(skip + take) * self.channels..];
            self.carry.extend_from_slice(rest);
        }
    }
}
