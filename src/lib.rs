//! napi-rs bindings for the streaming engine.
//!
//! The binding is deliberately thin: the public, validated API lives in
//! `lib/resampler.js`. This layer re-checks every argument anyway (never trust
//! the caller across an FFI boundary), converts engine errors to JS errors and
//! turns any panic into a JS Error instead of aborting the process.

pub mod engine;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use engine::{EngineError, Quality, StreamResampler, MAX_CHANNELS, MAX_RATE};

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
    /// Bytes reported to V8 (`napi_adjust_external_memory`) while `inner` lives, so
    /// that resamplers dropped without `close()` create GC pressure and are freed
    /// promptly even when their JS wrappers are small.
    external: i64,
}

/// Rough native heap of one engine (filter tables, history and scratch buffers).
fn external_estimate(channels: usize) -> i64 {
    32 * 1024 + 16 * 1024 * channels as i64
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
        let quality = int_in_range(&env, quality, "quality", 0, 4)?;
        let quality = Quality::from_index(quality as u32).expect("range checked above");
        let inner = guard(|| StreamResampler::new(input_rate, output_rate, channels, quality))?;
        LIVE_ENGINES.fetch_add(1, Ordering::Relaxed);
        let external = external_estimate(channels);
        let _ = env.adjust_external_memory(external);
        Ok(NativeResampler {
            inner: Some(inner),
            failed: false,
            external,
        })
    }

    /// Resamples interleaved samples; returns the output now available, or `null` if none.
    #[napi]
    pub fn push<'env>(
        &mut self,
        env: &'env Env,
        input: &[i16],
    ) -> Result<Option<Int16ArraySlice<'env>>> {
        self.run(env, |engine| engine.push(input))
    }

    /// Returns the remaining output (or `null`) and resets for reuse.
    #[napi]
    pub fn flush<'env>(&mut self, env: &'env Env) -> Result<Option<Int16ArraySlice<'env>>> {
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
        match catch_unwind(AssertUnwindSafe(|| op(inner).map(|out| to_js(env, out)))) {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => Err(engine_error(e)),
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

fn guard<T>(f: impl FnOnce() -> std::result::Result<T, EngineError>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(engine_error(e)),
        Err(panic) => Err(panic_error(panic)),
    }
}

fn engine_error(e: EngineError) -> Error {
    match e {
        EngineError::InvalidArgument(msg) => Error::new(Status::InvalidArg, msg),
        EngineError::Internal(_) => Error::from_reason(e.to_string()),
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
