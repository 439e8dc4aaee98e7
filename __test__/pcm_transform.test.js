'use strict';

const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { AudioFrame, AudioResampler, AudioResamplerQuality, PcmResampleTransform } = require('../index.js');
const { isAnyArrayBuffer } = require('node:util').types;
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

describe('PcmResampleTransform formats and chunkMs', () => {
  const { resample } = require('../index.js');
  const alawmulaw = require('alawmulaw');
  const FORMATS = { s16le: 's16', f32le: 'f32', mulaw: 'mulaw', alaw: 'alaw' };
  const bytesOf = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);

  /** `x` (int16) as a typed array of `format` and as its little-endian bytes. */
  function encode(x, format) {
    const typed =
      format === 's16'
        ? x
        : format === 'f32'
          ? Float32Array.from(x, (v) => v / 32768)
          : alawmulaw[format === 'mulaw' ? 'mulaw' : 'alaw'].encode(x);
    return { typed, bytes: Buffer.from(bytesOf(typed)) };
  }

  test.each([
    [8000, 16000, 'mulaw', 's16le', 1],
    [24000, 8000, 's16le', 'mulaw', 1],
    [48000, 16000, 'f32le', 'f32le', 2],
    [16000, 48000, 'alaw', 'f32le', 1],
    [16000, 16000, 'f32le', 's16le', 2],
    [8000, 8000, 'mulaw', 'alaw', 1],
  ])(
    '%i -> %i, %s -> %s x%i: the bytes of resample() for input split at random byte offsets',
    async (inputRate, outputRate, inputFormat, outputFormat, channels) => {
      const x = signal(inputRate, channels, Math.round(inputRate * 0.3) + 1);
      const { typed, bytes } = encode(x, FORMATS[inputFormat]);
      const want = bytesOf(
        resample(typed, {
          inputRate,
          outputRate,
          channels,
          input: FORMATS[inputFormat],
          output: FORMATS[outputFormat],
        }),
      );
      for (const max of [997, 5]) {
        const t = new PcmResampleTransform({ inputRate, outputRate, channels, inputFormat, outputFormat });
        expect([t.inputFormat, t.outputFormat, t.chunkMs]).toEqual([inputFormat, outputFormat, undefined]);
        // Tiny chunks over a shorter piece (whole frames of every format), to keep the test fast.
        const size = { s16le: 2, f32le: 4, mulaw: 1, alaw: 1 }[inputFormat];
        const samples = max === 5 ? 4 * 200 * channels : typed.length;
        const out = await run(t, randomSplit(bytes.subarray(0, samples * size), max));
        const expected =
          max === 5
            ? bytesOf(
                resample(typed.subarray(0, samples), {
                  inputRate,
                  outputRate,
                  channels,
                  input: FORMATS[inputFormat],
                  output: FORMATS[outputFormat],
                }),
              )
            : want;
        expect(Buffer.concat(out).equals(expected)).toBe(true);
      }
    },
  );

  test('chunkMs: Twilio-style 24 kHz s16le TTS -> 20 ms mu-law chunks of exactly 160 bytes, only the last shorter', async () => {
    const x = signal(24000, 1, 24000 * 1.013); // 1.013 s: 50 whole chunks + 2.6 ms
    const t = new PcmResampleTransform({ inputRate: 24000, outputRate: 8000, outputFormat: 'mulaw', chunkMs: 20 });
    expect(t.chunkMs).toBe(20);
    const out = await run(t, randomSplit(toBytes(x), 1500));
    const want = resample(x, { inputRate: 24000, outputRate: 8000, output: 'mulaw' });
    expect(Buffer.concat(out).equals(bytesOf(want))).toBe(true);
    expect(want.length).toBe(8104);
    expect(out.length).toBe(51);
    for (const c of out.slice(0, -1)) expect(c.length).toBe(160);
    expect(out.at(-1).length).toBe(8104 - 50 * 160);
  });

  test('chunkMs chunks stay whole when read with for await after they have piled up', async () => {
    // All the input is written and ended before reading starts, so every chunk
    // is buffered at once: a byte-mode reader would get them joined.
    const t = new PcmResampleTransform({ inputRate: 24000, outputRate: 8000, outputFormat: 'mulaw', chunkMs: 20 });
    const bytes = toBytes(signal(24000, 1, 24000));
    for (let i = 0; i < bytes.length; i += 960) t.write(bytes.subarray(i, i + 960));
    t.end();
    await new Promise((resolve) => setImmediate(resolve));
    const sizes = [];
    for await (const chunk of t) sizes.push(chunk.length);
    expect(sizes).toEqual(Array(50).fill(160));
  });

  test('chunkMs re-cuts pass-through and stereo output too (copies, never the input chunks)', async () => {
    const bytes = toBytes(signal(16000, 2, 1000));
    const chunks = randomSplit(bytes, 333);
    const t = new PcmResampleTransform({ inputRate: 16000, outputRate: 16000, channels: 2, chunkMs: 10 });
    const out = await run(t, chunks);
    expect(Buffer.concat(out).equals(bytes)).toBe(true);
    expect(out.map((c) => c.length)).toEqual([...Array(6).fill(640), 4000 - 6 * 640]);
    const overlaps = (a, b) =>
      a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
    for (const c of out) expect(chunks.some((i) => overlaps(i, c))).toBe(false);
    // A stream that ends on a chunk boundary has no short chunk.
    const exact = await run(new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, chunkMs: 10 }), [
      toBytes(signal(48000, 1, 4800)),
    ]);
    expect(exact.map((c) => c.length)).toEqual(Array(10).fill(320));
  });

  test.each([
    [{ chunkMs: '20' }, TypeError, /chunkMs must be a number/],
    [{ chunkMs: 0 }, RangeError, /chunkMs must be a positive duration/],
    [{ chunkMs: -20 }, RangeError, /chunkMs/],
    [{ chunkMs: Number.NaN }, RangeError, /chunkMs/],
    [{ chunkMs: 0.1 }, RangeError, /whole number of frames at outputRate 16000/],
    [{ chunkMs: 60001 }, RangeError, /chunkMs must be at most 60000/],
    [{ chunkMs: 1e20 }, RangeError, /chunkMs must be at most 60000/],
    [{ inputFormat: 's16' }, RangeError, /inputFormat must be one of 's16le', 'f32le', 'mulaw', 'alaw', got "s16"/],
    [{ outputFormat: 8 }, TypeError, /outputFormat must be one of/],
  ])('new PcmResampleTransform(%p) throws, with no native state left', (extra, Type, message) => {
    const native = nativeCounter();
    const options = { inputRate: 48000, outputRate: 16000, ...extra };
    expect(() => new PcmResampleTransform(options)).toThrow(Type);
    expect(() => new PcmResampleTransform(options)).toThrow(message);
    expect(native.live()).toBe(0);
  });

  test('chunkMs above the maximum is a RangeError with ERR_OUT_OF_RANGE; the maximum itself is accepted', () => {
    const native = nativeCounter();
    expect(() => new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, chunkMs: 60000.5 })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(native.live()).toBe(0);
    const t = new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, chunkMs: 60000 });
    expect(t.chunkMs).toBe(60000);
    t.destroy();
  });

  test.each([
    [16000, 16000, 's16le'], // pass-through
    [48000, 16000, 'f32le'],
  ])(
    '%i -> %i %s, long chunkMs fed 10 ms writes: bytes copied grow linearly with the bytes written',
    async (inputRate, outputRate, format) => {
      const size = format === 's16le' ? 2 : 4;
      const write = (inputRate / 100) * size; // 10 ms
      const chunkMs = 4000;
      const chunkBytes = (outputRate * chunkMs * size) / 1000;
      // Bytes copied into new Buffers by Buffer.concat and Buffer.from (the only
      // ways the transform copies bytes) while the stream runs.
      let copied = 0;
      const realConcat = Buffer.concat;
      const realFrom = Buffer.from;
      Buffer.concat = function (list, length) {
        const out = realConcat.call(this, list, length);
        copied += out.length;
        return out;
      };
      Buffer.from = function (value, ...rest) {
        const out = realFrom.call(this, value, ...rest);
        if (!isAnyArrayBuffer(value)) copied += out.length; // not a view: a copy
        return out;
      };
      const writes = 1500; // 15 s: three whole chunks of 400 writes, then a shorter one
      const bytes = Buffer.alloc(write * writes);
      for (let i = 0; i < bytes.length; i += size) bytes[i + size - 1] = i % 251; // some non-zero samples
      const chunks = Array.from({ length: writes }, (_, i) => bytes.subarray(i * write, (i + 1) * write));
      let out;
      try {
        out = await run(new PcmResampleTransform({ inputRate, outputRate, inputFormat: format, chunkMs }), chunks);
      } finally {
        Buffer.concat = realConcat;
        Buffer.from = realFrom;
      }
      const total = out.reduce((a, c) => a + c.length, 0);
      expect(total).toBe((bytes.length * outputRate) / inputRate);
      expect(out.map((c) => c.length)).toEqual([chunkBytes, chunkBytes, chunkBytes, total - 3 * chunkBytes]);
      // Linear: each output byte copied a small, fixed number of times (quadratic
      // re-concatenation copies about 400 / 2 = 200 times as many).
      expect(copied).toBeLessThanOrEqual(4 * (bytes.length + total));
    },
  );

  test('f32le input ending inside a frame emits an Error naming the format', async () => {
    const t = new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, inputFormat: 'f32le' });
    t.on('data', () => {});
    const failed = new Promise((resolve) => t.on('error', resolve));
    t.end(Buffer.alloc(4 * 480 + 3));
    expect((await failed).message).toMatch(
      /ended with 3 byte\(s\) of an incomplete frame \(a frame is 4 bytes: 1 channel\(s\) of f32le\)/,
    );
  });
});
