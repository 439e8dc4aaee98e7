//! ITU-T G.711 companding: μ-law and A-law, 8-bit codes ↔ 16-bit linear PCM,
//! bit-exact with the reference implementation of ITU-T G.191 (the Software
//! Tool Library's `ulaw_compress`/`ulaw_expand`, `alaw_compress`/`alaw_expand`)
//! for all 65,536 inputs and all 256 codes.
//!
//! * **Decoding** is the standard's table: the linear value at the centre of
//!   each code's quantisation interval (μ-law ±32124, A-law ±32256). The
//!   [`MULAW_TO_S16`] and [`ALAW_TO_S16`] tables hold all 256 codes.
//! * **Encoding** takes the magnitude `x` of a sample `x ≥ 0` and the one's
//!   complement `!x = −x − 1` of a negative one (G.191's rule, so negative
//!   intervals mirror positive ones and −32768 needs no special case), clips it
//!   to 32635, finds the segment (the position of the highest set bit above the
//!   segment's base) and keeps the next four bits (truncation); μ-law adds the
//!   bias 132 (33 at 14 bits) before that and inverts all bits, A-law inverts
//!   the even bits (`^ 0x55`) and sets bit 7 for positive values.
//!   Sign-magnitude encoders such as the `alawmulaw` npm package use `|x|`
//!   instead and so give the code one step further from zero at the 127
//!   negative inputs per law that sit exactly on a decision level
//!   (`__test__/pcm_resampler.test.js` checks this module against a G.191
//!   oracle and asserts exactly that set of differences).

/// μ-law code → linear 16-bit sample, for all 256 codes.
pub const MULAW_TO_S16: [i16; 256] = mulaw_table();
/// A-law code → linear 16-bit sample, for all 256 codes.
pub const ALAW_TO_S16: [i16; 256] = alaw_table();

/// μ-law bias at 16 bits (33 at the standard's 14 bits, left-aligned).
const MULAW_BIAS: i32 = 0x84;
/// Largest magnitude encoded distinctly (the top of the last segment, less the bias).
const CLIP: i32 = 32635;

const fn mulaw_table() -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        let c = !(code as u8);
        let exponent = ((c >> 4) & 7) as i32;
        let mantissa = (c & 0x0f) as i32;
        // Interval centre: ((2m + 33) << (e + 2)) − 132, in 16-bit units.
        let magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
        t[code] = if c & 0x80 != 0 {
            -magnitude as i16
        } else {
            magnitude as i16
        };
        code += 1;
    }
    t
}

const fn alaw_table() -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        let c = (code as u8) ^ 0x55;
        let exponent = ((c >> 4) & 7) as i32;
        let mantissa = (c & 0x0f) as i32;
        // Segment 0 is linear (step 16); segment e ≥ 1 has step 16 << (e − 1).
        let magnitude = if exponent == 0 {
            (mantissa << 4) + 8
        } else {
            ((mantissa << 4) + 0x108) << (exponent - 1)
        };
        // A-law: bit 7 set (after the even-bit inversion) is positive.
        t[code] = if c & 0x80 != 0 {
            magnitude as i16
        } else {
            -magnitude as i16
        };
        code += 1;
    }
    t
}

/// `x` for `x ≥ 0`, `!x` (`−x − 1`) below zero: G.191's magnitude, branch-free
/// (`x >> 31` is all ones for negative `x`).
#[inline]
fn ones_complement_magnitude(x: i32) -> i32 {
    x ^ (x >> 31)
}

/// μ-law code of a linear 16-bit sample.
#[inline]
pub fn mulaw_encode(x: i16) -> u8 {
    let x = x as i32;
    let sign = if x < 0 { 0x80 } else { 0 };
    let magnitude = (ones_complement_magnitude(x) + MULAW_BIAS).min(CLIP);
    // magnitude >= 132, so magnitude >> 7 >= 1: the segment is its bit length − 1.
    let exponent = 31 - ((magnitude >> 7) as u32).leading_zeros() as i32;
    let mantissa = (magnitude >> (exponent + 3)) & 0x0f;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// A-law code of a linear 16-bit sample.
#[inline]
pub fn alaw_encode(x: i16) -> u8 {
    let x = x as i32;
    let mask = if x >= 0 { 0xd5 } else { 0x55 };
    let magnitude = ones_complement_magnitude(x).min(CLIP);
    let code = if magnitude >= 256 {
        let exponent = 32 - ((magnitude >> 8) as u32).leading_zeros() as i32;
        let mantissa = (magnitude >> (exponent + 3)) & 0x0f;
        (exponent << 4) | mantissa
    } else {
        magnitude >> 4
    };
    (code as u8) ^ mask
}

/// Linear sample of a μ-law code.
#[inline]
pub fn mulaw_decode(code: u8) -> i16 {
    MULAW_TO_S16[code as usize]
}

/// Linear sample of an A-law code.
#[inline]
pub fn alaw_decode(code: u8) -> i16 {
    ALAW_TO_S16[code as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_tables_match_the_standard_end_points() {
        // G.711 table 2a/2b: μ-law 0x00 / 0x80 are the extremes, 0xff / 0x7f are zero.
        assert_eq!(mulaw_decode(0x00), -32124);
        assert_eq!(mulaw_decode(0x80), 32124);
        assert_eq!(mulaw_decode(0xff), 0);
        assert_eq!(mulaw_decode(0x7f), 0);
        // A-law: 0xd5 / 0x55 are the smallest magnitudes (±8), 0xaa / 0x2a the largest.
        assert_eq!(alaw_decode(0xd5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xaa), 32256);
        assert_eq!(alaw_decode(0x2a), -32256);
    }

    #[test]
    fn encodes_the_g191_reference_values() {
        // (input, μ-law, A-law) as ITU-T G.191's ulaw_compress / alaw_compress give them:
        // the extremes, both sides of zero, and decision levels where a negative
        // input's one's complement (−x − 1) falls in the interval below |x|.
        let vectors: [(i16, u8, u8); 16] = [
            (0, 0xff, 0xd5),
            (-1, 0x7f, 0x55),
            (3, 0xff, 0xd5),
            (4, 0xfe, 0xd5),
            (-4, 0x7f, 0x55),
            (-5, 0x7e, 0x55),
            (15, 0xfd, 0xd5),
            (16, 0xfd, 0xd4),
            (-16, 0x7d, 0x55),
            (-17, 0x7d, 0x54),
            (31611, 0x81, 0xab),
            (-31612, 0x01, 0x2b),
            (31743, 0x80, 0xab),
            (-31744, 0x00, 0x2b),
            (32767, 0x80, 0xaa),
            (-32768, 0x00, 0x2a),
        ];
        for (x, mu, a) in vectors {
            assert_eq!(mulaw_encode(x), mu, "μ-law {x}");
            assert_eq!(alaw_encode(x), a, "A-law {x}");
        }
    }

    #[test]
    fn a_negative_input_encodes_as_its_ones_complement_with_the_sign_flipped() {
        // G.191 encodes x < 0 from the magnitude !x = −x − 1, so the code of !x is
        // the code of x with bit 7 flipped, for every x ≥ 0.
        for x in 0..=i16::MAX {
            assert_eq!(mulaw_encode(!x), mulaw_encode(x) ^ 0x80, "μ-law {x}");
            assert_eq!(alaw_encode(!x), alaw_encode(x) ^ 0x80, "A-law {x}");
        }
    }

    #[test]
    fn decode_then_encode_is_the_identity_on_codes() {
        for code in 0..=255u8 {
            let a = alaw_decode(code);
            assert_eq!(alaw_encode(a), code, "A-law {code:#04x} -> {a}");
            let m = mulaw_decode(code);
            // μ-law has two zeros (0xff, 0x7f); +0 encodes as 0xff.
            let want = if code == 0x7f { 0xff } else { code };
            assert_eq!(mulaw_encode(m), want, "μ-law {code:#04x} -> {m}");
        }
    }

    #[test]
    fn encode_is_monotonic_and_within_one_step() {
        // Decoded value of the code of x never decreases with x, and lies in the
        // quantisation interval around x (at most half a step away, except the
        // clipped range and truncation's one-sided interval: at most one step).
        let mut last_mu = i32::MIN;
        let mut last_a = i32::MIN;
        for x in i16::MIN..=i16::MAX {
            let mu = mulaw_decode(mulaw_encode(x)) as i32;
            let a = alaw_decode(alaw_encode(x)) as i32;
            assert!(mu >= last_mu && a >= last_a, "not monotonic at {x}");
            last_mu = mu;
            last_a = a;
            let xi = (x as i32).clamp(-32635, 32635);
            let mag = xi.abs();
            let mu_step = 8 << (31 - (((mag + 132) >> 7) as u32).leading_zeros() as i32);
            let a_step = if mag < 512 {
                16
            } else {
                16 << (31 - ((mag >> 8) as u32).leading_zeros() as i32)
            };
            assert!((mu - xi).abs() <= mu_step, "μ-law {x} -> {mu}");
            assert!((a - xi).abs() <= a_step, "A-law {x} -> {a}");
        }
    }
}
