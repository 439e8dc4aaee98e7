//! Checks the numbers JS passes in (the JS layer checked them already; the
//! binding never trusts a caller across the FFI boundary).

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::engine::{self, check_ratio, Quality, SampleFormat};
use crate::errors::{engine_error, invalid_value, range_error};

/// The configuration of a resampler (`pcmNew`) or a one-shot call
/// (`resamplePcm`, `resamplePcmAsync`): numbers, each checked by the binding
/// before use.
#[napi(object, object_to_js = false)]
pub struct PcmOptions {
    /// Input sample rate in Hz.
    pub input_rate: f64,
    /// Output sample rate in Hz.
    pub output_rate: f64,
    /// Interleaved channels.
    pub channels: f64,
    /// A quality preset's value (`qualityPresets()`).
    pub quality: f64,
    /// Index of the input format in `sampleFormats()`.
    pub input_format: f64,
    /// Index of the output format in `sampleFormats()`.
    pub output_format: f64,
}

/// The checked configuration of a resampler or a one-shot call.
#[derive(Clone, Copy)]
pub struct Config {
    pub input_rate: u32,
    pub output_rate: u32,
    pub channels: usize,
    pub quality: Quality,
    pub input: SampleFormat,
    pub output: SampleFormat,
}

impl Config {
    /// Checks every option; the first bad one throws a `RangeError` that
    /// names it: `ERR_OUT_OF_RANGE` for a rate or channel count,
    /// `ERR_INVALID_ARG_VALUE` for a quality or format index that is not one
    /// of the enum's.
    pub fn read(env: &Env, options: &PcmOptions) -> Result<Config> {
        let max_rate = engine::MAX_RATE as u64;
        let config = Config {
            input_rate: int_in_range(env, options.input_rate, "inputRate", 1, max_rate)? as u32,
            output_rate: int_in_range(env, options.output_rate, "outputRate", 1, max_rate)? as u32,
            channels: int_in_range(
                env,
                options.channels,
                "channels",
                1,
                engine::MAX_CHANNELS as u64,
            )? as usize,
            quality: index_arg(env, options.quality, "quality", &Quality::ALL)?,
            input: index_arg(env, options.input_format, "input", &SampleFormat::ALL)?,
            output: index_arg(env, options.output_format, "output", &SampleFormat::ALL)?,
        };
        check_ratio(config.input_rate, config.output_rate).map_err(|e| engine_error(env, e))?;
        Ok(config)
    }

    /// Samples a whole conversion of `input_samples` samples returns.
    pub fn total_samples(&self, input_samples: usize) -> u64 {
        engine::resample_output_samples(
            self.input_rate,
            self.output_rate,
            self.channels,
            input_samples,
        )
    }
}

/// Checks that `value` is a finite integer in `[min, max]`, throwing a RangeError naming `name`.
pub fn int_in_range(env: &Env, value: f64, name: &str, min: u64, max: u64) -> Result<u64> {
    if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= max as f64 {
        return Ok(value as u64);
    }
    Err(range_error(
        env,
        &format!("{name} must be an integer in [{min}, {max}], got {value}"),
    ))
}

/// An index into `all` (an enum's values in index order), or a RangeError
/// (`ERR_INVALID_ARG_VALUE`) naming `name`.
fn index_arg<T: Copy>(env: &Env, value: f64, name: &str, all: &[T]) -> Result<T> {
    let max = all.len() - 1;
    if value.is_finite() && value.fract() == 0.0 && value >= 0.0 && value <= max as f64 {
        return Ok(all[value as usize]);
    }
    Err(invalid_value(
        env,
        &format!("{name} must be an integer in [0, {max}], got {value}"),
    ))
}
