'use strict';

// Drop-in checks against the real @livekit/rtc-node (a devDependency).

const rtc = require('@livekit/rtc-node');
const ours = require('..');
const { sine, concat, fitSine, expectedLength } = require('./helpers/signals');

const QUALITIES = [0, 1, 2, 3, 4];

// rtc-node's FFI keeps the process alive until disposed.
afterAll(() => rtc.dispose());

function collect(resampler, input, rate, channels, pushFrames, Frame) {
  const chunks = [];
  for (let pos = 0; pos < input.length / channels; pos += pushFrames) {
    const n = Math.min(pushFrames, input.length / channels - pos);
    const frame = new Frame(input.slice(pos * channels, (pos + n) * channels), rate, channels, n);
    for (const f of resampler.push(frame)) chunks.push(f.data);
  }
  for (const f of resampler.flush()) if (f.samplesPerChannel > 0) chunks.push(f.data);
  resampler.close();
  return concat(chunks);
}

test('the quality enum matches rtc-node exactly', () => {
  expect({ ...ours.AudioResamplerQuality }).toEqual({ ...rtc.AudioResamplerQuality });
});

test('the class surface matches rtc-node', () => {
  const names = (C) => Object.getOwnPropertyNames(C.prototype).sort();
  for (const name of names(rtc.AudioResampler)) {
    expect(names(ours.AudioResampler)).toContain(name);
  }
  for (const name of names(rtc.AudioFrame).filter((n) => !['protoInfo'].includes(n))) {
    expect(names(ours.AudioFrame)).toContain(name);
  }
  expect(typeof ours.AudioFrame.create).toBe('function');
});

test('rtc-node frames in give rtc-node frames out, with the same userdata object', () => {
  const r = new ours.AudioResampler(48000, 16000, 1);
  const userdata = { trackSid: 'TR_1' };
  const outputs = [];
  for (let i = 0; i < 6; i++) {
    outputs.push(...r.push(new rtc.AudioFrame(sine(440, 48000, 480), 48000, 1, 480, userdata)));
  }
  expect(outputs.length).toBeGreaterThan(0);
  for (const f of outputs) {
    expect(f).toBeInstanceOf(rtc.AudioFrame);
    expect(f.userdata).toBe(userdata);
    expect(f.sampleRate).toBe(16000);
  }
  const tail = r.flush();
  expect(tail[0]).toBeInstanceOf(rtc.AudioFrame);
  r.close();
});

test('same-rate rtc-node frames pass through as the same object', () => {
  const r = new ours.AudioResampler(24000, 24000);
  const frame = rtc.AudioFrame.create(24000, 1, 240);
  expect(r.push(frame)[0]).toBe(frame);
});

test('combineAudioFrames works on rtc-node frames and returns an rtc-node frame', () => {
  const a = rtc.AudioFrame.create(16000, 1, 10);
  const b = rtc.AudioFrame.create(16000, 1, 5);
  const c = ours.combineAudioFrames([a, b]);
  expect(c).toBeInstanceOf(rtc.AudioFrame);
  expect(c.samplesPerChannel).toBe(15);
});

describe.each([
  [48000, 16000, 1],
  [16000, 48000, 1],
  [44100, 48000, 2],
  [24000, 16000, 1],
  [24000, 48000, 1],
])('%i -> %i, %i channel(s): same length as rtc-node and the same in-band audio', (fin, fout, channels) => {
  test.each(QUALITIES)('quality %i', (quality) => {
    const frames = fin; // 1 s
    // Two in-band tones, well inside every preset's passband.
    const input = new Int16Array(frames * channels);
    const a = sine(1000, fin, frames, channels, 0.3);
    const b = sine(3000, fin, frames, channels, 0.2);
    for (let i = 0; i < input.length; i++) input[i] = a[i] + b[i];
    const push = Math.round(fin / 100);
    const theirs = collect(
      new rtc.AudioResampler(fin, fout, channels, quality),
      input,
      fin,
      channels,
      push,
      rtc.AudioFrame,
    );
    const mine = collect(
      new ours.AudioResampler(fin, fout, channels, quality),
      input,
      fin,
      channels,
      push,
      ours.AudioFrame,
    );
    expect(mine.length).toBe(channels * expectedLength(frames, fin, fout));
    expect(theirs.length).toBe(mine.length);
    if (quality === 0) return; // rtc-node's QUICK has no anti-alias filter and droops in band
    // Compare the middle 80% (away from edge transients), per channel.
    for (let ch = 0; ch < channels; ch++) {
      let err = 0;
      let ref = 0;
      for (let k = Math.floor(fout * 0.1); k < Math.floor(fout * 0.9); k++) {
        const d = mine[k * channels + ch] - theirs[k * channels + ch];
        err += d * d;
        ref += theirs[k * channels + ch] ** 2;
      }
      const db = 10 * Math.log10(err / ref);
      expect(db).toBeLessThan(-40);
    }
  });
});

test('at QUICK our output keeps the tone where rtc-node (cubic, no filter) does too, within 0.5 dB', () => {
  const input = sine(1000, 16000, 16000, 1, 0.5);
  const theirs = collect(new rtc.AudioResampler(16000, 48000, 1, 0), input, 16000, 1, 160, rtc.AudioFrame);
  const mine = collect(new ours.AudioResampler(16000, 48000, 1, 0), input, 16000, 1, 160, ours.AudioFrame);
  const amp = (x) =>
    fitSine(
      Float64Array.from(x, (v) => v / 32767),
      1000,
      48000,
      4800,
      43200,
    ).amplitude;
  expect(Math.abs(20 * Math.log10(amp(mine) / amp(theirs)))).toBeLessThan(0.5);
});
