'use strict';

// Frames that try to corrupt state (issue #11, findings 5-9, JS side), the
// error policy, and rtc-node's reading of mislabelled frames (issue #10).
// A frame is read once (each field one time), validated, then used: no user
// code runs between the check and the native read, a push that throws changes
// nothing, and output frames are always honest frames.

const vm = require('node:vm');
const rtc = require('@livekit/rtc-node');
const { AudioResampler, AudioFrame, combineAudioFrames, resampleStream } = require('..');
const { noise } = require('./helpers/signals.js');

async function collect(stream) {
  const out = [];
  for await (const f of stream) out.push(f);
  return out;
}

const samples = (frames) => frames.flatMap((f) => Array.from(f.data));
const totalFrames = (frames) => frames.reduce((n, f) => n + f.samplesPerChannel, 0);

/** Pushes `frames` into a fresh 48k -> 16k QUICK resampler and flushes. */
function reference(frames, channels = 1) {
  const r = new AudioResampler(48000, 16000, channels, 0);
  const out = [];
  for (const f of frames) out.push(...r.push(f));
  out.push(...r.flush());
  return out;
}

function expectHonest(frame, rate, channels) {
  expect(frame).toBeInstanceOf(Object);
  expect(Object.prototype.toString.call(frame.data)).toBe('[object Int16Array]');
  expect(frame.sampleRate).toBe(rate);
  expect(frame.channels).toBe(channels);
  expect(frame.data.length).toBe(frame.samplesPerChannel * channels);
}

// ---------------------------------------------------------------- finding 5

describe('a push that throws changes nothing; the frame class is never trusted blindly', () => {
  const good = () => Array.from({ length: 10 }, (_, i) => new AudioFrame(noise(480, i + 1), 48000, 1, 480));

  test('a throwing userdata getter: the push throws and consumes no audio', () => {
    const frames = good();
    const r = new AudioResampler(48000, 16000, 1, 0);
    const out = [];
    for (const f of frames) {
      const hostile = {
        data: f.data,
        sampleRate: 48000,
        channels: 1,
        samplesPerChannel: 480,
        get userdata() {
          throw new Error('userdata boom');
        },
      };
      expect(() => r.push(hostile)).toThrow('userdata boom');
      out.push(...r.push(f)); // the retry
    }
    out.push(...r.flush());
    expect(totalFrames(out)).toBe(1600);
    expect(samples(out)).toEqual(samples(reference(frames)));
  });

  test('every field is read exactly once per push', () => {
    const reads = Object.create(null);
    const data = noise(480, 3);
    const frame = {};
    for (const [key, value] of Object.entries({
      data,
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
      userdata: {},
      constructor: AudioFrame,
    })) {
      Object.defineProperty(frame, key, {
        get() {
          reads[key] = (reads[key] ?? 0) + 1;
          return value;
        },
      });
    }
    new AudioResampler(48000, 16000, 1, 0).push(frame);
    const once = { data: 1, sampleRate: 1, channels: 1, samplesPerChannel: 1, userdata: 1, constructor: 1 };
    expect({ ...reads }).toEqual(once);
  });

  class ThrowingFrame extends AudioFrame {
    constructor(...args) {
      super(...args);
      if (args[1] === 16000) throw new Error('constructor boom');
    }
  }
  class OptionsFrame {
    constructor({ data, sampleRate } = {}) {
      this.data = data;
      this.sampleRate = sampleRate;
    }
  }
  class CopyingFrame extends AudioFrame {
    constructor(data, ...rest) {
      super(data.slice(), ...rest); // a frame, but not around the data it was given
    }
  }
  class ReturnsPrimitive {
    constructor() {
      // biome-ignore lint/correctness/noConstructorReturn: the hostile case under test (new yields a Number object)
      return Object(42);
    }
  }

  const fields = (d) => ({ data: d, sampleRate: 48000, channels: 1, samplesPerChannel: 480 });
  test.each([
    ['a class whose constructor throws', (d) => new ThrowingFrame(d, 48000, 1, 480)],
    ['a class with an options-object constructor', (d) => Object.assign(new OptionsFrame(), fields(d))],
    ['a class that builds a frame around a copy of the data', (d) => new CopyingFrame(d, 48000, 1, 480)],
    ['a class returning a non-frame', (d) => Object.assign(new ReturnsPrimitive(), fields(d))],
    ['constructor: Array', (d) => ({ ...fields(d), constructor: Array })],
    ['constructor: a non-constructor function', (d) => ({ ...fields(d), constructor: () => ({}) })],
    ['a null-prototype object', (d) => Object.assign(Object.create(null), fields(d))],
  ])('%s: push and flush give our AudioFrames with the real audio', (_label, make) => {
    const frames = good();
    const r = new AudioResampler(48000, 16000, 1, 0);
    const out = [];
    for (const f of frames) out.push(...r.push(make(f.data)));
    out.push(...r.flush());
    for (const f of out) {
      expect(f).toBeInstanceOf(AudioFrame);
      expect(f.constructor).toBe(AudioFrame);
      expectHonest(f, 16000, 1);
    }
    expect(samples(out)).toEqual(samples(reference(frames)));
  });

  test('rtc-node frames still come back as rtc-node frames', () => {
    const r = new AudioResampler(48000, 16000, 1, 0);
    const out = [];
    for (let i = 0; i < 10; i++) out.push(...r.push(new rtc.AudioFrame(noise(480, i + 1), 48000, 1, 480)));
    out.push(...r.flush());
    for (const f of out) expect(f).toBeInstanceOf(rtc.AudioFrame);
  });
});

// ---------------------------------------------------------------- finding 6

describe('frames from another realm', () => {
  test('a plain object from vm.runInNewContext is a plain object: output is our AudioFrame', () => {
    const data = noise(480, 7);
    const frame = vm.runInNewContext('({ data, sampleRate: 48000, channels: 1, samplesPerChannel: 480 })', { data });
    const r = new AudioResampler(48000, 16000, 1, 0);
    const out = [...r.push(frame), ...r.flush()];
    expect(out.length).toBeGreaterThan(0);
    for (const f of out) {
      expect(f).toBeInstanceOf(AudioFrame);
      expectHonest(f, 16000, 1);
    }
  });

  test("an Int16Array of another realm is an Int16Array; another realm's Uint16Array is not", () => {
    const ctx = vm.createContext({});
    const foreign = vm.runInContext('new Int16Array(480).fill(1000)', ctx);
    const r = new AudioResampler(48000, 16000, 1, 0);
    const out = [...r.push({ data: foreign, sampleRate: 48000, channels: 1, samplesPerChannel: 480 }), ...r.flush()];
    expect(totalFrames(out)).toBe(160);
    const spoof = vm.runInContext(
      "Object.defineProperty(new Uint16Array(480), Symbol.toStringTag, { value: 'Int16Array' })",
      ctx,
    );
    expect(() => r.push({ data: spoof, sampleRate: 48000, channels: 1, samplesPerChannel: 480 })).toThrow(
      expect.objectContaining({
        name: 'TypeError',
        message: expect.stringMatching(/frame\.data must be an Int16Array/),
      }),
    );
  });
});

// ---------------------------------------------------------------- finding 7

describe('close() during push', () => {
  test.each([
    ['48k -> 16k', 16000],
    ['48k -> 48k (pass-through)', 48000],
  ])('%s: closing from a data getter makes that push throw "AudioResampler is closed"', (_label, out) => {
    const r = new AudioResampler(48000, out, 1, 2);
    const frame = {
      get data() {
        r.close();
        return noise(480, 1);
      },
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
    };
    expect(() => r.push(frame)).toThrow(new Error('AudioResampler is closed'));
    expect(r.closed).toBe(true);
  });
});

// ---------------------------------------------------------------- finding 8

describe('the length read is the one checked', () => {
  test('a growable SharedArrayBuffer grown from a getter after data was read: the declared samples are read', () => {
    const sab = new SharedArrayBuffer(960, { maxByteLength: 64000 });
    const data = new Int16Array(sab); // length-tracking
    data.set(noise(480, 2));
    const frame = {
      data,
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
      get constructor() {
        sab.grow(32000);
        return AudioFrame;
      },
    };
    const r = new AudioResampler(48000, 16000, 1, 0);
    const out = [...r.push(frame), ...r.flush()];
    expect(totalFrames(out)).toBe(160);
  });

  test('an Int16Array subclass lying about its length (and with a hostile species) is read by its real length', () => {
    let speciesUsed = false;
    class Liar extends Int16Array {
      get length() {
        return 1e9;
      }
      static get [Symbol.species]() {
        speciesUsed = true;
        return Int16Array;
      }
    }
    const r = new AudioResampler(48000, 16000, 1, 0);
    const ten = new Liar(10).fill(1000);
    // 10 real samples claimed as 480: the real whole frames are read (rtc-node's rule).
    const out = [...r.push({ data: ten, sampleRate: 48000, channels: 1, samplesPerChannel: 480 }), ...r.flush()];
    expect(totalFrames(out)).toBe(Math.round((10 * 16000) / 48000));
    // Longer than declared: trimmed without calling the subclass species.
    const long = new Liar(960).fill(1000);
    const out2 = [...r.push({ data: long, sampleRate: 48000, channels: 1, samplesPerChannel: 480 }), ...r.flush()];
    expect(totalFrames(out2)).toBe(160);
    expect(speciesUsed).toBe(false);
  });

  test('a resizable ArrayBuffer shrunk from a getter: a documented RangeError, and nothing changes', () => {
    const rab = new ArrayBuffer(4 * 480, { maxByteLength: 4 * 480 });
    const data = new Int16Array(rab); // length-tracking
    data.set(noise(960, 3));
    const frame = {
      data,
      sampleRate: 48000,
      channels: 2,
      samplesPerChannel: 480,
      get userdata() {
        rab.resize(6); // 3 samples: not a whole stereo frame
        return {};
      },
    };
    const r = new AudioResampler(48000, 16000, 2, 0);
    const clean = new AudioFrame(noise(960, 4), 48000, 2, 480);
    let error;
    try {
      r.push(frame);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^frame\.data has 3 samples.*not a whole number of 2-channel frames/);
    expect(error.message).not.toMatch(/multiple of channels/);
    expect(samples([...r.push(clean), ...r.flush()])).toEqual(samples(reference([clean], 2)));
  });

  test('a resizable ArrayBuffer shrunk to whole frames: those frames are read', () => {
    const rab = new ArrayBuffer(960, { maxByteLength: 960 });
    const data = new Int16Array(rab);
    data.fill(1000);
    const frame = {
      data,
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
      get constructor() {
        rab.resize(300); // 150 samples
        return AudioFrame;
      },
    };
    const r = new AudioResampler(48000, 16000, 1, 0);
    expect(totalFrames([...r.push(frame), ...r.flush()])).toBe(50);
  });
});

// ---------------------------------------------------------------- finding 9 and the error policy

describe('one error policy', () => {
  test('a Uint16Array tagged Int16Array is a TypeError naming frame.data, never the napi placeholder', () => {
    const data = new Uint16Array(480);
    Object.defineProperty(data, Symbol.toStringTag, { value: 'Int16Array' });
    const r = new AudioResampler(48000, 16000);
    let error;
    try {
      r.push({ data, sampleRate: 48000, channels: 1, samplesPerChannel: 480 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^frame\.data must be an Int16Array, got a Uint16Array/);
    expect(error.message).not.toMatch(/\$name/);
  });

  test('quality -0 is reported as 0', () => {
    expect(Object.is(new AudioResampler(48000, 16000, 1, -0).quality, 0)).toBe(true);
  });

  test('a channel or rate mismatch is a RangeError from AudioResampler and resampleStream alike', async () => {
    const r = new AudioResampler(48000, 16000, 1);
    expect(() => r.push(AudioFrame.create(48000, 2, 480))).toThrow(RangeError);
    expect(() => r.push(AudioFrame.create(44100, 1, 441))).toThrow(RangeError);
    const stream = resampleStream({
      stream: ReadableStream.from([AudioFrame.create(48000, 2, 480)]),
      outputRate: 16000,
      channels: 1,
    });
    await expect(collect(stream)).rejects.toThrow(RangeError);
  });

  test.each([
    ['sampleRate', '48000', TypeError],
    ['sampleRate', 0, RangeError],
    ['channels', null, TypeError],
    ['channels', 65, RangeError],
    ['samplesPerChannel', '480', TypeError],
    ['samplesPerChannel', -1, RangeError],
  ])('frame.%s = %p is a %p from AudioResampler and resampleStream alike', async (key, value, ErrorClass) => {
    const make = () => ({
      data: new Int16Array(480),
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
      [key]: value,
    });
    expect(() => new AudioResampler(48000, 16000).push(make())).toThrow(ErrorClass);
    const stream = resampleStream({ stream: ReadableStream.from([make()]), outputRate: 16000 });
    await expect(collect(stream)).rejects.toThrow(ErrorClass);
  });
});

// ---------------------------------------------------------------- issue #10: mislabelled frames

describe("frames labelled like agents' AudioByteStream (samplesPerChannel = total samples)", () => {
  test('10 ms stereo 24 kHz labelled 960 per channel is read as its 480 real frames', () => {
    const frames = Array.from({ length: 10 }, (_, i) => noise(960, i + 1));
    const r = new AudioResampler(24000, 48000, 2);
    const ref = new AudioResampler(24000, 48000, 2);
    const got = [];
    const want = [];
    for (const d of frames) {
      got.push(...r.push(new rtc.AudioFrame(d, 24000, 2, 960)));
      want.push(...ref.push(new rtc.AudioFrame(d, 24000, 2, 480)));
    }
    got.push(...r.flush());
    want.push(...ref.flush());
    expect(samples(got)).toEqual(samples(want));
    expect(totalFrames(got)).toBe(10 * 960);
    for (const f of got) expectHonest(f, 48000, 2);
  });

  test('at equal rates such a frame comes back with the right samplesPerChannel', () => {
    const d = noise(960, 5);
    const [out] = new AudioResampler(24000, 24000, 2).push(new AudioFrame(d, 24000, 2, 960));
    expect(out.samplesPerChannel).toBe(480);
    expect(Array.from(out.data)).toEqual(Array.from(d));
  });

  test('through resampleStream too', async () => {
    const data = noise(960, 6);
    const out = await collect(
      resampleStream({ stream: ReadableStream.from([new AudioFrame(data, 24000, 2, 960)]), outputRate: 48000 }),
    );
    expect(totalFrames(out)).toBe(960);
    for (const f of out) expectHonest(f, 48000, 2);
  });

  test.each([
    ['empty data claiming samples', new Int16Array(0), 2, 480, /frame\.data has 0 samples.*empty/],
    ['data not a whole number of frames', new Int16Array(961), 2, 960, /not a whole number of 2-channel frames/],
  ])('%s is a RangeError', (_label, data, channels, spc, re) => {
    const r = new AudioResampler(24000, 48000, channels);
    expect(() => r.push(new AudioFrame(data, 24000, channels, spc))).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(re) }),
    );
  });
});

// ---------------------------------------------------------------- resampleStream (finding 10, stream part)

describe('resampleStream reads each frame once and validates passed-on frames', () => {
  test('a samplesPerChannel getter returning 0 then 480 smuggles no 48 kHz audio into a 16 kHz stream', async () => {
    const smuggler = () => {
      let n = 0;
      return {
        data: noise(480, 9),
        sampleRate: 48000,
        channels: 1,
        get samplesPerChannel() {
          return n++ === 0 ? 0 : 480;
        },
      };
    };
    const real = Array.from({ length: 4 }, (_, i) => new AudioFrame(noise(480, i + 1), 48000, 1, 480));
    const input = [real[0], smuggler(), real[1], smuggler(), real[2], real[3]];
    const out = await collect(resampleStream({ stream: ReadableStream.from(input), outputRate: 16000 }));
    let audioAt48k = 0;
    for (const f of out) {
      expect(f.data.length).toBe(f.samplesPerChannel * f.channels);
      if (f.sampleRate !== 16000) audioAt48k += f.data.length;
    }
    expect(audioAt48k).toBe(0);
    expect(totalFrames(out.filter((f) => f.sampleRate === 16000))).toBe(4 * 160);
  });

  const frame = (data, sampleRate, channels, samplesPerChannel) => ({ data, sampleRate, channels, samplesPerChannel });
  test.each([
    ['a 0-sample frame with Float32Array data', frame(new Float32Array(0), 48000, 1, 0), TypeError],
    ['a same-rate frame with Float32Array data', frame(new Float32Array(160), 16000, 1, 160), TypeError],
    ['a same-rate frame with 0 channels', frame(new Int16Array(160), 16000, 0, 160), RangeError],
    ['a 0-sample frame with a NaN rate', frame(new Int16Array(0), NaN, 1, 0), RangeError],
  ])('%s errors the stream', async (_label, bad, ErrorClass) => {
    const stream = resampleStream({ stream: ReadableStream.from([bad]), outputRate: 16000 });
    await expect(collect(stream)).rejects.toThrow(ErrorClass);
  });

  test('frames with plain data fields still pass by identity', async () => {
    const same = new AudioFrame(noise(160, 1), 16000, 1, 160);
    const empty = new rtc.AudioFrame(new Int16Array(0), 48000, 1, 0);
    const out = await collect(resampleStream({ stream: ReadableStream.from([same, empty]), outputRate: 16000 }));
    expect(out[0]).toBe(same);
    expect(out[1]).toBe(empty);
  });
});

// ---------------------------------------------------------------- combineAudioFrames

describe('combineAudioFrames compares formats as rtc-node does (!=)', () => {
  test("16000 and '16000' are one format", () => {
    const a = AudioFrame.create(16000, 1, 10);
    const b = { data: new Int16Array(10), sampleRate: '16000', channels: '1', samplesPerChannel: 10, userdata: {} };
    const c = combineAudioFrames([a, b]);
    expect(c.samplesPerChannel).toBe(20);
    expect(() => combineAudioFrames([a, AudioFrame.create(8000, 1, 1)])).toThrow(
      'sample rate mismatch: expected 16000, got 8000',
    );
  });
});
