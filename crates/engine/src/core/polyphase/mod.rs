//! Rational polyphase FIR resampling (`L/M` from [`RatePair`](crate::rate::RatePair)),
//! with the coefficient table shared between instances.
//!
//! The prototype is a windowed sinc of `2·H + 1` taps at the rate
//! `L · input_rate`, designed from a [`Spec`]. [`Spec::Kaiser`]: flat up to
//! `pass` × the lower Nyquist, at least `atten_db` down from the lower Nyquist
//! on, with the least length the Kaiser estimate allows for that transition and
//! attenuation (Kaiser, "Nonrecursive digital filter design using the I0-sinh
//! window function", 1974: `N − 1 = (A − 7.95) / (2.285 · Δω)`, plus a margin),
//! so the audio held back, `H / (L · input_rate)` seconds, is as short as the
//! response permits. [`Spec::Hann`]: a fixed length and cutoff (QUICK). Output `m` sits at `m · M` on
//! the `L · input_rate` grid: its newest input frame is `i = ⌊m·M / L⌋` and its phase
//! `p = m·M − i·L`, stepped with integers, so the output depends only on the input
//! samples (bit-identical for any push split) and the group delay is exactly
//! `H / M` output frames.
//!
//! State is split as in `crate::core::fft`:
//!
//! * immutable per configuration (`L`, `M`, spec): the `L` phases of `K` taps,
//!   each stored oldest-tap-first, built once and shared through a process-wide
//!   cache of [`Arc`]s (weak for every live table, strong for the 8 most recent);
//! * per instance: a history of `K − 1 + B` frames per channel, filling
//!   [`HISTORY_BUDGET_BYTES`] (`B` ≥ 64). Each output reads its `K` frames as one
//!   contiguous window; when the buffer is full, or earlier when that keeps the
//!   rest of a push in one run, the last `K − 1` frames move to its start. With
//!   `B ≥ K` that costs at most about what a doubled ring costs (one extra float
//!   moved per input frame, no second write), and a long `B` lets every 10 ms
//!   push be one run whose outputs share phase loads (below). Long
//!   filters (high downsampling ratios) get a smaller `B` and move more often,
//!   so that a live mono MEDIUM resampler stays under 8 KiB at every pair.
//!
//! Dot products run in AVX2 + FMA when the CPU has them (chosen at run time with
//! `is_x86_feature_detected!`, the whole feed loop compiled for it), else in
//! portable code with 16 independent lanes that the compiler vectorises. A
//! single dot product is bound by loads (two per FMA), so outputs that share a
//! phase are computed together, loading the phase once: up to four outputs
//! `m, m+L, m+2L, m+3L` where a run of input holds them (every output when
//! `L = 1`, integer downsampling; three per phase in a 10 ms push at 44.1k →
//! 48k, where this also cuts the traffic from a table that outgrows L1; in
//! stereo, two or three outputs with both channels, six windows per load),
//! else the channels two by two (or, in mono, two outputs interleaved, which
//! hides the latency of each FMA chain). Which outputs share a phase is
//! arithmetic (outputs `r + i·L` of a batch, windows `M` frames apart), so no
//! per-output schedule is listed. Measured on 48k → 16k MEDIUM (7.4 → 4.9 µs
//! per 10 ms push), this beat folding the symmetric `L = 1` phase
//! (`c[j] · (w[j] + w[K−1−j])`, half the multiplies but three loads per eight
//! of them and a lane reversal), which is therefore not done.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use crate::core::shared_cache::{get_or_make, SharedCache};
use crate::core::{Sink, Source};

/// A low-pass response, relative to the lower of the two rates' Nyquist.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spec {
    /// The shortest Kaiser-windowed sinc that is flat (ripple `10^(−A/20)`) up to
    /// `pass` × the lower Nyquist and at least `atten_db` down from `stop` × the
    /// lower Nyquist on: `stop` is 1 for a preset's own filter, more for the
    /// wide stage of a cascade (`crate::core::cascade`), which only has to remove
    /// what would land in the final band.
    Kaiser { pass: f64, stop: f64, atten_db: f64 },
    /// A Hann-windowed sinc `taps` taps long at the lower rate with its −6 dB
    /// point at `cutoff` × the lower Nyquist: a short filter whose stopband keeps
    /// falling (18 dB per octave) far from the transition, where a short Kaiser
    /// window's sidelobes stay near its first one.
    Hann { taps: u32, cutoff: f64 },
}

impl Spec {
    /// The attenuation the Kaiser window is designed for: Kaiser's formulas are
    /// estimates, a little short at the first stopband lobe (≈ 1.8 dB at 126 dB,
    /// measured by `prototype_meets_its_spec`), so they get this margin.
    fn design_db(atten_db: f64) -> f64 {
        atten_db + DESIGN_MARGIN_DB
    }

    /// Kaiser's `β` for an attenuation.
    fn beta(atten_db: f64) -> f64 {
        let a = Spec::design_db(atten_db);
        if a > 50.0 {
            0.1102 * (a - 8.7)
        } else if a >= 21.0 {
            0.5842 * (a - 21.0).powf(0.4) + 0.07886 * (a - 21.0)
        } else {
            0.0
        }
    }

    /// Half-length `H` (taps on each side of the centre) at the rate
    /// `L · input_rate`, for a pair reduced to `up / down`.
    pub fn half_taps(&self, up: u64, down: u64) -> u64 {
        // At `L · input_rate` the lower Nyquist is 1 / (2 · max(L, M)) cycles per
        // tap: one lower-rate tap is max(L, M) taps.
        let big = up.max(down);
        match *self {
            Spec::Kaiser {
                pass,
                stop,
                atten_db,
            } => {
                let delta_w = std::f64::consts::PI * (stop - pass) / big as f64;
                let n_minus_1 = (Spec::design_db(atten_db) - 7.95) / (2.285 * delta_w);
                (n_minus_1 / 2.0).ceil().max(1.0) as u64
            }
            Spec::Hann { taps, .. } => (taps as u64 / 2).max(1) * big,
        }
    }

    /// The prototype's taps at offsets `0..=H` from its centre (unscaled), for
    /// a pair reduced to `up / down`.
    fn half_prototype(&self, up: u64, down: u64) -> Vec<f64> {
        let half = self.half_taps(up, down);
        let big = up.max(down) as f64;
        // Cutoff (−6 dB) in cycles per tap, and the window at offset t.
        let (fc, window): (f64, Box<dyn Fn(f64) -> f64>) = match *self {
            Spec::Kaiser {
                pass,
                stop,
                atten_db,
            } => {
                let beta = Spec::beta(atten_db);
                let i0_beta = bessel_i0(beta);
                let h = half as f64;
                (
                    (stop + pass) / 2.0 / (2.0 * big),
                    Box::new(move |t: f64| {
                        let r = t / h;
                        bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / i0_beta
                    }),
                )
            }
            Spec::Hann { cutoff, .. } => {
                let h = half as f64;
                (
                    cutoff / (2.0 * big),
                    Box::new(move |t: f64| 0.5 + 0.5 * (std::f64::consts::PI * t / h).cos()),
                )
            }
        };
        (0..=half as usize)
            .map(|t| {
                let x = t as f64;
                let sinc = if t == 0 {
                    2.0 * fc
                } else {
                    (std::f64::consts::TAU * fc * x).sin() / (std::f64::consts::PI * x)
                };
                sinc * window(x)
            })
            .collect()
    }

    /// Taps per phase `K` for a pair reduced to `up / down`: the prototype's
    /// length over `L`, rounded up to a multiple of 8 (zero taps at the oldest
    /// end). That length is `2H + 1`, or `2H` for [`Spec::Hann`], whose last tap
    /// (the window at `+H`) is exactly zero: at 44.1k → 48k (`L` = 160) QUICK's
    /// `2H + 1 = 6401` taps would take 48 per phase, its `6400` take 40.
    pub fn taps_per_phase(&self, up: u64, down: u64) -> u64 {
        let half = self.half_taps(up, down);
        let n = match self {
            Spec::Kaiser { .. } => 2 * half + 1,
            Spec::Hann { .. } => 2 * half,
        };
        n.div_ceil(up).div_ceil(8) * 8
    }
}

/// Added to the spec's attenuation for the window design (see [`Spec::design_db`]).
const DESIGN_MARGIN_DB: f64 = 2.5;
/// Largest table built (`L · K` taps, `f32`): 4 MiB. Beyond it (huge `L`, e.g.
/// 44100 → 47999) the presets fall back to the other cores.
pub const MAX_TABLE_TAPS: u64 = 1 << 20;
/// Longest phase built (taps per output frame): bounds the work per output frame
/// and the history at high downsampling ratios.
pub const MAX_PHASE_TAPS: u64 = 4096;
/// History bytes per channel (see the module comment): with the stream's own
/// state and output buffer, a live mono MEDIUM resampler takes ≤ 8 KiB at every
/// common pair (`tests/latency.rs`).
pub const HISTORY_BUDGET_BYTES: usize = 6656;
/// Least slack `B` of a history, frames.
const MIN_SLACK: usize = 64;
/// Tables kept alive after their last user is dropped.
const RECENT_TABLES: usize = 8;
/// See [`PolyCore::max_burst_frames`].
const BURST_INPUT_FRAMES: usize = 256;
/// Interleaved samples converted per step from the source (into [`Staging`]).
const IN_CHUNK: usize = 1024;
/// Interleaved output samples handed to the sink per call (from [`Staging`]).
const OUT_CHUNK: usize = 2048;

/// A feed's working buffers: the source's frames as `f32`, and one batch of
/// outputs. Per thread, not per core (12 KiB would break the 8 KiB budget of a
/// live resampler), and not on the stack, where they were zeroed on every feed
/// (0.3 µs of a 3 µs QUICK push, measured with criterion). Nothing carries over
/// from one feed to the next: each feed writes before it reads.
struct Staging {
    input: [f32; IN_CHUNK],
    output: [f32; OUT_CHUNK],
}

thread_local! {
    static STAGING: RefCell<Staging> = const {
        RefCell::new(Staging { input: [0.0; IN_CHUNK], output: [0.0; OUT_CHUNK] })
    };
}

/// The `L` phases of one design.
pub struct Table {
    up: usize,
    down: usize,
    /// Taps per phase `K`.
    taps: usize,
    /// Half-length `H` of the prototype, taps at `L · input_rate`.
    half: u64,
    /// Phase `p` at `p·K .. (p+1)·K`, oldest tap first: `c_p[j] = h[p + (K−1−j)·L]`.
    coeffs: Box<[f32]>,
    spec: Spec,
}

type Key = (usize, usize, u8, u64, u64, u64);

static CACHE: Mutex<SharedCache<Key, Table>> = Mutex::new(SharedCache::new(RECENT_TABLES));

fn table_for(up: usize, down: usize, spec: Spec) -> Arc<Table> {
    let key = match spec {
        Spec::Kaiser {
            pass,
            stop,
            atten_db,
        } => (
            up,
            down,
            0,
            pass.to_bits(),
            stop.to_bits(),
            atten_db.to_bits(),
        ),
        Spec::Hann { taps, cutoff } => (up, down, 1, taps as u64, cutoff.to_bits(), 0),
    };
    get_or_make(&CACHE, key, || Table::design(up, down, spec))
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut term, mut sum, mut k) = (1.0f64, 1.0f64, 1.0f64);
    while term > sum * 1e-17 {
        term *= q / (k * k);
        sum += term;
        k += 1.0;
    }
    sum
}

impl Table {
    fn design(up: usize, down: usize, spec: Spec) -> Table {
        let (l, m) = (up as u64, down as u64);
        let half = spec.half_taps(l, m);
        let taps = spec.taps_per_phase(l, m) as usize;
        let h = half as usize;
        // One side of the symmetric prototype, centre first; mirrored below.
        let side = spec.half_prototype(l, m);
        // Unit gain per output frame: the taps of all L phases sum to L.
        let total = side[0] + 2.0 * side[1..].iter().sum::<f64>();
        let scale = up as f64 / total;
        let n = 2 * h + 1;
        let proto = |idx: usize| -> f32 {
            if idx >= n {
                0.0
            } else {
                (side[idx.abs_diff(h)] * scale) as f32
            }
        };
        let mut coeffs = vec![0.0f32; up * taps].into_boxed_slice();
        // Column by column: the prototype is read in order and the writes stay
        // within `up` cache lines per column (row by row, the reads stride
        // `up` taps apart and miss the cache and TLB on megabyte tables).
        for j in 0..taps {
            let base = (taps - 1 - j) * up;
            for p in 0..up {
                coeffs[p * taps + j] = proto(base + p);
            }
        }
        Table {
            up,
            down,
            taps,
            half,
            coeffs,
            spec,
        }
    }

    fn bytes(&self) -> usize {
        self.coeffs.len() * 4 + std::mem::size_of::<Table>()
    }
}

/// One polyphase resampler: any number of interleaved channels.
pub struct PolyCore {
    table: Arc<Table>,
    channels: usize,
    /// Channel-major histories, `cap` frames each.
    hist: Box<[f32]>,
    cap: usize,
    /// Frames in each history (the newest is at `filled − 1`).
    filled: usize,
    /// Phase `p` of the next output.
    phase: usize,
    /// Input frames still to write before the next output is due.
    need: usize,
    /// `M = step_q · L + step_r`.
    step_q: usize,
    step_r: usize,
    avx2: bool,
}

impl PolyCore {
    /// `up / down` is the reduced pair (`L / M`); the history fills
    /// [`HISTORY_BUDGET_BYTES`] per channel.
    pub fn new(up: u64, down: u64, spec: Spec, channels: usize) -> PolyCore {
        PolyCore::with_history_budget(up, down, spec, channels, HISTORY_BUDGET_BYTES)
    }

    /// [`PolyCore::new`] with a history of about `budget_bytes` per channel
    /// (at least `K − 1 + 64` frames): a cascade splits the budget between
    /// its stages.
    pub fn with_history_budget(
        up: u64,
        down: u64,
        spec: Spec,
        channels: usize,
        budget_bytes: usize,
    ) -> PolyCore {
        let table = table_for(up as usize, down as usize, spec);
        let k = table.taps;
        // Slack `B` frames: what fills the budget (≥ 64), so that a 10 ms push
        // is usually one run, whose outputs can share phase loads.
        let slack = (budget_bytes / 4).saturating_sub(k - 1).max(MIN_SLACK);
        let cap = k - 1 + slack;
        let (l, m) = (table.up, table.down);
        let mut core = PolyCore {
            hist: vec![0.0; cap * channels].into_boxed_slice(),
            cap,
            filled: 0,
            phase: 0,
            need: 1,
            step_q: m / l,
            step_r: m % l,
            channels,
            avx2: has_avx2_fma(),
            table,
        };
        // The history starts zeroed; `clear` would only zero it again.
        core.rewind();
        core
    }

    /// History bytes per channel of the smallest history (`K − 1 + 64` frames)
    /// for this design: what a cascade's wide stage takes from the budget.
    pub fn least_history_bytes(up: u64, down: u64, spec: Spec) -> usize {
        (spec.taps_per_phase(up, down) as usize - 1 + MIN_SLACK) * 4
    }

    /// Group delay in output frames: `H / M`.
    pub fn delay(&self) -> f64 {
        self.table.half as f64 / self.table.down as f64
    }

    /// Half-length `H` of the prototype (taps at `L · input_rate`).
    pub fn half_taps(&self) -> u64 {
        self.table.half
    }

    /// Whether batches pair phases that read the same windows ([`by_phase_pairs`]):
    /// in upsampling (M < L), in mono or stereo.
    fn pairs_phases(&self) -> bool {
        self.channels <= 2 && self.table.down < self.table.up
    }

    /// Forgets all history: `K − 1` frames of silence precede the next input.
    fn clear(&mut self) {
        self.hist.fill(0.0);
        self.rewind();
    }

    /// Back to the start of a history of zeros (which it does not write).
    fn rewind(&mut self) {
        self.filled = self.table.taps - 1;
        self.phase = 0;
        self.need = 1;
    }

    /// Silence frames per flush step (see [`flush_step_for`]).
    pub fn flush_step(&self) -> usize {
        flush_step_for(self.table.up as u64, self.table.down as u64)
    }

    /// Most output frames handed to the sink per call (`OUT_CHUNK` samples), or
    /// the output of [`BURST_INPUT_FRAMES`] input frames where that is more. The
    /// stream keeps an output buffer of two bursts between calls, so at high
    /// upsampling ratios (8 kHz → 768 kHz) this keeps room for a 10 ms push
    /// (the FFT core's block gave the same) instead of reallocating it.
    pub fn max_burst_frames(&self) -> usize {
        let per_frame = (self.table.up as u64).div_ceil(self.table.down as u64) as usize;
        (OUT_CHUNK / self.channels).max(per_frame * BURST_INPUT_FRAMES)
    }

    /// Most output frames feeding `frames` more input frames produces: the
    /// outputs due within them, `⌈(pending + frames) · L / M⌉` at most.
    pub fn max_output_frames(&self, frames: usize) -> usize {
        if frames < self.need {
            return 0;
        }
        let due = outputs_due(&self.table, self.phase, (frames - self.need) as u64);
        usize::try_from(due).unwrap_or(usize::MAX)
    }

    /// Heap bytes this instance holds: its history. Unlike
    /// `SharedFft::memory_bytes`, which counts its shared plan in full for each
    /// instance, the coefficient table is left out: it is one per configuration
    /// however many resamplers use it (and the cache keeps the 8 most recent
    /// alive after their last user), it can be megabytes (`L · K` up to
    /// [`MAX_TABLE_TAPS`]), and counting it in full per instance would report
    /// 10,000 live resamplers of one configuration as 10,000 tables. So this is
    /// what dropping the instance frees, and N live resamplers of one pair cost
    /// N × this plus one [`PolyCore::table_bytes`].
    pub fn memory_bytes(&self) -> usize {
        self.hist.len() * 4
    }

    /// Heap bytes of the shared coefficient table (once per configuration).
    pub fn table_bytes(&self) -> usize {
        self.table.bytes()
    }

    pub fn describe(&self) -> String {
        let t = &self.table;
        format!(
            "polyphase L {} M {} taps {} half {} ({}), shared table {:.1} KiB",
            t.up,
            t.down,
            t.taps,
            t.half,
            match t.spec {
                Spec::Kaiser {
                    pass,
                    stop: 1.0,
                    atten_db,
                } => format!("kaiser, pass {pass:.3}, {atten_db:.0} dB"),
                Spec::Kaiser {
                    pass,
                    stop,
                    atten_db,
                } => format!("kaiser, pass {pass:.3}, stop {stop:.3}, {atten_db:.0} dB"),
                Spec::Hann { taps, cutoff } => format!("hann, {taps} taps, cutoff {cutoff:.4}"),
            },
            self.table_bytes() as f64 / 1024.0
        )
    }

    /// Clears, then feeds `preroll` frames of silence, handing their outputs
    /// to `sink`. Silence into a history of zeros makes every output exactly
    /// 0.0, so none is computed (the stream trims them anyway): the pre-roll
    /// was most of the cost of building a 44.1k → 48k MEDIUM resampler, and
    /// each flush ends with one.
    pub fn restart(&mut self, preroll: usize, sink: &mut dyn Sink) {
        self.clear();
        if preroll > 0 {
            let silence = Source::Silence(preroll);
            STAGING.with_borrow_mut(|staging| feed_uncomputed(self, silence, sink, staging));
        }
    }

    /// Consumes all of `source`, handing every output frame that becomes due to `sink`.
    pub fn feed(&mut self, source: Source, sink: &mut dyn Sink) {
        if source.frames(self.channels) == 0 {
            return;
        }
        // The sinks (crate::stream) only convert and copy: no feed runs inside
        // another, so the staging is never borrowed twice.
        STAGING.with_borrow_mut(|staging| {
            #[cfg(target_arch = "x86_64")]
            if self.avx2 {
                // SAFETY: `avx2` is set only when the CPU has AVX2 and FMA.
                unsafe { feed_avx2(self, source, sink, staging) };
                return;
            }
            feed_impl::<Portable, true>(self, source, sink, staging);
        })
    }
}

/// Silence frames per flush step for a conversion of `up / down` output
/// frames per input frame: about 256 output frames' worth (at most 64 input
/// frames), so a flush computes few frames past the end.
pub fn flush_step_for(up: u64, down: u64) -> usize {
    let per_frame = up.div_ceil(down).min(256) as usize;
    (256 / per_frame).clamp(1, 64)
}

/// Outputs due when the next output's window end (phase `phase`) has been
/// reached and `beyond` more frames follow it: output `j` ends
/// `⌊(phase + j·M) / L⌋` frames after the next one's, so those with
/// `phase + j·M < (beyond + 1) · L` are due. The one rule behind
/// [`PolyCore::max_output_frames`] and the feed loop's batches.
fn outputs_due(table: &Table, phase: usize, beyond: u64) -> u128 {
    let room = (beyond as u128 + 1) * table.up as u128 - phase as u128;
    room.div_ceil(table.down as u128)
}

fn has_avx2_fma() -> bool {
    if cfg!(feature = "portable-kernel") {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Dot products of history windows with one phase, per instruction set.
///
/// Every window is reduced by the same sequence of operations whichever
/// function computes it (one window, two channels, or up to six windows at once), so
/// an output's bits do not depend on how outputs were grouped, hence on the
/// push sizes. Windows and phases are `K` long, `K` a multiple of 8.
trait Kernel {
    /// `N` windows against one phase.
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N];
    /// Two windows, each with its own phase (two outputs of a mono stream):
    /// interleaving them hides the latency of each one's accumulator chain.
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2];
    /// `N` windows, each against two phases (in upsampling, consecutive
    /// outputs often read the same window): each window is loaded once for
    /// both, which is what makes it faster than [`Kernel::dot`] twice.
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N];
}

struct Portable;

impl Portable {
    /// 16 lanes (two 8-tap halves), then the lanes summed pairwise.
    #[inline(always)]
    fn dot1(w: &[f32], c: &[f32]) -> f32 {
        const W: usize = 16;
        let n = w.len().min(c.len());
        let mut acc = [0.0f32; W];
        let mut j = 0;
        while j + W <= n {
            let (x, y) = (&w[j..j + W], &c[j..j + W]);
            for i in 0..W {
                acc[i] += x[i] * y[i];
            }
            j += W;
        }
        if j + 8 <= n {
            let (x, y) = (&w[j..j + 8], &c[j..j + 8]);
            for i in 0..8 {
                acc[i] += x[i] * y[i];
            }
        }
        let mut v = [0.0f32; 8];
        for i in 0..8 {
            v[i] = acc[i] + acc[i + 8];
        }
        let v4 = [v[0] + v[4], v[1] + v[5], v[2] + v[6], v[3] + v[7]];
        (v4[0] + v4[2]) + (v4[1] + v4[3])
    }
}

impl Kernel for Portable {
    #[inline(always)]
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
        w.map(|w| Portable::dot1(w, c))
    }

    #[inline(always)]
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
        [Portable::dot1(w[0], c[0]), Portable::dot1(w[1], c[1])]
    }

    #[inline(always)]
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
        w.map(|w| [Portable::dot1(w, c[0]), Portable::dot1(w, c[1])])
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx2;

/// `N` windows against one phase: two accumulators per window (taps
/// `16t..16t+8` and `16t+8..16t+16`, then a last half block into the first),
/// summed and reduced horizontally. Loading the phase once for `N` windows is
/// what makes `N > 1` faster: the single dot product is bound by loads.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dot_n<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
    use std::arch::x86_64::*;
    let n = w.iter().fold(c.len(), |n, w| n.min(w.len()));
    // SAFETY: only reached from `feed_avx2` (AVX2 and FMA present); every load
    // reads 8 floats at an offset j with j + 8 ≤ n ≤ the length of each slice.
    unsafe {
        let pc = c.as_ptr();
        let pw = w.map(|w| w.as_ptr());
        let mut a0 = [_mm256_setzero_ps(); N];
        let mut a1 = [_mm256_setzero_ps(); N];
        let mut j = 0;
        while j + 16 <= n {
            let c0 = _mm256_loadu_ps(pc.add(j));
            let c1 = _mm256_loadu_ps(pc.add(j + 8));
            for k in 0..N {
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
                a1[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j + 8)), c1, a1[k]);
            }
            j += 16;
        }
        if j + 8 <= n {
            let c0 = _mm256_loadu_ps(pc.add(j));
            for k in 0..N {
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
            }
        }
        hsum_n(std::array::from_fn(|k| _mm256_add_ps(a0[k], a1[k])))
    }
}

#[cfg(target_arch = "x86_64")]
impl Kernel for Avx2 {
    #[inline(always)]
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
        dot_n(w, c)
    }

    #[inline(always)]
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
        dot_sep(w, c)
    }

    #[inline(always)]
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
        dot_2p(w, c)
    }
}

/// [`dot_n`]'s two accumulators per output, for `N` windows × two phases: one
/// pass adds the first half of every 16-tap block (and the last half block),
/// a second pass the second halves, each in [`dot_n`]'s order, so every
/// output has its bits. In two passes, `2N` accumulators fit the registers
/// and each load of a window feeds two multiply-adds.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dot_2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
    use std::arch::x86_64::*;
    let n = w.iter().chain(&c).fold(usize::MAX, |n, s| n.min(s.len()));
    // SAFETY: only reached from `feed_avx2` (AVX2 and FMA present); every load
    // reads 8 floats at an offset j with j + 8 ≤ n ≤ the length of each slice.
    unsafe {
        let pc = c.map(|c| c.as_ptr());
        let pw = w.map(|w| w.as_ptr());
        let mut acc = [[[_mm256_setzero_ps(); 2]; N]; 2];
        for (half, acc) in acc.iter_mut().enumerate() {
            let mut j = 8 * half;
            while j + 8 <= n {
                let c0 = _mm256_loadu_ps(pc[0].add(j));
                let c1 = _mm256_loadu_ps(pc[1].add(j));
                for k in 0..N {
                    let x = _mm256_loadu_ps(pw[k].add(j));
                    acc[k][0] = _mm256_fmadd_ps(x, c0, acc[k][0]);
                    acc[k][1] = _mm256_fmadd_ps(x, c1, acc[k][1]);
                }
                j += 16;
            }
        }
        let mut out = [[0.0f32; 2]; N];
        for k in 0..N {
            out[k] = hsum_n([
                _mm256_add_ps(acc[0][k][0], acc[1][k][0]),
                _mm256_add_ps(acc[0][k][1], acc[1][k][1]),
            ]);
        }
        out
    }
}

/// [`dot_n`] with one phase per window: the same operations per window.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dot_sep<const N: usize>(w: [&[f32]; N], c: [&[f32]; N]) -> [f32; N] {
    use std::arch::x86_64::*;
    let n = w.iter().chain(&c).fold(usize::MAX, |n, s| n.min(s.len()));
    // SAFETY: only reached from `feed_avx2` (AVX2 and FMA present); every load
    // reads 8 floats at an offset j with j + 8 ≤ n ≤ the length of each slice.
    unsafe {
        let pc = c.map(|c| c.as_ptr());
        let pw = w.map(|w| w.as_ptr());
        let mut a0 = [_mm256_setzero_ps(); N];
        let mut a1 = [_mm256_setzero_ps(); N];
        let mut j = 0;
        while j + 16 <= n {
            for k in 0..N {
                let c0 = _mm256_loadu_ps(pc[k].add(j));
                let c1 = _mm256_loadu_ps(pc[k].add(j + 8));
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
                a1[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j + 8)), c1, a1[k]);
            }
            j += 16;
        }
        if j + 8 <= n {
            for k in 0..N {
                let c0 = _mm256_loadu_ps(pc[k].add(j));
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
            }
        }
        hsum_n(std::array::from_fn(|k| _mm256_add_ps(a0[k], a1[k])))
    }
}

/// The lanes of each vector summed as [`hsum256`] sums them, four vectors at
/// a time: the same additions of the same pairs (so the same bits), with the
/// shuffles shared. A horizontal sum per output was about a tenth of a QUICK
/// stereo push.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn hsum_n<const N: usize>(v: [std::arch::x86_64::__m256; N]) -> [f32; N] {
    use std::arch::x86_64::*;
    let mut out = [0.0f32; N];
    let mut k = 0;
    while k + 4 <= N {
        let ab = hsum_pair(fold_halves(v[k]), fold_halves(v[k + 1]));
        let cd = hsum_pair(fold_halves(v[k + 2]), fold_halves(v[k + 3]));
        _mm_storeu_ps(out.as_mut_ptr().add(k), hsum_final(ab, cd));
        k += 4;
    }
    if k + 2 <= N {
        let ab = hsum_pair(fold_halves(v[k]), fold_halves(v[k + 1]));
        let mut r = [0.0f32; 4];
        _mm_storeu_ps(r.as_mut_ptr(), hsum_final(ab, ab));
        out[k..k + 2].copy_from_slice(&r[..2]);
        k += 2;
    }
    if k < N {
        out[k] = hsum256(v[k]);
    }
    out
}

/// `[v₀ + v₄, v₁ + v₅, v₂ + v₆, v₃ + v₇]`: the first step of [`hsum256`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn fold_halves(v: std::arch::x86_64::__m256) -> std::arch::x86_64::__m128 {
    use std::arch::x86_64::*;
    _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
}

/// `[a₀ + a₂, a₁ + a₃, b₀ + b₂, b₁ + b₃]`: the second step of [`hsum256`], for two vectors.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn hsum_pair(
    a: std::arch::x86_64::__m128,
    b: std::arch::x86_64::__m128,
) -> std::arch::x86_64::__m128 {
    use std::arch::x86_64::*;
    _mm_add_ps(
        _mm_shuffle_ps(a, b, 0b01_00_01_00),
        _mm_shuffle_ps(a, b, 0b11_10_11_10),
    )
}

/// `[p₀ + p₁, p₂ + p₃, q₀ + q₁, q₂ + q₃]`: the last step of [`hsum256`], for
/// four vectors paired by [`hsum_pair`] into `p` and `q`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn hsum_final(
    p: std::arch::x86_64::__m128,
    q: std::arch::x86_64::__m128,
) -> std::arch::x86_64::__m128 {
    use std::arch::x86_64::*;
    _mm_add_ps(
        _mm_shuffle_ps(p, q, 0b10_00_10_00),
        _mm_shuffle_ps(p, q, 0b11_01_11_01),
    )
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn hsum256(v: std::arch::x86_64::__m256) -> f32 {
    use std::arch::x86_64::*;
    let lo = _mm256_castps256_ps128(v);
    let hi = _mm256_extractf128_ps(v, 1);
    let s = _mm_add_ps(lo, hi);
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    _mm_cvtss_f32(s)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn feed_avx2(
    core: &mut PolyCore,
    source: Source,
    sink: &mut dyn Sink,
    staging: &mut Staging,
) {
    feed_impl::<Avx2, true>(core, source, sink, staging)
}

/// [`feed_impl`] for silence into a history of zeros, its outputs not computed;
/// out of line, so the hot path's code does not change around it.
#[inline(never)]
fn feed_uncomputed(
    core: &mut PolyCore,
    source: Source,
    sink: &mut dyn Sink,
    staging: &mut Staging,
) {
    feed_impl::<Portable, false>(core, source, sink, staging)
}

/// Outputs computed per batch.
const BATCH: usize = 512;

/// The feed loop: writes input frames into the histories in runs, then computes
/// the outputs that become due within the run, a batch at a time, grouped by
/// phase: outputs `r, r+L, r+2L, r+3L` of a batch share phase `(p₀ + r·M) mod L`
/// and their windows end `M` frames apart, so the schedule is arithmetic (no
/// per-output list, no division per group). Four, three or two outputs of one
/// phase are computed together (in stereo, with both channels: up to six
/// windows per load of the phase); in upsampling, two phases that read the
/// same windows are computed together ([`Kernel::dot2p`]); outputs alone in
/// their phase are paired (mono: two outputs, stereo: two channels). Without
/// `COMPUTE`, for silence into a history of zeros, each output is the exact 0.0
/// it would come to.
#[inline(always)]
fn feed_impl<K: Kernel, const COMPUTE: bool>(
    core: &mut PolyCore,
    source: Source,
    sink: &mut dyn Sink,
    staging: &mut Staging,
) {
    let ch = core.channels;
    let (k, up, down, cap) = (core.table.taps, core.table.up, core.table.down, core.cap);
    let total = source.frames(ch);
    let per_in = IN_CHUNK / ch;
    let batch = BATCH.min(OUT_CHUNK / ch);
    let Staging {
        input: inbuf,
        output: outbuf,
    } = staging;
    let mut done = 0;
    while done < total {
        let n = (total - done).min(per_in);
        source.write_f32(done, ch, &mut inbuf[..n * ch]);
        let mut f = 0;
        while f < n {
            let rest = n - f;
            // Keep the newest K − 1 frames, at the start: when the buffer is
            // full, or earlier if the rest of this chunk then fits in one run
            // (a run cut in two also cuts its batch, so fewer outputs share
            // each load of a phase).
            if core.filled == cap || (core.filled + rest > cap && k - 1 + rest <= cap) {
                let keep_from = core.filled + 1 - k;
                for c in 0..ch {
                    let base = c * cap;
                    core.hist
                        .copy_within(base + keep_from..base + core.filled, base);
                }
                core.filled = k - 1;
            }
            let run = rest.min(cap - core.filled);
            write_run(core, &inbuf[f * ch..(f + run) * ch]);
            // Window end (exclusive, in the history) of the next output.
            let mut next = core.filled + core.need;
            core.filled += run;
            f += run;
            while next <= core.filled {
                let due = outputs_due(&core.table, core.phase, (core.filled - next) as u64);
                let count = due.min(batch as u128) as usize;
                if COMPUTE {
                    compute_batch::<K>(core, next, count, outbuf);
                } else {
                    outbuf[..count * ch].fill(0.0);
                }
                sink.accept(&outbuf[..count * ch]);
                let pos = core.phase as u64 + count as u64 * down as u64;
                next += (pos / up as u64) as usize;
                core.phase = (pos % up as u64) as usize;
            }
            core.need = next - core.filled;
        }
        done += n;
    }
}

/// Appends interleaved frames to the channel-major histories.
#[inline(always)]
fn write_run(core: &mut PolyCore, src: &[f32]) {
    let (ch, cap, at) = (core.channels, core.cap, core.filled);
    let run = src.len() / ch;
    if ch == 1 {
        core.hist[at..at + run].copy_from_slice(src);
        return;
    }
    if ch == 2 {
        // Both channels in one pass over whole frames, which the compiler
        // vectorises (a loop per channel over a runtime stride it does not).
        let (left, right) = core.hist.split_at_mut(cap);
        let pairs = left[at..at + run].iter_mut().zip(&mut right[at..at + run]);
        for ((l, r), frame) in pairs.zip(src.chunks_exact(2)) {
            (*l, *r) = (frame[0], frame[1]);
        }
        return;
    }
    for c in 0..ch {
        let dst = &mut core.hist[c * cap + at..c * cap + at + run];
        for (d, frame) in dst.iter_mut().zip(src.chunks_exact(ch)) {
            *d = frame[c];
        }
    }
}

/// What the functions computing one batch read: the histories and the table.
/// (Plain functions rather than closures: a closure would not inherit
/// `feed_avx2`'s target features, and its kernels would not be inlined.)
struct BatchView<'a> {
    hist: &'a [f32],
    coeffs: &'a [f32],
    taps: usize,
    cap: usize,
    ch: usize,
    up: usize,
    down: usize,
    /// `M = step_q · L + step_r`.
    step_q: usize,
    step_r: usize,
}

/// A mono output alone in its phase, waiting for a partner ([`Kernel::dot1x2`]):
/// its index, window end and phase.
type Pending = Option<(usize, usize, usize)>;

impl BatchView<'_> {
    /// Channel `c`'s window ending (exclusive) at `end`.
    #[inline(always)]
    fn window(&self, c: usize, end: usize) -> &[f32] {
        &self.hist[c * self.cap + end - self.taps..c * self.cap + end]
    }

    #[inline(always)]
    fn phase(&self, p: usize) -> &[f32] {
        &self.coeffs[p * self.taps..(p + 1) * self.taps]
    }

    /// The phase and window end of the output after the one with `p` and `end`.
    #[inline(always)]
    fn next(&self, p: usize, end: usize) -> (usize, usize) {
        let (p, end) = (p + self.step_r, end + self.step_q);
        if p >= self.up {
            (p - self.up, end + 1)
        } else {
            (p, end)
        }
    }
}

/// Computes `count` outputs starting with the next one (phase `core.phase`,
/// window ending at `first_end`) into `outbuf`, interleaved.
#[inline(always)]
fn compute_batch<K: Kernel>(core: &PolyCore, first_end: usize, count: usize, outbuf: &mut [f32]) {
    let table = &*core.table;
    let v = BatchView {
        hist: &core.hist,
        coeffs: &table.coeffs,
        taps: table.taps,
        cap: core.cap,
        ch: core.channels,
        up: table.up,
        down: table.down,
        step_q: core.step_q,
        step_r: core.step_r,
    };
    let mut pending: Pending = None;
    if core.pairs_phases() {
        by_phase_pairs::<K>(&v, core.phase, first_end, count, &mut pending, outbuf);
    } else {
        by_phase::<K>(&v, core.phase, first_end, count, &mut pending, outbuf);
    }
    if let Some((q0, e0, p0)) = pending {
        outbuf[q0] = K::dot::<1>([v.window(0, e0)], v.phase(p0))[0];
    }
}

/// The outputs below `count` one phase at a time: output `r` (phase `p`,
/// window ending at `end`) and `r + L, r + 2L, …` with it.
#[inline(always)]
fn by_phase<K: Kernel>(
    v: &BatchView,
    mut p: usize,
    mut end: usize,
    count: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    for r in 0..v.up.min(count) {
        run_phase::<K>(v, r, end, p, count, pending, outbuf);
        (p, end) = v.next(p, end);
    }
}

/// [`by_phase`] for upsampling (M < L) in mono or stereo
/// ([`PolyCore::pairs_phases`]). Output r + 1 has phase p + M and reads output
/// r's window; if p + M ≥ L it has phase p + M − L and reads the next window,
/// which for M = 1 is output r + L's. Outputs r + i·L and r + 1 + i·L then
/// read the same window for every i, so the two phases are computed together,
/// each window load serving both.
#[inline(always)]
fn by_phase_pairs<K: Kernel>(
    v: &BatchView,
    mut p: usize,
    mut end: usize,
    count: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    let (up, down) = (v.up, v.down);
    let first_phases = up.min(count);
    let mut r = 0;
    while r < first_phases {
        let (pb, eb) = v.next(p, end);
        if !(r + 1 < first_phases && (eb == end || down == 1)) {
            run_phase::<K>(v, r, end, p, count, pending, outbuf);
            (p, end) = (pb, eb);
            r += 1;
            continue;
        }
        // Outputs qa + i·L (phase p) and qb + i·L (phase pb) read the window
        // ending at eb + i·M.
        let qb = r + 1;
        let qa = if eb == end {
            r
        } else {
            run_phase::<K>(v, r, end, p, r + 1, pending, outbuf);
            r + up
        };
        let both = qa.max(qb);
        let pairs = if both < count {
            (count - both).div_ceil(up)
        } else {
            0
        };
        if v.ch == 1 {
            run_phase_pair::<K, 1>(v, [qa, qb], [p, pb], eb, pairs, outbuf);
        } else {
            run_phase_pair::<K, 2>(v, [qa, qb], [p, pb], eb, pairs, outbuf);
        }
        // An output of either phase left after the last pair.
        let e = eb + pairs * down;
        run_phase::<K>(v, qa + pairs * up, e, p, count, pending, outbuf);
        run_phase::<K>(v, qb + pairs * up, e, pb, count, pending, outbuf);
        (p, end) = v.next(pb, eb);
        r += 2;
    }
}

/// Outputs `q, q + L, …` below `limit`, of phase `p`, windows ending `e, e + M, …`.
#[inline(always)]
fn run_phase<K: Kernel>(
    v: &BatchView,
    mut q: usize,
    mut e: usize,
    p: usize,
    limit: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    let (ch, up, down) = (v.ch, v.up, v.down);
    let coeffs = v.phase(p);
    while q < limit {
        let g = 1
            + (q + up < limit) as usize
            + (q + 2 * up < limit) as usize
            + (q + 3 * up < limit) as usize;
        if g == 1 {
            if ch == 1 {
                match pending.take() {
                    Some((q0, e0, p0)) => {
                        let y = K::dot1x2([v.window(0, e0), v.window(0, e)], [v.phase(p0), coeffs]);
                        outbuf[q0] = y[0];
                        outbuf[q] = y[1];
                    }
                    None => *pending = Some((q, e, p)),
                }
            } else {
                let out = &mut outbuf[q * ch..(q + 1) * ch];
                let mut c = 0;
                while c + 2 <= ch {
                    let y = K::dot::<2>([v.window(c, e), v.window(c + 1, e)], coeffs);
                    out[c..c + 2].copy_from_slice(&y);
                    c += 2;
                }
                if c < ch {
                    out[c] = K::dot::<1>([v.window(c, e)], coeffs)[0];
                }
            }
        } else if ch == 2 && g <= 3 {
            // Both channels of g outputs against one load of the phase.
            let w = |i: usize, c: usize| v.window(c, e + i * down);
            let y: &[f32] = match g {
                3 => &K::dot::<6>(
                    [w(0, 0), w(0, 1), w(1, 0), w(1, 1), w(2, 0), w(2, 1)],
                    coeffs,
                ),
                _ => &K::dot::<4>([w(0, 0), w(0, 1), w(1, 0), w(1, 1)], coeffs),
            };
            for i in 0..g {
                let at = (q + i * up) * 2;
                outbuf[at..at + 2].copy_from_slice(&y[2 * i..2 * i + 2]);
            }
        } else {
            for c in 0..ch {
                let w = |i: usize| v.window(c, e + i * down);
                let y: &[f32] = match g {
                    4 => &K::dot::<4>([w(0), w(1), w(2), w(3)], coeffs),
                    3 => &K::dot::<3>([w(0), w(1), w(2)], coeffs),
                    _ => &K::dot::<2>([w(0), w(1)], coeffs),
                };
                for (i, y) in y.iter().enumerate() {
                    outbuf[(q + i * up) * ch + c] = *y;
                }
            }
        }
        q += g * up;
        e += g * down;
    }
}

/// `pairs` outputs of each of two phases that read the same windows, for
/// `CH` (1 or 2) channels: outputs `q[0] + i·L` (phase `p[0]`) and `q[1] + i·L` (phase
/// `p[1]`) both read the window ending at `e + i·M`.
#[inline(always)]
fn run_phase_pair<K: Kernel, const CH: usize>(
    v: &BatchView,
    q: [usize; 2],
    p: [usize; 2],
    e: usize,
    pairs: usize,
    outbuf: &mut [f32],
) {
    let (up, down) = (v.up, v.down);
    let c = [v.phase(p[0]), v.phase(p[1])];
    let mut put = |i: usize, c: usize, y: [f32; 2]| {
        outbuf[(q[0] + i * up) * CH + c] = y[0];
        outbuf[(q[1] + i * up) * CH + c] = y[1];
    };
    // Up to four windows per call: four window ends in mono, two in stereo.
    let mut i = 0;
    while i < pairs {
        let n = ((pairs - i) * CH).min(4);
        let w = |j: usize| v.window(j % CH, e + (i + j / CH) * down);
        let y: &[[f32; 2]] = match n {
            4 => &K::dot2p::<4>([w(0), w(1), w(2), w(3)], c),
            3 => &K::dot2p::<3>([w(0), w(1), w(2)], c),
            2 => &K::dot2p::<2>([w(0), w(1)], c),
            _ => &K::dot2p::<1>([w(0)], c),
        };
        for (j, y) in y.iter().enumerate() {
            put(i + j / CH, j % CH, *y);
        }
        i += n / CH;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{same_bits, test_signal, Collect};

    const MEDIUM: Spec = Spec::Kaiser {
        pass: 0.936,
        stop: 1.0,
        atten_db: 126.0,
    };
    const MEDIUM_DB: f64 = 126.0;
    const MEDIUM_PASS: f64 = 0.936;

    /// Magnitude response of the prototype (all phases) at `f` cycles per tap.
    fn response(t: &Table, f: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for p in 0..t.up {
            for j in 0..t.taps {
                let n = (p + (t.taps - 1 - j) * t.up) as f64;
                let c = t.coeffs[p * t.taps + j] as f64;
                re += c * (std::f64::consts::TAU * f * n).cos();
                im -= c * (std::f64::consts::TAU * f * n).sin();
            }
        }
        re.hypot(im) / t.up as f64
    }

    #[test]
    fn prototype_meets_its_spec() {
        for (up, down) in [(1u64, 3u64), (3, 1), (160, 147), (1, 6)] {
            let t = Table::design(up as usize, down as usize, MEDIUM);
            let nyq = 0.5 / up.max(down) as f64;
            let db = |f: f64| 20.0 * response(&t, f).log10();
            for frac in [0.0, 0.3, 0.6, 0.9, MEDIUM_PASS] {
                assert!(
                    db(frac * nyq).abs() < 1e-3,
                    "{up}/{down} at {frac}: {}",
                    db(frac * nyq)
                );
            }
            // The stopband from the lower Nyquist on, densely near its start
            // (the first sidelobes are the highest).
            let mut frac = 1.0;
            while frac * nyq < 0.5 && frac < 4.0 {
                let f = frac * nyq;
                assert!(db(f) <= -MEDIUM_DB, "{up}/{down} at {frac}: {}", db(f));
                frac += if frac < 1.05 { 0.0005 } else { 0.01 };
            }
        }
    }

    /// `taps_per_phase` leaves out a Hann prototype's tap at `+H`: it must be
    /// exactly zero, so the table holds every nonzero tap.
    #[test]
    fn hann_tables_drop_only_a_zero_tap() {
        let quick = Spec::Hann {
            taps: 40,
            cutoff: 0.9,
        };
        for (up, down) in [(160u64, 147u64), (147, 160), (3, 1), (1, 3), (2, 3)] {
            let side = quick.half_prototype(up, down);
            let half = quick.half_taps(up, down);
            assert_eq!(side.len() as u64, half + 1);
            assert_eq!(side[half as usize], 0.0, "{up}/{down}");
            assert_ne!(side[half as usize - 1], 0.0, "{up}/{down}");
            assert!(quick.taps_per_phase(up, down) * up >= 2 * half);
        }
    }

    /// Every push split gives the same output bits, with either kernel.
    #[test]
    fn output_does_not_depend_on_the_split() {
        for (up, down, ch) in [
            (1u64, 3u64, 1usize),
            (2, 1, 1),
            (2, 1, 2),
            (3, 2, 1),
            (160, 147, 1),
            (3, 1, 1),
            (3, 1, 2),
            (160, 147, 2),
            (147, 160, 3),
        ] {
            let x = test_signal(4000 * ch);
            let run = |sizes: &[usize]| {
                let mut core = PolyCore::new(up, down, MEDIUM, ch);
                let mut out = Collect(Vec::new());
                let mut at = 0;
                let mut i = 0;
                while at < 4000 {
                    let n = sizes[i % sizes.len()].min(4000 - at);
                    core.feed(Source::F32(&x[at * ch..(at + n) * ch]), &mut out);
                    at += n;
                    i += 1;
                }
                out.0
            };
            let whole = run(&[4000]);
            assert_eq!(
                whole.len(),
                (4000 * up as usize).div_ceil(down as usize) * ch
            );
            for sizes in [&[1usize][..], &[7, 160, 3], &[441, 1]] {
                let split = run(sizes);
                assert!(same_bits(&whole, &split), "{up}/{down} x{ch} {sizes:?}");
                assert_eq!(whole.len(), split.len());
            }
        }
    }

    /// `restart`'s uncomputed pre-roll leaves the same state and outputs, to
    /// the bit, as clearing and feeding the silence: after construction and
    /// after a signal.
    #[test]
    fn restart_matches_computed_preroll() {
        for (up, down, ch) in [(1u64, 3u64, 1usize), (160, 147, 2), (147, 160, 1)] {
            let x = test_signal(900 * ch);
            let run = |skip: bool| {
                let mut core = PolyCore::new(up, down, MEDIUM, ch);
                let mut out = Collect(Vec::new());
                for preroll in [333, 0, 334] {
                    if skip {
                        core.restart(preroll, &mut out);
                    } else {
                        core.clear();
                        core.feed(Source::Silence(preroll), &mut out);
                    }
                    core.feed(Source::F32(&x), &mut out);
                    core.feed(Source::Silence(300), &mut out);
                }
                out.0
            };
            let (skipped, computed) = (run(true), run(false));
            assert_eq!(skipped.len(), computed.len());
            assert!(same_bits(&skipped, &computed), "{up}/{down} x{ch}");
        }
    }

    /// Each kernel computes a window with the same bits alone, beside another
    /// channel or among four outputs (so grouping never changes the output), and
    /// close to the exact dot product.
    #[test]
    fn kernels_are_accurate_and_grouping_invariant() {
        let w: Vec<f32> = (0..400)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let c: Vec<f32> = (0..304)
            .map(|i| ((i * 53 % 97) as f32 - 48.0) / 97.0)
            .collect();
        fn check<K: Kernel>(w: &[f32], c: &[f32]) {
            for n in [0usize, 8, 16, 24, 32, 40, 296, 304] {
                let c = &c[..n];
                let win = |o: usize| &w[o..o + n];
                let exact = |o: usize| -> f64 {
                    win(o)
                        .iter()
                        .zip(c)
                        .map(|(a, b)| *a as f64 * *b as f64)
                        .sum()
                };
                let one: Vec<f32> = (0..4).map(|o| K::dot::<1>([win(o * 3)], c)[0]).collect();
                for (o, y) in one.iter().enumerate() {
                    assert!((*y as f64 - exact(o * 3)).abs() < 1e-4, "n {n} o {o}");
                }
                let six = K::dot::<6>([win(0), win(0), win(3), win(3), win(6), win(6)], c);
                let four = K::dot::<4>([win(0), win(3), win(6), win(9)], c);
                let three = K::dot::<3>([win(3), win(6), win(9)], c);
                let two = K::dot::<2>([win(6), win(9)], c);
                let sep = K::dot1x2([win(3), win(6)], [c, c]);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                // Against two phases: the second is the first reversed.
                let r: Vec<f32> = c.iter().rev().copied().collect();
                let one_r: Vec<f32> = (0..4).map(|o| K::dot::<1>([win(o * 3)], &r)[0]).collect();
                let both: Vec<f32> = one.iter().zip(&one_r).flat_map(|(a, b)| [*a, *b]).collect();
                let two_p = K::dot2p::<4>([win(0), win(3), win(6), win(9)], [c, &r]);
                assert_eq!(bits(two_p.as_flattened()), bits(&both), "n {n}");
                let three_p = K::dot2p::<3>([win(3), win(6), win(9)], [c, &r]);
                assert_eq!(bits(three_p.as_flattened()), bits(&both[2..]), "n {n}");
                let one_p = K::dot2p::<1>([win(9)], [c, &r]);
                assert_eq!(bits(one_p.as_flattened()), bits(&both[6..]), "n {n}");
                assert_eq!(bits(&four), bits(&one), "n {n}");
                let pairs: Vec<f32> = one[..3].iter().flat_map(|y| [*y, *y]).collect();
                assert_eq!(bits(&six), bits(&pairs), "n {n}");
                assert_eq!(bits(&three), bits(&one[1..]), "n {n}");
                assert_eq!(bits(&two), bits(&one[2..]), "n {n}");
                assert_eq!(bits(&sep), bits(&one[1..3]), "n {n}");
            }
        }
        check::<Portable>(&w, &c);
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            check::<Avx2>(&w, &c);
        }
    }

    #[test]
    fn max_output_frames_is_exact_per_feed() {
        for (up, down) in [
            (1u64, 3u64),
            (3, 1),
            (160, 147),
            (147, 160),
            (96, 1),
            (1, 96),
        ] {
            let mut core = PolyCore::new(up, down, MEDIUM, 1);
            let x = vec![0.25f32; 1000];
            for n in [0usize, 1, 2, 5, 100, 441, 999] {
                let bound = core.max_output_frames(n);
                let mut out = Collect(Vec::new());
                core.feed(Source::F32(&x[..n]), &mut out);
                assert_eq!(out.0.len(), bound, "{up}/{down} n {n}");
            }
        }
    }

    #[test]
    fn tables_are_shared() {
        let a = PolyCore::new(3, 1, MEDIUM, 1);
        let b = PolyCore::new(3, 1, MEDIUM, 2);
        assert!(Arc::ptr_eq(&a.table, &b.table));
        let c = PolyCore::new(1, 3, MEDIUM, 1);
        assert!(!Arc::ptr_eq(&a.table, &c.table));
    }
}
