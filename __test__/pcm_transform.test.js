'use strict';

const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { AudioFrame, AudioResampler, AudioResamplerQuality, PcmResampleTransform } = require('../index.js');
const { nativeCounter } = require('./helpers/native_count.js');

let seed = 987654321;
function rand() {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 0x100000000;
}

/** Interleaved test signal (sine per channel + noise, with some clipping-range peaks). */
function signal(rate, channels, frames) {
  const x = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const v = 20000 * Math.sin((2 * Math.PI * (440 + 330 * c) * i) / rate) + (rand() - 0.5) * 6000;
      x[i * channels + c] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
  }
  return x;
}

/** s16le bytes of `x`, in a Buffer of its own (byteOffset 0). */
function toBytes(x) {
  const b = Buffer.alloc(x.length * 2);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(x[i], 2 * i);
  return b;
}

function fromBytes(b) {
  expect(b.length % 2).toBe(0);
  const x = new Int16Array(b.length / 2);
  for (let i = 0; i < x.length; i++) x[i] = b.readInt16LE(2 * i);
  return x;
}

/** Splits `bytes` at random byte offsets into chunks of 1..maxLen bytes; some are copies at pool offsets. */
function randomSplit(bytes, maxLen) {
  const chunks = [];
  let i = 0;
  while (i < bytes.length) {
    const n = Math.min(bytes.length - i, 1 + Math.floor(rand() * maxLen));
    const view = bytes.subarray(i, i + n); // odd or even byteOffset into one ArrayBuffer
    chunks.push(rand() < 0.3 ? Buffer.from(view) : view);
    i += n;
  }
  return chunks;
}

/** Runs chunks through a transform; returns the output chunks. */
async function run(transform, chunks) {
  const out = [];
  await pipeline(
    Readable.from(chunks),
    transform,
    new Writable({
      write(chunk, _enc, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return out;
}

function reference(x, inputRate, outputRate, channels, quality) {
  const r = new AudioResampler(inputRate, outputRate, channels, quality);
  const frame = new AudioFrame(x, inputRate, channels, x.length / channels);
  const parts = [...r.push(frame), ...r.flush()];
  r.close();
  const y = new Int16Array(parts.reduce((a, f) => a + f.data.length, 0));
  let o = 0;
  for (const f of parts) {
    y.set(f.data, o);
    o += f.data.length;
  }
  return y;
}

describe('PcmResampleTransform', () => {
  test.each([
    [48000, 16000, 1, AudioResamplerQuality.MEDIUM, 4000],
    [44100, 48000, 2, AudioResamplerQuality.MEDIUM, 3000],
    [16000, 48000, 2, AudioResamplerQuality.HIGH, 2000],
    [24000, 16000, 3, AudioResamplerQuality.LOW, 1500],
    [22050, 16000, 1, AudioResamplerQuality.VERY_HIGH, 999],
    [8000, 44100, 1, AudioResamplerQuality.QUICK, 777],
  ])(
    '%i -> %i, %i ch, quality %i: same samples as AudioResampler for input split at random byte offsets',
    async (inputRate, outputRate, channels, quality, maxLen) => {
      const frames = Math.round(inputRate * 0.73) + 1; // odd length, not a block multiple
      const x = signal(inputRate, channels, frames);
      const expected = reference(x, inputRate, outputRate, channels, quality);
      expect(expected.length).toBe(Math.round((frames * outputRate) / inputRate) * channels);
      const bytes = toBytes(x);
      for (const max of [maxLen, 7, 1]) {
        // Tiny chunks only over a shorter piece (keeps the test fast).
        const piece = max === 1 ? 300 : max === 7 ? 2000 : frames;
        const input = bytes.subarray(0, 2 * channels * piece);
        const want = max === maxLen ? expected : reference(fromBytes(input), inputRate, outputRate, channels, quality);
        const native = nativeCounter();
        const chunks = randomSplit(input, max);
        expect(chunks.some((c) => c.byteOffset % 2 === 1)).toBe(true);
        const t = new PcmResampleTransform({ inputRate, outputRate, channels, quality });
        expect(native.live()).toBe(1); // one native resampler
        const out = await run(t, chunks);
        for (const c of out) {
          expect(Buffer.isBuffer(c)).toBe(true);
          expect(c.length % (2 * channels)).toBe(0);
        }
        const y = fromBytes(Buffer.concat(out));
        expect(y.length).toBe(want.length);
        let diff = 0;
        for (let i = 0; i < y.length; i++) if (y[i] !== want[i]) diff++;
        expect(diff).toBe(0);
        expect(native.live()).toBe(0); // closed after the end flush
      }
    },
  );

  test('equal rates: chunks pass through untouched, no native resampler', async () => {
    const native = nativeCounter();
    const bytes = toBytes(signal(16000, 2, 1000));
    const chunks = randomSplit(bytes, 333);
    const t = new PcmResampleTransform({ inputRate: 16000, outputRate: 16000, channels: 2 });
    expect(native.live()).toBe(0);
    const out = await run(t, chunks);
    expect(out).toHaveLength(chunks.length);
    for (const [i, c] of out.entries()) expect(c).toBe(chunks[i]);
    expect(native.live()).toBe(0);
  });

  test('empty input gives no output and no error', async () => {
    expect(await run(new PcmResampleTransform({ inputRate: 48000, outputRate: 16000 }), [])).toEqual([]);
    expect(await run(new PcmResampleTransform({ inputRate: 48000, outputRate: 16000 }), [Buffer.alloc(0)])).toEqual([]);
  });

  test('defaults: mono, MEDIUM; getters; other options go to stream.Transform', () => {
    const t = new PcmResampleTransform({ inputRate: 48000, outputRate: 16000 });
    expect([t.inputRate, t.outputRate, t.channels, t.quality]).toEqual([48000, 16000, 1, AudioResamplerQuality.MEDIUM]);
    expect(t.readableObjectMode).toBe(false);
    t.destroy();
    const t2 = new PcmResampleTransform({ inputRate: 8000, outputRate: 16000, channels: 2, highWaterMark: 1234 });
    expect([t2.channels, t2.writableHighWaterMark, t2.readableHighWaterMark]).toEqual([2, 1234, 1234]);
    t2.destroy();
  });

  test.each([
    [48000, 16000],
    [16000, 16000],
  ])('%i -> %i: input ending inside a frame emits an Error after the output', async (inputRate, outputRate) => {
    const x = signal(inputRate, 2, 960);
    const bytes = Buffer.concat([toBytes(x), Buffer.from([1, 2, 3])]); // 3 stray bytes (stereo frame = 4)
    const t = new PcmResampleTransform({ inputRate, outputRate, channels: 2 });
    const out = [];
    t.on('data', (c) => out.push(c));
    const failed = new Promise((resolve) => t.on('error', resolve));
    for (const c of randomSplit(bytes, 500)) t.write(c);
    t.end();
    const err = await failed;
    expect(err.message).toMatch(/ended with 3 byte\(s\) of an incomplete frame/);
    const got = Buffer.concat(out);
    if (inputRate === outputRate) {
      expect(got.equals(bytes)).toBe(true); // pass-through forwards the stray bytes too
    } else {
      // Every whole frame was resampled and emitted, tail included.
      expect(Array.from(fromBytes(got))).toEqual(Array.from(reference(x, inputRate, outputRate, 2)));
    }
  });

  test('destroy mid-stream closes the native resampler at once', async () => {
    const native = nativeCounter();
    const t = new PcmResampleTransform({ inputRate: 44100, outputRate: 48000, channels: 2 });
    t.on('data', () => {});
    t.write(toBytes(signal(44100, 2, 4410)));
    expect(native.live()).toBe(1);
    const errored = new Promise((resolve) => t.on('error', resolve));
    t.destroy(new Error('gone'));
    expect(native.live()).toBe(0);
    expect((await errored).message).toBe('gone');
    // Plain destroy() (no error) closes it too.
    const t2 = new PcmResampleTransform({ inputRate: 16000, outputRate: 24000 });
    expect(native.live()).toBe(1);
    t2.destroy();
    expect(native.live()).toBe(0);
  });

  test('an upstream error in pipeline closes the native resampler', async () => {
    const native = nativeCounter();
    const boom = new Error('socket reset');
    async function* source() {
      yield toBytes(signal(48000, 1, 480));
      throw boom;
    }
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await expect(
      pipeline(Readable.from(source()), new PcmResampleTransform({ inputRate: 48000, outputRate: 16000 }), sink),
    ).rejects.toBe(boom);
    expect(native.live()).toBe(0);
  });

  test('Uint8Array chunks are accepted as bytes', async () => {
    const x = signal(48000, 1, 960);
    const bytes = toBytes(x);
    const t = new PcmResampleTransform({ inputRate: 48000, outputRate: 16000 });
    const out = [];
    t.on('data', (c) => out.push(c));
    const done = new Promise((resolve) => t.on('end', resolve));
    t.write(new Uint8Array(bytes.buffer, bytes.byteOffset, 1001));
    t.end(new Uint8Array(bytes.buffer, bytes.byteOffset + 1001, bytes.length - 1001));
    await done;
    expect(Array.from(fromBytes(Buffer.concat(out)))).toEqual(Array.from(reference(x, 48000, 16000, 1)));
  });

  test.each([
    [undefined, TypeError, /options must be an object/],
    [{ outputRate: 16000 }, TypeError, /inputRate must be a number/],
    [{ inputRate: 48000 }, TypeError, /outputRate must be a number/],
    [{ inputRate: 0, outputRate: 16000 }, RangeError, /inputRate must be an integer/],
    [{ inputRate: 48000, outputRate: 1e9 }, RangeError, /outputRate/],
    [{ inputRate: 48000, outputRate: 16000, channels: 0 }, RangeError, /channels/],
    [{ inputRate: 48000, outputRate: 16000, channels: '2' }, TypeError, /channels/],
    [{ inputRate: 48000, outputRate: 16000, quality: 5 }, RangeError, /quality/],
    [{ inputRate: 48000, outputRate: 16000, objectMode: true }, TypeError, /object mode/],
  ])('new PcmResampleTransform(%p) throws', (options, Type, message) => {
    expect(() => new PcmResampleTransform(options)).toThrow(Type);
    expect(() => new PcmResampleTransform(options)).toThrow(message);
  });
});
