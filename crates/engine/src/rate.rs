//! [`RatePair`]: the arithmetic of one conversion, in one place.
//!
//! A rate pair reduces to `L/M` (`output_rate / input_rate` over their gcd).
//! Everything the engine derives from it lives here: the ratio, FFT block sizes
//! (multiples of `M` input frames, hence `L` output frames), the output length
//! rule, and the pre-roll that makes a core's delay a whole number of output
//! frames. The cores decide which alignment applies to them (`crate::core`).

/// An input and an output rate, both in `[1, MAX_RATE]`, reduced to `L/M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RatePair {
    input_rate: u32,
    output_rate: u32,
    /// `L = output_rate / gcd`.
    up: u64,
    /// `M = input_rate / gcd`.
    down: u64,
}

/// Most output frames of pre-roll work a search for a near-whole delay may
/// cost (at construction and after every flush).
const PREROLL_SEARCH_FRAMES: usize = 4096;

impl RatePair {
    pub(crate) fn new(input_rate: u32, output_rate: u32) -> RatePair {
        let g = gcd(input_rate as u64, output_rate as u64);
        RatePair {
            input_rate,
            output_rate,
            up: output_rate as u64 / g,
            down: input_rate as u64 / g,
        }
    }

    pub(crate) fn input_rate(&self) -> u32 {
        self.input_rate
    }

    pub(crate) fn output_rate(&self) -> u32 {
        self.output_rate
    }

    /// The lower of the two rates.
    pub(crate) fn lower_rate(&self) -> u32 {
        self.input_rate.min(self.output_rate)
    }

    /// `L`: output frames per `M` input frames, in lowest terms.
    pub(crate) fn up(&self) -> u64 {
        self.up
    }

    /// `M`: input frames per `L` output frames, in lowest terms.
    pub(crate) fn down(&self) -> u64 {
        self.down
    }

    /// `output_rate / input_rate`.
    pub(crate) fn ratio(&self) -> f64 {
        self.output_rate as f64 / self.input_rate as f64
    }

    /// Input frames per FFT block: `block_ms` rounded to frames, then up to a
    /// multiple of `M` (the smallest block the pair allows).
    pub(crate) fn fft_block_in(&self, block_ms: f64) -> usize {
        let min_block_in = self.down as usize;
        let wanted = ((block_ms / 1000.0) * self.input_rate as f64)
            .round()
            .max(1.0) as usize;
        wanted.div_ceil(min_block_in).max(1) * min_block_in
    }

    /// Output frames of an FFT block of `block_in` input frames (a multiple of `M`).
    pub(crate) fn fft_block_out(&self, block_in: usize) -> usize {
        block_in / self.down as usize * self.up as usize
    }

    /// Milliseconds of input in `frames` input frames.
    pub(crate) fn input_ms(&self, frames: usize) -> f64 {
        frames as f64 * 1000.0 / self.input_rate as f64
    }

    /// The output length rule: `round(frames_in · output_rate / input_rate)`
    /// (half up), in `u64` unless the product overflows (after 2^44 frames).
    pub(crate) fn output_frames(&self, frames_in: u64) -> u64 {
        let (out, inp) = (self.output_rate as u64, self.input_rate as u64);
        match frames_in.checked_mul(out) {
            Some(num) if num <= u64::MAX - inp / 2 => (num + inp / 2) / inp,
            _ => ((frames_in as u128 * out as u128 + inp as u128 / 2) / inp as u128) as u64,
        }
    }

    /// Pre-roll `P` for an exact polyphase sinc of `half_taps = N/2` taps per
    /// side: its delay `(L·(N/2 + P) − 1)/M − 1` is whole when
    /// `L·(N/2 + P) ≡ 1 (mod M)`.
    pub(crate) fn sinc_exact_preroll(&self, half_taps: u64) -> usize {
        let (up, down) = (self.up, self.down);
        let inv = mod_inverse(up % down, down).unwrap_or(0);
        ((inv + down - half_taps % down) % down) as usize
    }

    /// Pre-roll `P` for the rational polyphase core (`crate::core::polyphase`), whose
    /// delay is `H / M` output frames for a prototype of half-length `H` taps at
    /// `L · input_rate`: `P · L/M + H/M` is whole when `P · L + H ≡ 0 (mod M)`,
    /// i.e. `P = −H · L⁻¹ mod M` (`L` and `M` are coprime).
    pub(crate) fn poly_preroll(&self, half_taps: u64) -> usize {
        // `L` and `M` are coprime, so a solution always exists.
        self.whole_delay_preroll(half_taps, self.down).unwrap_or(0)
    }

    /// The least pre-roll `P` that makes `P · L/M + num/den` (a core's delay of
    /// `num/den` output frames, exactly) whole, if any: `P · L · den + num · M ≡ 0
    /// (mod M · den)`, solved with a modular inverse.
    pub(crate) fn whole_delay_preroll(&self, num: u64, den: u64) -> Option<usize> {
        let modulus = u64::try_from(self.down as u128 * den as u128).ok()?;
        let a = ((self.up as u128 * den as u128) % modulus as u128) as u64;
        let b = ((modulus as u128 - (num as u128 * self.down as u128) % modulus as u128)
            % modulus as u128) as u64;
        let g = gcd(a, modulus);
        if !b.is_multiple_of(g) {
            return None;
        }
        let m = modulus / g;
        let inv = mod_inverse((a / g) % m, m)?;
        usize::try_from((b / g) as u128 * inv as u128 % m as u128).ok()
    }

    /// Pre-roll `P` for an FFT block whose delay is `(h + P)·L/M`, `h` being
    /// half the input block: whole when `h + P ≡ 0 (mod M)`.
    pub(crate) fn fft_preroll(&self, half_block: u64) -> usize {
        let down = self.down;
        ((down - half_block % down) % down) as usize
    }

    /// Pre-roll for a delay with no exact solution (interpolated sinc table,
    /// huge `L`): the one whose `P·ratio + delay` is nearest a whole frame.
    /// Bounded: each candidate frame costs `ratio` output frames of work at
    /// construction and after every flush (≤ 4096 output frames in all).
    pub(crate) fn nearest_whole_preroll(&self, delay: f64) -> usize {
        let ratio = self.ratio();
        let search = (self.down.min(PREROLL_SEARCH_FRAMES as u64) as usize)
            .min((PREROLL_SEARCH_FRAMES as f64 / ratio).max(1.0) as usize);
        (0..search)
            .min_by(|&a, &b| {
                let fa = frac_dist(a as f64 * ratio + delay);
                let fb = frac_dist(b as f64 * ratio + delay);
                fa.partial_cmp(&fb).unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap_or(0)
    }

    /// Output frames to trim after `preroll` silent input frames, for a core
    /// whose group delay is `delay` output frames: `round(P·ratio + delay)`.
    pub(crate) fn trim(&self, preroll: usize, delay: f64) -> usize {
        (preroll as f64 * self.ratio() + delay).round().max(0.0) as usize
    }
}

/// Greatest common divisor, used to reduce rate pairs to `L/M`.
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

fn frac_dist(x: f64) -> f64 {
    (x - x.round()).abs()
}

/// Inverse of `a` modulo `m` (extended Euclid), if it exists.
fn mod_inverse(a: u64, m: u64) -> Option<u64> {
    if m == 1 {
        return Some(0);
    }
    let (mut old_r, mut r) = (a as i128, m as i128);
    let (mut old_s, mut s) = (1i128, 0i128);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
    }
    if old_r != 1 {
        return None;
    }
    Some(old_s.rem_euclid(m as i128) as u64)
}

#[cfg(test)]
mod tests {
    use super::RatePair;

    #[test]
    fn reduces_to_lowest_terms() {
        let p = RatePair::new(44100, 48000);
        assert_eq!((p.up, p.down), (160, 147));
        assert_eq!(p.fft_block_in(10.0), 441);
        assert_eq!(p.fft_block_out(441), 480);
        let p = RatePair::new(48000, 16000);
        assert_eq!((p.up, p.down), (1, 3));
        assert_eq!(p.fft_block_out(p.fft_block_in(10.0)), 160);
    }

    #[test]
    fn poly_preroll_makes_the_delay_whole() {
        for (fin, fout) in [
            (44100u32, 48000u32),
            (48000, 44100),
            (8000, 11025),
            (48000, 16000),
            (7, 5),
        ] {
            let p = RatePair::new(fin, fout);
            for h in [0u64, 1, 2, 146, 147, 1000, 12345] {
                let pre = p.poly_preroll(h) as u64;
                assert!(pre < p.down.max(1));
                assert_eq!((pre * p.up + h) % p.down, 0, "{fin}->{fout} H {h}");
            }
        }
    }

    #[test]
    fn whole_delay_preroll_solves_any_rational_delay() {
        for (fin, fout) in [(48000u32, 16000u32), (16000, 48000), (8000, 44100), (7, 5)] {
            let p = RatePair::new(fin, fout);
            for (num, den) in [(0u64, 1u64), (5, 6), (1234, 6), (77, 80), (3, 4), (9, 2)] {
                // Brute force: the least P < M·den with P·L/M + num/den whole.
                let brute = (0..p.down * den)
                    .find(|&pre| (pre * p.up * den + num * p.down).is_multiple_of(p.down * den));
                assert_eq!(
                    p.whole_delay_preroll(num, den).map(|x| x as u64),
                    brute,
                    "{fin}->{fout} {num}/{den}"
                );
            }
        }
    }

    #[test]
    fn output_length_matches_the_exact_rule_at_any_count() {
        for (fin, fout) in [
            (48000u32, 16000u32),
            (1, 96),
            (767_999, 8000),
            (44100, 48000),
        ] {
            let p = RatePair::new(fin, fout);
            for n in [
                0u64,
                1,
                2,
                479,
                1 << 32,
                1 << 44,
                1 << 50,
                u64::MAX / 2,
                u64::MAX,
            ] {
                let exact = (n as u128 * fout as u128 + fin as u128 / 2) / fin as u128;
                if exact <= u64::MAX as u128 {
                    assert_eq!(p.output_frames(n) as u128, exact, "{fin}->{fout} {n}");
                }
            }
        }
    }
}
