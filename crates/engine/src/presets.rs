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
//!   downsampling: `rubato::SincInterpolationParameters::f_cutoff` is scaled by out/in).
//! * **Fft** (`crate::shared_fft`, which computes what rubato's `Fft` computes,
//!   one block per call): much cheaper per sample for long filters, but it holds
//!   back up to one block plus half a block. Used by every
//!   preset wherever the rate pair allows a short enough block; sinc is the
//!   fallback (QUICK at 44.1k↔48k, and pairs whose smallest block is > 64 ms).

use rubato::WindowFunction;

use crate::rate::RatePair;

/// The five presets, with the values of `@livekit/rtc-node`'s `AudioResamplerQuality`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quality {
    /// Least lag: a short FFT block (or a 40-tap sinc) with a Hann window.
    Quick = 0,
    /// A 160-frame (at the lower rate) FFT block, Blackman-Harris window.
    Low = 1,
    /// A 240-frame FFT block (320 with a squared window when upsampling).
    Medium = 2,
    /// A 400-frame FFT block, squared Blackman-Harris window.
    High = 3,
    /// A 480-frame FFT block, squared Blackman-Harris window.
    VeryHigh = 4,
}

impl Quality {
    /// Every preset, in order of its numeric value (index = value).
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

    /// The name of the preset in `AudioResamplerQuality` (`"VERY_HIGH"`, …).
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
    /// FFT overlap-add with a block of `block_in` input frames (a multiple of
    /// `M`, see [`RatePair::fft_block_in`]).
    Fft {
        block_in: usize,
        window: WindowFunction,
    },
}

/// The longest FFT block we accept before falling back to sinc (every preset):
/// rates with a large `in / gcd(in, out)` force huge blocks, hence huge latency,
/// and very low rates make even a 40-frame block seconds long. With
/// `MAX_RATIO` this also bounds the block at the output rate, hence the FFT
/// buffers: ≤ 64 ms × 768 kHz = 49,152 frames per channel.
pub const MAX_FFT_BLOCK_MS: f64 = 64.0;

/// Picks the design for a preset and a rate pair.
///
/// Measured with `npm run quality` (README "Quality presets"); at 48k→16k, with
/// 10 ms pushes (passband −0.1 / −3 dB in % of the lower Nyquist, worst alias,
/// held-back lag avg / max). Block lengths are quoted at a 16 kHz lower rate;
/// they are set in frames at the lower rate (see the body), so they are shorter
/// at 44.1k↔48k and longer at 8 kHz:
///
/// * QUICK: FFT, 2.5 ms block (at least 40 frames at the lower rate), Hann
///   window (fastest roll-off of rubato's windows; its ≈ −44…−50 dB stopband is
///   all QUICK promises): flat to 84 %, lag 1.3 ms, ≈ 1.6 µs per push. Where the
///   pair forbids such a short block (44.1k↔48k: multiples of 3.3 ms), or the
///   40 frames exceed [`MAX_FFT_BLOCK_MS`] (lower rate below 625 Hz), a 40-tap
///   sinc with the same window (same response, output on every push, but 2–4×
///   the cost of the FFT in rubato).
/// * LOW: FFT, 10 ms block, Blackman-Harris. One block per 10 ms push, so the
///   lag is just the 5 ms group delay; ≈ −120 dB stopband starting at Nyquist
///   (≈ −105 dB for images of tones just below Nyquist when upsampling).
///   92.0 / 94.2 %.
/// * MEDIUM: downsampling: FFT, 15 ms block, Blackman-Harris: 94.6 / 96.2 %,
///   stopband ≈ −120 dB from Nyquist, lag 12.5 / 17.5 ms, ≈ 1.6 µs per push.
///   Upsampling: 20 ms block, squared Blackman-Harris (93.6 / 95.2 %, lag
///   15 / 20 ms), see below.
/// * HIGH: FFT, 25 ms block, squared Blackman-Harris: stopband at the f32 floor
///   (far below int16), 94.9 / 96.2 %, lag 22.3 / 32.5 ms.
/// * VERY_HIGH: FFT, 30 ms block, squared Blackman-Harris: the widest passband
///   that fits the 30 / 40 ms lag budget with a stopband below the int16 floor
///   (95.7 / 96.8 %, lag 24.8 / 35 ms; a 40 ms block would hold back 35 / 50 ms).
///
/// A plain Blackman-Harris window gives a 1.5–2 % wider passband than the squared
/// one for the same block (hence the same lag), at the price of a ≈ −120 dB
/// stopband instead of ≈ −150 dB; squared windows are used where the preset
/// promises a stopband below the int16 floor.
pub fn design_for(quality: Quality, pair: &RatePair) -> Design {
    // (block in frames at the lower rate, window). The response in % of the lower
    // Nyquist depends only on the filter length counted at the lower rate, so the
    // block is set in those frames: 240 frames is 15 ms at 16 kHz, 30 ms at 8 kHz
    // (still half of libsoxr's lag there), and 5.4 ms at 44.1 kHz.
    let (frames, window) = match quality {
        Quality::Quick => {
            // QUICK wants the least lag: a block of 2.5 ms, or 40 frames at the
            // lower rate where that is longer (5 ms at 8 kHz). The pair's block
            // (a multiple of `M`) may exceed it up to 3 ms, or up to the wanted
            // length where that is longer, and never the block cap.
            let block_ms = f64::max(2.5, 40.0 * 1000.0 / pair.lower_rate() as f64);
            let block_in = pair.fft_block_in(block_ms);
            if pair.input_ms(block_in) <= block_ms.max(3.0) && fft_fits(pair, block_in) {
                return Design::Fft {
                    block_in,
                    window: WindowFunction::Hann,
                };
            }
            return Design::Sinc {
                base_len: 40,
                window: WindowFunction::Hann,
            };
        }
        Quality::Low => (160.0, WindowFunction::BlackmanHarris),
        // Upsampling: the FFT core (as rubato's) passes the block's Nyquist bin, so with the plain
        // Blackman-Harris window a tone just below the input Nyquist leaves an image
        // at ≈ −105 dB; the squared window takes it below −120 dB, and needs a longer
        // block to keep the passband (93.6 / 95.2 %, lag 15 / 20 ms at 16k→48k).
        Quality::Medium if pair.output_rate() > pair.input_rate() => {
            (320.0, WindowFunction::BlackmanHarris2)
        }
        Quality::Medium => (240.0, WindowFunction::BlackmanHarris),
        Quality::High => (400.0, WindowFunction::BlackmanHarris2),
        Quality::VeryHigh => (480.0, WindowFunction::BlackmanHarris2),
    };
    let lower = pair.lower_rate() as f64;
    let block_ms = frames * 1000.0 / lower;
    let block_in = pair.fft_block_in(block_ms);
    if fft_fits(pair, block_in) {
        Design::Fft { block_in, window }
    } else {
        // Same filter length in time, as a sinc at the lower rate.
        let base_len = ((block_ms / 1000.0) * lower).round().clamp(32.0, 2048.0) as usize;
        Design::Sinc { base_len, window }
    }
}

/// Whether an FFT block of `block_in` input frames (a multiple of `M`, from
/// [`RatePair::fft_block_in`]) is within the latency cap [`MAX_FFT_BLOCK_MS`].
fn fft_fits(pair: &RatePair, block_in: usize) -> bool {
    pair.input_ms(block_in) <= MAX_FFT_BLOCK_MS
}
