'use strict';

// AdaptiveAudioResampler (issue #10, part 2): the AudioResampler that
// `rtc-resampler/register` gives @livekit/agents. Frames of another rate or
// channel count than the resampler's give correct audio in the format the
// caller asked for (rtc-node garbles them; our AudioResampler throws), with
// one warning per resampler.

const rtc = require('@livekit/rtc-node');
const { AudioResampler, AdaptiveAudioResampler, AudioFrame } = require('..');
const adaptiveModule = require('../lib/adaptive_resampler.js');

function sine(rate, channels, n, { freq = 440, phase = 0 } = {}) {
  const data = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      data[i * channels + c] = Math.round(8000 * Math.sin((2 * Math.PI * (freq + 200 * c) * (i + phase)) / rate));
    }
  }
  return data;
}

/** `count` consecutive `n`-frame AudioFrames of one continuous tone. */
const tone = (rate, channels, n, count) =>
  Array.from({ length: count }, (_, i) => new AudioFrame(sine(rate, channels, n, { phase: i * n }), rate, channels, n));

const samples = (frames) => frames.flatMap((f) => Array.from(f.data));
const totalFrames = (frames) => frames.reduce((n, f) => n + f.samplesPerChannel, 0);

function run(r, frames, { flush = true } = {}) {
  const out = [];
  for (const f of frames) {
    const got = r.push(f);
    expect(got.length).toBeLessThanOrEqual(1);
    out.push(...got);
  }
  if (flush) out.push(...r.flush());
  return out;
}

let warnings;
beforeEach(() => {
  warnings = [];
  jest.spyOn(process, 'emitWarning').mockImplementation((message, options) => warnings.push({ message, options }));
});
afterEach(() => jest.restoreAllMocks());

test('is exported from the package and from lib/adaptive_resampler.js, and is an AudioResampler', () => {
  expect(adaptiveModule.AdaptiveAudioResampler).toBe(AdaptiveAudioResampler);
  const r = new AdaptiveAudioResampler(48000, 16000, 2, 3);
  expect(r).toBeInstanceOf(AudioResampler);
  expect([r.inputRate, r.outputRate, r.channels, r.quality, r.closed]).toEqual([48000, 16000, 2, 3, false]);
  expect(() => new AdaptiveAudioResampler(0, 16000)).toThrow(RangeError);
});

test('frames in its own format: bit-identical to AudioResampler, no warning', () => {
  const frames = tone(48000, 2, 480, 20);
  expect(samples(run(new AdaptiveAudioResampler(48000, 16000, 2), frames))).toEqual(
    samples(run(new AudioResampler(48000, 16000, 2), frames)),
  );
  expect(warnings).toEqual([]);
});

test('AudioResampler itself stays strict', () => {
  const r = new AudioResampler(48000, 16000, 1);
  expect(() => r.push(new AudioFrame(sine(48000, 2, 480), 48000, 2, 480))).toThrow(RangeError);
  expect(() => r.push(new AudioFrame(sine(24000, 1, 240), 24000, 1, 240))).toThrow(RangeError);
  expect(warnings).toEqual([]);
});

describe('channels', () => {
  test("stereo frames into a mono resampler (agents' resampleStream, STT): the channels' average, one warning", () => {
    const stereo = Array.from({ length: 20 }, (_, i) => sine(48000, 2, 480, { phase: i * 480 }));
    const mono = stereo.map((d) => {
      const m = new Int16Array(d.length / 2);
      for (let i = 0; i < m.length; i++) m[i] = Math.round((d[2 * i] + d[2 * i + 1]) / 2);
      return m;
    });
    const got = run(
      new AdaptiveAudioResampler(48000, 16000),
      stereo.map((d) => new rtc.AudioFrame(d, 48000, 2, 480)),
    );
    const want = run(
      new AudioResampler(48000, 16000),
      mono.map((d) => new AudioFrame(d, 48000, 1, 480)),
    );
    expect(samples(got)).toEqual(samples(want));
    for (const f of got) {
      expect(f).toBeInstanceOf(rtc.AudioFrame);
      expect([f.sampleRate, f.channels, f.data.length]).toEqual([16000, 1, f.samplesPerChannel]);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0].options).toEqual({ type: 'RtcResamplerWarning', code: 'RTC_RESAMPLER_FRAME_FORMAT' });
    expect(warnings[0].message).toMatch(/48000 Hz, 2 channel\(s\)/);
    expect(warnings[0].message).toMatch(/@livekit\/rtc-node would have garbled/);
  });

  test("agents' AudioByteStream stereo labels (samplesPerChannel = total) into a mono resampler", () => {
    const d = sine(24000, 2, 240); // 10 ms of stereo, labelled 480 "per channel"
    const [out] = new AdaptiveAudioResampler(24000, 24000).push(new AudioFrame(d, 24000, 2, 480));
    expect(out.samplesPerChannel).toBe(240);
    expect(out.channels).toBe(1);
    expect(out.data[10]).toBe(Math.round((d[20] + d[21]) / 2));
  });

  test.each([
    ['1 -> 2 duplicates', 1, 2, [[0], [0]]],
    ['3 -> 2: output j averages inputs j, j + 2, ...', 3, 2, [[0, 2], [1]]],
    ['2 -> 3: output j copies input j mod 2', 2, 3, [[0], [1], [0]]],
    ['4 -> 1 averages', 4, 1, [[0, 1, 2, 3]]],
  ])('%s', (_label, from, to, sources) => {
    const n = 48;
    const data = new Int16Array(n * from);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 20000) - 10000;
    const [out] = new AdaptiveAudioResampler(16000, 16000, to).push(new AudioFrame(data, 16000, from, n));
    expect([out.channels, out.samplesPerChannel]).toEqual([to, n]);
    for (let f = 0; f < n; f++) {
      for (let j = 0; j < to; j++) {
        const src = sources[j].map((c) => data[f * from + c]);
        expect(out.data[f * to + j]).toBe(Math.round(src.reduce((a, b) => a + b, 0) / src.length));
      }
    }
  });
});

describe('rates', () => {
  test('a TTS rate change mid-utterance (performAudioForwarding): old tail first, then the new rate', () => {
    const a = tone(24000, 1, 240, 10);
    const b = tone(16000, 1, 160, 10);
    const c = tone(24000, 1, 240, 5);
    const r = new AdaptiveAudioResampler(24000, 48000);
    const got = run(r, [...a, ...b, ...c]);
    const want = [
      ...run(new AudioResampler(24000, 48000), a),
      ...run(new AudioResampler(16000, 48000), b),
      ...run(new AudioResampler(24000, 48000), c),
    ];
    expect(samples(got)).toEqual(samples(want));
    expect(totalFrames(got)).toBe(25 * 480);
    for (const f of got) expect([f.sampleRate, f.channels]).toEqual([48000, 1]);
    expect(warnings).toHaveLength(1);
  });

  test('frames at outputRate pass through (after the tail) while the resampler was built for another rate', () => {
    const a = [new AudioFrame(sine(24000, 1, 2400), 24000, 1, 2400)];
    const passed = new AudioFrame(sine(48000, 1, 480), 48000, 1, 480);
    const r = new AdaptiveAudioResampler(24000, 48000);
    const first = r.push(a[0]);
    const [joined] = r.push(passed);
    const tail = new AudioResampler(24000, 48000);
    const want = [...tail.push(a[0]), ...tail.flush()];
    expect(samples([...first, joined])).toEqual([...samples(want), ...passed.data]);
    expect(r.flush()).toEqual([]);
  });

  test('the pushed frame userdata is carried; rtc-node frames give rtc-node frames', () => {
    const userdata = { id: 'x' };
    const r = new AdaptiveAudioResampler(48000, 16000);
    const out = [];
    for (let i = 0; i < 10; i++) out.push(...r.push(new rtc.AudioFrame(sine(44100, 1, 441), 44100, 1, 441, userdata)));
    expect(out.length).toBeGreaterThan(0);
    for (const f of out) {
      expect(f).toBeInstanceOf(rtc.AudioFrame);
      expect(f.userdata).toBe(userdata);
    }
  });

  test('a bad frame still throws and changes nothing; empty frames of another format are ignored', () => {
    const frames = tone(16000, 1, 160, 10);
    const r = new AdaptiveAudioResampler(24000, 48000);
    const out = [];
    for (const f of frames) {
      const bad = { data: new Float32Array(160), sampleRate: 16000, channels: 1, samplesPerChannel: 160 };
      expect(() => r.push(bad)).toThrow(TypeError);
      expect(r.push(new AudioFrame(new Int16Array(0), 8000, 2, 0))).toEqual([]);
      out.push(...r.push(f));
    }
    out.push(...r.flush());
    expect(samples(out)).toEqual(samples(run(new AudioResampler(16000, 48000), frames)));
  });

  test('close() frees both resamplers; later use throws "AudioResampler is closed"', () => {
    const r = new AdaptiveAudioResampler(24000, 48000);
    r.push(new AudioFrame(sine(16000, 1, 160), 16000, 1, 160));
    r.close();
    r.close();
    expect(r.closed).toBe(true);
    const closed = new Error('AudioResampler is closed');
    expect(() => r.push(new AudioFrame(sine(16000, 1, 160), 16000, 1, 160))).toThrow(closed);
    expect(() => r.flush()).toThrow(closed);
  });

  test('closed from a data getter during push: that push throws, no unresampled audio', () => {
    const r = new AdaptiveAudioResampler(24000, 48000);
    const frame = {
      get data() {
        r.close();
        return sine(16000, 2, 160);
      },
      sampleRate: 16000,
      channels: 2,
      samplesPerChannel: 160,
    };
    expect(() => r.push(frame)).toThrow(new Error('AudioResampler is closed'));
    expect(warnings).toEqual([]);
  });

  test('one warning per instance', () => {
    const mk = () => new AudioFrame(sine(16000, 2, 160), 16000, 2, 160);
    const r1 = new AdaptiveAudioResampler(24000, 48000);
    const r2 = new AdaptiveAudioResampler(24000, 48000);
    for (let i = 0; i < 5; i++) {
      r1.push(mk());
      r2.push(mk());
    }
    expect(warnings).toHaveLength(2);
  });
});
