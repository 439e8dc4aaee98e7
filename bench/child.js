'use strict';

// One memory / many-calls scenario for one library, in a fresh process so RSS
// figures are not polluted by the other library or by earlier scenarios.
// Usage: node --expose-gc bench/child.js <scenario> <lib> <json-args>
// Prints one JSON line on stdout and exits (rtc-node keeps the loop alive otherwise).

const { load, makeFrames } = require('./libs.js');

const tick = () => new Promise((resolve) => setImmediate(resolve));
const rss = () => process.memoryUsage.rss();

async function settle() {
  // gc, let deferred finalizers run (Node runs napi finalizers on a later turn), gc again.
  for (let i = 0; i < 3; i++) {
    global.gc();
    await tick();
  }
  global.gc();
}

/**
 * Retention in a purely synchronous loop: RSS after gc() before and after `pushes`
 * pushes with no event-loop turn in between; then again after a few turns.
 */
async function retention(lib, { inputRate, outputRate, pushes }) {
  const frames = makeFrames(lib, inputRate, 1, 100);
  const r = new lib.AudioResampler(inputRate, outputRate, 1, lib.Quality.MEDIUM);
  for (let i = 0; i < 1000; i++) r.push(frames[i % 100]);
  await settle();
  const before = rss();
  const cpu0 = process.cpuUsage();
  let outSamples = 0;
  // The measured loop: synchronous on purpose (a busy agent turn, a batch job).
  for (let i = 0; i < pushes; i++) {
    const out = r.push(frames[i % 100]);
    if (out.length !== 0) outSamples += out[0].samplesPerChannel;
  }
  const cpu = process.cpuUsage(cpu0);
  global.gc();
  const afterSyncGc = rss();
  await settle();
  const afterTicks = rss();
  r.close();
  return {
    pushes,
    outSamples,
    rssBefore: before,
    rssAfterSyncGc: afterSyncGc,
    rssAfterTicks: afterTicks,
    growthBytes: afterSyncGc - before,
    bytesPerPush: (afterSyncGc - before) / pushes,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** RSS per live resampler: `count` resamplers, 5 pushes each, all kept open. */
async function live(lib, { inputRate, outputRate, channels, count }) {
  const frames = makeFrames(lib, inputRate, channels, 5);
  // Warm up code paths (and any lazy library state) before the baseline.
  const warm = new lib.AudioResampler(inputRate, outputRate, channels, lib.Quality.MEDIUM);
  for (const f of frames) warm.push(f);
  warm.close();
  const resamplers = new Array(count);
  await settle();
  const before = rss();
  for (let i = 0; i < count; i++) {
    const r = new lib.AudioResampler(inputRate, outputRate, channels, lib.Quality.MEDIUM);
    for (const f of frames) r.push(f);
    resamplers[i] = r;
  }
  await settle();
  const after = rss();
  for (const r of resamplers) r.close();
  return {
    count,
    rssBefore: before,
    rssAfter: after,
    bytesPerInstance: (after - before) / count,
  };
}

/**
 * Many calls: `streams` concurrent 48k→16k MEDIUM mono resamplers fed 10 ms frames
 * round-robin for `seconds` of audio each, one event-loop turn per round (as when
 * frames arrive from the network). Total CPU time and peak RSS of the process.
 */
async function manyCalls(lib, { streams, seconds }) {
  const frames = makeFrames(lib, 48000, 1, 100);
  await settle();
  const rssStart = rss();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const resamplers = [];
  for (let s = 0; s < streams; s++) {
    resamplers.push(new lib.AudioResampler(48000, 16000, 1, lib.Quality.MEDIUM));
  }
  const rounds = seconds * 100;
  let outSamples = 0;
  let peak = rss();
  for (let round = 0; round < rounds; round++) {
    for (let s = 0; s < streams; s++) {
      const out = resamplers[s].push(frames[(round + s) % 100]);
      if (out.length !== 0) outSamples += out[0].samplesPerChannel;
    }
    if (round % 100 === 0) peak = Math.max(peak, rss());
    await tick();
  }
  for (const r of resamplers) {
    for (const f of r.flush()) outSamples += f.samplesPerChannel;
    r.close();
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  peak = Math.max(peak, rss());
  return {
    streams,
    seconds,
    pushes: streams * rounds,
    outSamples,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    rssStart,
    // Sampled, not `process.resourceUsage().maxRSS`: Linux keeps that
    // high-water mark across exec, so a child would report its parent's peak.
    peakRss: peak,
  };
}

const scenarios = { retention, live, manyCalls };

async function main() {
  const [scenario, libName, json] = process.argv.slice(2);
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const fn = scenarios[scenario];
  if (!fn) throw new Error(`unknown scenario ${scenario}`);
  const lib = load(libName);
  const result = await fn(lib, JSON.parse(json));
  process.stdout.write(`${JSON.stringify({ scenario, lib: libName, ...result })}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  },
);
