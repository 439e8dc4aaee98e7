'use strict';

// One-shot resample / resampleAsync: exact length, the same samples as a
// PcmResampler push + flush, validation, and resampleAsync computed off the
// event loop (bit-identical to resample, input copied at the call).

const { PcmResampler, resample, resampleAsync } = require('../index.js');
const { noise, sine } = require('./helpers/signals.js');

const FORMATS = ['s16', 'f32', 'mulaw', 'alaw'];
const tag = (x) => Object.prototype.toString.call(x);

function input(format, samples) {
  const x = noise(samples, 99);
  if (format === 's16') return x;
  if (format === 'f32') return Float32Array.from(x, (v) => v / 32768);
  return Uint8Array.from(x, (v) => v & 0xff);
}

const bytes = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

/** Bit-identical typed arrays of one type (a native compare: an element loop takes jest ~40 s on 57M samples). */
function equal(a, b) {
  return a.constructor === b.constructor && a.length === b.length && bytes(a).equals(bytes(b));
}

describe('resample', () => {
  test.each([
    [48000, 16000, 1],
    [8000, 24000, 2],
    [44100, 48000, 2],
    [22050, 22050, 3],
  ])(
    '%i -> %i x%i: exact length and the samples of push + flush, every format pair',
    (inputRate, outputRate, channels) => {
      const frames = 1234;
      for (const inFormat of FORMATS) {
        const x = input(inFormat, frames * channels);
        for (const outFormat of FORMATS) {
          const opts = { inputRate, outputRate, channels, input: inFormat, output: outFormat };
          const y = resample(x, opts);
          expect(y.length).toBe(Math.round((frames * outputRate) / inputRate) * channels);
          const r = new PcmResampler(opts);
          const a = r.push(x);
          const b = r.flush();
          const want = new y.constructor(a.length + b.length);
          want.set(a);
          want.set(b, a.length);
          expect(equal(y, want)).toBe(true);
          if (inputRate === outputRate && inFormat === outFormat) {
            expect(y).not.toBe(x); // a copy
            expect(equal(y, x)).toBe(true);
          }
        }
      }
    },
  );

  test.each(FORMATS)(
    "equal rate and format ('%s'): a new array of the output format's type, not a view of the input (a Buffer included)",
    async (format) => {
      const opts = { inputRate: 16000, outputRate: 16000, input: format };
      // The type the other paths return for this output format (by name: the addon's arrays are of another realm).
      const type = resample(input(format, 4), { ...opts, outputRate: 8000 }).constructor.name;
      const samples = input(format, 64);
      const inputs = [samples, new samples.constructor(samples)];
      if (type === 'Uint8Array') inputs.push(Buffer.from(samples)); // Buffer#slice is a view
      for (const call of [resample, resampleAsync]) {
        for (const x of inputs) {
          const y = await call(x, opts);
          expect(Array.from(y)).toEqual(Array.from(x));
          const before = Array.from(y);
          x.fill(7); // the caller reuses its buffer
          expect(Array.from(y)).toEqual(before);
          expect(y.constructor.name).toBe(type);
          x.set(samples);
        }
      }
    },
  );

  test('empty input gives an empty array of the output type', () => {
    const y = resample(new Uint8Array(0), { inputRate: 8000, outputRate: 16000, input: 'mulaw', output: 'f32' });
    expect(tag(y)).toBe('[object Float32Array]');
    expect(y.length).toBe(0);
  });

  test('an output beyond the largest typed array is an Error (ERR_MEMORY_ALLOCATION_FAILED) before any work', async () => {
    const x = new Int16Array(45_000_000); // 8 kHz -> 768 kHz: 4.32e9 output samples > 2 ** 32
    const opts = { inputRate: 8000, outputRate: 768000 };
    // The count in the message is the output the input length implies, which only
    // the check made before the conversion reports.
    expect(() => resample(x, opts)).toThrow(
      expect.objectContaining({
        code: 'ERR_MEMORY_ALLOCATION_FAILED',
        message: expect.stringMatching(/^resample would produce up to 4320000000 samples/),
      }),
    );
    // Refused during the call, not after minutes on the thread pool: the promise
    // is already rejected before the event loop turns once.
    let settled = null;
    const pending = resampleAsync(x, opts).catch((e) => {
      settled = e;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual(expect.objectContaining({ code: 'ERR_MEMORY_ALLOCATION_FAILED' }));
    await pending;
  });

  test('bad arguments throw with the package errors', () => {
    expect(() => resample(new Float32Array(4), { inputRate: 8000, outputRate: 16000 })).toThrow(
      new TypeError("samples must be a Int16Array for format 's16', got a Float32Array"),
    );
    expect(() => resample(new Int16Array(3), { inputRate: 8000, outputRate: 16000, channels: 2 })).toThrow(RangeError);
    expect(() => resample(new Int16Array(4), null)).toThrow(TypeError);
    expect(() => resample(new Int16Array(4), { inputRate: 8000, outputRate: 800000 })).toThrow(RangeError);
  });
});

describe('resampleAsync', () => {
  test('resolves to the same bytes as resample for every format pair; bad arguments reject', async () => {
    for (const inFormat of FORMATS) {
      const x = input(inFormat, 2 * 4410);
      for (const outFormat of FORMATS) {
        const opts = { inputRate: 44100, outputRate: 16000, channels: 2, input: inFormat, output: outFormat };
        const y = await resampleAsync(x, opts);
        expect(equal(y, resample(x, opts))).toBe(true);
      }
    }
    await expect(resampleAsync(new Float32Array(4), { inputRate: 8000, outputRate: 16000 })).rejects.toThrow(TypeError);
    await expect(resampleAsync(new Int16Array(4), { inputRate: 0, outputRate: 16000 })).rejects.toThrow(RangeError);
  });

  test('the input is copied at the call: overwriting it afterwards changes nothing', async () => {
    const x = sine(440, 48000, 48000, 1);
    const want = resample(x, { inputRate: 48000, outputRate: 16000 });
    const pending = resampleAsync(x, { inputRate: 48000, outputRate: 16000 });
    x.fill(12345);
    expect(equal(await pending, want)).toBe(true);
  });

  test('a 10-minute stereo buffer converts on the thread pool while the event loop keeps turning', async () => {
    const rate = 44100;
    const frames = 600 * rate;
    const x = new Int16Array(frames * 2);
    const tone = sine(1000, rate, rate, 2); // one second, repeated
    for (let o = 0; o < x.length; o += tone.length) x.set(tone.subarray(0, Math.min(tone.length, x.length - o)), o);
    const opts = { inputRate: rate, outputRate: 48000, channels: 2 };
    const sync = resample(x, opts);

    let y = null;
    const pending = resampleAsync(x, opts).then((out) => {
      y = out;
    });
    // Computed on the main thread, the result would be there once the call's
    // microtasks ran; off it, the loop turns (setImmediate callbacks run) while
    // the conversion of 26 million frames is still pending. A few turns show it
    // (spinning on to the end would take CPU from the conversion).
    await Promise.resolve();
    expect(y).toBeNull();
    let turns = 0;
    while (y === null && turns < 10) {
      await new Promise((resolve) => setImmediate(resolve));
      if (y === null) turns++;
    }
    await pending;
    expect(turns).toBe(10);
    expect(y.length).toBe(600 * 48000 * 2);
    expect(equal(y, sync)).toBe(true);
  }, 120_000);
});
