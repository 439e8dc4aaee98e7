//! What to compute, never how: the filter responses ([`spec`]), the presets'
//! choice of core and filter for a rate pair ([`presets`]), and the result,
//! a [`Design`]. Nothing here imports `crate::core`: the cores are built from
//! a design.

pub(crate) mod equiripple;
pub mod presets;
pub mod spec;

use rubato::WindowFunction;

use crate::rate::RatePair;
use spec::Spec;

/// A concrete engine configuration for one rate pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Design {
    /// Rational polyphase FIR designed from `spec` (see `crate::core::polyphase`).
    Poly { spec: Spec },
    /// Two polyphase stages in series (see `crate::core::cascade`).
    Cascade { first: Stage, second: Stage },
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

/// A stage design: the pair it converts and its filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub input_rate: u32,
    pub output_rate: u32,
    pub spec: Spec,
}

impl Stage {
    pub fn new(input_rate: u32, output_rate: u32, spec: Spec) -> Stage {
        Stage {
            input_rate,
            output_rate,
            spec,
        }
    }

    pub fn pair(&self) -> RatePair {
        RatePair::new(self.input_rate, self.output_rate)
    }

    /// Taps per output frame (`K`).
    pub fn taps(&self) -> u64 {
        let pair = self.pair();
        self.spec.taps_per_phase(pair.up(), pair.down())
    }

    /// Half-length of the filter, ms: the lag it adds.
    pub fn half_ms(&self) -> f64 {
        let pair = self.pair();
        let half = self.spec.half_taps(pair.up(), pair.down());
        half as f64 * 1000.0 / (pair.up() as f64 * self.input_rate as f64)
    }

    /// Phases (`L`).
    pub fn up(&self) -> u64 {
        self.pair().up()
    }

    /// The delay of `first` then `second` in output frames, exactly, as
    /// `(numerator, denominator)`: `H₁/M₁` frames of `mid` are `H₁·L₂/(M₁·M₂)`
    /// output frames, plus the second stage's `H₂/M₂`.
    pub fn delay_of(first: &Stage, second: &Stage) -> (u64, u64) {
        let (p1, p2) = (first.pair(), second.pair());
        let h1 = first.spec.half_taps(p1.up(), p1.down());
        let h2 = second.spec.half_taps(p2.up(), p2.down());
        (h1 * p2.up() + h2 * p1.down(), p1.down() * p2.down())
    }
}
