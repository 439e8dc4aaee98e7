//! A stored design at a small `big` (2, or 3 where `big` is odd) carried to a
//! multiple `big = c·F` where no design of its own is stored: at 44.1k ↔ 48k
//! (`big` = 160) the prototype is over 40,000 taps, far beyond what
//! `pm-remez` designs in reasonable time, while the same response at
//! `big = 2` is a few hundred.
//!
//! The coarse prototype `g`, designed at `big = c`, is upsampled by `F`:
//! zeros stuffed between its taps, then a Kaiser low-pass `i` removes the
//! images. In units of the lower Nyquist, `g` carries the response up to
//! `stop` and its first image starts at `2c − stop`, so `i` is flat (±`δ`)
//! up to `stop` and at least [`IMAGE_DB`] more than the spec down from
//! `2c − stop`: the result keeps `g`'s passband and stopband to within `δ`,
//! and its half-length, the lag, is `F` times `g`'s plus `i`'s (at 44.1k →
//! 48k MEDIUM 0.81× the Kaiser design's).

use crate::design::spec::Spec;

/// The interpolator's stopband beyond the spec, dB: the images it leaves are
/// this far below what the spec allows, so the coarse design's own margin
/// (1 dB) is all the result needs.
const IMAGE_DB: f64 = 10.0;

/// A coarse design and the factor that carries it to `big = c·F`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Interpolated<'a> {
    /// The stored design at `big = c`, centre first.
    coarse: &'a [f64],
    /// `F`.
    factor: u64,
    big: u64,
    /// The image-rejection filter, as a Kaiser response at `big`.
    images: Spec,
}

/// The `big` whose stored design is carried to `big` for a response with
/// `stop`: 2 for even `big`, 3 for odd multiples of 3 (the 441-based pairs);
/// `None` for other `big`, for `big` itself that small, or where `stop`
/// leaves no room between the band and its first image (`2c − stop`).
pub(crate) fn coarse_big(big: u64, stop: f64) -> Option<u64> {
    [2, 3]
        .into_iter()
        .find(|&c| big.is_multiple_of(c))
        .filter(|&c| big > c && stop < c as f64)
}

impl<'a> Interpolated<'a> {
    /// For a response with `stop` and `atten_db` at `big`, given the
    /// (non-empty) design of the same response at [`coarse_big`]:
    /// `None` where [`coarse_big`] is.
    pub(crate) fn new(
        coarse: &'a [f64],
        big: u64,
        stop: f64,
        atten_db: f64,
    ) -> Option<Interpolated<'a>> {
        let c = coarse_big(big, stop)?;
        if coarse.is_empty() {
            return None;
        }
        Some(Interpolated {
            coarse,
            factor: big / c,
            big,
            images: Spec::LowPass {
                pass: stop,
                stop: 2.0 * c as f64 - stop,
                atten_db: atten_db + IMAGE_DB,
            },
        })
    }

    /// The image filter's half-length, taps at `big`.
    fn images_half(&self) -> u64 {
        self.images.windowed_half_taps(self.big, 1)
    }

    /// Half-length `H` of the result.
    pub(crate) fn half_taps(&self) -> u64 {
        (self.coarse.len() as u64 - 1) * self.factor + self.images_half()
    }

    /// The result's taps at offsets `0..=H`, with unit gain at DC like the
    /// coarse design.
    pub(crate) fn side(&self) -> Vec<f64> {
        let f = self.factor as i64;
        let mut images = self.images.windowed_sinc(self.big, 1);
        let dc = images[0] + 2.0 * images[1..].iter().sum::<f64>();
        images.iter_mut().for_each(|c| *c /= dc);
        let hi = self.images_half() as i64;
        let hc = self.coarse.len() as i64 - 1;
        let half = self.half_taps() as i64;
        (0..=half)
            .map(|t| {
                // Coarse taps m whose stuffed position m·F is within the
                // image filter's reach of t.
                let first = (t - hi).div_euclid(f) + i64::from((t - hi).rem_euclid(f) != 0);
                let last = (t + hi).div_euclid(f);
                (first.max(-hc)..=last.min(hc))
                    .map(|m| {
                        self.coarse[m.unsigned_abs() as usize]
                            * images[(t - m * f).unsigned_abs() as usize]
                    })
                    .sum()
            })
            .collect()
    }
}
