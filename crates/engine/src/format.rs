//! Sample formats and the conversions between them, defined once here.
//!
//! * `s16` → `f32`: `x / 32768` (exact).
//! * `f32` → `s16`: `x · 32768` rounded half away from zero, saturated to
//!   `[-32768, 32767]`, NaN → 0 ([`f32_to_s16`]). No dither.
//! * G.711 (`mulaw`, `alaw`) goes through `s16`: codes are decoded to `s16`
//!   before the resampler and `s16` output is encoded ([`crate::g711`]).
//! * An `f32` output is the resampler's own `f32`, not clipped; an `s16` (or
//!   G.711) output is that same `f32` converted by the rule above, so the two
//!   agree bit for bit.
//! * `f32` input to a filter is conditioned ([`condition_f32`]): magnitudes
//!   beyond [`F32_INPUT_LIMIT`](crate::core::io::F32_INPUT_LIMIT) (infinities included) are clamped to it, so that
//!   no sum inside a filter overflows; subnormals become `+0.0`, which the
//!   CPU would otherwise process many times slower; NaN becomes `+0.0`, as in
//!   `s16` output, rather than turning a filter's length of output into NaN
//!   (and the polyphase kernels rely on finite history: a zero tap times a
//!   sample must be zero). Everything else is used as is. Conversions
//!   without a filter do not condition.

use crate::core::io::condition_f32;
use crate::g711;
use crate::EngineError;

/// How samples are stored: the four formats of the PCM API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// Signed 16-bit integers (`Int16Array`).
    S16,
    /// 32-bit floats at full scale ±1.0 (`Float32Array`).
    F32,
    /// ITU-T G.711 μ-law, one byte per sample (`Uint8Array`).
    Mulaw,
    /// ITU-T G.711 A-law, one byte per sample (`Uint8Array`).
    Alaw,
}

impl SampleFormat {
    /// All formats, in the order of their index ([`SampleFormat::index`]).
    pub const ALL: [SampleFormat; 4] = [
        SampleFormat::S16,
        SampleFormat::F32,
        SampleFormat::Mulaw,
        SampleFormat::Alaw,
    ];

    /// The name used by the JS API: `"s16"`, `"f32"`, `"mulaw"` or `"alaw"`.
    pub fn name(self) -> &'static str {
        match self {
            SampleFormat::S16 => "s16",
            SampleFormat::F32 => "f32",
            SampleFormat::Mulaw => "mulaw",
            SampleFormat::Alaw => "alaw",
        }
    }

    /// The format's position in [`SampleFormat::ALL`].
    pub fn index(self) -> u32 {
        self as u32
    }

    /// The format at `index` in [`SampleFormat::ALL`].
    pub fn from_index(index: u32) -> Option<SampleFormat> {
        SampleFormat::ALL.get(index as usize).copied()
    }

    /// Bytes per sample: 2, 4, 1, 1.
    pub fn bytes_per_sample(self) -> usize {
        match self {
            SampleFormat::S16 => 2,
            SampleFormat::F32 => 4,
            SampleFormat::Mulaw | SampleFormat::Alaw => 1,
        }
    }

    /// The JS typed array that holds samples of this format.
    pub fn array_name(self) -> &'static str {
        match self {
            SampleFormat::S16 => "Int16Array",
            SampleFormat::F32 => "Float32Array",
            SampleFormat::Mulaw | SampleFormat::Alaw => "Uint8Array",
        }
    }
}

/// Interleaved input samples of one format.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// `s16` samples.
    S16(&'a [i16]),
    /// `f32` samples.
    F32(&'a [f32]),
    /// μ-law codes.
    Mulaw(&'a [u8]),
    /// A-law codes.
    Alaw(&'a [u8]),
}

impl Input<'_> {
    /// The format of these samples.
    pub fn format(&self) -> SampleFormat {
        match self {
            Input::S16(_) => SampleFormat::S16,
            Input::F32(_) => SampleFormat::F32,
            Input::Mulaw(_) => SampleFormat::Mulaw,
            Input::Alaw(_) => SampleFormat::Alaw,
        }
    }

    /// Number of samples (all channels).
    pub fn len(&self) -> usize {
        match self {
            Input::S16(s) => s.len(),
            Input::F32(s) => s.len(),
            Input::Mulaw(s) | Input::Alaw(s) => s.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Interleaved output samples of one format, borrowed from the resampler.
#[derive(Debug, Clone, Copy)]
pub enum Output<'a> {
    /// `s16` samples.
    S16(&'a [i16]),
    /// `f32` samples.
    F32(&'a [f32]),
    /// μ-law codes.
    Mulaw(&'a [u8]),
    /// A-law codes.
    Alaw(&'a [u8]),
}

impl Output<'_> {
    /// Number of samples (all channels).
    pub fn len(&self) -> usize {
        match self {
            Output::S16(s) => s.len(),
            Output::F32(s) => s.len(),
            Output::Mulaw(s) | Output::Alaw(s) => s.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A caller's buffer to write interleaved output samples into.
#[derive(Debug)]
pub enum OutputMut<'a> {
    /// `s16` samples.
    S16(&'a mut [i16]),
    /// `f32` samples.
    F32(&'a mut [f32]),
    /// μ-law codes.
    Mulaw(&'a mut [u8]),
    /// A-law codes.
    Alaw(&'a mut [u8]),
}

impl OutputMut<'_> {
    /// The format of this buffer.
    pub fn format(&self) -> SampleFormat {
        match self {
            OutputMut::S16(_) => SampleFormat::S16,
            OutputMut::F32(_) => SampleFormat::F32,
            OutputMut::Mulaw(_) => SampleFormat::Mulaw,
            OutputMut::Alaw(_) => SampleFormat::Alaw,
        }
    }

    /// Room, in samples.
    pub fn len(&self) -> usize {
        match self {
            OutputMut::S16(s) => s.len(),
            OutputMut::F32(s) => s.len(),
            OutputMut::Mulaw(s) | OutputMut::Alaw(s) => s.len(),
        }
    }

    /// Whether there is no room at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes resampler output (`f32`) at sample `at`, converted to this
    /// format. The caller checked that it fits.
    pub(crate) fn write_f32(&mut self, at: usize, samples: &[f32]) {
        let end = at + samples.len();
        match self {
            OutputMut::S16(d) => f32_to_s16_slice(&mut d[at..end], samples),
            OutputMut::F32(d) => d[at..end].copy_from_slice(samples),
            OutputMut::Mulaw(d) => {
                for (o, &x) in d[at..end].iter_mut().zip(samples) {
                    *o = g711::mulaw_encode(f32_to_s16(x));
                }
            }
            OutputMut::Alaw(d) => {
                for (o, &x) in d[at..end].iter_mut().zip(samples) {
                    *o = g711::alaw_encode(f32_to_s16(x));
                }
            }
        }
    }
}

/// Converts `input` to the format of `out` sample by sample (no resampling);
/// returns the samples written. Same format: a copy. Otherwise through `s16`
/// for G.711, and by the rules in this module's documentation between `s16`
/// and `f32` (an `f32` → `f32` copy is not clipped).
pub fn convert(input: Input<'_>, out: OutputMut<'_>) -> Result<usize, EngineError> {
    let n = input.len();
    if out.len() < n {
        return Err(EngineError::OutputTooSmall(format!(
            "out has room for {} samples, the conversion writes {n}",
            out.len()
        )));
    }
    match (input, out) {
        (Input::S16(s), OutputMut::S16(d)) => d[..n].copy_from_slice(s),
        (Input::F32(s), OutputMut::F32(d)) => d[..n].copy_from_slice(s),
        (Input::Mulaw(s), OutputMut::Mulaw(d)) | (Input::Alaw(s), OutputMut::Alaw(d)) => {
            d[..n].copy_from_slice(s)
        }
        (Input::F32(s), mut out) => out.write_f32(0, s),
        (input, OutputMut::F32(d)) => {
            for (i, o) in d[..n].iter_mut().enumerate() {
                *o = s16_to_f32(s16_at(&input, i));
            }
        }
        (input, OutputMut::S16(d)) => {
            for (i, o) in d[..n].iter_mut().enumerate() {
                *o = s16_at(&input, i);
            }
        }
        (input, OutputMut::Mulaw(d)) => {
            for (i, o) in d[..n].iter_mut().enumerate() {
                *o = g711::mulaw_encode(s16_at(&input, i));
            }
        }
        (input, OutputMut::Alaw(d)) => {
            for (i, o) in d[..n].iter_mut().enumerate() {
                *o = g711::alaw_encode(s16_at(&input, i));
            }
        }
    }
    Ok(n)
}

/// Sample `i` of a non-`f32` input as `s16`.
#[inline]
fn s16_at(input: &Input<'_>, i: usize) -> i16 {
    match input {
        Input::S16(s) => s[i],
        Input::Mulaw(s) => g711::mulaw_decode(s[i]),
        Input::Alaw(s) => g711::alaw_decode(s[i]),
        Input::F32(s) => f32_to_s16(s[i]),
    }
}

/// `s16` → `f32`: `x / 32768`, exact.
#[inline]
pub fn s16_to_f32(x: i16) -> f32 {
    x as f32 / 32768.0
}

/// `f32` → `s16`: `(x · 32768)` rounded half away from zero, saturated to
/// `[-32768, 32767]`, NaN → 0; equal to `(x * 32768.0).round() as i16`, written
/// without the `roundf` libm call, which baseline x86-64 cannot inline; this
/// branch-free form vectorises.
#[inline]
pub fn f32_to_s16(x: f32) -> i16 {
    let y = x * 32768.0;
    // NaN → 0 (as `as` does); clamping keeps everything below in range.
    let y = if y.is_nan() {
        0.0
    } else {
        y.clamp(-40000.0, 40000.0)
    };
    // Truncates toward zero. SAFETY: `y` is finite and well within i32.
    // (`as i32` would be the same here but its saturation logic does not vectorise.)
    let t = unsafe { y.to_int_unchecked::<i32>() };
    // Exact, since |y| < 2^23.
    let frac = y - t as f32;
    let r = t + (frac >= 0.5) as i32 - (frac <= -0.5) as i32;
    r.clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// Whether [`condition_f32`] changes any of `samples` (bit for bit), i.e.
/// whether they must be conditioned before a filter; for ordinary audio this
/// read-only scan is all the conditioning costs.
pub(crate) fn f32_needs_conditioning(samples: &[f32]) -> bool {
    samples.chunks(64).any(|c| {
        c.iter().fold(false, |any, &x| {
            any | (condition_f32(x).to_bits() != x.to_bits())
        })
    })
}

/// `dst[i] = condition_f32(samples[i])`.
pub(crate) fn condition_f32_slice(dst: &mut [f32], samples: &[f32]) {
    for (d, &x) in dst.iter_mut().zip(samples) {
        *d = condition_f32(x);
    }
}

/// Converts `samples` into `dst` by [`f32_to_s16`], vectorised with AVX2 when
/// the CPU has it (same operations per sample, so the same result either way).
pub(crate) fn f32_to_s16_slice(dst: &mut [i16], samples: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { convert_avx2(dst, samples) };
        return;
    }
    convert_plain(dst, samples);
}

#[inline(always)]
fn convert_plain(dst: &mut [i16], samples: &[f32]) {
    for (o, &x) in dst.iter_mut().zip(samples) {
        *o = f32_to_s16(x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn convert_avx2(dst: &mut [i16], samples: &[f32]) {
    convert_plain(dst, samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::io::F32_INPUT_LIMIT;

    fn reference(x: f32) -> i16 {
        (x * 32768.0).round() as i16
    }

    #[test]
    fn f32_to_s16_matches_round() {
        let mut special = vec![
            0.0f32,
            -0.0,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1.0,
            -1.0,
            0.5 / 32768.0,
            -0.5 / 32768.0,
            1.5 / 32768.0,
            -1.5 / 32768.0,
            32767.5 / 32768.0,
            -32768.5 / 32768.0,
            -32767.5 / 32768.0,
            1e10,
            -1e10,
        ];
        // Neighbours of every half-integer and integer output level.
        for k in -65600i32..=65600 {
            let y = k as f32 * 0.5 / 32768.0;
            special.push(y);
            special.push(f32::from_bits(y.to_bits() + 1));
            special.push(f32::from_bits(y.to_bits().saturating_sub(1)));
        }
        for x in &special {
            assert_eq!(
                f32_to_s16(*x),
                reference(*x),
                "x = {x:e} ({:#x})",
                x.to_bits()
            );
        }
        // The (vectorised) slice conversion agrees too.
        let mut out = vec![7i16; special.len() + 1];
        f32_to_s16_slice(&mut out[1..], &special);
        assert_eq!(out[0], 7);
        for (o, x) in out[1..].iter().zip(&special) {
            assert_eq!(*o, reference(*x), "x = {x:e} ({:#x})", x.to_bits());
        }
        // And a spread of arbitrary bit patterns.
        let mut s: u32 = 0x1234_5678;
        for _ in 0..2_000_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let x = f32::from_bits(s);
            assert_eq!(f32_to_s16(x), reference(x), "x = {x:e} ({s:#x})");
        }
    }

    #[test]
    fn documented_edge_cases() {
        assert_eq!(f32_to_s16(1.0), 32767); // saturates
        assert_eq!(f32_to_s16(-1.0), -32768);
        assert_eq!(f32_to_s16(f32::NAN), 0);
        assert_eq!(f32_to_s16(0.5 / 32768.0), 1); // half away from zero
        assert_eq!(f32_to_s16(-0.5 / 32768.0), -1);
        assert_eq!(f32_to_s16(0.49 / 32768.0), 0);
        assert_eq!(f32_to_s16(2.5 / 32768.0), 3);
        assert_eq!(f32_to_s16(-2.5 / 32768.0), -3);
    }

    #[test]
    fn condition_f32_clamps_flushes_subnormals_and_nan_and_keeps_the_rest() {
        let l = F32_INPUT_LIMIT;
        assert_eq!(condition_f32(f32::MAX), l);
        assert_eq!(condition_f32(f32::MIN), -l);
        assert_eq!(condition_f32(f32::INFINITY), l);
        assert_eq!(condition_f32(f32::NEG_INFINITY), -l);
        assert_eq!(condition_f32(f32::NAN).to_bits(), 0.0f32.to_bits());
        for x in [f32::from_bits(1), -f32::from_bits(1), 1e-40, -1e-40] {
            assert_eq!(condition_f32(x).to_bits(), 0, "{x:e}"); // +0.0
        }
        assert_eq!(condition_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert!(!f32_needs_conditioning(&[0.0, -0.0, 1.0, -1.0]));
        assert!(f32_needs_conditioning(&[0.0, f32::NAN, 1.0]));
        for x in [
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1.5,
            -2.0,
            1e-30,
            l,
            -l,
        ] {
            assert_eq!(condition_f32(x), x, "{x:e}");
            assert!(!f32_needs_conditioning(&[x]));
        }
        // Needing it is exactly "conditioning changes a bit", anywhere in the slice.
        let mut s: u32 = 0x9e37_79b9;
        let mut plain = vec![0.5f32; 200];
        for _ in 0..200_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let x = f32::from_bits(s);
            let at = (s % 200) as usize;
            plain[at] = x;
            let changes = condition_f32(x).to_bits() != x.to_bits();
            assert_eq!(
                f32_needs_conditioning(&plain),
                changes,
                "x = {x:e} ({s:#x})"
            );
            plain[at] = 0.5;
        }
    }

    #[test]
    fn s16_round_trips_through_f32() {
        for x in i16::MIN..=i16::MAX {
            assert_eq!(f32_to_s16(s16_to_f32(x)), x);
        }
    }

    #[test]
    fn convert_covers_every_pair() {
        let s16: Vec<i16> = (i16::MIN..=i16::MAX).step_by(7).collect();
        let n = s16.len();
        let mut f = vec![0f32; n];
        convert(Input::S16(&s16), OutputMut::F32(&mut f)).unwrap();
        let mut back = vec![0i16; n];
        convert(Input::F32(&f), OutputMut::S16(&mut back)).unwrap();
        assert_eq!(back, s16);
        let mut mu = vec![0u8; n];
        convert(Input::S16(&s16), OutputMut::Mulaw(&mut mu)).unwrap();
        let mut mu_from_f = vec![0u8; n];
        convert(Input::F32(&f), OutputMut::Mulaw(&mut mu_from_f)).unwrap();
        assert_eq!(mu, mu_from_f);
        for (i, &x) in s16.iter().enumerate() {
            assert_eq!(mu[i], g711::mulaw_encode(x));
        }
        let mut a = vec![0u8; n];
        convert(Input::Mulaw(&mu), OutputMut::Alaw(&mut a)).unwrap();
        for (i, &c) in mu.iter().enumerate() {
            assert_eq!(a[i], g711::alaw_encode(g711::mulaw_decode(c)));
        }
        let mut f2 = vec![0f32; n];
        convert(Input::Alaw(&a), OutputMut::F32(&mut f2)).unwrap();
        for (i, &c) in a.iter().enumerate() {
            assert_eq!(f2[i], g711::alaw_decode(c) as f32 / 32768.0);
        }
        // f32 → f32 is a copy: not clipped.
        let loud = [1.5f32, -2.0, f32::NAN];
        let mut out = [0f32; 3];
        convert(Input::F32(&loud), OutputMut::F32(&mut out)).unwrap();
        assert_eq!(out[..2], loud[..2]);
        assert!(out[2].is_nan());
        // Too small: an error, nothing written.
        let mut small = [9i16; 2];
        assert!(matches!(
            convert(Input::S16(&[1, 2, 3]), OutputMut::S16(&mut small)),
            Err(EngineError::OutputTooSmall(_))
        ));
        assert_eq!(small, [9, 9]);
    }
}
