'use strict';

// Signal helpers shared by the jest tests.

const { AudioFrame } = require('../..');

/** Interleaved int16 sine, the same tone on every channel scaled by (ch+1)/channels. */
function sine(freq, rate, frames, channels = 1, amp = 0.5) {
  const out = new Int16Array(frames * channels);
  for (let n = 0; n < frames; n++) {
    const x = Math.sin((2 * Math.PI * freq * n) / rate);
    for (let ch = 0; ch < channels; ch++) {
      out[n * channels + ch] = Math.round(x * amp * ((ch + 1) / channels) * 32767);
    }
  }
  return out;
}

/** Deterministic noise (xorshift32). */
function noise(samples, seed = 1) {
  let s = seed >>> 0 || 1;
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s & 0xffff) - 32768;
  }
  return out;
}

/** Pushes `data` in frames of `pushFrames` (cycled) through `resampler`, then flushes; returns the concatenation. */
function runThrough(resampler, data, rate, channels, pushFrames, Frame = AudioFrame) {
  const sizes = Array.isArray(pushFrames) ? pushFrames : [pushFrames];
  const chunks = [];
  const frames = data.length / channels;
  let pos = 0;
  let i = 0;
  while (pos < frames) {
    const n = Math.min(sizes[i++ % sizes.length], frames - pos);
    const slice = data.slice(pos * channels, (pos + n) * channels);
    for (const f of resampler.push(new Frame(slice, rate, channels, n))) chunks.push(f.data);
    pos += n;
  }
  for (const f of resampler.flush()) chunks.push(f.data);
  return concat(chunks);
}

function concat(arrays) {
  const total = arrays.reduce((a, b) => a + b.length, 0);
  const out = new Int16Array(total);
  let off = 0;
  for (const a of arrays) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/** Least-squares amplitude and phase of a sine at `freq` in `x[start, end)`. */
function fitSine(x, freq, rate, start, end) {
  let ss = 0,
    sc = 0,
    cc = 0,
    xs = 0,
    xc = 0;
  for (let n = start; n < end; n++) {
    const w = (2 * Math.PI * freq * n) / rate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    xs += x[n] * s;
    xc += x[n] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(b, a) };
}

const expectedLength = (frames, inRate, outRate) => Math.round((frames * outRate) / inRate);

const isInt16Array = (x) => Object.prototype.toString.call(x) === '[object Int16Array]';

module.exports = { sine, noise, runThrough, concat, fitSine, expectedLength, isInt16Array };
