//! Pure-Rust streaming resampler engine: interleaved `s16`, `f32`, μ-law or
//! A-law in, any of those out.
//!
//! No napi types live here, so everything is testable with `cargo test`. The
//! public API is [`StreamResampler`], [`PcmResampler`], [`resample`], the
//! sample formats and conversions ([`SampleFormat`], [`convert`], [`g711`]),
//! [`Quality`], [`EngineError`] and the limits. The other modules are private,
//! listed so that each imports only those above it (and the crate root's
//! `EngineError` and limits):
//!
//! * `rate`: the arithmetic of a rate pair (`L/M`, ratio, FFT block sizes,
//!   output length, alignment).
//! * `design/`: what to compute. `spec` (a low-pass response and its equiripple, Kaiser or
//!   Hann prototype), `presets` (which core and filter a [`Quality`] uses at a
//!   rate pair), and their result, a `Design` (of one polyphase stage, a
//!   `Stage` pair, or a fallback). It never imports `core/`.
//! * `core/`: how. `io` (`Source`, `Sink`, the input FIFO and the output
//!   scratch); the cores, which import `io` and `design/`, never the
//!   dispatcher: `polyphase/` (the rational polyphase FIR every preset uses at
//!   the common pairs: state in `mod`, the shared `table`, the feed loop in
//!   `schedule`, one module per instruction set in `kernels/`), `cascade` (two
//!   polyphase stages in series), and the fallbacks for pairs whose polyphase
//!   table would be too large, `sinc` (rubato's) and `fft` (our shared FFT);
//!   `shared_cache` (tables and plans that resamplers of one configuration
//!   share). `core/mod.rs` is the dispatcher: one push-oriented `Core` over them.
//! * `format` (the sample formats and their conversion rules) and `g711`.
//! * `stream`: what a streaming user needs on top: delay trimming, exact output
//!   length on flush, reuse after flush, and the output conversion (`format`:
//!   `f32` → `s16` rounding, G.711 encoding), into its own buffers or a caller's.
//! * `pcm`: fixed formats, the equal-rate case and the one-shot [`resample`].
//!
//! `tests/layering.rs` checks the import rules above.

#![deny(missing_docs)]

mod core;
mod design;
mod format;
pub mod g711;
mod pcm;
mod rate;
mod stream;
#[cfg(test)]
mod test_support;

pub use design::presets::Quality;
pub use format::{convert, f32_to_s16, s16_to_f32, Input, Output, OutputMut, SampleFormat};
pub use pcm::{resample, resample_output_samples, OwnedOutput, PcmResampler};
pub use stream::{too_large_error, StreamResampler};

/// The dot-product kernels of this process: what `RTC_RESAMPLER_SIMD` asked
/// for (if set), the one every polyphase core uses, and all this CPU can run.
/// Every kernel gives the same output bits; only speed differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simd {
    /// `RTC_RESAMPLER_SIMD`'s value, when set and not empty.
    pub requested: Option<String>,
    /// The kernel in use: `portable`, `avx2`, `avx512` or `neon`.
    pub used: &'static str,
    /// Every kernel this CPU can run, slowest first.
    pub available: Vec<&'static str>,
}

/// The kernel choice of this process (made once, on first use).
pub fn simd() -> Simd {
    use crate::core::polyphase::kernels::Isa;
    let s = Isa::selection();
    Simd {
        requested: s.requested.clone(),
        used: s.used.name(),
        available: Isa::ALL
            .iter()
            .filter(|i| i.available())
            .map(|i| i.name())
            .collect(),
    }
}

/// Highest accepted sample rate (Hz); the lowest is 1.
pub const MAX_RATE: u32 = 768_000;
/// Most interleaved channels per resampler.
pub const MAX_CHANNELS: usize = 64;
/// Largest accepted conversion ratio `max(in, out) / min(in, out)`: 8 kHz ↔ 768 kHz.
///
/// The filter delay, the FFT block and the sinc table grow with the ratio, and so
/// do the memory and the work a call can need before it produces its first
/// frame. Capping the ratio keeps every accepted configuration within the
/// bounds that `crates/engine/tests/limits.rs` checks (construction ≤ 50 ms and ≤ 64 MB; a
/// 10 ms push or a flush ≤ 100 ms at 64 channels). Measured: the slowest
/// accepted configurations sit at this limit (see docs/reliability.md).
pub const MAX_RATIO: u32 = 96;

/// Checks the conversion ratio; the message names both rates and the limit.
///
/// Rates must already be in `[1, MAX_RATE]`.
pub fn check_ratio(input_rate: u32, output_rate: u32) -> Result<(), EngineError> {
    let (hi, lo) = (input_rate.max(output_rate), input_rate.min(output_rate));
    if hi as u64 <= MAX_RATIO as u64 * lo as u64 {
        return Ok(());
    }
    let msg = if output_rate > input_rate {
        format!(
            "outputRate / inputRate must be at most {MAX_RATIO} (got {output_rate} / {input_rate})"
        )
    } else {
        format!(
            "inputRate / outputRate must be at most {MAX_RATIO} (got {input_rate} / {output_rate})"
        )
    };
    Err(EngineError::OutOfRange(msg))
}

/// Why an engine call failed. Every variant is a clean error, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// A constructor argument is invalid; the message names it.
    InvalidArgument(String),
    /// The rate pair is outside the supported range (see [`MAX_RATIO`]); the
    /// message names both rates and the limit. The binding throws a `RangeError`.
    OutOfRange(String),
    /// A call would need more memory than could be allocated (its output is too
    /// large); nothing was consumed, the resampler is unchanged.
    TooLarge(String),
    /// The caller's output buffer is smaller than the call may need (see
    /// [`StreamResampler::max_output_frames`]); nothing was consumed.
    OutputTooSmall(String),
    /// rubato refused a configuration or a call; should not happen with valid arguments.
    Internal(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::InvalidArgument(msg)
            | EngineError::OutOfRange(msg)
            | EngineError::TooLarge(msg)
            | EngineError::OutputTooSmall(msg) => write!(f, "{msg}"),
            EngineError::Internal(msg) => write!(f, "internal resampler error: {msg}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// Test builds of the engine count the heap bytes each thread holds, so that
/// unit tests can check the memory estimates against real allocations.
#[cfg(test)]
mod test_alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    struct PerThread;
    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
    }
    fn count(delta: isize) {
        let _ = LIVE.try_with(|c| c.set(c.get() + delta));
    }
    unsafe impl GlobalAlloc for PerThread {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size() as isize);
            System.alloc(layout)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            count(-(layout.size() as isize));
            System.dealloc(ptr, layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(new_size as isize - layout.size() as isize);
            System.realloc(ptr, layout, new_size)
        }
    }
    #[global_allocator]
    static ALLOC: PerThread = PerThread;

    /// Net heap bytes allocated by this thread so far.
    pub(crate) fn live_bytes() -> isize {
        LIVE.with(|c| c.get())
    }
}
