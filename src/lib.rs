//! napi-rs bindings for the streaming engine.
//!
//! The binding is deliberately thin: the public, validated API lives in
//! `lib/resampler.js`. This layer re-checks every argument anyway (never trust
//! the caller across an FFI boundary), converts engine errors to JS errors and
//! turns any panic into a JS Error instead of aborting the process.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use engine::{check_ratio, too_large_error, EngineError, Quality, StreamResampler};
use rtc_resampler_engine as engine;

/// Highest accepted sample rate in Hz (the lowest is 1).
#[napi]
pub const MAX_RATE: u32 = engine::MAX_RATE;

/// Most interleaved channels per resampler.
#[napi]
pub const MAX_CHANNELS: u32 = engine::MAX_CHANNELS as u32;

/// Largest accepted `max(inputRate, outputRate) / min(inputRate, outputRate)`.
#[napi]
pub const MAX_RATIO: u32 = engine::MAX_RATIO;

/// One quality preset: its name in `AudioResamplerQuality` and its numeric value.
#[napi(object)]
pub struct QualityPreset {
    /// `"QUICK"`, `"LOW"`, `"MEDIUM"`, `"HIGH"` or `"VERY_HIGH"`.
    pub name: String,
    /// The numeric value (`@livekit/rtc-node`'s), also the index in the list.
    pub value: u32,
}

/// The quality presets in order of value: the one definition (the engine's
/// `Quality`) that `AudioResamplerQuality` in `lib/resampler.js` is built from.
#[napi]
pub fn quality_presets() -> Vec<QualityPreset> {
    Quality::ALL
        .iter()
        .map(|&q| QualityPreset {
            name: q.name().to_string(),
            value: q as u32,
        })
        .collect()
}

/// Output size (bytes) above which a call first checks that both its output
/// buffer and the JS copy can be allocated. V8 aborts the process when it cannot
/// allocate an `ArrayBuffer` (`napi_create_arraybuffer`), so this must be known
/// before the engine runs; smaller outputs are not worth the check.
const PROBE_BYTES: u64 = 16 << 20;
/// Longest typed array V8 creates (`new Int16Array(2 ** 32)` works, one more does not).
const MAX_TYPED_ARRAY_LENGTH: u64 = 1 << 32;

/// Native engines alive in this process (all threads), for leak tests and benchmarks.
static LIVE_ENGINES: AtomicU32 = AtomicU32::new(0);

/// Number of native resampler states currently allocated (not yet closed or collected).
#[napi]
pub fn live_native_resamplers() -> u32 {
    LIVE_ENGINES.load(Ordering::Relaxed)
}

/// Native state of one resampler. Use `AudioResampler` from the package instead.
#[napi(custom_finalize)]
pub struct NativeResampler {
    /// `None` once closed (or after an internal failure).
    inner: Option<StreamResampler>,
    /// Set when the engine panicked: the state is not trusted any more.
    failed: bool,
    /// Bytes reported to V8 (`napi_adjust_external_memory`) while `inner` lives:
    /// the engine's real heap (`StreamResampler::memory_bytes`), re-adjusted after
    /// every call that changes it, so that resamplers dropped without `close()`
    /// create GC pressure in proportion to what they hold.
    external: i64,
}

#[napi]
impl NativeResampler {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        input_rate: f64,
        output_rate: f64,
        channels: f64,
        quality: f64,
    ) -> Result<Self> {
        let input_rate = int_in_range(&env, input_rate, "inputRate", 1, MAX_RATE as u64)? as u32;
        let output_rate = int_in_range(&env, output_rate, "outputRate", 1, MAX_RATE as u64)? as u32;
        let channels = int_in_range(&env, channels, "channels", 1, MAX_CHANNELS as u64)? as usize;
        let max_quality = Quality::ALL.len() as u64 - 1;
        let quality = int_in_range(&env, quality, "quality", 0, max_quality)?;
        let quality = Quality::from_index(quality as u32).expect("range checked above");
        if let Err(e) = check_ratio(input_rate, output_rate) {
            return Err(engine_error(&env, e));
        }
        let inner = guard(&env, || {
            StreamResampler::new(input_rate, output_rate, channels, quality)
        })?;
        LIVE_ENGINES.fetch_add(1, Ordering::Relaxed);
        let mut resampler = NativeResampler {
            inner: Some(inner),
            failed: false,
            external: 0,
        };
        resampler.report(&env);
        Ok(resampler)
    }

    /// Resamples interleaved samples; returns the output now available, or `null` if none.
    #[napi]
    pub fn push<'env>(
        &mut self,
        env: &'env Env,
        input: &[i16],
    ) -> Result<Option<Int16ArraySlice<'env>>> {
        if let Some(engine) = self.inner.as_ref() {
            let samples = engine.max_push_output_samples(input.len());
            probe(env, "push", samples)?;
        }
        self.run(env, |engine| engine.push(input))
    }

    /// Returns the remaining output (or `null`) and resets for reuse.
    #[napi]
    pub fn flush<'env>(&mut self, env: &'env Env) -> Result<Option<Int16ArraySlice<'env>>> {
        if let Some(engine) = self.inner.as_ref() {
            probe(env, "flush", engine.max_flush_output_samples())?;
        }
        self.run(env, |engine| engine.flush())
    }

    /// Frees the native state now. Idempotent.
    #[napi]
    pub fn close(&mut self, env: Env) {
        self.release();
        self.unreport(&env);
    }

    /// Whether `close()` was called (or the resampler failed).
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.is_none()
    }

    /// A one-line description of the engine configuration (for benchmarks and debugging).
    #[napi]
    pub fn describe(&self) -> Result<String> {
        Ok(live_ref(&self.inner, self.failed)?.describe())
    }

    /// Native heap bytes this resampler holds now (0 once closed); the amount
    /// reported to V8 as external memory.
    #[napi(getter)]
    pub fn memory_bytes(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |r| r.memory_bytes() as f64)
    }
}

impl NativeResampler {
    /// Runs one engine call and copies its output into a V8-owned Int16Array.
    /// A panic inside the engine becomes a JS Error and retires this resampler.
    fn run<'env>(
        &mut self,
        env: &'env Env,
        op: impl FnOnce(&mut StreamResampler) -> std::result::Result<&[i16], EngineError>,
    ) -> Result<Option<Int16ArraySlice<'env>>> {
        let inner = live(&mut self.inner, self.failed)?;
        let result = catch_unwind(AssertUnwindSafe(|| op(inner).map(|out| to_js(env, out))));
        self.report(env);
        match result {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => Err(engine_error(env, e)),
            Err(panic) => {
                self.failed = true;
                self.release();
                self.unreport(env);
                Err(panic_error(panic))
            }
        }
    }

    /// Frees the engine state (once).
    fn release(&mut self) {
        if self.inner.take().is_some() {
            LIVE_ENGINES.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl NativeResampler {
    /// Brings the external-memory report to the engine's current heap size
    /// (a no-op unless its output buffer grew or shrank).
    fn report(&mut self, env: &Env) {
        if let Some(engine) = self.inner.as_ref() {
            let now = engine.memory_bytes() as i64;
            if now != self.external {
                let _ = env.adjust_external_memory(now - self.external);
                self.external = now;
            }
        }
    }

    /// Withdraws the external-memory report once the engine state is gone.
    fn unreport(&mut self, env: &Env) {
        if self.inner.is_none() && self.external != 0 {
            let _ = env.adjust_external_memory(-self.external);
            self.external = 0;
        }
    }
}

impl ObjectFinalize for NativeResampler {
    // Runs when V8 collects a resampler that was never closed (Drop follows).
    fn finalize(mut self, env: Env) -> Result<()> {
        self.release();
        self.unreport(&env);
        Ok(())
    }
}

impl Drop for NativeResampler {
    // Runs when V8 collects a resampler that was never closed.
    fn drop(&mut self) {
        self.release();
    }
}

fn live(inner: &mut Option<StreamResampler>, failed: bool) -> Result<&mut StreamResampler> {
    match inner {
        Some(r) => Ok(r),
        None => Err(closed_error(failed)),
    }
}

fn live_ref(inner: &Option<StreamResampler>, failed: bool) -> Result<&StreamResampler> {
    match inner {
        Some(r) => Ok(r),
        None => Err(closed_error(failed)),
    }
}

fn closed_error(failed: bool) -> Error {
    if failed {
        Error::from_reason(
            "AudioResampler failed internally earlier and is closed; create a new one",
        )
    } else {
        Error::from_reason("AudioResampler is closed")
    }
}

fn to_js<'env>(env: &'env Env, samples: &[i16]) -> Result<Option<Int16ArraySlice<'env>>> {
    if samples.is_empty() {
        Ok(None)
    } else {
        Int16ArraySlice::copy_from(env, samples).map(Some)
    }
}

/// Fails (with nothing consumed) unless `samples` of output, plus their JS copy,
/// can be allocated. Large requests only: it reserves and frees address space
/// for both copies, so that neither the engine nor V8 meets an allocation
/// failure afterwards (V8 would abort the process).
fn probe(env: &Env, call: &str, samples: u64) -> Result<()> {
    let bytes = samples.saturating_mul(2);
    if bytes < PROBE_BYTES {
        return Ok(());
    }
    if samples > MAX_TYPED_ARRAY_LENGTH {
        return Err(engine_error(env, too_large_error(call, samples)));
    }
    let both = usize::try_from(bytes.saturating_mul(2)).unwrap_or(usize::MAX);
    let mut room: Vec<u8> = Vec::new();
    if room.try_reserve_exact(both).is_err() {
        return Err(engine_error(env, too_large_error(call, samples)));
    }
    Ok(())
}

fn guard<T>(env: &Env, f: impl FnOnce() -> std::result::Result<T, EngineError>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(engine_error(env, e)),
        Err(panic) => Err(panic_error(panic)),
    }
}

/// Converts an engine error: `RangeError` (code `ERR_OUT_OF_RANGE`) for an
/// unsupported rate pair, `Error` (code `ERR_MEMORY_ALLOCATION_FAILED`) for an
/// output too large to allocate, `Error` otherwise.
fn engine_error(env: &Env, e: EngineError) -> Error {
    match e {
        EngineError::InvalidArgument(msg) => Error::new(Status::InvalidArg, msg),
        EngineError::OutOfRange(msg) => {
            pending(env.throw_range_error(&msg, Some("ERR_OUT_OF_RANGE")), msg)
        }
        EngineError::TooLarge(msg) => pending(
            env.throw_error(&msg, Some("ERR_MEMORY_ALLOCATION_FAILED")),
            msg,
        ),
        EngineError::Internal(_) => Error::from_reason(e.to_string()),
    }
}

/// The error to return after throwing a JS exception (napi-rs does not throw again).
fn pending(thrown: Result<()>, msg: String) -> Error {
    match thrown {
        Ok(()) => Error::new(Status::PendingException, msg),
        Err(e) => e,
    }
}

fn panic_error(panic: Box<dyn std::any::Any + Send>) -> Error {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::from_reason(format!(
        "AudioResampler failed internally ({detail}); it is now closed"
    ))
}

/// Checks that `value` is a finite integer in `[min, max]`, throwing a RangeError naming `name`.
fn int_in_range(env: &Env, value: f64, name: &str, min: u64, max: u64) -> Result<u64> {
    if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= max as f64 {
        return Ok(value as u64);
    }
    let msg = format!("{name} must be an integer in [{min}, {max}], got {value}");
    env.throw_range_error(&msg, Some("ERR_OUT_OF_RANGE"))?;
    Err(Error::new(Status::PendingException, msg))
}
