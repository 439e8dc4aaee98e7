//! The cores (our rational polyphase FIR, alone or as a two-stage cascade,
//! rubato's polyphase sinc, our shared FFT) behind one push-oriented interface.
//!
//! A [`Core`] consumes interleaved `i16` or `f32` frames (or silence) and hands every
//! output frame it can compute to a [`Sink`] as interleaved `f32`. It knows its
//! own group delay exactly, so `crate::stream` can trim it.
//!
//! Nothing here allocates after construction, except the per-thread output
//! scratch (`io::with_output_scratch`), which grows to the largest core used on
//! the thread the first time it runs there.
//!
//! Each core imports [`io`] and `crate::design`, never this dispatcher.

pub mod cascade;
pub mod fft;
pub mod io;
pub mod polyphase;
pub mod shared_cache;
pub mod sinc;

use crate::design::Design;
use crate::rate::RatePair;
use crate::EngineError;
use cascade::CascadeCore;
use fft::FftCore;
pub use io::{Sink, Source};
use polyphase::PolyCore;
use sinc::SincCore;

/// With the `test-panic` cargo feature (test builds only), input starting with
/// these samples makes [`Core::feed`] panic.
#[cfg(feature = "test-panic")]
pub const TEST_PANIC_TRIGGER: [i16; 4] = [-32768, 32767, 0x0bad, -0x0bad];

pub enum Core {
    Poly(PolyCore),
    Cascade(CascadeCore),
    Sinc(SincCore),
    Fft(FftCore),
}

impl Core {
    pub fn new(design: Design, pair: &RatePair, channels: usize) -> Result<Core, EngineError> {
        match design {
            Design::Poly { spec } => Ok(Core::Poly(PolyCore::new(
                pair.up(),
                pair.down(),
                spec,
                channels,
            ))),
            Design::Cascade { first, second } => {
                Ok(Core::Cascade(CascadeCore::new(first, second, channels)))
            }
            Design::Sinc { base_len, window } => {
                Ok(Core::Sinc(SincCore::new(base_len, window, pair, channels)?))
            }
            Design::Fft { block_in, window } => {
                Ok(Core::Fft(FftCore::new(block_in, window, pair, channels)))
            }
        }
    }

    /// The pre-roll `P` (silent input frames fed after construction and each
    /// flush) and trim `T` (output frames dropped) that align output with
    /// input: `P · ratio + delay == T` exactly where the core's delay allows
    /// it (exact sinc table, FFT), else as nearly as a bounded search finds.
    pub fn alignment(&self, pair: &RatePair) -> (usize, usize) {
        let preroll = match self {
            Core::Poly(c) => pair.poly_preroll(c.half_taps()),
            Core::Cascade(c) => {
                let (num, den) = c.exact_delay();
                let preroll = pair.whole_delay_preroll(num, den);
                // `crate::design::presets` builds a cascade only where this has a solution.
                debug_assert!(preroll.is_some(), "no whole pre-roll for {num}/{den}");
                preroll.unwrap_or(0)
            }
            Core::Sinc(c) => c.preroll(pair),
            Core::Fft(c) => c.preroll(pair),
        };
        (preroll, pair.trim(preroll, self.delay()))
    }

    /// Consumes all of `source` and passes every computable output frame to `sink`.
    pub fn feed(&mut self, source: Source, sink: &mut dyn Sink) -> Result<(), EngineError> {
        #[cfg(feature = "test-panic")]
        if let Source::I16(s) = source {
            if s.starts_with(&TEST_PANIC_TRIGGER) {
                panic!("test-panic: forced panic inside the engine");
            }
        }
        match self {
            Core::Poly(c) => {
                c.feed(source, sink);
                Ok(())
            }
            Core::Cascade(c) => {
                c.feed(source, sink);
                Ok(())
            }
            Core::Sinc(c) => c.feed(source, sink),
            Core::Fft(c) => c.feed(source, sink),
        }
    }

    /// Group delay in output frames for a signal fed from a fresh (reset) core.
    pub fn delay(&self) -> f64 {
        match self {
            Core::Poly(c) => c.delay(),
            Core::Cascade(c) => c.delay(),
            Core::Sinc(c) => c.delay(),
            Core::Fft(c) => c.delay(),
        }
    }

    /// Frames of silence worth feeding per flush step.
    pub fn flush_step(&self) -> usize {
        match self {
            Core::Poly(c) => c.flush_step(),
            Core::Cascade(c) => c.flush_step(),
            Core::Sinc(c) => c.flush_step(),
            Core::Fft(c) => c.flush_step(),
        }
    }

    /// Forgets all history and buffered input, as if newly built, then feeds
    /// `preroll` frames of silence (the alignment's `P`) to `sink`.
    pub fn restart(&mut self, preroll: usize, sink: &mut dyn Sink) -> Result<(), EngineError> {
        match self {
            // The polyphase cores know their pre-roll is silence out.
            Core::Poly(c) => {
                c.restart(preroll, sink);
                return Ok(());
            }
            Core::Cascade(c) => {
                c.restart(preroll, sink);
                return Ok(());
            }
            Core::Sinc(c) => c.clear(),
            Core::Fft(c) => c.clear(),
        }
        // The fallbacks compute their pre-roll like any input.
        if preroll == 0 {
            return Ok(());
        }
        self.feed(Source::Silence(preroll), sink)
    }

    /// Most output frames one rubato call (or FFT block) hands to the sink.
    pub fn max_burst_frames(&self) -> usize {
        match self {
            Core::Poly(c) => c.max_burst_frames(),
            Core::Cascade(c) => c.max_burst_frames(),
            Core::Sinc(c) => c.max_burst_frames(),
            Core::Fft(c) => c.max_burst_frames(),
        }
    }

    /// Most output frames feeding `frames` more input frames can produce now.
    pub fn max_output_frames(&self, frames: usize) -> usize {
        match self {
            Core::Poly(c) => c.max_output_frames(frames),
            Core::Cascade(c) => c.max_output_frames(frames),
            Core::Sinc(c) => c.max_output_frames(frames),
            Core::Fft(c) => c.max_output_frames(frames),
        }
    }

    /// Heap bytes held by this core: the polyphase history and its share of the
    /// (shared) table, its FIFO, rubato's history buffers and sinc
    /// table, or the FFT overlap and (shared) plan. Not the per-thread output
    /// scratch, which all cores on a thread share.
    pub fn memory_bytes(&self) -> usize {
        match self {
            Core::Poly(c) => c.memory_bytes(),
            Core::Cascade(c) => c.memory_bytes(),
            Core::Sinc(c) => c.memory_bytes(),
            Core::Fft(c) => c.memory_bytes(),
        }
    }

    /// A one-line summary of the configuration (for benchmarks and debugging).
    pub fn describe(&self) -> String {
        match self {
            Core::Poly(c) => c.describe(),
            Core::Cascade(c) => c.describe(),
            Core::Sinc(c) => c.describe(),
            Core::Fft(c) => c.describe(),
        }
    }
}
