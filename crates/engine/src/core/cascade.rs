//! Two polyphase stages in series, through a rate `mid` between the pair's.
//!
//! A polyphase FIR's work per output frame is its taps per phase, which for a
//! response fixed relative to the lower Nyquist grows with the higher rate of
//! the pair: at 48k → 16k MEDIUM each output frame takes 788 taps. Run in two
//! stages instead, the preset's sharp filter works between the lower rate and
//! `mid` (24 kHz: 394 taps per output frame), and between `mid` and the higher
//! rate a short filter (56 taps) only has to remove what would land in the
//! final band: at `mid`, the band between the lower Nyquist and `mid − lower/2`
//! may carry aliases (downsampling) or images (upsampling), because the sharp
//! stage removes them there. Which pairs are worth it, and through which
//! `mid`, is decided in `crate::design::presets` from the tap counts.
//!
//! The stages are [`PolyCore`]s, so each is bit-identical for any push split,
//! and so is their series. The delay, `H₁/M₁` frames of `mid` plus `H₂/M₂`
//! output frames, is kept as an exact fraction for the stream's alignment.
//! The first stage's output of one step waits in a per-thread buffer of
//! [`MID_SAMPLES`] samples before the second stage takes it.

use std::cell::RefCell;

use crate::core::io::{Sink, Source};
use crate::core::polyphase::{flush_step_for, PolyCore, HISTORY_BUDGET_BYTES};
use crate::design::Stage;
use crate::rate::RatePair;

/// Samples of `mid` buffered per step: 8 KiB per thread, in thread-local
/// storage rather than on the heap (like the polyphase staging), so that no
/// call allocates and idle resamplers hold none of it.
const MID_SAMPLES: usize = 2048;

thread_local! {
    static MID: RefCell<[f32; MID_SAMPLES]> = const { RefCell::new([0.0; MID_SAMPLES]) };
}

pub struct CascadeCore {
    first: PolyCore,
    second: PolyCore,
    channels: usize,
    mid_rate: u32,
    /// Delay in output frames: `delay_num / delay_den`.
    delay_num: u64,
    delay_den: u64,
    output_rate: u32,
    /// Input frames per step: their first-stage output fits [`MID_SAMPLES`].
    step: usize,
    /// Silence frames per flush step, for the whole conversion.
    flush_step: usize,
}

impl CascadeCore {
    /// `first` converts the input rate to `mid`, `second` `mid` to the output
    /// rate. Each stage keeps its least history (`K − 1 + 64` frames); the
    /// rest of [`HISTORY_BUDGET_BYTES`] is shared in proportion to the stages'
    /// input rates, so that a push is as few runs in one as in the other (a
    /// wide stage left at 64 frames of slack cut a 10 ms push at 48 kHz into
    /// eight runs, each with its own batch).
    pub fn new(first: Stage, second: Stage, channels: usize) -> CascadeCore {
        let (p1, p2) = (first.pair(), second.pair());
        let least =
            |s: &Stage, p: &RatePair| PolyCore::least_history_bytes(p.up(), p.down(), s.spec);
        let (l1, l2) = (least(&first, &p1), least(&second, &p2));
        let free = HISTORY_BUDGET_BYTES.saturating_sub(l1 + l2) as u64;
        let (r1, r2) = (first.input_rate as u64, second.input_rate as u64);
        let b1 = l1 + (free * r1 / (r1 + r2)) as usize;
        let b2 = HISTORY_BUDGET_BYTES.saturating_sub(b1).max(l2);
        let first_core =
            PolyCore::with_history_budget(p1.up(), p1.down(), first.spec, channels, b1);
        let second_core =
            PolyCore::with_history_budget(p2.up(), p2.down(), second.spec, channels, b2);
        let (delay_num, delay_den) = Stage::delay_of(&first, &second);
        // Output of n input frames: at most ⌈(n + 1)·L₁/M₁⌉ ≤ n·L₁/M₁ + 2.
        let mid_frames = (MID_SAMPLES / channels).max(4) as u64;
        let step = ((mid_frames - 2) * p1.down() / p1.up()).max(1) as usize;
        CascadeCore {
            first: first_core,
            second: second_core,
            channels,
            mid_rate: first.output_rate,
            delay_num,
            delay_den,
            output_rate: second.output_rate,
            step,
            flush_step: flush_step_for(p1.up() * p2.up(), p1.down() * p2.down()),
        }
    }

    /// Group delay in output frames, as `(numerator, denominator)`.
    pub fn exact_delay(&self) -> (u64, u64) {
        (self.delay_num, self.delay_den)
    }

    /// Group delay in output frames.
    pub fn delay(&self) -> f64 {
        self.delay_num as f64 / self.delay_den as f64
    }

    /// Silence frames per flush step: sized for both stages' upsampling (the
    /// first stage's step alone would make a flush compute up to 64 × more
    /// frames past the end at 8 kHz → 768 kHz).
    pub fn flush_step(&self) -> usize {
        self.flush_step
    }

    /// Most output frames handed to the sink per call.
    pub fn max_burst_frames(&self) -> usize {
        self.second.max_burst_frames()
    }

    /// Most output frames feeding `frames` more input frames produces.
    pub fn max_output_frames(&self, frames: usize) -> usize {
        self.second
            .max_output_frames(self.first.max_output_frames(frames))
    }

    /// Heap bytes this instance holds: both histories (see
    /// [`PolyCore::memory_bytes`] for why the shared tables are left out).
    pub fn memory_bytes(&self) -> usize {
        self.first.memory_bytes() + self.second.memory_bytes()
    }

    pub fn describe(&self) -> String {
        format!(
            "cascade via {} Hz, delay {:.4} ms: {} | {}",
            self.mid_rate,
            self.delay() * 1000.0 / self.output_rate as f64,
            self.first.describe(),
            self.second.describe()
        )
    }

    /// Clears both stages, then feeds `preroll` frames of silence; their
    /// outputs are zeros, not computed (see [`PolyCore::restart`]).
    pub fn restart(&mut self, preroll: usize, sink: &mut dyn Sink) {
        let mut mid = CountSamples(0);
        self.first.restart(preroll, &mut mid);
        self.second.restart(mid.0 / self.channels, sink);
    }

    /// Consumes all of `source`, handing every output frame that becomes due to `sink`.
    pub fn feed(&mut self, source: Source, sink: &mut dyn Sink) {
        let ch = self.channels;
        let total = source.frames(ch);
        MID.with_borrow_mut(|mid| {
            let mut at = 0;
            while at < total {
                let n = self.step.min(total - at);
                let mut written = AppendTo { buf: mid, len: 0 };
                self.first.feed(source.range(at, n, ch), &mut written);
                let len = written.len;
                self.second.feed(Source::F32(&mid[..len]), sink);
                at += n;
            }
        })
    }
}

/// Collects the first stage's output of one step for the second (`step`
/// keeps it within the buffer).
struct AppendTo<'a> {
    buf: &'a mut [f32; MID_SAMPLES],
    len: usize,
}

impl Sink for AppendTo<'_> {
    fn accept(&mut self, interleaved: &[f32]) {
        let end = self.len + interleaved.len();
        self.buf[self.len..end].copy_from_slice(interleaved);
        self.len = end;
    }
}

/// Counts the samples of the first stage's pre-roll output (all zeros).
struct CountSamples(usize);

impl Sink for CountSamples {
    fn accept(&mut self, interleaved: &[f32]) {
        self.0 += interleaved.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::presets::{design_for, Quality};
    use crate::design::Design;
    use crate::test_support::{same_bits, test_signal, Collect};

    fn stages(q: Quality, fin: u32, fout: u32) -> Option<(Stage, Stage)> {
        match design_for(q, &RatePair::new(fin, fout)) {
            Design::Cascade { first, second } => Some((first, second)),
            _ => None,
        }
    }

    /// The stages run one after the other over the whole input (the first
    /// computing its pre-roll, with a smaller history than the cascade's, so
    /// other batches): what the cascade must give, bit for bit.
    fn in_series(first: Stage, second: Stage, ch: usize, preroll: usize, x: &[f32]) -> Vec<f32> {
        let (p1, p2) = (first.pair(), second.pair());
        let mut a = PolyCore::with_history_budget(p1.up(), p1.down(), first.spec, ch, 0);
        let mut mid = Collect(Vec::new());
        a.feed(Source::Silence(preroll), &mut mid);
        a.feed(Source::F32(x), &mut mid);
        let mut b = PolyCore::with_history_budget(p2.up(), p2.down(), second.spec, ch, 0);
        let mut out = Collect(Vec::new());
        b.feed(Source::F32(&mid.0), &mut out);
        out.0
    }

    /// Any split of the input, steps cut by the `mid` buffer (8 channels),
    /// the uncomputed pre-roll and a restart all give the stages' output in
    /// series.
    #[test]
    fn cascade_is_its_stages_in_series_for_any_split() {
        let frames = 3000;
        for (q, fin, fout, ch) in [
            (Quality::Medium, 48000, 16000, 1),
            (Quality::Medium, 16000, 48000, 2),
            (Quality::Medium, 8000, 48000, 1),
            (Quality::High, 48000, 8000, 8),
        ] {
            let (first, second) = stages(q, fin, fout).expect("a cascade");
            let x = test_signal(frames * ch);
            let preroll = 7;
            let want = in_series(first, second, ch, preroll, &x);
            for sizes in [&[frames][..], &[1, 7, 480, 2999], &[160, 161]] {
                let mut cascade = CascadeCore::new(first, second, ch);
                for _segment in 0..2 {
                    let mut out = Collect(Vec::new());
                    cascade.restart(preroll, &mut out);
                    let (mut at, mut i) = (0, 0);
                    while at < frames {
                        let n = sizes[i % sizes.len()].min(frames - at);
                        cascade.feed(Source::F32(&x[at * ch..(at + n) * ch]), &mut out);
                        (at, i) = (at + n, i + 1);
                    }
                    assert!(
                        same_bits(&out.0, &want),
                        "{q:?} {fin}->{fout} x{ch} {sizes:?}"
                    );
                }
            }
        }
    }

    /// A flush step is about 256 output frames of the whole conversion, not
    /// of the first stage (which, upsampling, would leave the second stage to
    /// multiply it again: 6,000 frames computed past the end at 8k → 768k).
    #[test]
    fn flush_step_is_sized_for_both_stages() {
        for (fin, fout) in [
            (8000u32, 768000u32),
            (8000, 48000),
            (16000, 48000),
            (48000, 8000),
        ] {
            let (first, second) = stages(Quality::Medium, fin, fout).expect("a cascade");
            let cascade = CascadeCore::new(first, second, 1);
            let ratio = fout as f64 / fin as f64;
            let step_out = cascade.flush_step() as f64 * ratio;
            assert!(
                step_out <= 256.0 + ratio,
                "{fin}->{fout}: {step_out} frames"
            );
        }
    }

    /// Where the presets cascade: the agents' and telephony pairs, not 2:1 or
    /// 44.1k ↔ 48k, QUICK never; the wide stage never adds more than 0.75 ms.
    #[test]
    fn presets_cascade_where_it_pays() {
        for (fin, fout) in [(48000, 16000), (16000, 48000), (8000, 48000), (48000, 8000)] {
            assert!(
                stages(Quality::Medium, fin, fout).is_some(),
                "{fin}->{fout}"
            );
            assert!(stages(Quality::Quick, fin, fout).is_none(), "{fin}->{fout}");
        }
        for (fin, fout) in [
            (44100, 48000),
            (48000, 44100),
            (16000, 8000),
            (24000, 48000),
        ] {
            assert!(
                stages(Quality::Medium, fin, fout).is_none(),
                "{fin}->{fout}"
            );
        }
        let rates = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000];
        for q in Quality::ALL {
            for fin in rates {
                for fout in rates {
                    if let Some((first, second)) = stages(q, fin, fout) {
                        let wide = if fin > fout { first } else { second };
                        assert!(wide.half_ms() <= 0.75, "{q:?} {fin}->{fout}");
                    }
                }
            }
        }
    }
}
