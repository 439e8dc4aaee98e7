//! `resample` / `resampleAsync`: a whole signal in one call, on the main
//! thread or on the libuv thread pool (the input copied at the call).

use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::{Config, PcmOptions};
use crate::arrays::{copy_vec, owned_out, reserve, RawArray, Room, TypedOut};
use crate::engine::{self, EngineError, Input, OwnedOutput, SampleFormat};
use crate::errors::{engine_error, panic_detail};

/// Runs a whole conversion; a panic becomes an internal error.
fn run(c: &Config, input: Input<'_>) -> std::result::Result<OwnedOutput, EngineError> {
    catch_unwind(AssertUnwindSafe(|| {
        engine::resample(
            c.input_rate,
            c.output_rate,
            c.channels,
            c.quality,
            input,
            c.output,
        )
    }))
    .unwrap_or_else(|panic| Err(EngineError::Internal(panic_detail(&panic))))
}

/// Resamples a whole signal at once.
#[napi(
    ts_args_type = "samples: Int16Array | Float32Array | Uint8Array, options: PcmOptions",
    ts_return_type = "Int16Array | Float32Array | Uint8Array"
)]
pub fn resample_pcm<'env>(
    env: &'env Env,
    samples: Unknown,
    options: PcmOptions,
) -> Result<TypedOut<'env>> {
    let args = Config::read(env, &options)?;
    let raw = RawArray::read(env, &samples, "samples", args.input)?;
    let room = reserve(env, "resample", args.total_samples(raw.len), args.output)?;
    // SAFETY: `samples` lives for this call; nothing else borrows its memory.
    let input = unsafe { raw.input(args.input) };
    match run(&args, input) {
        Ok(out) => owned_out(env, "resample", &out, room),
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
    args: Config,
    input: OwnedInput,
    /// Held from the call until the result is copied to JS, so that memory
    /// the process allocates meanwhile cannot take the copy's place.
    room: Option<Room>,
}

impl<'task> napi::ScopedTask<'task> for ResampleTask {
    /// An engine error is kept to become a JS error on the main thread.
    type Output = std::result::Result<OwnedOutput, EngineError>;
    type JsValue = TypedOut<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        let input = match &self.input {
            OwnedInput::S16(v) => Input::S16(v),
            OwnedInput::F32(v) => Input::F32(v),
            OwnedInput::Codes(v) if self.args.input == SampleFormat::Mulaw => Input::Mulaw(v),
            OwnedInput::Codes(v) => Input::Alaw(v),
        };
        let result = run(&self.args, input);
        // The copy is no longer needed: free it before the result is copied to JS.
        self.input = OwnedInput::Codes(Vec::new());
        Ok(result)
    }

    /// Errors here reject the promise: they are built, never thrown (a thrown
    /// exception would be uncaught and the promise would never settle).
    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<TypedOut<'task>> {
        match output {
            Ok(out) => owned_out(env, "resampleAsync", &out, self.room.take()),
            Err(e) => Err(engine_error(env, e)),
        }
    }
}

/// Like `resamplePcm`, computed on the libuv thread pool; `samples` is copied now.
#[napi(
    ts_args_type = "samples: Int16Array | Float32Array | Uint8Array, options: PcmOptions",
    ts_return_type = "Promise<Int16Array | Float32Array | Uint8Array>"
)]
pub fn resample_pcm_async(
    env: Env,
    samples: Unknown,
    options: PcmOptions,
) -> Result<AsyncTask<ResampleTask>> {
    let args = Config::read(&env, &options)?;
    let raw = RawArray::read(&env, &samples, "samples", args.input)?;
    let room = reserve(
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
    Ok(AsyncTask::new(ResampleTask { args, input, room }))
}
