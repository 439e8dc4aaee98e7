'use strict';

// ITU-T G.711 μ-law and A-law as the G.191 Software Tool Library defines them
// (alaw_compress / alaw_expand / ulaw_compress / ulaw_expand), written for the
// tests from that algorithm's description and not from the engine's code, so
// that it can serve as their oracle. Samples are 16-bit: A-law looks at the 13
// most significant bits, μ-law at 14. A negative sample's magnitude is its one's
// complement (−x − 1), which is what makes G.191 differ from the sign-magnitude
// encoders (`alawmulaw`, the common "g711.c") at negative decision levels.

/** Magnitude as G.191 takes it: x for x ≥ 0, the one's complement ~x (= −x − 1) below zero. */
const magnitude = (x) => (x < 0 ? ~x : x);

/** A-law code of a 16-bit sample. */
function alawEncode(x) {
  // 12 magnitude bits (the 13th is the sign): 0..2047.
  let m = magnitude(x) >> 4;
  let code = m; // segment 0 (m < 16) is linear and holds m itself
  if (m >= 16) {
    // Halve until five bits remain; each halving is one segment up. The
    // leading 1 of those five bits is implied by the segment and dropped.
    let segment = 1;
    for (; m >= 32; m >>= 1) segment++;
    code = (segment << 4) | (m & 0x0f);
  }
  if (x >= 0) code |= 0x80;
  return code ^ 0x55; // the even bits are transmitted inverted
}

/** 16-bit sample of an A-law code: the centre of its interval. */
function alawDecode(code) {
  const c = (code ^ 0x55) & 0x7f;
  const segment = c >> 4;
  // Mantissa with its implied leading 1 above segment 0, in units of 16, plus half a step.
  const m = (c & 0x0f) + (segment > 0 ? 16 : 0);
  const v = ((m << 4) + 8) << Math.max(0, segment - 1);
  return code & 0x80 ? v : -v; // 0x55 leaves bit 7 alone: set means positive
}

/** μ-law code of a 16-bit sample. */
function mulawEncode(x) {
  // 14-bit magnitude plus the bias 33 (which lines μ-law's segments up on
  // powers of two), limited to 13 bits.
  const biased = Math.min((magnitude(x) >> 2) + 33, 0x1fff);
  // Segment s (1..8) is the one where biased < 64 << (s − 1), i.e. one more
  // than the bit length of biased >> 6.
  let segment = 1;
  for (let rest = biased >> 6; rest > 0; rest >>= 1) segment++;
  const mantissa = (biased >> segment) & 0x0f;
  // The code is transmitted inverted, except that its sign bit is set for x ≥ 0.
  return (((8 - segment) << 4) | (15 - mantissa) | (x >= 0 ? 0x80 : 0)) & 0xff;
}

/** 16-bit sample of a μ-law code: the centre of its interval, less the bias. */
function mulawDecode(code) {
  const c = ~code & 0xff;
  const exponent = (c >> 4) & 7;
  const mantissa = c & 0x0f;
  const step = 8 << exponent; // in 16-bit units (4 << segment, segment = exponent + 1)
  const v = (128 << exponent) + mantissa * step + step / 2 - 4 * 33;
  return code & 0x80 ? v : -v;
}

module.exports = {
  mulaw: { encode: mulawEncode, decode: mulawDecode },
  alaw: { encode: alawEncode, decode: alawDecode },
};
