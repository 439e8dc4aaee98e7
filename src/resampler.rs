//! The streaming resampler state behind `AudioResampler` (s16 in and out),
//! `PcmResampler` (any formats) and the transforms: an `External` passed to
//! free functions.
//!
//! Free functions on an `External` rather than a napi-rs class, whose methods
//! add a class-identity check and borrow bookkeeping to every call: `push`
//! runs every 10-20 ms per stream. The two push calls ([`push`],
//! [`push_into`]) go further: `crate::raw` registers them without napi-rs's
//! generated wrapper.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{int_in_range, Config, PcmOptions};
use crate::arrays::{reserve, typed_out, RawArray, Room, TypedOut};
use crate::engine::{EngineError, Output, PcmResampler, SampleFormat};
use crate::errors::{closed_error, engine_error, guard, panic_error, range_error};

/// Native engines alive in this process (all threads), for leak tests and benchmarks.
static LIVE_ENGINES: AtomicU32 = AtomicU32::new(0);

/// Number of native resampler states currently allocated (not yet closed or collected).
#[napi]
pub fn live_native_resamplers() -> u32 {
    LIVE_ENGINES.load(Ordering::Relaxed)
}

/// Native state of one resampler, held as an `External` by `Int16Core`
/// (lib/core.js) and `PcmResampler` (lib/pcm_resampler.js) and passed to the
/// `pcm*` functions.
pub struct PcmState {
    /// `None` once closed (or after an internal failure).
    inner: Option<PcmResampler>,
    failed: bool,
    /// Bytes reported to V8 as external memory (`napi_adjust_external_memory`): the
    /// engine's real heap, re-adjusted after every call that changes it, so that
    /// resamplers dropped without `close()` create GC pressure in proportion to
    /// what they hold.
    external: i64,
    /// The env the report was made to, to withdraw it when V8 collects the state.
    env: Env,
    input: SampleFormat,
    output: SampleFormat,
}

impl PcmState {
    /// Runs one engine call; a non-empty `Some(output)` is copied into a new
    /// typed array (empty outputs become `null`: no allocation), `room` being
    /// what [`reserve`] held for it. A panic becomes a JS Error and retires
    /// this resampler.
    fn run<'env>(
        &mut self,
        env: &'env Env,
        call: &str,
        room: Option<Room>,
        op: impl FnOnce(&mut PcmResampler) -> std::result::Result<Option<Output<'_>>, EngineError>,
    ) -> Result<Option<TypedOut<'env>>> {
        let inner = match self.inner.as_mut() {
            Some(r) => r,
            None => return Err(closed_error(env, self.failed)),
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            op(inner).map(|out| {
                out.filter(|o| !o.is_empty())
                    .map(|o| typed_out(env, call, o, room))
                    .transpose()
            })
        }));
        self.report(env);
        match result {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => Err(engine_error(env, e)),
            Err(panic) => {
                self.failed = true;
                self.release();
                self.unreport(env);
                Err(panic_error(&panic))
            }
        }
    }

    fn release(&mut self) {
        if self.inner.take().is_some() {
            LIVE_ENGINES.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn report(&mut self, env: &Env) {
        if let Some(engine) = self.inner.as_ref() {
            let now = engine.memory_bytes() as i64;
            if now != self.external {
                let _ = env.adjust_external_memory(now - self.external);
                self.external = now;
            }
        }
    }

    fn unreport(&mut self, env: &Env) {
        if self.inner.is_none() && self.external != 0 {
            let _ = env.adjust_external_memory(-self.external);
            self.external = 0;
        }
    }
}

impl Drop for PcmState {
    // Runs when V8 collects a state that was never closed (napi-rs's External
    // finalizer, on the thread of its env, which is still alive then).
    fn drop(&mut self) {
        self.release();
        if self.external != 0 {
            // `env` is the env this state was created in; finalizers run on its thread.
            let _ = self.env.adjust_external_memory(-self.external);
            self.external = 0;
        }
    }
}

/// A new PCM resampler state.
#[napi(ts_return_type = "ExternalObject<'PcmState'>")]
pub fn pcm_new(env: Env, options: PcmOptions) -> Result<External<PcmState>> {
    let args = Config::read(&env, &options)?;
    let inner = guard(&env, || {
        PcmResampler::new(
            args.input_rate,
            args.output_rate,
            args.channels,
            args.quality,
            args.input,
            args.output,
        )
    })?;
    LIVE_ENGINES.fetch_add(1, Ordering::Relaxed);
    let mut state = PcmState {
        inner: Some(inner),
        failed: false,
        external: 0,
        env,
        input: args.input,
        output: args.output,
    };
    state.report(&env);
    Ok(External::new(state))
}

/// `pcmPush(state, samples)` (registered in `crate::raw`): resamples
/// interleaved samples of the input format; returns the output now available
/// (a typed array of the output format), or `null` if none.
pub fn push<'env>(
    env: &'env Env,
    state: &mut PcmState,
    samples: Unknown,
) -> Result<Option<TypedOut<'env>>> {
    let input = RawArray::read(env, &samples, "samples", state.input)?;
    let room = match state.inner.as_ref() {
        Some(engine) => reserve(
            env,
            "push",
            engine.max_push_output_samples(input.len),
            state.output,
        )?,
        None => None,
    };
    let format = state.input;
    // SAFETY: `samples` lives for this call; nothing else borrows its memory.
    let data = unsafe { input.input(format) };
    state.run(env, "push", room, |engine| engine.push(data).map(Some))
}

/// Returns the rest of the output (or `null`) and resets for reuse.
#[napi(
    ts_args_type = "state: ExternalObject<'PcmState'>",
    ts_return_type = "Int16Array | Float32Array | Uint8Array | null"
)]
pub fn pcm_flush<'env>(
    env: &'env Env,
    state: &mut External<PcmState>,
) -> Result<Option<TypedOut<'env>>> {
    let room = match state.inner.as_ref() {
        Some(engine) => reserve(
            env,
            "flush",
            engine.max_flush_output_samples(),
            state.output,
        )?,
        None => None,
    };
    state.run(env, "flush", room, |engine| engine.flush().map(Some))
}

/// `pcmPushInto(state, samples, out)` (registered in `crate::raw`): resamples
/// into `out` (a typed array of the output format, any byteOffset); returns the
/// frames written. Allocates nothing.
pub fn push_into(env: &Env, state: &mut PcmState, samples: Unknown, out: Unknown) -> Result<u32> {
    let input = RawArray::read(env, &samples, "samples", state.input)?;
    let dest = RawArray::read(env, &out, "out", state.output)?;
    if input.overlaps(&dest) {
        return Err(range_error(env, "out must not share memory with samples"));
    }
    let (fi, fo) = (state.input, state.output);
    let mut written = 0usize;
    // SAFETY: both arrays live for this call and do not overlap.
    let (data, dst) = unsafe { (input.input(fi), dest.output(fo)) };
    state.run(env, "pushInto", None, |engine| {
        written = engine.push_into(data, dst)?;
        Ok(None)
    })?;
    Ok(written as u32)
}

/// Writes the rest of the output into `out` and resets; returns the frames written.
#[napi(
    ts_args_type = "state: ExternalObject<'PcmState'>, out: Int16Array | Float32Array | Uint8Array"
)]
pub fn pcm_flush_into(env: &Env, state: &mut External<PcmState>, out: Unknown) -> Result<u32> {
    let dest = RawArray::read(env, &out, "out", state.output)?;
    let fo = state.output;
    let mut written = 0usize;
    // SAFETY: `out` lives for this call; nothing else borrows its memory.
    let dst = unsafe { dest.output(fo) };
    state.run(env, "flushInto", None, |engine| {
        written = engine.flush_into(dst)?;
        Ok(None)
    })?;
    Ok(written as u32)
}

/// Most frames a push of `inputFrames` frames returns (`0`: a flush).
#[napi(ts_args_type = "state: ExternalObject<'PcmState'>, inputFrames: number")]
pub fn pcm_max_output_frames(
    env: Env,
    state: &External<PcmState>,
    input_frames: f64,
) -> Result<f64> {
    let frames = int_in_range(&env, input_frames, "inputFrames", 0, 1 << 53)?;
    let engine = state
        .inner
        .as_ref()
        .ok_or_else(|| closed_error(&env, state.failed))?;
    let frames = usize::try_from(frames).unwrap_or(usize::MAX);
    Ok(engine.max_output_frames(frames) as f64)
}

/// Frees the native state now. Idempotent.
#[napi(ts_args_type = "state: ExternalObject<'PcmState'>")]
pub fn pcm_close(env: Env, state: &mut External<PcmState>) {
    state.release();
    state.unreport(&env);
}

/// Native heap bytes the state holds now (0 once closed); what is reported to V8.
#[napi(ts_args_type = "state: ExternalObject<'PcmState'>")]
pub fn pcm_memory_bytes(state: &External<PcmState>) -> f64 {
    state
        .inner
        .as_ref()
        .map_or(0.0, |r| r.memory_bytes() as f64)
}

/// A one-line description of the engine configuration (for benchmarks and debugging).
#[napi(ts_args_type = "state: ExternalObject<'PcmState'>")]
pub fn pcm_describe(env: Env, state: &External<PcmState>) -> Result<String> {
    match state.inner.as_ref() {
        Some(r) => Ok(r.describe()),
        None => Err(closed_error(&env, state.failed)),
    }
}
