'use strict';

// Runs every program of examples/ as a user would (a child process, the package
// imported by name through its self-reference, cwd the repository) and checks
// what it printed against the audio arithmetic: sample counts, chunk sizes,
// durations, pitches and, for convert-wav, the WAV file it wrote.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

jest.setTimeout(120_000);

/** Runs `node ...args` in the repository; returns { status, stdout, stderr }. */
function node(...args) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 100_000 });
  if (r.error) throw r.error;
  return r;
}

/** Runs an example that must succeed quietly; returns its stdout lines keyed by their `label:`. */
function runOk(...args) {
  const r = node(...args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const lines = {};
  for (const line of r.stdout.trim().split('\n')) {
    const m = /^(\w+): (.*)$/.exec(line);
    expect(m).not.toBeNull();
    lines[m[1]] = m[2];
  }
  return lines;
}

/** The numbers of `text`, in order (not the digits of names such as s16 or f32). */
const numbers = (text) => [...text.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g)].map((m) => Number(m[0]));

test('every example is listed in examples/README.md with its command', () => {
  const readme = fs.readFileSync(path.join(root, 'examples', 'README.md'), 'utf8');
  const programs = fs.readdirSync(path.join(root, 'examples')).filter((f) => /\.m?js$/.test(f));
  expect(programs.sort()).toEqual(['agents-app.mjs', 'convert-wav.js', 'twilio-bridge.js', 'vad-feed.js']);
  for (const p of programs) expect(readme).toMatch(new RegExp(`node (--import rtc-resampler/register )?examples/${p}`));
});

test('twilio-bridge: 1 s of 8 kHz μ-law in 20 ms messages → 16,000 s16 samples; 1.25 s of 24 kHz TTS → 160-byte μ-law chunks', () => {
  const out = runOk('examples/twilio-bridge.js');
  expect(out.start).toMatch(/audio\/x-mulaw at 8000 Hz/);

  // Inbound: 1 s of 8 kHz μ-law, 160 bytes (20 ms) per message.
  const inBytes = 8000;
  expect(numbers(out.inbound)).toEqual([inBytes / 160, inBytes, 1000, 8000]);
  const sttSamples = Math.round((inBytes * 16000) / 8000);
  expect(sttSamples).toBe(16000);
  const [samples, rate, ms, heard] = numbers(out.stt);
  expect([samples, rate, ms]).toEqual([sttSamples, 16000, 1000]);
  expect(Math.abs(heard - 440)).toBeLessThan(0.5); // the caller's 440 Hz tone reached the STT

  // Outbound: 1.25 s of 24 kHz s16 TTS → round(n · 8000 / 24000) μ-law bytes, cut into 160-byte chunks.
  const ttsSamples = 1.25 * 24000;
  const outBytes = Math.round((ttsSamples * 8000) / 24000);
  expect(numbers(out.tts)).toEqual([ttsSamples, 24000, 1250, Math.ceil((ttsSamples * 2) / 4096)]);
  const [messages, full, chunk, last, bytes, outMs, outRate, callerHeard] = numbers(out.outbound);
  expect(messages).toBe(Math.ceil(outBytes / 160));
  expect(full).toBe(Math.floor(outBytes / 160));
  expect(messages).toBe(full + 1); // only the last chunk is short
  expect(chunk).toBe(160);
  expect(last).toBe(outBytes - full * 160);
  expect(last).toBe(80);
  expect([bytes, outMs, outRate]).toEqual([outBytes, 1250, 8000]);
  expect(Math.abs(callerHeard - 300)).toBeLessThan(0.5); // the TTS's 300 Hz tone reached the caller
});

test('vad-feed: 3 s of 48 kHz s16 10 ms frames → 16 kHz f32 windows of 512 samples; the tone second is speech', () => {
  const out = runOk('examples/vad-feed.js');
  const frames = 300;
  const inSamples = frames * 480;
  expect(numbers(out.input)).toEqual([frames, 480, 48000, 3000]);
  const outSamples = Math.round((inSamples * 16000) / 48000);
  expect(numbers(out.output)).toEqual([outSamples, 16000, 3000]);
  const windows = Math.floor(outSamples / 512);
  expect(numbers(out.vad)).toEqual([windows, 512, outSamples - windows * 512]);
  expect(windows).toBe(93);

  // The tone is the second second: 16 kHz samples [16000, 32000), so the windows that overlap it.
  const first = Math.floor(16000 / 512);
  const last = Math.floor((32000 - 1) / 512);
  const [from, to, count, fromMs, toMs, peak] = numbers(out.speech);
  expect([from, to, count]).toEqual([first, last, last - first + 1]);
  expect([fromMs, toMs]).toEqual([first * 32, (last + 1) * 32]);
  expect(Math.abs(peak - 0.5 / Math.SQRT2)).toBeLessThan(0.01); // RMS of a half-scale sine
  const [silent, maxRms] = numbers(out.silence);
  expect(silent).toBe(windows - count);
  expect(maxRms).toBeLessThan(1e-3);
});

describe('agents-app', () => {
  test('under --import rtc-resampler/register, agents resampleStream runs on rtc-resampler: 48,000 → 16,000 samples', () => {
    const out = runOk('--import', 'rtc-resampler/register', 'examples/agents-app.mjs');
    expect(out.resampler).toBe("rtc-resampler's (register.AudioResampler: true, active: true)");
    expect(numbers(out.input)).toEqual([100, 48000, 48000, 1000]);
    const [frames, samples, rate, ms] = numbers(out.output);
    expect([samples, rate, ms]).toEqual([16000, 16000, 1000]);
    expect(frames).toBeGreaterThanOrEqual(100); // output on every 10 ms push, no bursts
  });

  test('without the flag it says rtc-node keeps its own resampler', () => {
    const out = runOk('examples/agents-app.mjs');
    expect(out.resampler).toMatch(/^@livekit\/rtc-node's own/);
    expect(numbers(out.output).slice(1)).toEqual([16000, 16000, 1000]);
  });
});

describe('convert-wav', () => {
  let dir;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtc-resampler-examples-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const chunk = (id, body) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
  };

  /** A WAV file: a LIST chunk of odd size first, then `fmt ` (plain or extensible), then `data`. */
  function wav({ format, rate, channels, bits, data, extensible = false }) {
    const fmt = Buffer.alloc(extensible ? 40 : 16);
    fmt.writeUInt16LE(extensible ? 0xfffe : format, 0);
    fmt.writeUInt16LE(channels, 2);
    fmt.writeUInt32LE(rate, 4);
    fmt.writeUInt32LE((rate * channels * bits) / 8, 8);
    fmt.writeUInt16LE((channels * bits) / 8, 12);
    fmt.writeUInt16LE(bits, 14);
    if (extensible) {
      fmt.writeUInt16LE(22, 16); // cbSize
      fmt.writeUInt16LE(bits, 18); // valid bits
      fmt.writeUInt32LE(channels === 1 ? 4 : 3, 20); // channel mask
      // SubFormat GUID {0000000F-0000-0010-8000-00AA00389B71}, F the format code.
      fmt.writeUInt32LE(format, 24);
      Buffer.from('00001000800000aa00389b71', 'hex').copy(fmt, 28);
    }
    const list = chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00x', 'latin1')); // 13 bytes + pad
    const body = Buffer.concat([list, chunk('fmt ', fmt), chunk('data', Buffer.from(data.buffer))]);
    const riff = Buffer.alloc(12);
    riff.write('RIFF', 0, 'latin1');
    riff.writeUInt32LE(4 + body.length, 4);
    riff.write('WAVE', 8, 'latin1');
    return Buffer.concat([riff, body]);
  }

  /** Parses `buf` chunk by chunk; returns the RIFF fields and each chunk's offset and size. */
  function parse(buf) {
    expect(buf.toString('latin1', 0, 4)).toBe('RIFF');
    expect(buf.toString('latin1', 8, 12)).toBe('WAVE');
    const chunks = {};
    let pos = 12;
    while (pos < buf.length) {
      const id = buf.toString('latin1', pos, pos + 4);
      const size = buf.readUInt32LE(pos + 4);
      chunks[id] = { offset: pos + 8, size };
      pos += 8 + size + (size % 2);
    }
    expect(pos).toBe(buf.length); // the last chunk ends exactly at the end of the file
    const f = chunks['fmt '].offset;
    return {
      riffSize: buf.readUInt32LE(4),
      chunks,
      format: buf.readUInt16LE(f),
      channels: buf.readUInt16LE(f + 2),
      rate: buf.readUInt32LE(f + 4),
      byteRate: buf.readUInt32LE(f + 8),
      blockAlign: buf.readUInt16LE(f + 12),
      bits: buf.readUInt16LE(f + 14),
    };
  }

  /** Frequency of channel `ch` from its upward zero crossings (interpolated), first to last. */
  function frequency(samples, channels, ch, rate) {
    const t = [];
    for (let i = channels + ch; i < samples.length; i += channels) {
      const a = samples[i - channels];
      const b = samples[i];
      if (a < 0 && b >= 0) t.push(i / channels - 1 + -a / (b - a));
    }
    return ((t.length - 1) * rate) / (t.at(-1) - t[0]);
  }

  test('s16 stereo 44.1 kHz with a LIST chunk → 16 kHz: header, exact length, both tones kept', () => {
    const inRate = 44100;
    const frames = inRate + 37;
    const data = new Int16Array(frames * 2);
    for (let n = 0; n < frames; n++) {
      data[2 * n] = Math.round(12000 * Math.sin((2 * Math.PI * 1000 * n) / inRate));
      data[2 * n + 1] = Math.round(12000 * Math.sin((2 * Math.PI * 250 * n) / inRate));
    }
    const input = path.join(dir, 'stereo.wav');
    const output = path.join(dir, 'stereo-16k.wav');
    fs.writeFileSync(input, wav({ format: 1, rate: inRate, channels: 2, bits: 16, data }));

    const out = runOk('examples/convert-wav.js', input, output, '16000');
    const expected = Math.round((frames * 16000) / inRate);
    expect(out.in).toMatch(new RegExp(`: 44100 Hz, 2 ch, s16, ${frames} frames .*skipped chunks: LIST$`));
    expect(out.out).toMatch(new RegExp(`: 16000 Hz, 2 ch, s16, ${expected} frames .* ${expected * 4} data bytes$`));

    const buf = fs.readFileSync(output);
    const h = parse(buf);
    expect(h.riffSize).toBe(buf.length - 8);
    expect(Object.keys(h.chunks)).toEqual(['fmt ', 'data']);
    expect(h.chunks['fmt '].size).toBe(16);
    expect([h.format, h.channels, h.rate, h.byteRate, h.blockAlign, h.bits]).toEqual([1, 2, 16000, 64000, 4, 16]);
    expect(h.chunks.data.size).toBe(expected * 4);
    const d = h.chunks.data;
    const samples = new Int16Array(new Uint8Array(buf.subarray(d.offset, d.offset + d.size)).buffer);
    expect(Math.abs(frequency(samples, 2, 0, 16000) - 1000)).toBeLessThan(0.5);
    expect(Math.abs(frequency(samples, 2, 1, 16000) - 250)).toBeLessThan(0.5);
  });

  test('f32 mono 8 kHz (WAVE_FORMAT_EXTENSIBLE) → 48 kHz IEEE float with cbSize and fact', () => {
    const inRate = 8000;
    const frames = 4001;
    const data = new Float32Array(frames);
    for (let n = 0; n < frames; n++) data[n] = 0.5 * Math.sin((2 * Math.PI * 440 * n) / inRate);
    const input = path.join(dir, 'float.wav');
    const output = path.join(dir, 'float-48k.wav');
    fs.writeFileSync(input, wav({ format: 3, rate: inRate, channels: 1, bits: 32, data, extensible: true }));

    const out = runOk('examples/convert-wav.js', input, output, '48000');
    const expected = Math.round((frames * 48000) / inRate);
    expect(out.out).toMatch(new RegExp(`: 48000 Hz, 1 ch, f32, ${expected} frames `));

    const buf = fs.readFileSync(output);
    const h = parse(buf);
    expect(h.riffSize).toBe(buf.length - 8);
    expect(Object.keys(h.chunks)).toEqual(['fmt ', 'fact', 'data']);
    expect(h.chunks['fmt '].size).toBe(18);
    expect(buf.readUInt16LE(h.chunks['fmt '].offset + 16)).toBe(0); // cbSize
    expect(buf.readUInt32LE(h.chunks.fact.offset)).toBe(expected);
    expect([h.format, h.channels, h.rate, h.byteRate, h.blockAlign, h.bits]).toEqual([3, 1, 48000, 192000, 4, 32]);
    expect(h.chunks.data.size).toBe(expected * 4);
    const d = h.chunks.data;
    const samples = new Float32Array(new Uint8Array(buf.subarray(d.offset, d.offset + d.size)).buffer);
    expect(Math.abs(frequency(samples, 1, 0, 48000) - 440)).toBeLessThan(0.5);
  });

  test('an unsupported format is refused with one line on stderr and no output file', () => {
    const input = path.join(dir, 's24.wav');
    const output = path.join(dir, 's24-out.wav');
    fs.writeFileSync(input, wav({ format: 1, rate: 8000, channels: 1, bits: 24, data: new Uint8Array(300) }));
    const r = node('examples/convert-wav.js', input, output, '16000');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `convert-wav: ${input}: unsupported format 1 with 24 bits (PCM 16-bit or float 32-bit only)\n`,
    );
    expect(fs.existsSync(output)).toBe(false);
  });
});
