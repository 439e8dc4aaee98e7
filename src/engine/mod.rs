//! Pure-Rust streaming resampler engine: interleaved `i16` in, `i16` out.
//!
//! No napi types live here, so everything is testable with `cargo test`.
//!
//! * [`presets`] turns a [`Quality`] and a rate pair into a rubato configuration.
//! * [`core`] wraps the rubato engines behind one push-oriented interface.
//! * [`stream`] adds what a streaming user needs on top: delay trimming, exact
//!   output length on flush, reuse after flush, and `f32` → `i16` rounding.

pub mod core;
pub mod presets;
pub mod shared_fft;
pub mod stream;

pub use presets::{Design, Quality};
pub use stream::StreamResampler;

/// Limits shared with the JS binding so both layers validate identically.
pub const MAX_RATE: u32 = 768_000;
pub const MAX_CHANNELS: usize = 64;

/// Why an engine call failed. Every variant is a clean error, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// A constructor argument is out of range; the message names it.
    InvalidArgument(String),
    /// rubato refused a configuration or a call; should not happen with valid arguments.
    Internal(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::InvalidArgument(msg) => write!(f, "{msg}"),
            EngineError::Internal(msg) => write!(f, "internal resampler error: {msg}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// Greatest common divisor, used to reduce rate pairs to `L/M`.
pub(crate) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}
