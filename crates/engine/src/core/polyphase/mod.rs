//! Rational polyphase FIR resampling (`L/M` from [`RatePair`](crate::rate::RatePair)),
//! with the coefficient table shared between instances.
//!
//! The prototype has `2·H + 1` taps at the rate `L · input_rate`, designed
//! from a [`Spec`] (`crate::design::spec`: equiripple or windowed sinc), so the
//! audio held back is `H / (L · input_rate)` seconds. Output `m` sits at `m · M` on
//! the `L · input_rate` grid: its newest input frame is `i = ⌊m·M / L⌋` and its phase
//! `p = m·M − i·L`, stepped with integers, so the output depends only on the input
//! samples (bit-identical for any push split) and the group delay is exactly
//! `H / M` output frames.
//!
//! State is split in two:
//!
//! * immutable per configuration (`L`, `M`, spec): the `L` phases of `K` taps,
//!   each stored oldest-tap-first, built once and shared ([`table`]);
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
//! Dot products run in AVX2 + FMA when the CPU has them (chosen at run time, the
//! whole feed loop compiled for it), else in portable code with 16 independent
//! lanes that the compiler vectorises ([`kernels`]). A
//! single dot product is bound by loads (two per FMA), so outputs that share a
//! phase are computed together, loading the phase once: up to four outputs
//! `m, m+L, m+2L, m+3L` where a run of input holds them (every output when
//! `L = 1`, integer downsampling; three per phase in a 10 ms push at 44.1k →
//! 48k, where this also cuts the traffic from a table that outgrows L1; in
//! stereo, two or three outputs with both channels, six windows per load),
//! else the channels two by two (or, in mono, two outputs interleaved, which
//! hides the latency of each FMA chain). Where consecutive outputs have
//! different phases (`L ≥ 2`, `M ≥ 2`), the table pads each phase with 8 zero
//! taps so that pairs of them read one window ([`table::Role`]): each window
//! load then serves two phases, 1.3–1.9× the speed at 24k → 16k and 44.1k ↔
//! 48k. A single long phase in decimation (`L = 1`) is stored once more
//! between zeros, so that outputs `q` and `q + 16/gcd(M, 16)` share each
//! window load the same way ([`Table::lagged`]; AVX-512, 1.2–1.6×). The
//! zeros change no bit: they add exact zeros, and the lanes they shift are
//! summed in a rotation-invariant tree. Which outputs share a phase is
//! arithmetic (outputs `r + i·L` of a batch, windows `M` frames apart), so no
//! per-output schedule is listed ([`schedule`]). Measured on 48k → 16k MEDIUM (7.4 → 4.9 µs
//! per 10 ms push), this beat folding the symmetric `L = 1` phase
//! (`c[j] · (w[j] + w[K−1−j])`, half the multiplies but three loads per eight
//! of them and a lane reversal), which is therefore not done.

pub(crate) mod kernels;
mod schedule;
mod table;

use std::sync::Arc;

use crate::core::io::{Sink, Source};
use crate::design::spec::Spec;
use kernels::Isa;
use table::{table_for, Table, PAIR_PAD};

/// History bytes per channel (see the module comment): with the stream's own
/// state and output buffer, a live mono MEDIUM resampler takes ≤ 8 KiB at every
/// common pair (`tests/latency.rs`).
pub const HISTORY_BUDGET_BYTES: usize = 6656;

/// The longest phases computed as runs of windows ([`PolyCore::runs_of_windows`]).
pub(super) const RUN_MAX_TAPS: usize = 64;
/// Least slack `B` of a history, frames.
const MIN_SLACK: usize = 64;
/// See [`PolyCore::max_burst_frames`].
const BURST_INPUT_FRAMES: usize = 256;

/// One polyphase resampler: any number of interleaved channels.
pub struct PolyCore {
    pub(super) table: Arc<Table>,
    pub(super) channels: usize,
    /// Channel-major histories, `cap` frames each, then (in a paired table)
    /// [`PAIR_PAD`] frames of zeros, so that a last channel's window may
    /// reach past its end ([`table::Role`]). Every sample is finite.
    pub(super) hist: Box<[f32]>,
    pub(super) cap: usize,
    /// Frames in each history (the newest is at `filled − 1`).
    pub(super) filled: usize,
    /// Phase `p` of the next output.
    pub(super) phase: usize,
    /// Input frames still to write before the next output is due.
    pub(super) need: usize,
    /// `M = step_q · L + step_r`.
    pub(super) step_q: usize,
    pub(super) step_r: usize,
    /// The kernels' instruction set.
    isa: Isa,
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
        let beyond = if table.paired() { PAIR_PAD } else { 0 };
        let mut core = PolyCore {
            hist: vec![0.0; cap * channels + beyond].into_boxed_slice(),
            cap,
            filled: 0,
            phase: 0,
            need: 1,
            step_q: m / l,
            step_r: m % l,
            channels,
            isa: Isa::Portable,
            table,
        };
        core.isa = Isa::for_core(core.avx512_pays());
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

    /// Where the AVX-512 kernel measured faster than AVX2 (preset_cost,
    /// docs/decisions/avx512-kernel.md): phases of at least 64 taps, four
    /// 16-lane blocks, and short phases computed as runs (16 outputs per
    /// vector). Other short phases (QUICK's 40 taps at 44.1k → 48k) are one
    /// or two blocks and a masked tail per window, and measured 0.85–1.0× AVX2.
    fn avx512_pays(&self) -> bool {
        self.table.taps >= 64 || self.runs_of_windows()
    }

    /// Whether batches pair phases that read the same windows, in mono or
    /// stereo: as the table's roles say (`schedule::by_pairs`), or in
    /// upsampling (M < L) with an unpaired table, where they happen to
    /// (`schedule::by_phase_pairs`).
    pub(super) fn pairs_phases(&self) -> bool {
        self.channels <= 2 && (self.table.paired() || self.table.down < self.table.up)
    }

    /// Whether each phase's outputs in a batch are one run of windows, for a
    /// kernel that computes runs (`Kernel::dot_run`): windows one frame apart
    /// in integer upsampling (M = 1), two apart in decimation by 2 with one
    /// phase (L = 1), with phases of at most [`RUN_MAX_TAPS`] taps, where the
    /// work around each output costs more than its multiply-adds. Longer
    /// phases measured slower as runs (24k → 48k MEDIUM, 208 taps: 1.5× the
    /// time).
    pub(super) fn runs_of_windows(&self) -> bool {
        let (up, down) = (self.table.up, self.table.down);
        (down == 1 || (up == 1 && down == 2)) && self.table.taps <= RUN_MAX_TAPS
    }

    /// Forgets all history: `K − 1` frames of silence precede the next input.
    pub(super) fn clear(&mut self) {
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
        (schedule::OUT_CHUNK / self.channels).max(per_frame * BURST_INPUT_FRAMES)
    }

    /// Most output frames feeding `frames` more input frames produces: the
    /// outputs due within them, `⌈(pending + frames) · L / M⌉` at most.
    pub fn max_output_frames(&self, frames: usize) -> usize {
        if frames < self.need {
            return 0;
        }
        let due = self
            .table
            .outputs_due(self.phase, (frames - self.need) as u64);
        usize::try_from(due).unwrap_or(usize::MAX)
    }

    /// Heap bytes this instance holds: its history. Unlike
    /// `SharedFft::memory_bytes`, which counts its shared plan in full for each
    /// instance, the coefficient table is left out: it is one per configuration
    /// however many resamplers use it (and the cache keeps the 8 most recent
    /// alive after their last user), it can be megabytes (`L · K` up to
    /// `MAX_TABLE_TAPS` (`crate::design::presets`)), and counting it in full per instance would report
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
            "polyphase L {} M {} taps {} half {}{} ({}), shared table {:.1} KiB",
            t.up,
            t.down,
            t.filter_taps,
            t.half,
            if t.paired() { " paired" } else { "" },
            match t.spec {
                Spec::LowPass {
                    pass,
                    stop,
                    atten_db,
                } => {
                    let family = t.spec.family(t.up as u64, t.down as u64);
                    let stop = if stop == 1.0 {
                        String::new()
                    } else {
                        format!(", stop {stop:.3}")
                    };
                    format!("{family}, pass {pass:.3}{stop}, {atten_db:.0} dB")
                }
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
            schedule::feed_silence(self, preroll, sink);
        }
    }

    /// Consumes all of `source`, handing every output frame that becomes due to `sink`.
    pub fn feed(&mut self, source: Source, sink: &mut dyn Sink) {
        if source.frames(self.channels) == 0 {
            return;
        }
        schedule::feed(self, source, sink);
    }
}

/// Silence frames per flush step for a conversion of `up / down` output
/// frames per input frame: about 256 output frames' worth (at most 64 input
/// frames), so a flush computes few frames past the end.
pub fn flush_step_for(up: u64, down: u64) -> usize {
    let per_frame = up.div_ceil(down).min(256) as usize;
    (256 / per_frame).clamp(1, 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{same_bits, test_signal, Collect};

    const MEDIUM: Spec = Spec::LowPass {
        pass: 0.936,
        stop: 1.0,
        atten_db: 126.0,
    };

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
            // Paired tables with L = 2 (a batch can start at a second and
            // end at a first) and an odd L (one phase alone).
            (2, 3, 1),
            (2, 3, 2),
            (147, 160, 1),
            // One phase in lagged pairs (`Table::lagged`, AVX-512).
            (1, 2, 1),
            (1, 2, 2),
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

    /// Non-finite and subnormal `f32` input is taken as conditioned
    /// (`crate::core::io::condition_f32`), so a paired table's zero taps never
    /// meet a NaN or an infinity: the output has the conditioned input's bits,
    /// for any push split (the windows of single-frame pushes reach past the
    /// input most often).
    #[test]
    fn non_finite_input_is_conditioned_and_split_invariant() {
        for (up, down, ch) in [(2u64, 3u64, 1usize), (160, 147, 2), (147, 160, 1)] {
            let mut x = test_signal(3000 * ch);
            for (i, bad) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40]
                .into_iter()
                .enumerate()
            {
                x[(400 + 600 * i) * ch] = bad;
            }
            let clean: Vec<f32> = x
                .iter()
                .map(|v| crate::core::io::condition_f32(*v))
                .collect();
            let run = |x: &[f32], size: usize| {
                let mut core = PolyCore::new(up, down, MEDIUM, ch);
                assert!(core.table.paired(), "{up}/{down}");
                let mut out = Collect(Vec::new());
                for piece in x.chunks(size * ch) {
                    core.feed(Source::F32(piece), &mut out);
                }
                out.0
            };
            let want = run(&clean, 3000);
            assert!(want.iter().all(|y| y.is_finite()), "{up}/{down}");
            for size in [3000, 1, 7] {
                assert!(
                    same_bits(&run(&x, size), &want),
                    "{up}/{down} x{ch} by {size}"
                );
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
