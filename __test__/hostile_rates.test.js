'use strict';

// Issue #11: hostile-but-valid rates. Every accepted (inputRate, outputRate,
// channels, quality) combination has bounded memory and returns exactly the
// frames the length rule says; rate pairs beyond MAX_RATIO are rejected with a
// RangeError naming the limit, before any native state exists; no push or flush
// can abort the process; V8 sees each resampler's real native memory, so dropped
// ones are collected. Rates come from the grid 1, 7, 8000, 44100, 767999, 768000
// (both directions) plus the realistic worst cases at the ratio limit.
//
// The work of each push and flush (frames the core computes, against the frames
// it returns) is counted over the same grid by `crates/engine/tests/limits.rs`;
// `cargo bench -p rtc-resampler-engine --bench limits` prints the times.

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { AudioResampler, AudioFrame } = require('..');
const { MAX_RATE, MAX_CHANNELS, MAX_RATIO } = require('../binding.js');
const { nativeCounter } = require('./helpers/native_count.js');
const { nativeS16 } = require('./helpers/native_s16.js');

const ROOT = path.resolve(__dirname, '..');
const MB = 1024 * 1024;
const RATES = [1, 7, 8000, 44100, 767999, 768000];
const AT_LIMIT = [
  [8000, 768000],
  [768000, 8000],
  [7999, 767904],
  [767904, 7999],
  [1, 96],
  [96, 1],
  [7, 672],
  [672, 7],
];
const QUALITIES = [0, 1, 2, 3, 4];
const CHANNELS = [1, 64];
const MEMORY_BYTES = 64 * MB;

const within = (a, b) => Math.max(a, b) <= MAX_RATIO * Math.min(a, b);

function gridPairs(accepted) {
  const pairs = [];
  for (const a of RATES) for (const b of RATES) if (a !== b && within(a, b) === accepted) pairs.push([a, b]);
  return accepted ? pairs.concat(AT_LIMIT) : pairs;
}

function frameOf(rate, channels, frames) {
  const data = new Int16Array(frames * channels);
  let s = (rate ^ frames) >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 16) - 32768;
  }
  return new AudioFrame(data, rate, channels, frames);
}

describe('limits', () => {
  test('MAX_RATE, MAX_CHANNELS and MAX_RATIO come from the engine', () => {
    expect([MAX_RATE, MAX_CHANNELS, MAX_RATIO]).toEqual([768000, 64, 96]);
  });

  const rejected = gridPairs(false);
  test.each(rejected)('%i -> %i is rejected up front with a RangeError naming both rates and the limit', (a, b) => {
    const [num, den, what] = b > a ? [b, a, 'outputRate / inputRate'] : [a, b, 'inputRate / outputRate'];
    const message = `${what} must be at most ${MAX_RATIO} (got ${num} / ${den})`;
    const native = nativeCounter();
    for (const ch of CHANNELS) {
      for (const q of QUALITIES) {
        expect(() => new AudioResampler(a, b, ch, q)).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message }),
        );
        expect(() => nativeS16(a, b, ch, q)).toThrow(
          expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message }),
        );
      }
    }
    // Refused before a native resampler was built: none was created, none is left.
    expect(native.live()).toBe(0);
  });

  test('the ratio limit itself is accepted, one more is not', () => {
    for (const [a, b] of [
      [1, 96],
      [96, 1],
      [8000, 768000],
      [768000, 8000],
    ]) {
      new AudioResampler(a, b).close();
    }
    for (const [a, b] of [
      [1, 97],
      [97, 1],
      [7999, 768000],
      [768000, 7999],
    ]) {
      expect(() => new AudioResampler(a, b)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    }
  });
});

describe('every accepted combination of the grid', () => {
  const cases = [];
  for (const [a, b] of gridPairs(true)) for (const ch of CHANNELS) cases.push([a, b, ch]);

  test.each(cases)(
    '%i -> %i, %i ch, every preset: native memory <= 64 MB; the frames of the length rule',
    (a, b, ch) => {
      for (const q of QUALITIES) {
        const n = nativeS16(a, b, ch, q);
        const ctx = `${a} -> ${b}, ${ch} ch, quality ${q}`;
        const framesOf = (out) => (out === null ? 0 : out.length / ch);
        expect({ ctx, bytes: n.memoryBytes > 0 && n.memoryBytes <= MEMORY_BYTES }).toEqual({ ctx, bytes: true });
        const frames = Math.max(1, Math.round(a / 100)); // 10 ms
        const tenMs = frameOf(a, ch, frames).data;
        let out = 0;
        for (let i = 0; i < 8; i++) {
          const got = framesOf(n.push(tenMs));
          expect({ ctx, got, bounded: got <= n.maxOutputFrames(frames) }).toEqual({ ctx, got, bounded: true });
          out += got;
        }
        out += framesOf(n.flush());
        expect({ ctx, out }).toEqual({ ctx, out: Math.round((8 * frames * b) / a) });
        expect({ ctx, bytes: n.memoryBytes <= MEMORY_BYTES }).toEqual({ ctx, bytes: true });
        // A 1-frame push, then the flush (the call that computed the whole filter
        // delay at 768 kHz before issue #11): round(1 · out / in) frames.
        n.push(frameOf(a, ch, 1).data);
        expect({ ctx, flushed: framesOf(n.flush()) }).toEqual({ ctx, flushed: Math.round(b / a) });
        n.close();
        expect(n.memoryBytes).toBe(0);
      }
    },
  );
});

describe('memory reported to V8', () => {
  // The binding reports memoryBytes through napi_adjust_external_memory (V8 uses
  // it to schedule GC; Node 20 does not show it in process.memoryUsage()).
  test('memoryBytes follows the native heap: construction, a big push, a small push, close', () => {
    const n = nativeS16(8000, 768000, 64, 4);
    const idle = n.memoryBytes;
    // 64 channels of filter history plus the filter: whatever the core, well
    // above the few hundred bytes of the objects themselves.
    expect(idle).toBeGreaterThan(64 * 1024);
    // One second in: the output buffer grows to hold 768,000 × 64 samples.
    const out = n.push(frameOf(8000, 64, 8000).data);
    const grown = n.memoryBytes;
    expect(out.length).toBeGreaterThan(700000 * 64);
    expect(grown).toBeGreaterThanOrEqual(idle + out.length * 2);
    expect(grown).toBeLessThan(idle + out.length * 2 + 16 * MB); // its own output plus a bounded constant
    // A small push gives the big buffer back, and the report follows.
    n.push(frameOf(8000, 64, 80).data);
    expect(n.memoryBytes).toBeLessThan(idle + 16 * MB);
    n.close();
    expect(n.memoryBytes).toBe(0);
  });

  const dropped = '3,000 dropped large resamplers (768 kHz -> 8 kHz, 64 ch, VERY_HIGH)';
  test(`${dropped} are collected with event-loop turns`, () => {
    const child = `
      const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
      const { liveNativeResamplers } = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
      const { nativeS16 } = require(${JSON.stringify(path.join(__dirname, 'helpers', 'native_s16.js'))});
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      const cfg = [768000, 8000, 64, 4];
      const frame = new AudioFrame(new Int16Array(7680 * 64).fill(1000), 768000, 64, 7680);
      (async () => {
        const probe = nativeS16(...cfg);
        const each = probe.memoryBytes;
        probe.close();
        const base = liveNativeResamplers();
        let maxLive = 0;
        let maxRss = 0;
        for (let i = 0; i < 3000; i++) {
          new AudioResampler(...cfg).push(frame); // dropped without close()
          if (i % 10 === 9) await turn();
          if (i % 100 === 99) maxRss = Math.max(maxRss, process.memoryUsage().rss);
          maxLive = Math.max(maxLive, liveNativeResamplers() - base);
        }
        for (let i = 0; i < 20 && liveNativeResamplers() > base; i++) { await turn(); global.gc(); await turn(); }
        const left = liveNativeResamplers() - base;
        process.stdout.write(JSON.stringify({ each, maxLive, maxRss, left }) + '\\n');
      })();
    `;
    const res = spawnSync(process.execPath, ['--expose-gc', '-e', child], { encoding: 'utf8', timeout: 180_000 });
    const { status, signal, stderr } = res;
    expect({ status, signal, stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    const r = JSON.parse(res.stdout);
    // 3,000 × 8 MB would be 24 GB; V8 collects every few dozen. Without the
    // external-memory report, 2,000 of them reached 1,379 alive.
    expect(r.each).toBeGreaterThan(4 * MB);
    expect(r.maxLive).toBeLessThan(500);
    expect(r.maxRss).toBeLessThan(1500 * MB);
    expect(r.left).toBe(0);
  }, 200_000);
});

describe('no call aborts the process', () => {
  // Child processes under `ulimit -v` (4 GB of address space): an allocation
  // failure must surface as a catchable Error, never as an abort.
  function underUlimit(script) {
    const res = spawnSync('bash', ['-c', `ulimit -v 4000000; exec "${process.execPath}" -e "$SCRIPT"`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SCRIPT: script },
    });
    const { status, signal, stderr } = res;
    expect({ status, signal, stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    return JSON.parse(res.stdout);
  }

  test('a push whose output cannot be allocated is an Error, and changes nothing', () => {
    const r = underUlimit(`
      const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
      const small = new AudioFrame(new Int16Array(64 * 80).map((_, i) => (i * 37) % 5000), 8000, 64, 80);
      const r = new AudioResampler(8000, 768000, 64, 0);
      const ref = new AudioResampler(8000, 768000, 64, 0);
      const got = [], want = [];
      const take = (list, frames) => frames.forEach((f) => { for (const x of f.data) list.push(x); });
      take(got, r.push(small)); take(want, ref.push(small));
      let error = null;
      try {
        r.push(new AudioFrame(new Int16Array(64 * 300000), 8000, 64, 300000)); // 3.7 GB of output
      } catch (e) {
        error = { name: e.name, code: e.code, message: e.message };
      }
      for (let i = 0; i < 7; i++) { take(got, r.push(small)); take(want, ref.push(small)); }
      take(got, r.flush()); take(want, ref.flush());
      const same = got.length === want.length && got.every((x, i) => x === want[i]);
      process.stdout.write(JSON.stringify({ error, same, frames: got.length / 64 }));
    `);
    expect(r.error).toEqual({
      name: 'Error',
      code: 'ERR_MEMORY_ALLOCATION_FAILED',
      message: expect.stringMatching(
        /^push would produce up to \d+ samples \(\d+ bytes\), more than can be allocated; push smaller frames$/,
      ),
    });
    expect(r.same).toBe(true);
    expect(r.frames).toBe(8 * 80 * 96);
  });

  test('an output longer than a typed array can hold is an Error', () => {
    const r = underUlimit(`
      const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
      const r = new AudioResampler(8000, 768000, 1, 1);
      let error = null;
      try {
        r.push(new AudioFrame(new Int16Array(50_000_000), 8000, 1, 50_000_000)); // 4.8e9 samples out
      } catch (e) {
        error = { name: e.name, code: e.code };
      }
      const after = r.push(new AudioFrame(new Int16Array(160), 8000, 1, 160)).length; // one LOW block
      process.stdout.write(JSON.stringify({ error, after }));
    `);
    expect(r.error).toEqual({ name: 'Error', code: 'ERR_MEMORY_ALLOCATION_FAILED' });
    expect(r.after).toBe(1);
  });

  test('the repros of issue #11 throw RangeError before building anything, instead of aborting or stalling', () => {
    const r = underUlimit(`
      const { AudioResampler, AudioFrame, PcmResampleTransform, resampleStream } = require(${JSON.stringify(ROOT)});
      const { liveNativeResamplers } = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
      const base = liveNativeResamplers();
      let built = 0; // most native resamplers alive after any repro
      const count = () => { built = Math.max(built, liveNativeResamplers() - base); };
      const errors = [];
      const attempt = (fn) => { try { fn(); errors.push(null); } catch (e) { errors.push(e.name + ' ' + e.code); } count(); };
      attempt(() => new AudioResampler(1, 768000).push(new AudioFrame(new Int16Array(100000), 1, 1, 100000)));
      attempt(() => new AudioResampler(1, 768000, 64, 0));
      attempt(() => new AudioResampler(768000, 1, 64, 0));
      attempt(() => new PcmResampleTransform({ inputRate: 1, outputRate: 48000, channels: 64 }));
      const src = new ReadableStream({
        start(c) { c.enqueue(new AudioFrame(new Int16Array(100000), 1, 1, 100000)); c.close(); },
      });
      resampleStream({ stream: src, outputRate: 768000 }).getReader().read().then(
        () => errors.push(null),
        (e) => errors.push(e.name + ' ' + e.code),
      ).then(() => { count(); process.stdout.write(JSON.stringify({ errors, built })); });
    `);
    expect(r.errors).toEqual(Array(5).fill('RangeError ERR_OUT_OF_RANGE'));
    // No resampler was ever built, so none of the repros' pushes could run.
    expect(r.built).toBe(0);
  });
});
