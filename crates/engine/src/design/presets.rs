//! Quality presets: which core and filter each `Quality` uses for a rate pair.
//!
//! Every preset has a real anti-alias/anti-image filter (unlike libsoxr's QUICK,
//! which is bare cubic interpolation), specified once, relative to the lower of
//! the two rates: flat (ripple `10^(−A/20)`) up to `pass` × the lower Nyquist,
//! at least `A` dB down from the lower Nyquist on ([`spec_for`]). Three cores:
//!
//! * **Polyphase** (`crate::core::polyphase`, the default at every common pair): the
//!   shortest filter that meets the spec (a stored equiripple design at the
//!   common pairs, a Kaiser-windowed sinc elsewhere), run as a rational
//!   polyphase FIR. It emits on every push and holds back only the filter's
//!   half-length, which for a spec fixed in % of the lower Nyquist is a fixed
//!   number of lower-rate frames: longest at 8 kHz. Where the rates are far
//!   apart (48k ↔ 16k, 8k ↔ 48k, 44.1k ↔ 16k, …), LOW to VERY_HIGH run it as
//!   a cascade of two (`crate::core::cascade`, chosen by [`design_for`]): the same
//!   filter between the lower rate and 1.5 or 2 × it, then a short one; fewer
//!   taps per output frame, ≤ 0.75 ms more lag.
//! * **Sinc** (`rubato::Async`) and **Fft** (`crate::core::fft`, which computes
//!   what rubato's `Fft` computes, one block per call): the fallbacks, with the
//!   previous window-by-block recipes, where the polyphase table would be too
//!   large (a huge `L`, e.g. 44100 → 47999) or a phase too long (downsampling
//!   far beyond the listed pairs). The FFT holds back up to one block plus half
//!   a block, in bursts.

use rubato::{calculate_cutoff, WindowFunction};

use crate::design::spec::Spec;
use crate::design::{Design, Stage};
use crate::rate::RatePair;

/// Largest table built (`L · K` taps, `f32`): 4 MiB. Beyond it (huge `L`, e.g.
/// 44100 → 47999) the presets fall back to the other cores.
pub const MAX_TABLE_TAPS: u64 = 1 << 20;
/// Longest phase built (taps per output frame): bounds the work per output frame
/// and the history at high downsampling ratios.
pub const MAX_PHASE_TAPS: u64 = 4096;

/// The five presets, with the values of `@livekit/rtc-node`'s `AudioResamplerQuality`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quality {
    /// Least lag: a 40-tap (at the lower rate) Hann-windowed sinc, 2.5 ms held
    /// back at 8 kHz.
    Quick = 0,
    /// Flat to 92 % of the lower Nyquist, ≥ 112 dB stopband: 9.3 ms at 8 kHz.
    Low = 1,
    /// Flat to 93.6 %, ≥ 126 dB: 12.8 ms at 8 kHz, 6.4 ms at 16 kHz.
    Medium = 2,
    /// Flat to 94.9 %, ≥ 140 dB: 23 ms at 8 kHz.
    High = 3,
    /// Flat to 96 %, ≥ 150 dB: 31.5 ms at 8 kHz.
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

/// The response of each preset (see the module comment), with the audio it
/// holds back at an 8 kHz lower rate, its filter's half-length: at 16 kHz it
/// is half as much, at 48 kHz a sixth. LOW and MEDIUM (and the wide stages
/// of HIGH's cascades) use the stored equiripple designs at the common
/// pairs; elsewhere Kaiser's estimate applies (`(A + 2.5 − 7.95) / (28.71 ·
/// Δf)`, `Δf` the transition width in Hz, 2.5 dB the margin of
/// `crate::design::spec`): 11.6 ms for LOW, 16.4 ms for MEDIUM.
///
/// * QUICK: the filter of the previous QUICK recipes, a Hann-windowed sinc of
///   40 taps at the lower rate with rubato's cutoff for it (flat to ≈ 84 %,
///   −44 dB at its first sidelobe past Nyquist, falling fast beyond): 2.5 ms at
///   8 kHz (target ≤ 3 ms). A Kaiser window of that length reaches the same
///   edges and 52 dB near Nyquist, but its sidelobes stay near −76 dB far from
///   it, which costs 20 dB of THD+N when upsampling (images of a 1 kHz tone at
///   15 and 17 kHz).
/// * LOW: flat to 92 %, 112 dB (9.3 ms; target ≤ 15 ms).
/// * MEDIUM: flat to 93.6 %, 126 dB (12.8 ms; target ≤ 20 ms).
/// * HIGH: flat to 94.9 %, 140 dB (23.0 ms; target ≤ 30 ms).
/// * VERY_HIGH: flat to 96 %, 150 dB (31.5 ms; target ≤ 40 ms).
///
/// Each is at least the passband and stopband the preset had with the FFT
/// recipes at its worst listed pair, except QUICK's stopband (see the
/// shortfalls in docs/quality.md, with the measurements). LOW's and MEDIUM's
/// transition band is also at most [`MAX_TRANSITION_HZ`] wide, which matters
/// mostly where the lower rate is 44.1 kHz or more: there the FFT recipes had
/// longer filters than elsewhere (their block had to be a multiple of 147
/// frames at 44.1k ↔ 48k), and this keeps their passband there (−0.1 dB at ≥ 95.6 %).
pub fn spec_for(quality: Quality, pair: &RatePair) -> Spec {
    let (pass, atten_db): (f64, f64) = match quality {
        Quality::Quick => {
            return Spec::Hann {
                taps: QUICK_TAPS,
                cutoff: calculate_cutoff::<f32>(QUICK_TAPS as usize, WindowFunction::Hann) as f64,
            }
        }
        Quality::Low => (0.92, 112.0),
        Quality::Medium => (0.936, 126.0),
        Quality::High => (0.949, 140.0),
        Quality::VeryHigh => (0.96, 150.0),
    };
    let pass = match quality {
        Quality::Low | Quality::Medium => {
            let nyquist = pair.lower_rate() as f64 / 2.0;
            pass.max(1.0 - MAX_TRANSITION_HZ / nyquist)
        }
        _ => pass,
    };
    Spec::LowPass {
        pass,
        stop: 1.0,
        atten_db,
    }
}

/// Widest transition band of LOW and MEDIUM, Hz (see [`spec_for`]): 3.2 / 3.65 ms
/// of lag at 44.1 kHz instead of 2.1 / 3.0 ms; it also narrows LOW's transition
/// slightly where the lower rate is 32 kHz (flat to 92.8 % instead of 92 %).
const MAX_TRANSITION_HZ: f64 = 1150.0;

/// QUICK's filter length in taps at the lower rate.
const QUICK_TAPS: u32 = 40;

/// Picks the design for a preset and a rate pair: the polyphase core wherever
/// its table (`L · K` taps) and phases (`K` taps) are within bounds (as a
/// cascade where that costs at most [`CASCADE_MAX_COST`] of it), else the
/// previous FFT / sinc recipe.
pub fn design_for(quality: Quality, pair: &RatePair) -> Design {
    let spec = spec_for(quality, pair);
    let (up, down) = (pair.up(), pair.down());
    let taps = spec.taps_per_phase(up, down);
    if fits(taps, up) {
        let single_cost = pair.output_rate() as f64 * taps as f64;
        return match cascade_for(spec, pair) {
            Some((cost, first, second)) if cost <= CASCADE_MAX_COST * single_cost => {
                Design::Cascade { first, second }
            }
            _ => Design::Poly { spec },
        };
    }
    block_design(quality, pair)
}

/// Whether a polyphase design of `taps` per phase and `up` phases is within
/// the table bounds.
fn fits(taps: u64, up: u64) -> bool {
    taps <= MAX_PHASE_TAPS && taps.saturating_mul(up) <= MAX_TABLE_TAPS
}

/// A cascade is used where the taps it computes per second of audio are at
/// most this share of one stage's: 0.61 at 48k ↔ 16k, 0.37 at 8k ↔ 48k; pairs less
/// than about 2.5 apart (44.1k ↔ 48k, 2:1) gain little or nothing and keep
/// one stage, with a lag shorter by the second filter's half-length.
const CASCADE_MAX_COST: f64 = 0.75;

/// Most lag a cascade's wide stage may add (its half-length), ms: the lag
/// stays within 0.75 ms of the preset's own filter's half-length (issue #14
/// asks for 1 ms). The wide stage's transition band scales with the lower
/// rate, so this binds at 8 kHz: MEDIUM at 8k ↔ 48k adds 0.51 ms.
const CASCADE_MAX_ADDED_MS: f64 = 0.75;

/// The cheapest cascade for a low-pass `spec` at `pair`, with its cost in taps
/// computed per second of audio (each stage's output frames per second × its
/// taps per frame, summed). The rate between, `mid`, is 1.5 × or 2 × the lower rate
/// (integer, below the higher): the preset's filter runs between the lower
/// rate and `mid`, and between `mid` and the higher rate a filter as flat over
/// the final passband, as deep, that stops from `mid − lower/2` (what lands
/// in the final band; see `crate::core::cascade`). Only where the stream can align
/// the cascade's delay exactly (a whole pre-roll exists).
fn cascade_for(spec: Spec, pair: &RatePair) -> Option<(f64, Stage, Stage)> {
    cascade_candidates(spec, pair)
        .into_iter()
        .filter_map(|(first, second)| {
            let fit = |s: &Stage| fits(s.taps(), s.up());
            let wide_stage = if pair.input_rate() > pair.output_rate() {
                &first
            } else {
                &second
            };
            if !fit(&first) || !fit(&second) || wide_stage.half_ms() > CASCADE_MAX_ADDED_MS {
                return None;
            }
            let (num, den) = Stage::delay_of(&first, &second);
            pair.whole_delay_preroll(num, den)?;
            let mid = first.output_rate as f64;
            let cost = mid * first.taps() as f64 + pair.output_rate() as f64 * second.taps() as f64;
            Some((cost, first, second))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

/// Every cascade [`cascade_for`] weighs for a low-pass `spec` at `pair`, in
/// order: `mid` is 1.5 × or 2 × the lower rate, below the higher.
fn cascade_candidates(spec: Spec, pair: &RatePair) -> Vec<(Stage, Stage)> {
    let Spec::LowPass { pass, atten_db, .. } = spec else {
        return Vec::new();
    };
    let (fin, fout) = (pair.input_rate(), pair.output_rate());
    let lo = fin.min(fout);
    let hi = fin.max(fout);
    let mids = [(lo % 2 == 0).then(|| lo / 2 * 3), lo.checked_mul(2)];
    mids.into_iter()
        .flatten()
        .filter(|&mid| mid < hi)
        .map(|mid| {
            let ratio = lo as f64 / mid as f64;
            let wide = Spec::LowPass {
                pass: pass * ratio,
                stop: 2.0 - ratio,
                atten_db,
            };
            if fin > fout {
                (Stage::new(fin, mid, wide), Stage::new(mid, fout, spec))
            } else {
                (Stage::new(fin, mid, spec), Stage::new(mid, fout, wide))
            }
        })
        .collect()
}

/// Every stage a preset may build at `pair`: its own filter, and both stages
/// of every cascade it weighs. What `super::equiripple`'s stored designs
/// cover at the common pairs.
#[cfg(test)]
pub(crate) fn candidate_stages(quality: Quality, pair: &RatePair) -> Vec<Stage> {
    let spec = spec_for(quality, pair);
    let own = Stage::new(pair.input_rate(), pair.output_rate(), spec);
    let cascades = cascade_candidates(spec, pair);
    std::iter::once(own)
        .chain(cascades.into_iter().flat_map(|(a, b)| [a, b]))
        .collect()
}

/// The longest FFT block we accept before falling back to sinc (every preset):
/// rates with a large `in / gcd(in, out)` force huge blocks, hence huge latency,
/// and very low rates make even a 40-frame block seconds long. With
/// `MAX_RATIO` this also bounds the block at the output rate, hence the FFT
/// buffers: ≤ 64 ms × 768 kHz = 49,152 frames per channel.
pub const MAX_FFT_BLOCK_MS: f64 = 64.0;

/// The fallback design (the previous recipes) for a preset and a rate pair.
///
/// Block lengths are set in frames at the lower rate (see the body), so they
/// are shorter in milliseconds at 44.1k↔48k and longer at 8 kHz. Quoted at a
/// 16 kHz lower rate:
///
/// * QUICK: FFT, 2.5 ms block (at least 40 frames at the lower rate), Hann
///   window (fastest roll-off of rubato's windows; its modest stopband is all
///   QUICK promises). Where the pair forbids such a short block (44.1k↔48k:
///   multiples of 3.3 ms), or the 40 frames exceed [`MAX_FFT_BLOCK_MS`] (lower
///   rate below 625 Hz), a 40-tap sinc with the same window (same response,
///   output on every push, at a higher cost per sample).
/// * LOW: FFT, 10 ms block, Blackman-Harris. One block per 10 ms push, so the
///   lag is just the group delay.
/// * MEDIUM: downsampling: FFT, 15 ms block, Blackman-Harris. Upsampling: 20 ms
///   block, squared Blackman-Harris (see below).
/// * HIGH: FFT, 25 ms block, squared Blackman-Harris: stopband at the f32 floor.
/// * VERY_HIGH: FFT, 30 ms block, squared Blackman-Harris: the widest passband
///   that fits the 30 / 40 ms lag budget with a stopband below the int16 floor.
///
/// A plain Blackman-Harris window gives a wider passband than the squared one
/// for the same block (hence the same lag), at the price of a shallower
/// stopband; squared windows are used where the preset promises a stopband
/// below the int16 floor. The measured passband, stopband and lag of every
/// preset live in one place, `docs/quality.md`, generated by
/// `npm run quality -- --markdown`.
fn block_design(quality: Quality, pair: &RatePair) -> Design {
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
        // block to keep the passband (figures in docs/quality.md).
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
