//! napi-rs bindings for the engine (`crates/engine`).
//!
//! The binding is deliberately thin: the public, validated API lives in `lib/`.
//! This layer re-checks every argument anyway (never trust the caller across an
//! FFI boundary), converts engine errors to JS errors, reports native memory to
//! V8, and turns any panic into a JS Error instead of aborting the process.
//!
//! * `args` checks constructor arguments (the config of every resampler).
//! * `arrays` reads typed arrays (any kind, any `byteOffset`) and makes outputs.
//! * `errors` is the one mapping from engine errors and panics to JS errors.
//! * `resampler` is the streaming state behind `AudioResampler`,
//!   `PcmResampler` and the transforms: an `External` used by free functions.
//! * `raw` holds every direct N-API call, among them the two per-push
//!   functions, registered by hand without napi-rs's per-call wrapper.
//! * `one_shot` is `resample` / `resampleAsync`.

mod args;
mod arrays;
mod errors;
pub mod one_shot;
mod raw;
pub mod resampler;

use napi_derive::napi;

use engine::{Quality, SampleFormat};
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

/// The dot-product kernels of this process: `RTC_RESAMPLER_SIMD`'s value
/// (if set), the kernel in use, and every kernel this CPU can run. Every kernel
/// gives the same output bits.
#[napi(object)]
pub struct SimdInfo {
    /// `RTC_RESAMPLER_SIMD`, when set and not empty (lower-cased).
    pub requested: Option<String>,
    /// `"portable"`, `"avx2"`, `"avx512"` or `"neon"`.
    pub used: String,
    /// Every kernel this CPU can run, slowest first.
    pub available: Vec<String>,
}

/// The engine's kernel choice (made once per process).
#[napi]
pub fn simd_info() -> SimdInfo {
    let s = engine::simd();
    SimdInfo {
        requested: s.requested,
        used: s.used.to_string(),
        available: s.available.iter().map(|a| a.to_string()).collect(),
    }
}

/// The sample format names in index order (the engine's `SampleFormat`): the
/// one definition `lib/validate.js` checks format options against.
#[napi]
pub fn sample_formats() -> Vec<String> {
    SampleFormat::ALL
        .iter()
        .map(|f| f.name().to_string())
        .collect()
}
