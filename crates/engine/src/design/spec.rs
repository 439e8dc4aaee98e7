//! A low-pass response ([`Spec`]) and its prototype, relative to the lower of
//! the two rates' Nyquist.
//!
//! [`Spec::LowPass`]: flat up to `pass` × the lower Nyquist, at least `atten_db`
//! down from `stop` × the lower Nyquist on. Its prototype is the stored
//! equiripple (Parks–McClellan) design where one exists for the response at
//! this `max(L, M)` ([`super::equiripple`]: the common pairs; at a huge `L`,
//! the response's design at `max(L, M) = 2` or 3 interpolated), about 0.8× the
//! length of a Kaiser design with the same −0.1 dB edge and stopband; elsewhere
//! (the wide stages of cascades at huge `L`, rare pairs) a Kaiser-windowed sinc with the least length Kaiser's
//! estimate allows (Kaiser, "Nonrecursive digital filter design using the
//! I0-sinh window function", 1974: `N − 1 = (A − 7.95) / (2.285 · Δω)`, plus a
//! margin). Either way the audio held back, the half-length, is as short as
//! that design permits. [`Spec::Hann`]: a fixed length and cutoff (QUICK). The
//! prototype has `2·H + 1` taps at the rate `L · input_rate`;
//! `crate::core::polyphase` cuts it into phases.

use crate::design::equiripple::{self, Prototype};

/// A low-pass response, relative to the lower of the two rates' Nyquist.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spec {
    /// Flat up to `pass` × the lower Nyquist and at least `atten_db` down from
    /// `stop` × the lower Nyquist on: `stop` is 1 for a preset's own filter,
    /// more for the wide stage of a cascade (`crate::core::cascade`), which
    /// only has to remove what would land in the final band.
    LowPass { pass: f64, stop: f64, atten_db: f64 },
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
        match self.equiripple(up, down) {
            Some(p) => p.half_taps(),
            None => self.windowed_half_taps(up, down),
        }
    }

    /// Half-length of the windowed-sinc prototype.
    pub(crate) fn windowed_half_taps(&self, up: u64, down: u64) -> u64 {
        // At `L · input_rate` the lower Nyquist is 1 / (2 · max(L, M)) cycles per
        // tap: one lower-rate tap is max(L, M) taps.
        let big = up.max(down);
        match *self {
            Spec::LowPass {
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

    /// The prototype's taps at offsets `0..=H` from its centre, for a pair
    /// reduced to `up / down`, and its passband gain: an equiripple design's
    /// is 1 (its ripple is centred on it, so a cascade of two stays within
    /// twice one's ripple), a windowed sinc's is its gain at DC.
    pub fn half_prototype(&self, up: u64, down: u64) -> (Vec<f64>, f64) {
        if let Some(p) = self.equiripple(up, down) {
            return (p.side(), 1.0);
        }
        let side = self.windowed_sinc(up, down);
        let dc = side[0] + 2.0 * side[1..].iter().sum::<f64>();
        (side, dc)
    }

    /// The prototype's family: `"equiripple"`, `"interpolated equiripple"`,
    /// `"kaiser"` or `"hann"`.
    pub fn family(&self, up: u64, down: u64) -> &'static str {
        match (self, self.equiripple(up, down)) {
            (_, Some(Prototype::Stored(_))) => "equiripple",
            (_, Some(Prototype::Interpolated(_))) => "interpolated equiripple",
            (Spec::LowPass { .. }, None) => "kaiser",
            (Spec::Hann { .. }, None) => "hann",
        }
    }

    /// The equiripple prototype for this response at `big = max(L, M)`,
    /// where one is stored (or interpolated from one) and is shorter than the
    /// Kaiser design.
    fn equiripple(&self, up: u64, down: u64) -> Option<Prototype> {
        match *self {
            Spec::LowPass {
                pass,
                stop,
                atten_db,
            } => equiripple::prototype(up.max(down), pass, stop, atten_db)
                .filter(|p| p.half_taps() < self.windowed_half_taps(up, down)),
            Spec::Hann { .. } => None,
        }
    }

    /// The windowed-sinc prototype (Kaiser or Hann) at offsets `0..=H`.
    pub(crate) fn windowed_sinc(&self, up: u64, down: u64) -> Vec<f64> {
        let half = self.windowed_half_taps(up, down);
        let big = up.max(down) as f64;
        // Cutoff (−6 dB) in cycles per tap, and the window at offset t.
        let (fc, window): (f64, Box<dyn Fn(f64) -> f64>) = match *self {
            Spec::LowPass {
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
            Spec::LowPass { .. } => 2 * half + 1,
            Spec::Hann { .. } => 2 * half,
        };
        n.div_ceil(up).div_ceil(8) * 8
    }
}

/// Added to the spec's attenuation for the window design (see [`Spec::design_db`]).
const DESIGN_MARGIN_DB: f64 = 2.5;

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

#[cfg(test)]
mod tests {
    use super::*;

    /// `taps_per_phase` leaves out a Hann prototype's tap at `+H`: it must be
    /// exactly zero, so the table holds every nonzero tap.
    #[test]
    fn hann_tables_drop_only_a_zero_tap() {
        let quick = Spec::Hann {
            taps: 40,
            cutoff: 0.9,
        };
        for (up, down) in [(160u64, 147u64), (147, 160), (3, 1), (1, 3), (2, 3)] {
            let (side, _) = quick.half_prototype(up, down);
            let half = quick.half_taps(up, down);
            assert_eq!(side.len() as u64, half + 1);
            assert_eq!(side[half as usize], 0.0, "{up}/{down}");
            assert_ne!(side[half as usize - 1], 0.0, "{up}/{down}");
            assert!(quick.taps_per_phase(up, down) * up >= 2 * half);
        }
    }
}
