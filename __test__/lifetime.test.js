'use strict';

// GC and lifetime: resamplers that are never closed are freed by GC; a huge
// single push costs memory proportional to its output only; closing a resampler
// while a resampleStream is using it is handled (the stream errors cleanly).
// Run under `node --expose-gc` (as `npm test` does).

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { AudioFrame, resampleStream } = require('..');
const { nativeCounter } = require('./helpers/native_count.js');

const ROOT = path.resolve(__dirname, '..');
const MB = 1024 * 1024;
const turn = () => new Promise((resolve) => setImmediate(resolve));

function noiseFrame(rate, channels, n, seed) {
  const data = new Int16Array(n * channels);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 16) - 32768;
  }
  return new AudioFrame(data, rate, channels, n);
}

const CONFIGS = [
  [48000, 16000, 1, 0],
  [48000, 16000, 1, 2],
  [16000, 48000, 2, 1],
  [44100, 48000, 2, 3],
  [24000, 16000, 1, 4],
  [22050, 16000, 1, 2],
];

describe('resamplers dropped without close()', () => {
  // In a child process, so RSS is this scenario's alone. The binding reports each
  // engine's memory to V8 (napi_adjust_external_memory); without that, V8 saw only
  // small JS wrappers and let hundreds of MB of dropped engines pile up before a GC.
  const CHILD = `
    const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
    const { liveNativeResamplers } = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
    const CONFIGS = ${JSON.stringify(CONFIGS)};
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    async function settle(rounds) {
      for (let i = 0; i < rounds; i++) { await turn(); global.gc(); await turn(); }
    }
    const frames = CONFIGS.map(([rate, , ch]) => {
      const n = Math.round(rate / 100);
      const data = new Int16Array(n * ch).map((_, i) => ((i * 7919) % 20000) - 10000);
      return new AudioFrame(data, rate, ch, n);
    });
    const use = (i) => {
      const k = i % CONFIGS.length;
      const r = new AudioResampler(...CONFIGS[k]);
      r.push(frames[k]);
      return r;
    };
    (async () => {
      for (let i = 0; i < 5000; i++) use(i); // warm up code, allocator arenas, V8 heap
      await settle(6);
      const before = process.memoryUsage().rss;
      const liveBefore = liveNativeResamplers();
      const watched = [];
      for (let batch = 0; batch < 100; batch++) {
        for (let i = 0; i < 1000; i++) {
          const r = use(i);
          if (i === 0) watched.push(new WeakRef(r));
        }
        await turn(); // a long-lived process returns to the event loop between calls
      }
      await settle(10);
      const after = process.memoryUsage().rss;
      const alive = watched.filter((w) => w.deref() !== undefined).length;
      process.stdout.write(JSON.stringify({ before, after, alive, liveBefore, liveAfter: liveNativeResamplers() }) + '\\n');
    })();
  `;

  test('100,000 created, used and dropped: RSS returns within 20 MB after gc', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD], { encoding: 'utf8', timeout: 120_000 });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    const { before, after, alive, liveBefore, liveAfter } = JSON.parse(child.stdout);
    expect(alive).toBe(0); // every watched resampler was garbage-collected
    expect(liveAfter).toBeLessThanOrEqual(liveBefore); // and its native state dropped
    expect((after - before) / MB).toBeLessThan(20);
  }, 150_000);
});

describe('huge input', () => {
  // In a child process, so its peak RSS (maxRSS) belongs to this case alone.
  const CHILD = `
    const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
    const [rate, out, ch] = JSON.parse(process.argv[1]);
    const n = rate * 600; // 10 minutes
    const data = new Int16Array(n * ch);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 16) - 32768;
    const r = new AudioResampler(rate, out, ch, 2);
    const first = r.push(new AudioFrame(new Int16Array(480 * ch), rate, ch, 480)); // allocate state
    global.gc();
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const rssBefore = process.memoryUsage().rss;
    const got = r.push(new AudioFrame(data, rate, ch, n));
    const peakAfter = process.resourceUsage().maxRSS * 1024;
    const small = r.push(new AudioFrame(new Int16Array(480 * ch), rate, ch, 480));
    const tail = r.flush();
    const frames = [...first, ...got, ...small, ...tail].reduce((s, f) => s + f.samplesPerChannel, 0);
    process.stdout.write(JSON.stringify({
      pushFrames: got[0].samplesPerChannel, frames, inputFrames: n + 960,
      outputBytes: got[0].data.byteLength, growth: peakAfter - Math.max(peakBefore, rssBefore),
    }) + '\\n');
  `;

  test.each([
    ['48 kHz -> 16 kHz stereo', 48000, 16000, 2],
    ['48 kHz -> 44.1 kHz stereo', 48000, 44100, 2],
  ])(
    'one push of 10 minutes, %s: exact length, peak memory bounded by the output size',
    (_label, rate, out, ch) => {
      const child = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, JSON.stringify([rate, out, ch])], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(child.error).toBeUndefined();
      expect(child.status).toBe(0);
      const res = JSON.parse(child.stdout);
      // The total is exact; the big push returns almost all of it at once.
      expect(res.frames).toBe(Math.round((res.inputFrames * out) / rate));
      expect(res.pushFrames).toBeGreaterThan(res.frames - out * 0.1);
      // Peak growth: the engine's output buffer and its JS copy (2 x output), plus
      // fixed-size working buffers. A buffer proportional to the input (115 MB here)
      // or anything quadratic would exceed this.
      expect(res.growth).toBeLessThan(2 * res.outputBytes + 24 * MB);
    },
    150_000,
  );
});

describe('close() while a resampleStream is using the resampler', () => {
  /**
   * No public API hands out the resampler a stream uses, so these tests load a
   * copy of the package (its own module registry) in which lib/resampler.js
   * exports a subclass of AudioResampler that records its instances; the
   * shipped code is unchanged. Returns that copy's resampleStream and the list.
   */
  function loadWithTrackedResamplers() {
    const created = [];
    const native = require('../lib/native.js');
    let api;
    jest.isolateModules(() => {
      jest.doMock('../lib/native.js', () => native); // the addon already loaded, not a second copy
      // The streams resample through lib/frame_resampler.js's FrameResampler.
      jest.doMock('../lib/frame_resampler.js', () => {
        const actual = jest.requireActual('../lib/frame_resampler.js');
        class TrackedFrameResampler extends actual.FrameResampler {
          constructor(...args) {
            super(...args);
            created.push(this);
          }
        }
        return { ...actual, FrameResampler: TrackedFrameResampler };
      });
      api = require('../index.js');
    });
    jest.dontMock('../lib/native.js');
    jest.dontMock('../lib/frame_resampler.js');
    return { created, resampleStream: api.resampleStream };
  }

  function frameSource(count, onPull) {
    let i = 0;
    return new ReadableStream({
      pull(controller) {
        onPull?.(i);
        if (i === count) {
          controller.close();
          return;
        }
        controller.enqueue(noiseFrame(48000, 1, 480, ++i));
      },
    });
  }

  test('closing it mid-stream errors the stream with "AudioResampler is closed"; no crash, no hang', async () => {
    const { created, resampleStream } = loadWithTrackedResamplers();
    const out = resampleStream({ stream: frameSource(50), outputRate: 16000 });
    const reader = out.getReader();
    let received = 0;
    let error;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.samplesPerChannel;
        if (created.length === 1 && !created[0].closed && received > 0) created[0].close();
      }
    } catch (e) {
      error = e;
    }
    expect(created).toHaveLength(1);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('AudioResampler is closed');
    expect(received).toBeGreaterThan(0);
    expect(created[0].closed).toBe(true);
  });

  test('closing it while a read is pending settles the read, errors the stream and cancels the source', async () => {
    const { created, resampleStream } = loadWithTrackedResamplers();
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    let cancelled = false;
    let i = 0;
    const source = new ReadableStream({
      async pull(controller) {
        if (i === 3) await gate; // the 4th frame arrives only after close()
        controller.enqueue(noiseFrame(48000, 1, 480, ++i));
      },
      cancel() {
        cancelled = true;
      },
    });
    const reader = resampleStream({ stream: source, outputRate: 16000 }).getReader();
    const reading = (async () => {
      let outputs = 0;
      try {
        for (;;) {
          const { done } = await reader.read();
          if (done) return { outputs };
          outputs++;
        }
      } catch (error) {
        return { outputs, error };
      }
    })();
    while (i < 3 || created.length === 0) await turn(); // source parked at the gate, a read pending
    created[0].close();
    release();
    const { error } = await reading;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('AudioResampler is closed');
    await expect(reader.closed).rejects.toThrow('AudioResampler is closed');
    for (let k = 0; k < 10 && !cancelled; k++) await turn();
    expect(cancelled).toBe(true); // the source was told to stop
  });

  test('cancelling mid-stream closes the resampler at once', async () => {
    const native = nativeCounter();
    const reader = resampleStream({ stream: frameSource(1000), outputRate: 16000 }).getReader();
    for (let k = 0; k < 5; k++) await reader.read();
    expect(native.live()).toBe(1); // one resampler
    await reader.cancel('done');
    expect(native.live()).toBe(0);
  });
});
