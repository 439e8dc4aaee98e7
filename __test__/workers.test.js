'use strict';

// worker_threads: the addon loads in 8 workers at once, each gives output
// bit-identical to the main thread's, and terminating workers in the middle of
// a stream neither crashes nor leaks (RSS bound over 50 create/terminate cycles).

const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { AudioResampler, AudioFrame } = require('..');

const ROOT = path.resolve(__dirname, '..');
const MB = 1024 * 1024;

// Configurations each worker runs: [inputRate, outputRate, channels, quality].
const JOBS = [
  [48000, 16000, 1, 2],
  [16000, 48000, 2, 1],
  [44100, 48000, 2, 4],
  [24000, 16000, 1, 0],
  [32000, 53569, 3, 1],
];

/** Same input everywhere: 2 s of deterministic noise plus a sine, pushed in 10 ms frames. */
const RUN = `
function input(rate, ch) {
  const n = rate * 2;
  const data = new Int16Array(n * ch);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = Math.round(8000 * Math.sin(i / 7) + ((s >>> 16) % 4000) - 2000);
  }
  return data;
}
function run(AudioResampler, AudioFrame, [rate, out, ch, q]) {
  const data = input(rate, ch);
  const r = new AudioResampler(rate, out, ch, q);
  const step = Math.round(rate / 100);
  const parts = [];
  for (let pos = 0; pos < data.length / ch; pos += step) {
    const n = Math.min(step, data.length / ch - pos);
    for (const f of r.push(new AudioFrame(data.subarray(pos * ch, (pos + n) * ch), rate, ch, n))) parts.push(f.data);
  }
  for (const f of r.flush()) parts.push(f.data);
  r.close();
  const total = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) { total.set(p, off); off += p.length; }
  return total;
}
`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
${RUN}
const results = workerData.jobs.map((job) => run(AudioResampler, AudioFrame, job));
parentPort.postMessage(results, results.map((r) => r.buffer));
`;

// A worker that resamples forever; it reports once it is inside the loop.
const ENDLESS = `
const { parentPort } = require('node:worker_threads');
const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
const rs = [new AudioResampler(48000, 16000, 1, 2), new AudioResampler(44100, 48000, 2, 0), new AudioResampler(16000, 24000, 1, 4)];
const frames = [new AudioFrame(new Int16Array(480).fill(1000), 48000, 1, 480),
  new AudioFrame(new Int16Array(882).fill(-1000), 44100, 2, 441),
  new AudioFrame(new Int16Array(160).fill(77), 16000, 1, 160)];
let i = 0;
for (;;) {
  const k = i % 3;
  rs[k].push(frames[k]);
  if (++i === 1000) parentPort.postMessage('streaming');
}
`;

function runWorker(code, workerData) {
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

const same = (a, b) =>
  a.length === b.length &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

describe('worker_threads', () => {
  test('8 workers at once give output bit-identical to the main thread', async () => {
    const run = new Function(
      'AudioResampler',
      'AudioFrame',
      'job',
      `${RUN}; return run(AudioResampler, AudioFrame, job);`,
    );
    const expected = JOBS.map((job) => run(AudioResampler, AudioFrame, job));
    for (const e of expected) expect(e.length).toBeGreaterThan(0);
    const results = await Promise.all(Array.from({ length: 8 }, () => runWorker(WORKER, { jobs: JOBS })));
    expect(results).toHaveLength(8);
    for (const perWorker of results) {
      expect(perWorker).toHaveLength(JOBS.length);
      perWorker.forEach((got, j) => {
        expect(got.length).toBe(expected[j].length);
        expect(same(got, expected[j])).toBe(true);
      });
    }
  }, 120_000);

  test('50 workers terminated mid-stream: no crash, RSS bounded', async () => {
    const rssAfterCycle = [];
    const cycle = async () => {
      const w = new Worker(ENDLESS, { eval: true });
      const errors = [];
      w.on('error', (e) => errors.push(e));
      await new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
      });
      const code = await w.terminate();
      expect(errors).toEqual([]);
      expect(code).toBe(1); // terminated, not crashed
    };
    for (let i = 0; i < 50; i++) {
      await cycle();
      if (global.gc) global.gc();
      rssAfterCycle.push(process.memoryUsage().rss);
    }
    // After a warm-up of 10 cycles, 40 more must not add up: a leaked isolate or
    // addon instance per worker would cost several MB each (> 100 MB in total).
    const growth = (Math.max(...rssAfterCycle.slice(10)) - rssAfterCycle[9]) / MB;
    expect(growth).toBeLessThan(40);
    // The main thread's addon still works.
    const r = new AudioResampler(48000, 16000);
    expect([...r.push(new AudioFrame(new Int16Array(480), 48000, 1, 480)), ...r.flush()].length).toBeGreaterThan(0);
  }, 180_000);
});
