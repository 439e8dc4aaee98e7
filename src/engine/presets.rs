//! Quality presets: which rubato engine and filter each `Quality` uses for a rate pair.
//!
//! Every preset has a real anti-alias/anti-image filter (unlike libsoxr's QUICK,
//! which is bare cubic interpolation). Two engine families are used:
//!
//! * **Sinc** (`rubato::Async`, polyphase FIR): emits output on every push, so the
//!   held-back audio is only half the filter length. The filter length is given
//!   in taps *at the lower of the two rates* (`base_len`), and the cutoff is pinned
//!   to `calculate_cutoff(base_len)` of the lower Nyquist, so downsampling gets the
//!   same response as upsampling (rubato's automatic cutoff aliases when
//!   downsampling, see shared/reference/rubato-5.md §12).
//! * **Fft** (`rubato::Fft`, one block per call): much cheaper per sample for long
//!   filters, but it holds back up to one block plus half a block.

use rubato::WindowFunction;

/// The five presets, with the values of `@livekit/rtc-node`'s `AudioResamplerQuality`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quality {
    Quick = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    VeryHigh = 4,
}

impl Quality {
    pub const ALL: [Quality; 5] = [
        Quality::Quick,
        Quality::Low,
        Quality::Medium,
        Quality::High,
        Quality::VeryHigh,
    ];

    /// Maps the numeric enum value used by the JS API.
    pub fn from_index(value: u32) -> Option<Quality> {
        Quality::ALL.get(value as usize).copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            Quality::Quick => "QUICK",
            Quality::Low => "LOW",
            Quality::Medium => "MEDIUM",
            Quality::High => "HIGH",
            Quality::VeryHigh => "VERY_HIGH",
        }
    }
}

/// A concrete engine configuration for one rate pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Design {
    /// Polyphase sinc FIR with `base_len` taps at the lower rate.
    Sinc {
        base_len: usize,
        window: WindowFunction,
    },
    /// FFT overlap-add with a block of `block_ms` milliseconds of input.
    Fft {
        block_ms: f64,
        window: WindowFunction,
    },
}

/// The longest FFT block (in input frames) we accept before falling back to sinc:
/// rates with a large `in / gcd(in, out)` force huge blocks, hence huge latency.
const MAX_FFT_BLOCK_MS: f64 = 45.0;

/// Picks the design for a preset and a rate pair.
pub fn design_for(quality: Quality, input_rate: u32, output_rate: u32) -> Design {
    let wanted = match quality {
        Quality::Quick => Design::Sinc {
            base_len: 32,
            window: WindowFunction::BlackmanHarris2,
        },
        Quality::Low => Design::Sinc {
            base_len: 96,
            window: WindowFunction::BlackmanHarris2,
        },
        Quality::Medium => Design::Fft {
            block_ms: 20.0,
            window: WindowFunction::BlackmanHarris2,
        },
        Quality::High => Design::Fft {
            block_ms: 30.0,
            window: WindowFunction::BlackmanHarris2,
        },
        Quality::VeryHigh => Design::Fft {
            block_ms: 40.0,
            window: WindowFunction::BlackmanHarris2,
        },
    };
    match wanted {
        Design::Fft { block_ms, window } if !fft_fits(input_rate, output_rate, block_ms) => {
            // Same filter length in time, as a sinc at the lower rate.
            let lower = input_rate.min(output_rate) as f64;
            let base_len = ((block_ms / 1000.0) * lower).round().clamp(32.0, 2048.0) as usize;
            Design::Sinc { base_len, window }
        }
        other => other,
    }
}

/// Whether an FFT block of about `block_ms` is reachable for this pair: the block must
/// be a multiple of `input_rate / gcd`, and the result must not exceed the latency cap.
pub fn fft_fits(input_rate: u32, output_rate: u32, block_ms: f64) -> bool {
    let g = crate::engine::gcd(input_rate as u64, output_rate as u64);
    let min_block_in = input_rate as u64 / g;
    let block_in = fft_block_frames(input_rate, output_rate, block_ms);
    let block_ms_actual = block_in as f64 * 1000.0 / input_rate as f64;
    min_block_in <= block_in as u64 && block_ms_actual <= MAX_FFT_BLOCK_MS
}

/// Input frames per FFT block: the requested duration rounded up to a multiple
/// of the smallest block the rate pair allows.
pub fn fft_block_frames(input_rate: u32, output_rate: u32, block_ms: f64) -> usize {
    let g = crate::engine::gcd(input_rate as u64, output_rate as u64);
    let min_block_in = (input_rate as u64 / g) as usize;
    let wanted = ((block_ms / 1000.0) * input_rate as f64).round().max(1.0) as usize;
    wanted.div_ceil(min_block_in).max(1) * min_block_in
}
