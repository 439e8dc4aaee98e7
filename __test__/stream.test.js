'use strict';

const rtc = require('@livekit/rtc-node');
const {
  AudioFrame,
  AudioResampler,
  AudioResamplerQuality,
  resampleStream,
  createResampleTransform,
} = require('../index.js');
const { nativeCounter } = require('./helpers/native_count.js');

let seed = 12345;
/** Deterministic test signal: a sine per channel plus noise. */
function makeFrame(rate, channels, n, { Frame = AudioFrame, userdata } = {}) {
  const data = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = ((seed >>> 8) / 0x1000000 - 0.5) * 2000;
      data[i * channels + c] = Math.round(9000 * Math.sin((2 * Math.PI * (300 + 500 * c) * i) / rate) + noise);
    }
  }
  return new Frame(data, rate, channels, n, userdata);
}

function sourceOf(frames, extra = {}) {
  return new ReadableStream({
    start(controller) {
      for (const f of frames) controller.enqueue(f);
      controller.close();
    },
    ...extra,
  });
}

async function collect(stream) {
  const out = [];
  for await (const f of stream) out.push(f);
  return out;
}

/**
 * Like `collect`, and also the number of open native resamplers (`native.live()`)
 * as each output frame was read (`live[i]` for `out[i]`) and once the stream ended.
 */
async function collectLive(stream, native) {
  const out = [];
  const live = [];
  for await (const f of stream) {
    out.push(f);
    live.push(native.live());
  }
  return { out, live, liveAtEnd: native.live() };
}

function concat(frames) {
  const total = frames.reduce((a, f) => a + f.data.length, 0);
  const y = new Int16Array(total);
  let o = 0;
  for (const f of frames) {
    y.set(f.data, o);
    o += f.data.length;
  }
  return y;
}

/** What a standalone AudioResampler gives for these frames (push all, flush). */
function reference(frames, outputRate, quality = AudioResamplerQuality.MEDIUM) {
  const { sampleRate, channels } = frames[0];
  const r = new AudioResampler(sampleRate, outputRate, channels, quality);
  const out = [];
  for (const f of frames) out.push(...r.push(f));
  out.push(...r.flush());
  r.close();
  return concat(out);
}

function expectSameSamples(actual, expected) {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) diff++;
  expect(diff).toBe(0);
}

const ticks = async (n) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('resampleStream: pass-through', () => {
  test('same-rate frames come out as the very same objects, no resampler is created', async () => {
    const native = nativeCounter();
    const frames = [];
    for (let i = 0; i < 20; i++) frames.push(makeFrame(44100, 1, 441));
    frames.splice(7, 0, makeFrame(44100, 1, 0));
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf(frames), outputRate: 44100 }),
      native,
    );
    expect(out.length).toBe(frames.length);
    for (let i = 0; i < frames.length; i++) expect(out[i]).toBe(frames[i]);
    expect(live.every((n) => n === 0)).toBe(true);
    expect(liveAtEnd).toBe(0);
  });

  test('same-rate stereo and rtc-node frames pass through untouched too', async () => {
    const native = nativeCounter();
    const frames = [makeFrame(24000, 2, 240), makeFrame(24000, 1, 240, { Frame: rtc.AudioFrame })];
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf(frames), outputRate: 24000 }),
      native,
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(frames[0]);
    expect(out[1]).toBe(frames[1]);
    expect(live).toEqual([0, 0]);
    expect(liveAtEnd).toBe(0);
  });

  test('an empty stream gives no frames and creates no resampler', async () => {
    const native = nativeCounter();
    const stream = resampleStream({ stream: sourceOf([]), outputRate: 16000 });
    expect(native.live()).toBe(0);
    expect(await collect(stream)).toEqual([]);
    expect(native.live()).toBe(0);
  });

  test('0-sample frames pass through unchanged, even between resampled frames', async () => {
    const native = nativeCounter();
    const empty = makeFrame(48000, 1, 0);
    const frames = [makeFrame(48000, 1, 480), empty, makeFrame(48000, 1, 480)];
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf(frames), outputRate: 16000 }),
      native,
    );
    expect(out.filter((f) => f === empty)).toHaveLength(1);
    expect(empty.sampleRate).toBe(48000);
    // The empty frame did not end the resampler's run: it is still open when the frame
    // comes out, and the output is one run over both frames.
    expect(live[out.indexOf(empty)]).toBe(1);
    expect(Math.max(...live)).toBe(1);
    expect(liveAtEnd).toBe(0);
    const resampled = out.filter((f) => f !== empty);
    expectSameSamples(concat(resampled), reference([frames[0], frames[2]], 16000));
    // Only an empty frame: passes through, nothing created.
    const alone = makeFrame(48000, 1, 0);
    const onlyEmpty = await collectLive(resampleStream({ stream: sourceOf([alone]), outputRate: 16000 }), native);
    expect(onlyEmpty.out).toEqual([alone]);
    expect(onlyEmpty.live).toEqual([0]);
    expect(onlyEmpty.liveAtEnd).toBe(0);
  });
});

describe('resampleStream: resampling', () => {
  test('48k -> 16k, one 20 ms frame', async () => {
    const native = nativeCounter();
    const frame = makeFrame(48000, 1, 960);
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf([frame]), outputRate: 16000 }),
      native,
    );
    expect(out.length).toBeGreaterThan(0);
    for (const f of out) {
      expect(f).toBeInstanceOf(AudioFrame);
      expect(f.sampleRate).toBe(16000);
      expect(f.channels).toBe(1);
      expect(f.samplesPerChannel).toBe(f.data.length);
    }
    expect(out.reduce((a, f) => a + f.samplesPerChannel, 0)).toBe(320);
    // One resampler, 48k -> 16k at MEDIUM (the output is that resampler's, not another preset's).
    expectSameSamples(concat(out), reference([frame], 16000));
    expect(concat(out)).not.toEqual(reference([frame], 16000, AudioResamplerQuality.QUICK));
    expect(Math.max(...live)).toBeLessThanOrEqual(1);
    expect(liveAtEnd).toBe(0); // closed
  });

  test('32k -> 48k, two frames', async () => {
    const native = nativeCounter();
    const frames = [makeFrame(32000, 1, 640), makeFrame(32000, 1, 640)];
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf(frames), outputRate: 48000 }),
      native,
    );
    expect(out.every((f) => f.sampleRate === 48000 && f.channels === 1)).toBe(true);
    expect(out.reduce((a, f) => a + f.samplesPerChannel, 0)).toBe(1920);
    expectSameSamples(concat(out), reference(frames, 48000));
    expect(live[0]).toBe(1); // one resampler, open while it pushes out frames
    expect(Math.max(...live)).toBe(1);
    expect(liveAtEnd).toBe(0); // and closed at the end
  });

  test('mixed rates 5x48k, 2x16k, 5x24k, one empty frame -> 16k: exact per-segment totals and samples', async () => {
    const native = nativeCounter();
    const seg1 = Array.from({ length: 5 }, () => makeFrame(48000, 1, 480));
    const seg2 = Array.from({ length: 2 }, () => makeFrame(16000, 1, 160));
    const seg3 = Array.from({ length: 5 }, () => makeFrame(24000, 1, 240));
    const empty = makeFrame(24000, 1, 0);
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf([...seg1, ...seg2, ...seg3, empty]), outputRate: 16000 }),
      native,
    );
    const i2 = out.indexOf(seg2[0]);
    expect(i2).toBeGreaterThan(0);
    expect(out[i2 + 1]).toBe(seg2[1]);
    const out1 = out.slice(0, i2);
    const out3 = out.slice(i2 + 2);
    expect(out3[out3.length - 1]).not.toBe(empty); // the tail of segment 3 comes at the end
    expect(out3.filter((f) => f === empty)).toHaveLength(1);
    const out3Resampled = out3.filter((f) => f !== empty);
    expect(out1.reduce((a, f) => a + f.samplesPerChannel, 0)).toBe(800); // round(2400 / 3)
    expect(out3Resampled.reduce((a, f) => a + f.samplesPerChannel, 0)).toBe(800); // round(1200 * 2 / 3)
    expect([...out1, ...out3Resampled].every((f) => f.sampleRate === 16000)).toBe(true);
    expectSameSamples(concat(out1), reference(seg1, 16000));
    expectSameSamples(concat(out3Resampled), reference(seg3, 16000));
    // Two resamplers, one at a time: the 48k one open during segment 1 and closed before
    // segment 2 passes, the 24k one open during segment 3 and closed at the end.
    expect(live[0]).toBe(1);
    expect(live[i2]).toBe(0);
    expect(live[i2 + 1]).toBe(0);
    expect(live[i2 + 2]).toBe(1);
    expect(Math.max(...live)).toBe(1);
    expect(liveAtEnd).toBe(0);
  });

  test('segments with non-integer ratios keep exact totals: 44.1k, 22.05k, 8k -> 48k', async () => {
    const segs = [
      Array.from({ length: 7 }, () => makeFrame(44100, 1, 441)),
      Array.from({ length: 3 }, () => makeFrame(22050, 1, 333)),
      Array.from({ length: 4 }, () => makeFrame(8000, 1, 77)),
    ];
    const out = await collect(resampleStream({ stream: sourceOf(segs.flat()), outputRate: 48000 }));
    const all = concat(out);
    let offset = 0;
    for (const seg of segs) {
      const n = seg.reduce((a, f) => a + f.samplesPerChannel, 0);
      const expected = reference(seg, 48000);
      expect(expected.length).toBe(Math.round((n * 48000) / seg[0].sampleRate));
      expectSameSamples(all.subarray(offset, offset + expected.length), expected);
      offset += expected.length;
    }
    expect(offset).toBe(all.length);
  });

  test('switching to a same-rate frame flushes (tail first) and closes the resampler before passing it', async () => {
    const native = nativeCounter();
    const a = [makeFrame(48000, 1, 480), makeFrame(48000, 1, 480)];
    const same = makeFrame(16000, 1, 160);
    const b = [makeFrame(48000, 1, 480)];
    const src = sourceOf([...a, same, ...b]);
    const reader = resampleStream({ stream: src, outputRate: 16000 }).getReader();
    const before = [];
    const liveBefore = [];
    for (;;) {
      const { value } = await reader.read();
      if (value === same) break;
      before.push(value);
      liveBefore.push(native.live());
    }
    // When the same-rate frame arrives, the first resampler has been flushed and closed.
    expect(liveBefore[0]).toBe(1);
    expect(native.live()).toBe(0);
    expectSameSamples(concat(before), reference(a, 16000));
    const after = [];
    const liveAfter = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      after.push(value);
      liveAfter.push(native.live());
    }
    // A second resampler's output for b (all of it comes with the flush), closed at the end.
    expect(after.length).toBeGreaterThan(0);
    expectSameSamples(concat(after), reference(b, 16000));
    expect(liveAfter.every((n) => n <= 1)).toBe(true);
    expect(native.live()).toBe(0);
  });

  test('quality option is used; the default is MEDIUM', async () => {
    const frames = [makeFrame(48000, 1, 960)];
    const out = await collect(
      resampleStream({ stream: sourceOf(frames), outputRate: 16000, quality: AudioResamplerQuality.QUICK }),
    );
    expectSameSamples(concat(out), reference(frames, 16000, AudioResamplerQuality.QUICK));
    expect(concat(out)).not.toEqual(reference(frames, 16000, AudioResamplerQuality.MEDIUM));
    const byDefault = await collect(resampleStream({ stream: sourceOf(frames), outputRate: 16000 }));
    expectSameSamples(concat(byDefault), reference(frames, 16000, AudioResamplerQuality.MEDIUM));
  });
});

describe('resampleStream: channels', () => {
  test('stereo in -> stereo out, channels kept apart', async () => {
    const native = nativeCounter();
    const frames = Array.from({ length: 6 }, () => makeFrame(48000, 2, 480));
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf(frames), outputRate: 16000 }),
      native,
    );
    expect(out.every((f) => f.channels === 2 && f.data.length === 2 * f.samplesPerChannel)).toBe(true);
    expect(out.reduce((a, f) => a + f.samplesPerChannel, 0)).toBe(960);
    expect(Math.max(...live)).toBe(1); // one stereo resampler (the output is interleaved stereo)
    expect(liveAtEnd).toBe(0);
    const y = concat(out);
    expectSameSamples(y, reference(frames, 16000));
    // Each output channel is that input channel resampled alone (no mixing).
    for (let c = 0; c < 2; c++) {
      const mono = frames.map((f) => {
        const d = new Int16Array(f.samplesPerChannel);
        for (let i = 0; i < d.length; i++) d[i] = f.data[2 * i + c];
        return new AudioFrame(d, 48000, 1, d.length);
      });
      const expected = reference(mono, 16000);
      const got = new Int16Array(y.length / 2);
      for (let i = 0; i < got.length; i++) got[i] = y[2 * i + c];
      let maxErr = 0;
      for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - expected[i]));
      expect(maxErr).toBeLessThanOrEqual(1);
    }
  });

  test('a channel-count change mid-stream flushes, closes and recreates the resampler', async () => {
    const native = nativeCounter();
    const mono = Array.from({ length: 3 }, () => makeFrame(48000, 1, 480));
    const stereo = Array.from({ length: 3 }, () => makeFrame(48000, 2, 480));
    const { out, live, liveAtEnd } = await collectLive(
      resampleStream({ stream: sourceOf([...mono, ...stereo]), outputRate: 16000 }),
      native,
    );
    const firstStereo = out.findIndex((f) => f.channels === 2);
    expect(firstStereo).toBeGreaterThan(0);
    expect(out.slice(0, firstStereo).every((f) => f.channels === 1)).toBe(true);
    expect(out.slice(firstStereo).every((f) => f.channels === 2)).toBe(true);
    // A mono run then a stereo run (each equal to its own resampler's output), one
    // resampler open at a time, none left open.
    expectSameSamples(concat(out.slice(0, firstStereo)), reference(mono, 16000));
    expectSameSamples(concat(out.slice(firstStereo)), reference(stereo, 16000));
    expect(live[firstStereo]).toBe(1);
    expect(Math.max(...live)).toBe(1);
    expect(liveAtEnd).toBe(0);
  });

  test('channels option: matching frames are resampled, a mismatch errors the stream and closes the resampler', async () => {
    const native = nativeCounter();
    const ok = [makeFrame(48000, 2, 480)];
    expectSameSamples(
      concat(await collect(resampleStream({ stream: sourceOf(ok), outputRate: 16000, channels: 2 }))),
      reference(ok, 16000),
    );
    expect(native.live()).toBe(0);
    const frames = [makeFrame(48000, 1, 480), makeFrame(48000, 2, 480)];
    let liveAtMismatch;
    // Read once by the stream, when it takes the stereo frame: the mono frame's resampler is open then.
    Object.defineProperty(frames[1], 'channels', {
      get() {
        liveAtMismatch = native.live();
        return 2;
      },
    });
    const stream = resampleStream({ stream: sourceOf(frames), outputRate: 16000, channels: 1 });
    await expect(collect(stream)).rejects.toThrow(
      expect.objectContaining({
        name: 'RangeError',
        message: expect.stringMatching(/frame\.channels \(2\).*channels option \(1\)/),
      }),
    );
    expect(liveAtMismatch).toBe(1);
    expect(native.live()).toBe(0);
    // Also for a same-rate frame: no silent pass-through of the wrong layout.
    const same = resampleStream({ stream: sourceOf([makeFrame(16000, 2, 160)]), outputRate: 16000, channels: 1 });
    await expect(collect(same)).rejects.toThrow(RangeError);
  });
});

describe('resampleStream: frames, userdata', () => {
  test('rtc-node frames in give rtc-node frames out, with the pushed frame userdata', async () => {
    const userdata = { id: 'a' };
    const frames = Array.from({ length: 8 }, () => makeFrame(48000, 1, 480, { Frame: rtc.AudioFrame, userdata }));
    const out = await collect(resampleStream({ stream: sourceOf(frames), outputRate: 16000 }));
    expect(out.length).toBeGreaterThan(1);
    for (const f of out) expect(f).toBeInstanceOf(rtc.AudioFrame);
    // Pushed outputs carry the input's userdata object; the flushed tail gets a new {}.
    const tail = out[out.length - 1];
    for (const f of out.slice(0, -1)) expect(f.userdata).toBe(userdata);
    expect(tail.userdata).not.toBe(userdata);
    expect(tail.userdata).toEqual({});
    expectSameSamples(concat(out), reference(frames, 16000));
  });

  test('a bad frame errors the stream and closes the resampler', async () => {
    const native = nativeCounter();
    let liveAtBad;
    const bad = {
      // Read once by the stream, when it takes this frame: the first frame's resampler is open then.
      get data() {
        liveAtBad = native.live();
        return [1, 2, 3];
      },
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 3,
    };
    const stream = resampleStream({ stream: sourceOf([makeFrame(48000, 1, 480), bad]), outputRate: 16000 });
    await expect(collect(stream)).rejects.toThrow(/frame\.data must be an Int16Array/);
    expect(liveAtBad).toBe(1);
    expect(native.live()).toBe(0);
    await expect(collect(resampleStream({ stream: sourceOf([null]), outputRate: 16000 }))).rejects.toThrow(TypeError);
    const badRate = makeFrame(48000, 1, 10);
    badRate.sampleRate = 0;
    await expect(collect(resampleStream({ stream: sourceOf([badRate]), outputRate: 16000 }))).rejects.toThrow(
      /frame\.sampleRate/,
    );
  });
});

describe('resampleStream: options', () => {
  const stream = () => sourceOf([]);
  test.each([
    [undefined, TypeError, /options must be an object/],
    [{ outputRate: 16000 }, TypeError, /stream must be a ReadableStream/],
    [{ stream: {}, outputRate: 16000 }, TypeError, /stream must be a ReadableStream/],
    [
      {
        outputRate: '16000',
        get stream() {
          return stream();
        },
      },
      TypeError,
      /outputRate must be a number/,
    ],
    [
      {
        outputRate: 0,
        get stream() {
          return stream();
        },
      },
      RangeError,
      /outputRate must be an integer/,
    ],
    [
      {
        outputRate: 16000.5,
        get stream() {
          return stream();
        },
      },
      RangeError,
      /outputRate/,
    ],
    [
      {
        outputRate: 16000,
        quality: 7,
        get stream() {
          return stream();
        },
      },
      RangeError,
      /quality/,
    ],
    [
      {
        outputRate: 16000,
        quality: 'high',
        get stream() {
          return stream();
        },
      },
      TypeError,
      /quality/,
    ],
    [
      {
        outputRate: 16000,
        channels: 0,
        get stream() {
          return stream();
        },
      },
      RangeError,
      /channels/,
    ],
    [
      {
        outputRate: 16000,
        channels: null,
        get stream() {
          return stream();
        },
      },
      TypeError,
      /channels/,
    ],
  ])('resampleStream(%p) throws', (options, Type, message) => {
    expect(() => resampleStream(options)).toThrow(Type);
    expect(() => resampleStream(options)).toThrow(message);
  });

  test('createResampleTransform validates the same options', () => {
    expect(() => createResampleTransform()).toThrow(/options must be an object/);
    expect(() => createResampleTransform({ outputRate: -1 })).toThrow(RangeError);
    expect(() => createResampleTransform({ outputRate: 16000, quality: 2.5 })).toThrow(/quality/);
  });
});

describe('resampleStream: cancel, errors, abort, backpressure', () => {
  test('cancel by the consumer closes the resampler at once and reaches the source', async () => {
    const native = nativeCounter();
    let sourceCancelReason;
    let n = 0;
    const src = new ReadableStream({
      pull(controller) {
        controller.enqueue(makeFrame(48000, 1, 480));
        n++;
      },
      cancel(reason) {
        sourceCancelReason = reason;
      },
    });
    const reader = resampleStream({ stream: src, outputRate: 16000 }).getReader();
    await reader.read();
    await reader.read();
    expect(native.live()).toBe(1);
    const reason = new Error('consumer went away');
    await reader.cancel(reason);
    expect(native.live()).toBe(0); // closed at once, not left to the GC
    await ticks(5);
    expect(sourceCancelReason).toBe(reason);
    const pulled = n;
    await ticks(5);
    expect(n).toBe(pulled);
  });

  test('an error from the source propagates and closes the resampler', async () => {
    const native = nativeCounter();
    const boom = new Error('source failed');
    let n = 0;
    let liveAtError;
    const src = new ReadableStream({
      pull(controller) {
        if (n === 4) liveAtError = native.live();
        if (n++ === 4) controller.error(boom);
        else controller.enqueue(makeFrame(48000, 1, 480));
      },
    });
    const reader = resampleStream({ stream: src, outputRate: 16000 }).getReader();
    let caught;
    try {
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(boom);
    expect(liveAtError).toBe(1);
    expect(native.live()).toBe(0);
  });

  test('createResampleTransform: abort of the writable side closes the resampler and errors the readable', async () => {
    const native = nativeCounter();
    const ts = createResampleTransform({ outputRate: 16000 });
    expect(Object.prototype.toString.call(ts)).toBe('[object TransformStream]');
    const writer = ts.writable.getWriter();
    const reader = ts.readable.getReader();
    const pending = reader.read();
    await writer.write(makeFrame(48000, 1, 960));
    await pending;
    expect(native.live()).toBe(1);
    const reason = new Error('aborted');
    await writer.abort(reason);
    expect(native.live()).toBe(0);
    await expect(reader.read()).rejects.toBe(reason);
  });

  test('createResampleTransform works with pipeThrough like resampleStream', async () => {
    const frames = Array.from({ length: 4 }, () => makeFrame(24000, 1, 240));
    const out = await collect(sourceOf(frames).pipeThrough(createResampleTransform({ outputRate: 48000 })));
    expect(out.reduce((a, f) => a + f.samplesPerChannel, 0)).toBe(1920);
    expectSameSamples(concat(out), reference(frames, 48000));
  });

  test.each([
    ['resampling', 48000],
    ['same-rate', 16000],
  ])('backpressure is respected (%s): a slow consumer keeps the source from being drained', async (_, rate) => {
    let pulls = 0;
    const src = new ReadableStream(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(makeFrame(rate, 1, rate / 100));
        },
      },
      { highWaterMark: 0 },
    );
    const reader = resampleStream({ stream: src, outputRate: 16000 }).getReader();
    await ticks(50);
    // Before any read: at most a few frames are taken (until one output is queued).
    expect(pulls).toBeLessThanOrEqual(rate === 16000 ? 2 : 8);
    for (let i = 0; i < 20; i++) await reader.read();
    const afterReads = pulls;
    // Each read needs at most a few input frames (the resampler holds some back).
    expect(afterReads).toBeLessThanOrEqual(rate === 16000 ? 22 : 80);
    await ticks(50);
    // Idle consumer: nothing more is pulled.
    expect(pulls).toBeLessThanOrEqual(afterReads + 1);
    await reader.cancel();
  });
});

describe('resampleStream: no leak', () => {
  test('10k streams cancelled mid-stream: every resampler closed at once, RSS flat', async () => {
    expect(typeof global.gc).toBe('function'); // npm test runs jest with --expose-gc
    let created = 0;
    let open = 0;
    const frame = makeFrame(48000, 1, 480);
    const runOne = async (i) => {
      const src = new ReadableStream({
        pull(controller) {
          controller.enqueue(frame);
        },
      });
      const native = nativeCounter();
      const reader = resampleStream({ stream: src, outputRate: i % 2 ? 16000 : 24000 }).getReader();
      for (let k = 0; k < 3; k++) await reader.read();
      if (native.live() === 1) created++;
      await reader.cancel();
      // Closed right away, not left to the GC.
      if (native.live() !== 0) open++;
    };
    const runBatch = async (from, n) => {
      for (let i = from; i < from + n; i++) await runOne(i);
      expect(created).toBe(n);
      created = 0;
    };
    const settle = async () => {
      await ticks(3);
      global.gc();
      await ticks(3);
      global.gc();
    };
    await runBatch(0, 1000); // warm-up
    await settle();
    const before = process.memoryUsage().rss;
    for (let b = 0; b < 10; b++) await runBatch(1000 * (b + 1), 1000);
    await settle();
    const grown = process.memoryUsage().rss - before;
    expect(open).toBe(0);
    // A live MEDIUM resampler holds about 69 KiB of native memory, so 10k left
    // open would add ~690 MB; the bound allows for allocator/heap noise only.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  }, 60000);
});
