'use strict';

// PcmResampler: the four formats at equal and different rates, odd splits,
// pushInto/flushInto into offset views, too-small outputs, wrong types and
// partial frames (consuming nothing), G.711 against an ITU-T G.191 oracle (and
// where the `alawmulaw` package differs from it), the f32 ↔ s16 rule, and
// pushInto's allocation-free hot path.

const { spawnSync } = require('node:child_process');
const alawmulaw = require('alawmulaw');
const { PcmResampler, resample, AudioResamplerQuality } = require('../index.js');
const g711 = require('./helpers/g711_reference.js');
const { nativeCounter } = require('./helpers/native_count.js');
const { sine, noise } = require('./helpers/signals.js');

const FORMATS = ['s16', 'f32', 'mulaw', 'alaw'];
const ARRAY = { s16: Int16Array, f32: Float32Array, mulaw: Uint8Array, alaw: Uint8Array };
const tag = (x) => Object.prototype.toString.call(x);

let seed = 12345;
function rand() {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 0x100000000;
}

/** The documented f32 → s16 rule, written independently: ×32768, half away from zero, saturate, NaN → 0. */
function toS16(x) {
  if (Number.isNaN(x)) return 0;
  const y = Math.fround(x * 32768); // the engine multiplies in f32
  const r = Math.sign(y) * Math.floor(Math.abs(y) + 0.5);
  return Math.max(-32768, Math.min(32767, r));
}

/** A stereo test signal (tones + noise) as s16, then in `format`. */
function signalIn(format, frames, channels, rate) {
  const s = sine(997, rate, frames, channels, 0.6);
  const n = noise(frames * channels, 7);
  const x = new Int16Array(frames * channels);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(-32768, Math.min(32767, s[i] + (n[i] >> 3)));
  return encode(x, format);
}

function encode(x, format) {
  if (format === 's16') return x;
  if (format === 'f32') return Float32Array.from(x, (v) => v / 32768);
  return Uint8Array.from(x, g711[format].encode);
}

/** Concatenates typed arrays of one type. */
function concat(Type, parts) {
  const out = new Type(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Pushes `x` in random pieces of 0..max frames, then flushes; returns all output. */
function runPush(r, x, channels, max) {
  const parts = [];
  const frames = x.length / channels;
  for (let pos = 0; pos < frames; ) {
    const n = Math.min(frames - pos, Math.floor(rand() * (max + 1)));
    const out = r.push(x.subarray(pos * channels, (pos + n) * channels));
    expect(tag(out)).toBe(`[object ${ARRAY[r.output].name}]`);
    expect(out.length % channels).toBe(0);
    parts.push(out);
    pos += n;
  }
  parts.push(r.flush());
  return concat(ARRAY[r.output], parts);
}

/** The same through pushInto/flushInto, each into a window of exactly maxOutputFrames at an odd offset. */
function runInto(r, x, channels, max) {
  const Type = ARRAY[r.output];
  const frames = x.length / channels;
  const parts = [];
  const big = new Type(r.maxOutputFrames(max) * channels + 7);
  for (let pos = 0; pos <= frames; ) {
    const last = pos === frames;
    const n = last ? 0 : Math.min(frames - pos, Math.floor(rand() * (max + 1)));
    const room = r.maxOutputFrames(n) * channels;
    const window = big.subarray(3, 3 + room); // byteOffset 3 × element size: odd for Uint8Array
    big.fill(Type === Float32Array ? Number.NaN : 77);
    const written = last ? r.flushInto(window) : r.pushInto(x.subarray(pos * channels, (pos + n) * channels), window);
    expect(Number.isInteger(written) && written >= 0 && written * channels <= room).toBe(true);
    // Nothing outside the written part of the window was touched.
    const untouched = Type === Float32Array ? Number.isNaN : (v) => v === 77;
    expect(untouched(big[2]) && big.subarray(3 + written * channels).every(untouched)).toBe(true);
    parts.push(window.slice(0, written * channels));
    if (last) break;
    pos += n;
  }
  return concat(Type, parts);
}

const same = (a, b) => {
  expect(a.length).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
  expect(diff).toBe(0);
};

describe('G.711 equals ITU-T G.191 (an independent oracle, __test__/helpers/g711_reference.js)', () => {
  const LAWS = ['mulaw', 'alaw'];
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const encodeAll = (codec, x) => Uint8Array.from(x, codec.encode);
  const decodeAll = (codec, c) => Int16Array.from(c, codec.decode);

  test('the oracle gives G.191 codes at the points where sign-magnitude encoders differ', () => {
    expect(g711.mulaw.encode(-31612)).toBe(1);
    expect(alawmulaw.mulaw.encode(Int16Array.of(-31612))[0]).toBe(0);
    expect(g711.alaw.encode(-31744)).toBe(43);
    expect(alawmulaw.alaw.encode(Int16Array.of(-31744))[0]).toBe(42);
    // One's complement: ~x (−x − 1) gets the code of x with the sign flipped, and codes decode symmetrically.
    for (const law of LAWS) {
      let asymmetric = 0;
      for (let x = 0; x < 32768; x++) if (g711[law].encode(~x) !== (g711[law].encode(x) ^ 0x80)) asymmetric++;
      for (let c = 0; c < 128; c++) if (g711[law].decode(c) !== -g711[law].decode(c | 0x80)) asymmetric++;
      expect(asymmetric).toBe(0);
    }
  });

  test.each(LAWS)('%s: all 256 codes decode and all 65,536 int16 inputs encode as the oracle', (law) => {
    const want = encodeAll(g711[law], all);
    // Equal rates: conversion only (the engine's tables).
    const dec = new PcmResampler({ inputRate: 8000, outputRate: 8000, input: law, output: 's16' });
    same(dec.push(codes), decodeAll(g711[law], codes));
    const enc = new PcmResampler({ inputRate: 8000, outputRate: 8000, input: 's16', output: law });
    same(enc.push(all), want);
    // The one-shot path and f32 input (x / 32768 is exact) agree.
    same(resample(all, { inputRate: 8000, outputRate: 8000, output: law }), want);
    const f = Float32Array.from(all, (v) => v / 32768);
    same(resample(f, { inputRate: 8000, outputRate: 8000, input: 'f32', output: law }), want);
  });

  test.each(LAWS)(
    '%s: alawmulaw decodes alike and encodes 127 negative decision levels one code further from zero',
    (law) => {
      same(alawmulaw[law].decode(codes), decodeAll(g711[law], codes));
      // Decision levels: the positive inputs that start a new code (127 of them: 128 positive codes).
      const levels = [];
      for (let x = 1; x < 32768; x++) if (g711[law].encode(x) !== g711[law].encode(x - 1)) levels.push(x);
      expect(levels.length).toBe(127);
      // alawmulaw takes |x| of a negative x, G.191 |x| − 1: they part exactly at x = −level, where
      // alawmulaw gives the code G.191 gives one LSB further from zero (x − 1).
      const theirs = alawmulaw[law].encode(all);
      const ours = encodeAll(g711[law], all);
      const differ = all.filter((_, i) => theirs[i] !== ours[i]);
      expect(Array.from(differ)).toEqual(levels.map((l) => -l).reverse());
      for (const x of differ) expect(theirs[x + 32768]).toBe(g711[law].encode(x - 1));
    },
  );

  test.each(LAWS)('%s output of a resampler is its s16 output encoded; G.711 input is the decoded s16', (law) => {
    const x = signalIn('s16', 4801, 1, 24000);
    const s16 = resample(x, { inputRate: 24000, outputRate: 8000 });
    same(resample(x, { inputRate: 24000, outputRate: 8000, output: law }), encodeAll(g711[law], s16));
    const coded = encodeAll(g711[law], x);
    same(
      resample(coded, { inputRate: 24000, outputRate: 16000, input: law, output: 's16' }),
      resample(decodeAll(g711[law], coded), { inputRate: 24000, outputRate: 16000 }),
    );
  });
});

describe('formats x rates: push (odd splits) == pushInto (offset views) == resample', () => {
  const pairs = [
    [48000, 16000],
    [8000, 16000],
    [24000, 8000],
    [44100, 48000],
    [16000, 16000],
  ];
  for (const [inputRate, outputRate] of pairs) {
    test(`${inputRate} -> ${outputRate}, stereo, every input x output format`, () => {
      const channels = 2;
      const frames = Math.round(inputRate * 0.11) + 1;
      for (const input of FORMATS) {
        const x = signalIn(input, frames, channels, inputRate);
        for (const output of FORMATS) {
          const opts = { inputRate, outputRate, channels, input, output };
          const once = resample(x, opts);
          expect(once.length).toBe(Math.round((frames * outputRate) / inputRate) * channels);
          const a = new PcmResampler(opts);
          same(runPush(a, x, channels, 1 + Math.floor(rand() * 700)), once);
          // Reused after flush, with another split.
          same(runPush(a, x, channels, 37), once);
          const b = new PcmResampler(opts);
          same(runInto(b, x, channels, 1 + Math.floor(rand() * 900)), once);
          a.close();
          b.close();
        }
      }
    });
  }

  test('s16 output == f32 output converted by the rule; f32 input == s16 input / 32768; f32 output is not clipped', () => {
    for (const [inputRate, outputRate] of [
      [48000, 16000],
      [16000, 24000],
      [44100, 44100],
    ]) {
      const x = signalIn('s16', 3001, 2, inputRate);
      const opts = { inputRate, outputRate, channels: 2, quality: AudioResamplerQuality.HIGH };
      const s16 = resample(x, opts);
      const f32 = resample(x, { ...opts, output: 'f32' });
      same(s16, Int16Array.from(f32, toS16));
      same(
        resample(
          Float32Array.from(x, (v) => v / 32768),
          { ...opts, input: 'f32', output: 's16' },
        ),
        s16,
      );
    }
    // A full-scale square wave overshoots: f32 output exceeds ±1, s16 output saturates.
    const square = Float32Array.from({ length: 4800 }, (_, i) => (Math.floor(i / 40) % 2 ? -1 : 1));
    const y = resample(square, { inputRate: 48000, outputRate: 16000, input: 'f32' });
    expect(y.some((v) => Math.abs(v) > 1)).toBe(true);
    const y16 = resample(square, { inputRate: 48000, outputRate: 16000, input: 'f32', output: 's16' });
    expect(y16.some((v) => v === 32767)).toBe(true);
    same(y16, Int16Array.from(y, toS16));
  });
});

describe('f32 input at the extremes', () => {
  const F32_MAX = 3.4028234663852886e38;
  const cases = [
    [768000, 8000, AudioResamplerQuality.MEDIUM],
    [48000, 16000, AudioResamplerQuality.LOW],
    [8000, 768000, AudioResamplerQuality.HIGH],
    [44100, 48000, AudioResamplerQuality.VERY_HIGH],
    [768000, 44100, AudioResamplerQuality.QUICK],
    [24000, 16000, AudioResamplerQuality.MEDIUM],
  ];

  test.each(cases)(
    '%i -> %i (quality %i): huge finite input gives finite f32 output, and s16 output saturated toward its sign',
    (inputRate, outputRate, quality) => {
      const opts = { inputRate, outputRate, quality, input: 'f32' };
      const frames = Math.round(inputRate * 0.03);
      for (const v of [F32_MAX, 3.2e38, 3.5e34, 1e30]) {
        for (const sign of [1, -1]) {
          const x = new Float32Array(frames).fill(sign * v);
          const y = resample(x, { ...opts, output: 'f32' });
          expect(y.every((t) => Number.isFinite(t) && Math.sign(t) === sign)).toBe(true);
          const y16 = resample(x, { ...opts, output: 's16' });
          expect(y16.every((t) => t === (sign > 0 ? 32767 : -32768))).toBe(true);
          same(y16, Int16Array.from(y, toS16));
        }
        // Alternating and random signs: finite, and the s16 output is the f32 output converted.
        const alt = Float32Array.from({ length: frames }, (_, i) => (i % 2 ? -v : v));
        const mixed = Float32Array.from({ length: frames }, () => (rand() < 0.5 ? -v : v));
        for (const x of [alt, mixed]) {
          const y = resample(x, { ...opts, output: 'f32' });
          expect(y.every(Number.isFinite)).toBe(true);
          same(resample(x, { ...opts, output: 's16' }), Int16Array.from(y, toS16));
        }
      }
    },
  );

  test.each(cases)(
    '%i -> %i (quality %i): subnormal input gives exactly the output of zeros (push, pushInto, resample)',
    (inputRate, outputRate, quality) => {
      const opts = { inputRate, outputRate, quality, input: 'f32', output: 'f32' };
      const frames = Math.round(inputRate * 0.03);
      const tiny = Float32Array.from({ length: frames }, (_, i) => 1e-40 * Math.sin(i / 3));
      expect(tiny.some((t) => t !== 0)).toBe(true);
      const zeros = resample(new Float32Array(frames), opts);
      same(resample(tiny, opts), zeros);
      const r = new PcmResampler(opts);
      same(runPush(r, tiny, 1, 997), zeros);
      same(runInto(r, tiny, 1, 997), zeros);
      r.close();
    },
  );

  test.each(cases)(
    '%i -> %i (quality %i): NaN input is taken as 0, whatever the push sizes (push, pushInto, resample)',
    (inputRate, outputRate, quality) => {
      const opts = { inputRate, outputRate, quality, input: 'f32', output: 'f32' };
      const frames = Math.round(inputRate * 0.03);
      const clean = Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin(i / 3));
      const x = clean.slice();
      for (const at of [0, 1, Math.floor(frames / 2), frames - 1]) {
        x[at] = Number.NaN;
        clean[at] = 0;
      }
      const want = resample(clean, opts);
      expect(want.every(Number.isFinite)).toBe(true);
      same(resample(x, opts), want);
      const r = new PcmResampler(opts);
      same(runPush(r, x, 1, 997), want);
      same(runInto(r, x, 1, 997), want);
      r.close();
    },
  );
});

describe('equal rates', () => {
  test('same format: push returns the same array, pushInto copies, no native state', () => {
    const native = nativeCounter();
    for (const format of FORMATS) {
      const r = new PcmResampler({ inputRate: 16000, outputRate: 16000, channels: 2, input: format });
      expect(native.live()).toBe(0);
      const x = signalIn(format, 160, 2, 16000);
      expect(r.push(x)).toBe(x);
      const out = new ARRAY[format](400);
      expect(r.pushInto(x, out.subarray(5))).toBe(160);
      same(out.subarray(5, 325), x);
      expect(r.maxOutputFrames(160)).toBe(160);
      const tail = r.flush();
      expect(tail).toBeInstanceOf(ARRAY[format]);
      expect(tail.length).toBe(0);
      expect(r.flushInto(out)).toBe(0);
      expect(() => r.pushInto(x, new ARRAY[format](319))).toThrow(RangeError);
    }
  });

  test('another format: conversion only, no filter, no delay', () => {
    const x = noise(999, 3);
    const r = new PcmResampler({ inputRate: 8000, outputRate: 8000, input: 's16', output: 'f32' });
    same(
      r.push(x),
      Float32Array.from(x, (v) => v / 32768),
    );
    expect(r.flush().length).toBe(0);
    const back = new PcmResampler({ inputRate: 8000, outputRate: 8000, input: 'f32', output: 's16' });
    const loud = Float32Array.from([0.5 / 32768, -0.5 / 32768, 1.5 / 32768, 1, -1, 2, -2, Number.NaN, 0.25]);
    same(back.push(loud), Int16Array.from(loud, toS16));
    same(back.push(loud), Int16Array.from([1, -1, 2, 32767, -32768, 32767, -32768, 0, 8192]));
  });
});

describe('caller buffers and bad input', () => {
  test('too small an out is a RangeError before anything is consumed', () => {
    for (const format of FORMATS) {
      const opts = { inputRate: 48000, outputRate: 16000, channels: 2, input: format, output: format };
      const a = new PcmResampler(opts);
      const b = new PcmResampler(opts);
      const x = signalIn(format, 960, 2, 48000);
      const need = a.maxOutputFrames(960);
      expect(Number.isInteger(need) && need >= 320).toBe(true);
      const small = new ARRAY[format](need * 2 - 1);
      expect(() => a.pushInto(x, small)).toThrow(
        expect.objectContaining({
          name: 'RangeError',
          code: 'ERR_OUT_OF_RANGE',
          message: expect.stringMatching(/^out has room for/),
        }),
      );
      expect(() => a.pushInto(x, small)).toThrow(`maxOutputFrames(960) = ${need}`);
      a.push(x.subarray(0, 200)); // something pending for flush
      b.push(x.subarray(0, 200));
      expect(() => a.flushInto(new ARRAY[format](a.maxOutputFrames(0) * 2 - 2))).toThrow(/maxOutputFrames\(0\)/);
      // Nothing consumed: a and b still agree.
      same(runPush(a, x, 2, 500), runPush(b, x, 2, 500));
    }
  });

  test('wrong typed array types are TypeErrors naming the expected type; partial frames RangeErrors; nothing consumed', () => {
    const r = new PcmResampler({ inputRate: 8000, outputRate: 16000, channels: 2, input: 'mulaw', output: 'f32' });
    const ref = new PcmResampler({ inputRate: 8000, outputRate: 16000, channels: 2, input: 'mulaw', output: 'f32' });
    const out = new Float32Array(r.maxOutputFrames(160) * 2);
    expect(() => r.push(new Int16Array(320))).toThrow(
      new TypeError("samples must be a Uint8Array for format 'mulaw', got a Int16Array"),
    );
    expect(() => r.push([1, 2])).toThrow(TypeError);
    expect(() => r.pushInto(new Uint8Array(320), new Int16Array(4000))).toThrow(
      /^out must be a Float32Array for format 'f32'/,
    );
    expect(() => r.flushInto(new Float64Array(4000))).toThrow(TypeError);
    expect(() => r.pushInto(new Uint16Array(320), out)).toThrow(TypeError);
    expect(() => r.push(new Uint8Array(321))).toThrow(
      new RangeError('samples has 321 samples, not a whole number of 2-channel frames'),
    );
    expect(() => r.pushInto(new Uint8Array(3), out)).toThrow(RangeError);
    // A Buffer is a Uint8Array: accepted.
    const x = signalIn('mulaw', 800, 2, 8000);
    same(r.push(Buffer.from(x)), ref.push(x));
    same(r.flush(), ref.flush());
  });

  test.each([
    [16000, 8000, 's16', 's16'],
    [16000, 16000, 's16', 's16'], // no native state
    [8000, 8000, 'mulaw', 'mulaw'], // no native state
    [16000, 16000, 'f32', 'f32'], // no native state
    [8000, 8000, 'mulaw', 'alaw'], // conversion only
    [8000, 16000, 'mulaw', 'mulaw'],
  ])(
    '%i -> %i, %s -> %s: pushInto refuses an out that shares memory with the samples',
    (inputRate, outputRate, input, output) => {
      const r = new PcmResampler({ inputRate, outputRate, input, output });
      const ref = new PcmResampler({ inputRate, outputRate, input, output });
      const size = ARRAY[input].BYTES_PER_ELEMENT;
      const bytes = new ArrayBuffer(8000 * size);
      const samples = new ARRAY[input](bytes, 0, 160);
      samples.set(signalIn(input, 160, 1, inputRate));
      const room = r.maxOutputFrames(160);
      const outSize = ARRAY[output].BYTES_PER_ELEMENT;
      const refusal = expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
        message: 'out must not share memory with samples',
      });
      // Overlapping at the start, in the middle, at the end; the same view for one format.
      for (const at of [0, 100 * size, 159 * size, 160 * size - 1]) {
        const start = at - (at % outSize);
        expect(() => r.pushInto(samples, new ARRAY[output](bytes, start, room))).toThrow(refusal);
      }
      if (input === output) expect(() => r.pushInto(samples, samples)).toThrow(refusal);
      // An out that ends on the first sample of later samples.
      const later = new ARRAY[input](bytes, 4000 * size, 160);
      later.set(samples);
      expect(() => r.pushInto(later, new ARRAY[output](bytes, 4000 * size - (room - 1) * outSize, room))).toThrow(
        refusal,
      );
      // Nothing was consumed, and adjacent memory of the same ArrayBuffer is fine.
      const out = new ARRAY[output](bytes, 160 * size + ((outSize - ((160 * size) % outSize)) % outSize), room);
      const want = new ARRAY[output](room);
      const n = r.pushInto(samples, out);
      expect(n).toBe(ref.pushInto(samples, want));
      same(out.subarray(0, n), want.subarray(0, n));
      r.close();
      ref.close();
    },
  );

  test.each([
    [undefined, TypeError, /options must be an object/],
    [{ outputRate: 16000 }, TypeError, /inputRate must be a number/],
    [{ inputRate: 8000, outputRate: 0 }, RangeError, /outputRate/],
    [
      { inputRate: 8000, outputRate: 16000, input: 'u8' },
      RangeError,
      /input must be one of 's16', 'f32', 'mulaw', 'alaw', got "u8"/,
    ],
    [{ inputRate: 8000, outputRate: 16000, output: 1 }, TypeError, /output must be one of/],
    [{ inputRate: 8000, outputRate: 16000, format: 's16' }, TypeError, /unsupported option\(s\) format/],
    [{ inputRate: 8000, outputRate: 16000, channels: 65 }, RangeError, /channels/],
    [{ inputRate: 8000, outputRate: 16000, quality: '2' }, TypeError, /quality/],
  ])('new PcmResampler(%p) throws', (options, Type, message) => {
    expect(() => new PcmResampler(options)).toThrow(Type);
    expect(() => new PcmResampler(options)).toThrow(message);
  });

  test('getters, maxOutputFrames checks, close is idempotent and frees the native state', () => {
    const native = nativeCounter();
    const r = new PcmResampler({ inputRate: 24000, outputRate: 8000, output: 'mulaw' });
    expect([r.inputRate, r.outputRate, r.channels, r.quality, r.input, r.output, r.closed]).toEqual([
      24000,
      8000,
      1,
      AudioResamplerQuality.MEDIUM,
      's16',
      'mulaw',
      false,
    ]);
    expect(native.live()).toBe(1);
    expect(() => r.maxOutputFrames(-1)).toThrow(RangeError);
    expect(() => r.maxOutputFrames('1')).toThrow(TypeError);
    r.close();
    r.close();
    expect(r.closed).toBe(true);
    expect(native.live()).toBe(0);
    for (const call of [
      () => r.push(new Int16Array(2)),
      () => r.flush(),
      () => r.pushInto(new Int16Array(2), new Uint8Array(9)),
    ]) {
      expect(call).toThrow(new Error('PcmResampler is closed'));
    }
  });
});

describe('lifetime', () => {
  test('a PcmResampler never closed is garbage-collected and its native state freed', async () => {
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    // Let resamplers left over by earlier tests be collected first.
    for (let i = 0; i < 5; i++) {
      await tick();
      global.gc();
      await tick();
    }
    const native = nativeCounter();
    (() => {
      for (let i = 0; i < 50; i++) {
        const r = new PcmResampler({ inputRate: 44100, outputRate: 48000, channels: 2, output: 'f32' });
        r.push(new Int16Array(882));
      }
    })();
    expect(native.live()).toBe(50);
    for (let i = 0; i < 10 && native.live() > 0; i++) {
      await tick();
      global.gc();
      await tick();
    }
    expect(native.live()).toBe(0);
  });
});

describe('allocation-free pushInto', () => {
  // Runs in a plain Node child: jest's own timers allocate a little as time
  // passes, which on a slow machine (the 1M calls take 20 s at 2 GHz) adds
  // scavenges that are not ours.
  const script = `
    const { PerformanceObserver } = require('node:perf_hooks');
    const v8 = require('node:v8');
    const { PcmResampler } = require(${JSON.stringify(require.resolve('../index.js'))});
    const r = new PcmResampler({ inputRate: 48000, outputRate: 16000 });
    const x = Int16Array.from(${JSON.stringify(Array.from(signalIn('s16', 480, 1, 48000)))});
    const out = new Int16Array(r.maxOutputFrames(480));
    for (let i = 0; i < 1000; i++) r.pushInto(x, out); // warm up (JIT, native buffers)
    global.gc();
    let gcs = 0;
    const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
    obs.observe({ entryTypes: ['gc'] });
    // GC entries reach observers through two setImmediate hops (Node's gc
    // callback, then the observer queue): ten event-loop turns deliver them.
    const settle = async () => { for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve)); };
    setImmediate(async () => {
      const before = v8.getHeapStatistics().used_heap_size;
      let frames = 0;
      for (let i = 0; i < 1_000_000; i++) frames += r.pushInto(x, out);
      const after = v8.getHeapStatistics().used_heap_size;
      await settle();
      const into = { frames, gcs, growth: after - before, slack: r.maxOutputFrames(0) };
      // The same loop with push() does allocate (the check can fail).
      gcs = 0;
      for (let i = 0; i < 200_000; i++) r.push(x);
      await settle();
      obs.disconnect();
      process.stdout.write(JSON.stringify({ into, pushGcs: gcs }));
    });`;

  test('1M pushInto calls allocate nothing on the V8 heap (no GC, flat heap)', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 110_000 });
    expect(child.stderr).toBe('');
    const { into, pushGcs } = JSON.parse(child.stdout);
    expect(Math.abs(into.frames - 160_000_000)).toBeLessThan(into.slack);
    // Even 8 bytes a push would be 8 MB: at least one scavenge, or a heap that grew.
    expect(into.gcs).toBe(0);
    expect(into.growth).toBeLessThan(512 * 1024);
    expect(pushGcs).toBeGreaterThan(0);
  }, 120_000);
});
