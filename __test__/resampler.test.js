'use strict';

const { AudioResampler, AudioResamplerQuality, AudioFrame, combineAudioFrames } = require('..');
const { sine, noise, runThrough, concat, fitSine, expectedLength, isInt16Array } = require('./helpers/signals');

const QUALITIES = [0, 1, 2, 3, 4];
const PAIRS = [
  [48000, 16000],
  [16000, 48000],
  [24000, 16000],
  [24000, 48000],
  [44100, 48000],
  [48000, 44100],
  [8000, 16000],
  [22050, 16000],
];

describe('AudioResamplerQuality', () => {
  test('has rtc-node names, values and the reverse mapping of a TS numeric enum', () => {
    expect(AudioResamplerQuality).toEqual({
      QUICK: 0,
      LOW: 1,
      MEDIUM: 2,
      HIGH: 3,
      VERY_HIGH: 4,
      0: 'QUICK',
      1: 'LOW',
      2: 'MEDIUM',
      3: 'HIGH',
      4: 'VERY_HIGH',
    });
  });
});

describe('AudioResampler construction', () => {
  test('defaults to mono MEDIUM and exposes getters', () => {
    const r = new AudioResampler(48000, 16000);
    expect([r.inputRate, r.outputRate, r.channels, r.quality]).toEqual([48000, 16000, 1, AudioResamplerQuality.MEDIUM]);
    const s = new AudioResampler(44100, 48000, 2, AudioResamplerQuality.VERY_HIGH);
    expect([s.inputRate, s.outputRate, s.channels, s.quality]).toEqual([44100, 48000, 2, 4]);
    r.close();
    s.close();
  });

  test('getters are read-only and state is private like rtc-node', () => {
    const r = new AudioResampler(48000, 16000);
    expect(Object.keys(r)).toEqual([]);
    expect(() => {
      'use strict';
      r.inputRate = 1;
    }).toThrow(TypeError);
    expect(r.inputRate).toBe(48000);
    r.close();
  });

  test.each([
    [[NaN, 16000], RangeError, /inputRate/],
    [[48000, Infinity], RangeError, /outputRate/],
    [[0, 16000], RangeError, /inputRate/],
    [[48000, 768001], RangeError, /outputRate/],
    [[44100.5, 48000], RangeError, /inputRate/],
    [['48000', 16000], TypeError, /inputRate/],
    [[48000, 16000, 0], RangeError, /channels/],
    [[48000, 16000, 65], RangeError, /channels/],
    [[48000, 16000, 1.5], RangeError, /channels/],
    [[48000, 16000, 1, 99], RangeError, /quality/],
    [[48000, 16000, 1, -1], RangeError, /quality/],
    [[48000, 16000, 1, 'MEDIUM'], TypeError, /quality/],
  ])('rejects %p with a clear %p', (args, ErrorClass, message) => {
    expect(() => new AudioResampler(...args)).toThrow(ErrorClass);
    expect(() => new AudioResampler(...args)).toThrow(message);
  });

  test("the rate and channel limits are the engine's (one definition, exported by the binding)", () => {
    const { MAX_RATE, MAX_CHANNELS } = require('../binding.js');
    expect(() => new AudioResampler(MAX_RATE + 1, 48000)).toThrow(`inputRate must be an integer in [1, ${MAX_RATE}]`);
    expect(() => new AudioResampler(48000, 16000, MAX_CHANNELS + 1)).toThrow(
      `channels must be an integer in [1, ${MAX_CHANNELS}]`,
    );
    expect(new AudioResampler(48000, 16000, MAX_CHANNELS).channels).toBe(MAX_CHANNELS);
  });

  test('cannot be called without new', () => {
    expect(() => AudioResampler(48000, 16000)).toThrow(TypeError);
  });
});

describe('push and flush', () => {
  test('push returns [] or exactly one frame at the output format, carrying the same userdata object', () => {
    const r = new AudioResampler(48000, 16000, 2);
    const userdata = { id: 'abc' };
    let nonEmpty = 0;
    for (let i = 0; i < 20; i++) {
      const out = r.push(new AudioFrame(sine(440, 48000, 480, 2), 48000, 2, 480, userdata));
      expect(out.length === 0 || out.length === 1).toBe(true);
      if (out.length === 1) {
        nonEmpty++;
        const [f] = out;
        expect(f).toBeInstanceOf(AudioFrame);
        expect(f.sampleRate).toBe(16000);
        expect(f.channels).toBe(2);
        expect(isInt16Array(f.data)).toBe(true);
        expect(f.data.length).toBe(f.samplesPerChannel * 2);
        expect(f.data.byteOffset).toBe(0);
        expect(f.userdata).toBe(userdata);
      }
    }
    expect(nonEmpty).toBeGreaterThan(5);
    r.close();
  });

  test('output frames are built with the input frame class; plain objects get ours', () => {
    class MyFrame extends AudioFrame {}
    const r = new AudioResampler(16000, 48000, 1, AudioResamplerQuality.LOW);
    const out = r.push(new MyFrame(sine(300, 16000, 320), 16000, 1, 320));
    expect(out[0]).toBeInstanceOf(MyFrame);
    const flushed = r.flush();
    expect(flushed[0]).toBeInstanceOf(MyFrame);
    const plain = r.push({ data: sine(300, 16000, 320), sampleRate: 16000, channels: 1, samplesPerChannel: 320 });
    expect(plain[0]).toBeInstanceOf(AudioFrame);
    r.close();
  });

  test('flush on a fresh resampler, or twice, returns [] (no phantom frame)', () => {
    const r = new AudioResampler(48000, 16000);
    expect(r.flush()).toEqual([]);
    r.push(AudioFrame.create(48000, 1, 480));
    expect(r.flush().length).toBe(1);
    expect(r.flush()).toEqual([]);
    r.close();
  });

  test('flush uses our AudioFrame when nothing was pushed', () => {
    const r = new AudioResampler(48000, 16000);
    r.push(new AudioFrame(new Int16Array(0), 48000, 1, 0));
    expect(r.flush()).toEqual([]);
    r.close();
  });

  test('empty frames return [] and count for nothing', () => {
    const r = new AudioResampler(48000, 16000);
    expect(r.push(new AudioFrame(new Int16Array(0), 48000, 1, 0))).toEqual([]);
    r.close();
  });

  test('flush resets the resampler: reuse gives the same output as a fresh one', () => {
    const input = noise(48000 * 0.3, 5);
    for (const q of QUALITIES) {
      const reused = new AudioResampler(48000, 16000, 1, q);
      const first = runThrough(reused, input, 48000, 1, 480);
      const second = runThrough(reused, input, 48000, 1, 480);
      const fresh = runThrough(new AudioResampler(48000, 16000, 1, q), input, 48000, 1, 480);
      expect(second).toEqual(first);
      expect(second).toEqual(fresh);
      reused.close();
    }
  });
});

describe('same rate', () => {
  test('push returns the very same frame and flush returns []', () => {
    const r = new AudioResampler(24000, 24000, 2);
    const frame = new AudioFrame(sine(440, 24000, 240, 2), 24000, 2, 240);
    const out = r.push(frame);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(frame);
    expect(out[0].data).toBe(frame.data);
    expect(r.flush()).toEqual([]);
    r.close();
  });

  test('still validates the frame', () => {
    const r = new AudioResampler(24000, 24000);
    expect(() => r.push(AudioFrame.create(48000, 1, 480))).toThrow(/sampleRate/);
    expect(() => r.push(AudioFrame.create(24000, 2, 240))).toThrow(/channels/);
  });
});

describe('exact length and time alignment', () => {
  test.each(PAIRS)('%i -> %i: total = round(n * ratio) and a sine keeps its phase, every preset', (fin, fout) => {
    for (const q of QUALITIES) {
      const frames = fin; // 1 s
      const input = sine(440, fin, frames, 1, 0.5);
      const out = runThrough(new AudioResampler(fin, fout, 1, q), input, fin, 1, Math.round(fin / 100));
      expect(out.length).toBe(expectedLength(frames, fin, fout));
      const x = Float64Array.from(out, (v) => v / 32767);
      const { amplitude, phase } = fitSine(x, 440, fout, fout / 10, (fout * 9) / 10);
      const delayMs = (-phase / (2 * Math.PI * 440)) * 1000;
      expect(Math.abs(amplitude - 0.5)).toBeLessThan(0.5 * 0.006);
      expect(Math.abs(delayMs)).toBeLessThan(0.001);
    }
  });

  test('length rule for awkward lengths and push sizes', () => {
    for (const [fin, fout] of [
      [44100, 48000],
      [48000, 16000],
      [16000, 24000],
    ]) {
      for (const frames of [1, 2, 147, 159, 441, 1000, 4801]) {
        for (const push of [1, 37, 441, 480, 48000]) {
          if (push === 1 && frames > 441) continue; // keep the run short
          const out = runThrough(new AudioResampler(fin, fout, 2), noise(frames * 2, frames), fin, 2, push);
          expect(out.length).toBe(2 * expectedLength(frames, fin, fout));
        }
      }
    }
  });
});

describe('determinism', () => {
  test('bit-identical whatever the push sizes, and between two resamplers', () => {
    const input = noise(2 * 24000, 11);
    for (const q of QUALITIES) {
      const ref = runThrough(new AudioResampler(44100, 48000, 2, q), input, 44100, 2, 24000);
      for (const sizes of [[441], [480], [1, 37, 1000], [7]]) {
        expect(runThrough(new AudioResampler(44100, 48000, 2, q), input, 44100, 2, sizes)).toEqual(ref);
      }
    }
  });

  test('silence in gives exact digital silence out (no dither)', () => {
    const out = runThrough(new AudioResampler(48000, 16000), new Int16Array(9600), 48000, 1, 480);
    expect(out.length).toBe(3200);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  test('the five presets are distinct configurations', () => {
    const input = noise(9600, 3);
    const outputs = QUALITIES.map((q) => runThrough(new AudioResampler(48000, 16000, 1, q), input, 48000, 1, 480));
    for (let a = 0; a < 5; a++) {
      for (let b = a + 1; b < 5; b++) {
        expect(outputs[a]).not.toEqual(outputs[b]);
      }
    }
  });
});

describe('views', () => {
  test('an Int16Array subarray is read from its own start (node-sdks #679)', () => {
    const big = sine(1000, 16000, 16000, 1, 0.8);
    const view = big.subarray(4000, 4160); // non-zero byteOffset
    expect(view.byteOffset).toBe(8000);
    const a = new AudioResampler(16000, 24000, 1, AudioResamplerQuality.LOW);
    const b = new AudioResampler(16000, 24000, 1, AudioResamplerQuality.LOW);
    const fromView = concat([...a.push(new AudioFrame(view, 16000, 1, 160)), ...a.flush()].map((f) => f.data));
    const fromCopy = concat([...b.push(new AudioFrame(view.slice(), 16000, 1, 160)), ...b.flush()].map((f) => f.data));
    expect(fromView).toEqual(fromCopy);
    expect(fromView.some((v) => Math.abs(v) > 10000)).toBe(true);
  });

  test('data longer than samplesPerChannel * channels: only the declared samples are read', () => {
    const data = sine(500, 48000, 960);
    const a = new AudioResampler(48000, 16000);
    const b = new AudioResampler(48000, 16000);
    const first = concat([...a.push(new AudioFrame(data, 48000, 1, 480)), ...a.flush()].map((f) => f.data));
    const second = concat(
      [...b.push(new AudioFrame(data.slice(0, 480), 48000, 1, 480)), ...b.flush()].map((f) => f.data),
    );
    expect(first).toEqual(second);
    expect(first.length).toBe(160);
  });
});

describe('bad frames', () => {
  test('type errors and mismatches throw clear errors and change nothing', () => {
    const input = noise(4800, 9);
    const clean = runThrough(new AudioResampler(48000, 16000), input, 48000, 1, 480);
    const r = new AudioResampler(48000, 16000);
    const chunks = [];
    for (let i = 0; i < 10; i++) {
      expect(() => r.push(null)).toThrow(TypeError);
      expect(() =>
        r.push({ data: new Float32Array(480), sampleRate: 48000, channels: 1, samplesPerChannel: 480 }),
      ).toThrow(/frame\.data must be an Int16Array/);
      expect(() => r.push(AudioFrame.create(16000, 1, 160))).toThrow(/sampleRate/);
      expect(() => r.push(AudioFrame.create(48000, 2, 480))).toThrow(/channels/);
      expect(() => r.push(new AudioFrame(new Int16Array(0), 48000, 1, 480))).toThrow(/samplesPerChannel/);
      for (const f of r.push(new AudioFrame(input.slice(i * 480, (i + 1) * 480), 48000, 1, 480))) chunks.push(f.data);
    }
    for (const f of r.flush()) chunks.push(f.data);
    expect(concat(chunks)).toEqual(clean);
  });
});

describe('close', () => {
  test('is idempotent and later use throws a "closed" Error', () => {
    for (const [fin, fout] of [
      [48000, 16000],
      [16000, 16000],
    ]) {
      const r = new AudioResampler(fin, fout);
      r.close();
      r.close();
      expect(r.closed).toBe(true);
      expect(() => r.push(AudioFrame.create(fin, 1, 10))).toThrow(/closed/);
      expect(() => r.flush()).toThrow(/closed/);
      expect(r.inputRate).toBe(fin);
    }
  });

  test('a resampler never closed is garbage-collected and its native state freed', async () => {
    expect(typeof global.gc).toBe('function');
    const { liveNativeResamplers } = require('../binding.js');
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    // Let resamplers left over by earlier tests be collected first.
    for (let i = 0; i < 5; i++) {
      global.gc();
      await tick();
    }
    const before = liveNativeResamplers();
    let ref;
    (() => {
      const all = [];
      for (let i = 0; i < 50; i++) {
        const r = new AudioResampler(48000, 16000);
        r.push(AudioFrame.create(48000, 1, 480));
        all.push(r);
      }
      ref = new WeakRef(all[0]);
    })();
    expect(liveNativeResamplers()).toBe(before + 50);
    for (let i = 0; i < 20 && liveNativeResamplers() > before; i++) {
      await tick();
      global.gc();
      await tick();
    }
    expect(ref.deref()).toBeUndefined();
    expect(liveNativeResamplers()).toBeLessThanOrEqual(before);
  });

  test('close frees the native state immediately', () => {
    const { liveNativeResamplers } = require('../binding.js');
    const before = liveNativeResamplers();
    const r = new AudioResampler(48000, 16000);
    expect(liveNativeResamplers()).toBe(before + 1);
    r.close();
    expect(liveNativeResamplers()).toBe(before);
    const same = new AudioResampler(16000, 16000);
    expect(liveNativeResamplers()).toBe(before); // same rate needs no native state
    same.close();
  });
});

describe('AudioFrame and combineAudioFrames', () => {
  test('AudioFrame.create makes silence with {} userdata', () => {
    const f = AudioFrame.create(16000, 2, 160);
    expect(f.data.length).toBe(320);
    expect(f.data.every((v) => v === 0)).toBe(true);
    expect(f.userdata).toEqual({});
    expect([f.sampleRate, f.channels, f.samplesPerChannel]).toEqual([16000, 2, 160]);
  });

  test('combineAudioFrames concatenates, merges userdata and checks formats', () => {
    const a = new AudioFrame(Int16Array.of(1, 2), 16000, 1, 2, { a: 1, s: 'x' });
    const b = new AudioFrame(Int16Array.of(3), 16000, 1, 1, { a: 2 });
    const c = combineAudioFrames([a, b]);
    expect(Array.from(c.data)).toEqual([1, 2, 3]);
    expect(c.samplesPerChannel).toBe(3);
    expect(c.userdata).toEqual({ a: 2, s: 'x' });
    expect(combineAudioFrames(a)).toBe(a);
    expect(() => combineAudioFrames([])).toThrow('buffer is empty');
    expect(() => combineAudioFrames([a, AudioFrame.create(8000, 1, 1)])).toThrow(
      'sample rate mismatch: expected 16000, got 8000',
    );
    expect(() => combineAudioFrames([a, AudioFrame.create(16000, 2, 1)])).toThrow(
      'channel mismatch: expected 1, got 2',
    );
  });
});
