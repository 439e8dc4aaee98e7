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

use engine::{
    check_ratio, too_large_error, EngineError, Input, Output, OutputMut, OwnedOutput, PcmResampler,
    Quality, SampleFormat, StreamResampler,
};
use napi::JsValue;
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
        EngineError::OutputTooSmall(msg) => {
            pending(env.throw_range_error(&msg, Some("ERR_OUT_OF_RANGE")), msg)
        }
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

// ---------------------------------------------------------------- PCM formats

/// The sample format names in index order (the engine's `SampleFormat`): the
/// one definition `lib/validate.js` checks format options against.
#[napi]
pub fn sample_formats() -> Vec<String> {
    SampleFormat::ALL
        .iter()
        .map(|f| f.name().to_string())
        .collect()
}

/// One output block of any format, copied into a new V8-owned typed array.
type TypedOut<'env> =
    Either3<Int16ArraySlice<'env>, Float32ArraySlice<'env>, Uint8ArraySlice<'env>>;

const NAPI_UINT8_ARRAY: i32 = 1;
const NAPI_INT16_ARRAY: i32 = 3;
const NAPI_FLOAT32_ARRAY: i32 = 7;

/// A typed array's memory as seen by `napi_get_typedarray_info` (its
/// `byteOffset` already applied). Valid for the current synchronous call only.
struct RawArray {
    kind: i32,
    data: *mut u8,
    len: usize,
}

impl RawArray {
    fn read(env: &Env, value: &Unknown, name: &str, format: SampleFormat) -> Result<RawArray> {
        let (raw_env, raw) = (env.raw(), value.raw());
        let wanted = match format {
            SampleFormat::S16 => NAPI_INT16_ARRAY,
            SampleFormat::F32 => NAPI_FLOAT32_ARRAY,
            SampleFormat::Mulaw | SampleFormat::Alaw => NAPI_UINT8_ARRAY,
        };
        let mut arr = RawArray {
            kind: -1,
            data: std::ptr::null_mut(),
            len: 0,
        };
        let mut data = std::ptr::null_mut();
        let mut buffer = std::ptr::null_mut();
        let mut offset = 0usize;
        // SAFETY: a plain N-API query on a live value of this call; it fails
        // (leaving `kind` at -1) for anything but a typed array.
        let status = unsafe {
            napi::sys::napi_get_typedarray_info(
                raw_env,
                raw,
                &mut arr.kind,
                &mut arr.len,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        };
        if status != napi::sys::Status::napi_ok {
            arr.kind = -1;
        }
        arr.data = data.cast();
        if arr.kind != wanted {
            let msg = format!(
                "{name} must be a {} for format '{}'",
                format.array_name(),
                format.name()
            );
            env.throw_type_error(&msg, Some("ERR_INVALID_ARG_TYPE"))?;
            return Err(Error::new(Status::PendingException, msg));
        }
        if arr.data.is_null() {
            arr.len = 0; // detached
        }
        Ok(arr)
    }

    fn bytes(&self) -> usize {
        let size = match self.kind {
            NAPI_INT16_ARRAY => 2,
            NAPI_FLOAT32_ARRAY => 4,
            _ => 1,
        };
        self.len * size
    }

    fn overlaps(&self, other: &RawArray) -> bool {
        let (a, b) = (self.data as usize, other.data as usize);
        self.bytes() > 0 && other.bytes() > 0 && a < b + other.bytes() && b < a + self.bytes()
    }

    /// The samples as engine input.
    ///
    /// SAFETY: the caller keeps the JS value alive for the borrow (this call) and
    /// no `&mut` to the same memory exists.
    unsafe fn input<'a>(&self, format: SampleFormat) -> Input<'a> {
        unsafe {
            match format {
                SampleFormat::S16 => Input::S16(slice(self.data.cast(), self.len)),
                SampleFormat::F32 => Input::F32(slice(self.data.cast(), self.len)),
                SampleFormat::Mulaw => Input::Mulaw(slice(self.data, self.len)),
                SampleFormat::Alaw => Input::Alaw(slice(self.data, self.len)),
            }
        }
    }

    /// The array as an engine output buffer.
    ///
    /// SAFETY: as [`RawArray::input`], and no other borrow of the memory exists.
    unsafe fn output<'a>(&self, format: SampleFormat) -> OutputMut<'a> {
        unsafe {
            match format {
                SampleFormat::S16 => OutputMut::S16(slice_mut(self.data.cast(), self.len)),
                SampleFormat::F32 => OutputMut::F32(slice_mut(self.data.cast(), self.len)),
                SampleFormat::Mulaw => OutputMut::Mulaw(slice_mut(self.data, self.len)),
                SampleFormat::Alaw => OutputMut::Alaw(slice_mut(self.data, self.len)),
            }
        }
    }
}

/// SAFETY: `data` points to `len` initialised, aligned `T`s (typed arrays of
/// `T`'s kind always are), or `len` is 0.
unsafe fn slice<'a, T>(data: *const T, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

/// SAFETY: as [`slice`], with exclusive access.
unsafe fn slice_mut<'a, T>(data: *mut T, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        unsafe { std::slice::from_raw_parts_mut(data, len) }
    }
}

fn format_arg(env: &Env, value: f64, name: &str) -> Result<SampleFormat> {
    let max = SampleFormat::ALL.len() as u64 - 1;
    let index = int_in_range(env, value, name, 0, max)?;
    Ok(SampleFormat::from_index(index as u32).expect("range checked above"))
}

fn typed_out<'env>(env: &'env Env, out: Output<'_>) -> Result<TypedOut<'env>> {
    Ok(match out {
        Output::S16(s) => Either3::A(Int16ArraySlice::copy_from(env, s)?),
        Output::F32(s) => Either3::B(Float32ArraySlice::copy_from(env, s)?),
        Output::Mulaw(s) | Output::Alaw(s) => Either3::C(Uint8ArraySlice::copy_from(env, s)?),
    })
}

/// Like `probe`, for `samples` of `format` (1, 2 or 4 bytes each).
fn probe_format(env: &Env, call: &str, samples: u64, format: SampleFormat) -> Result<()> {
    let bytes = samples.saturating_mul(format.bytes_per_sample() as u64);
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

/// Native state of one PCM resampler, held by `PcmResampler` (lib/pcm_resampler.js)
/// as an `External` and passed to the `pcm*` functions. Free functions on an
/// `External` cost about 100 ns a call where a class method costs 300 (napi-rs
/// 3.16's per-method class identity and borrow bookkeeping), and `pushInto`
/// runs every 10-20 ms per stream.
pub struct PcmState {
    /// `None` once closed (or after an internal failure).
    inner: Option<PcmResampler>,
    failed: bool,
    /// Bytes reported to V8 as external memory (see `NativeResampler::external`).
    external: i64,
    /// The env the report was made to, to withdraw it when V8 collects the state.
    env: napi::sys::napi_env,
    input: SampleFormat,
    output: SampleFormat,
}

impl PcmState {
    /// Runs one engine call; `Some(output)` is copied into a new typed array.
    /// A panic becomes a JS Error and retires this resampler.
    fn run<'env>(
        &mut self,
        env: &'env Env,
        op: impl FnOnce(&mut PcmResampler) -> std::result::Result<Option<Output<'_>>, EngineError>,
    ) -> Result<Option<TypedOut<'env>>> {
        let inner = match self.inner.as_mut() {
            Some(r) => r,
            None => return Err(pcm_closed_error(self.failed)),
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            op(inner).map(|out| out.map(|o| typed_out(env, o)).transpose())
        }));
        self.report(env);
        match result {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => Err(engine_error(env, e)),
            Err(panic) => {
                self.failed = true;
                self.release();
                self.unreport(env);
                Err(Error::from_reason(format!(
                    "PcmResampler failed internally ({}); it is now closed",
                    panic_detail(&panic)
                )))
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
            let mut ignored = 0i64;
            // SAFETY: `env` is the env this state was created in; finalizers run on its thread.
            unsafe {
                napi::sys::napi_adjust_external_memory(self.env, -self.external, &mut ignored)
            };
            self.external = 0;
        }
    }
}

/// A new PCM resampler state (formats are indices into `sampleFormats()`).
#[napi(ts_return_type = "ExternalObject<'PcmState'>")]
pub fn pcm_new(
    env: Env,
    input_rate: f64,
    output_rate: f64,
    channels: f64,
    quality: f64,
    input_format: f64,
    output_format: f64,
) -> Result<External<PcmState>> {
    let args = one_shot_args(
        &env,
        input_rate,
        output_rate,
        channels,
        quality,
        input_format,
        output_format,
    )?;
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
        env: env.raw(),
        input: args.input,
        output: args.output,
    };
    state.report(&env);
    Ok(External::new(state))
}

/// Resamples interleaved samples of the input format; returns the output now
/// available (a typed array of the output format, possibly empty).
#[napi(
    ts_args_type = "state: ExternalObject<'PcmState'>, samples: Int16Array | Float32Array | Uint8Array",
    ts_return_type = "Int16Array | Float32Array | Uint8Array"
)]
pub fn pcm_push<'env>(
    env: &'env Env,
    state: &mut External<PcmState>,
    samples: Unknown,
) -> Result<TypedOut<'env>> {
    let input = RawArray::read(env, &samples, "samples", state.input)?;
    if let Some(engine) = state.inner.as_ref() {
        probe_format(
            env,
            "push",
            engine.max_push_output_samples(input.len),
            state.output,
        )?;
    }
    let format = state.input;
    // SAFETY: `samples` lives for this call; nothing else borrows its memory.
    let data = unsafe { input.input(format) };
    state
        .run(env, |engine| engine.push(data).map(Some))
        .map(|out| out.expect("push returns output"))
}

/// Returns the rest of the output and resets for reuse.
#[napi(
    ts_args_type = "state: ExternalObject<'PcmState'>",
    ts_return_type = "Int16Array | Float32Array | Uint8Array"
)]
pub fn pcm_flush<'env>(env: &'env Env, state: &mut External<PcmState>) -> Result<TypedOut<'env>> {
    if let Some(engine) = state.inner.as_ref() {
        probe_format(
            env,
            "flush",
            engine.max_flush_output_samples(),
            state.output,
        )?;
    }
    state
        .run(env, |engine| engine.flush().map(Some))
        .map(|out| out.expect("flush returns output"))
}

/// Resamples into `out` (a typed array of the output format, any byteOffset);
/// returns the frames written. Allocates nothing.
#[napi(
    ts_args_type = "state: ExternalObject<'PcmState'>, samples: Int16Array | Float32Array | Uint8Array, out: Int16Array | Float32Array | Uint8Array"
)]
pub fn pcm_push_into(
    env: &Env,
    state: &mut External<PcmState>,
    samples: Unknown,
    out: Unknown,
) -> Result<u32> {
    let input = RawArray::read(env, &samples, "samples", state.input)?;
    let dest = RawArray::read(env, &out, "out", state.output)?;
    if input.overlaps(&dest) {
        return Err(range_error(env, "out must not share memory with samples"));
    }
    let (fi, fo) = (state.input, state.output);
    let mut written = 0usize;
    // SAFETY: both arrays live for this call and do not overlap.
    let (data, dst) = unsafe { (input.input(fi), dest.output(fo)) };
    state.run(env, |engine| {
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
    state.run(env, |engine| {
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
        .ok_or_else(|| pcm_closed_error(state.failed))?;
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

fn pcm_closed_error(failed: bool) -> Error {
    if failed {
        Error::from_reason("PcmResampler failed internally earlier and is closed; create a new one")
    } else {
        Error::from_reason("PcmResampler is closed")
    }
}

fn range_error(env: &Env, msg: &str) -> Error {
    pending(
        env.throw_range_error(msg, Some("ERR_OUT_OF_RANGE")),
        msg.to_string(),
    )
}

fn panic_detail(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

// ---------------------------------------------------------------- one-shot

/// Checked arguments of a one-shot call.
#[derive(Clone, Copy)]
struct OneShot {
    input_rate: u32,
    output_rate: u32,
    channels: usize,
    quality: Quality,
    input: SampleFormat,
    output: SampleFormat,
}

#[allow(clippy::too_many_arguments)]
fn one_shot_args(
    env: &Env,
    input_rate: f64,
    output_rate: f64,
    channels: f64,
    quality: f64,
    input_format: f64,
    output_format: f64,
) -> Result<OneShot> {
    let args = OneShot {
        input_rate: int_in_range(env, input_rate, "inputRate", 1, MAX_RATE as u64)? as u32,
        output_rate: int_in_range(env, output_rate, "outputRate", 1, MAX_RATE as u64)? as u32,
        channels: int_in_range(env, channels, "channels", 1, MAX_CHANNELS as u64)? as usize,
        quality: Quality::from_index(int_in_range(
            env,
            quality,
            "quality",
            0,
            Quality::ALL.len() as u64 - 1,
        )? as u32)
        .expect("range checked above"),
        input: format_arg(env, input_format, "input")?,
        output: format_arg(env, output_format, "output")?,
    };
    if let Err(e) = check_ratio(args.input_rate, args.output_rate) {
        return Err(engine_error(env, e));
    }
    Ok(args)
}

impl OneShot {
    fn total_samples(&self, input_samples: usize) -> u64 {
        let frames = (input_samples / self.channels) as u128;
        let out = (frames * self.output_rate as u128 + self.input_rate as u128 / 2)
            / self.input_rate as u128;
        u64::try_from(out * self.channels as u128).unwrap_or(u64::MAX)
    }

    fn run(&self, input: Input<'_>) -> std::result::Result<OwnedOutput, EngineError> {
        match catch_unwind(AssertUnwindSafe(|| {
            engine::resample(
                self.input_rate,
                self.output_rate,
                self.channels,
                self.quality,
                input,
                self.output,
            )
        })) {
            Ok(r) => r,
            Err(panic) => Err(EngineError::Internal(panic_detail(&panic))),
        }
    }
}

fn owned_out<'env>(env: &'env Env, out: &OwnedOutput) -> Result<TypedOut<'env>> {
    typed_out(
        env,
        match out {
            OwnedOutput::S16(v) => Output::S16(v),
            OwnedOutput::F32(v) => Output::F32(v),
            OwnedOutput::Mulaw(v) => Output::Mulaw(v),
            OwnedOutput::Alaw(v) => Output::Alaw(v),
        },
    )
}

/// Resamples a whole signal at once (formats are indices into `sampleFormats()`).
#[napi(
    ts_args_type = "samples: Int16Array | Float32Array | Uint8Array, inputRate: number, outputRate: number, channels: number, quality: number, inputFormat: number, outputFormat: number",
    ts_return_type = "Int16Array | Float32Array | Uint8Array"
)]
#[allow(clippy::too_many_arguments)]
pub fn resample_pcm<'env>(
    env: &'env Env,
    samples: Unknown,
    input_rate: f64,
    output_rate: f64,
    channels: f64,
    quality: f64,
    input_format: f64,
    output_format: f64,
) -> Result<TypedOut<'env>> {
    let args = one_shot_args(
        env,
        input_rate,
        output_rate,
        channels,
        quality,
        input_format,
        output_format,
    )?;
    let raw = RawArray::read(env, &samples, "samples", args.input)?;
    probe_format(env, "resample", args.total_samples(raw.len), args.output)?;
    // SAFETY: `samples` lives for this call; nothing else borrows its memory.
    let input = unsafe { raw.input(args.input) };
    match args.run(input) {
        Ok(out) => owned_out(env, &out),
        Err(e) => Err(engine_error(env, e)),
    }
}

/// Input of an async one-shot call, copied at the call.
enum OwnedInput {
    S16(Vec<i16>),
    F32(Vec<f32>),
    Codes(Vec<u8>),
}

/// A one-shot resample computed on the libuv thread pool.
pub struct ResampleTask {
    args: OneShot,
    input: OwnedInput,
}

impl<'task> napi::ScopedTask<'task> for ResampleTask {
    type Output = OwnedOutput;
    type JsValue = TypedOut<'task>;

    fn compute(&mut self) -> Result<OwnedOutput> {
        let input = match &self.input {
            OwnedInput::S16(v) => Input::S16(v),
            OwnedInput::F32(v) => Input::F32(v),
            OwnedInput::Codes(v) if self.args.input == SampleFormat::Mulaw => Input::Mulaw(v),
            OwnedInput::Codes(v) => Input::Alaw(v),
        };
        let result = self.args.run(input);
        // The copy is no longer needed: free it before the result is copied to JS.
        self.input = OwnedInput::Codes(Vec::new());
        result.map_err(|e| Error::new(Status::GenericFailure, e.to_string()))
    }

    fn resolve(&mut self, env: &'task Env, output: OwnedOutput) -> Result<TypedOut<'task>> {
        probe_format(env, "resampleAsync", output.len() as u64, self.args.output)?;
        owned_out(env, &output)
    }
}

/// Like `resamplePcm`, computed on the libuv thread pool; `samples` is copied now.
#[napi(
    ts_args_type = "samples: Int16Array | Float32Array | Uint8Array, inputRate: number, outputRate: number, channels: number, quality: number, inputFormat: number, outputFormat: number",
    ts_return_type = "Promise<Int16Array | Float32Array | Uint8Array>"
)]
#[allow(clippy::too_many_arguments)]
pub fn resample_pcm_async(
    env: Env,
    samples: Unknown,
    input_rate: f64,
    output_rate: f64,
    channels: f64,
    quality: f64,
    input_format: f64,
    output_format: f64,
) -> Result<AsyncTask<ResampleTask>> {
    let args = one_shot_args(
        &env,
        input_rate,
        output_rate,
        channels,
        quality,
        input_format,
        output_format,
    )?;
    let raw = RawArray::read(&env, &samples, "samples", args.input)?;
    probe_format(
        &env,
        "resampleAsync",
        args.total_samples(raw.len),
        args.output,
    )?;
    // SAFETY: `samples` lives for this call; it is copied right away.
    let input = match unsafe { raw.input(args.input) } {
        Input::S16(s) => OwnedInput::S16(copy_vec(&env, s)?),
        Input::F32(s) => OwnedInput::F32(copy_vec(&env, s)?),
        Input::Mulaw(s) | Input::Alaw(s) => OwnedInput::Codes(copy_vec(&env, s)?),
    };
    Ok(AsyncTask::new(ResampleTask { args, input }))
}

fn copy_vec<T: Copy>(env: &Env, s: &[T]) -> Result<Vec<T>> {
    let mut v = Vec::new();
    if v.try_reserve_exact(s.len()).is_err() {
        return Err(engine_error(
            env,
            too_large_error("resampleAsync", s.len() as u64),
        ));
    }
    v.extend_from_slice(s);
    Ok(v)
}
