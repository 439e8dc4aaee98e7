#!/usr/bin/env node
'use strict';

// `npm run bench`: this library and @livekit/rtc-node side by side, in one run.
//   --quick   short run (fewer rounds, smaller memory / many-calls scenarios)
//   --json    print machine-readable JSON on stdout instead of tables
//             (`npm run --silent bench -- --json > out.json` keeps npm's banner out)
//   --markdown  print only the tables (markdown, each under its caption) on stdout,
//             as they go into docs/performance.md; the machine line goes to stderr
//   --save=F  also write the JSON report to file F
// Progress goes to stderr. Memory and many-calls scenarios run each library in
// its own child process (bench/child.js) so RSS figures are independent; so
// does the agents-app scenario (bench/agents_app.mjs), with and without
// `--import rtc-resampler/register`.

const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { loadOurs, loadRtcNode, makeFrames } = require('./libs.js');
const startup = require('./startup.js');

const argv = process.argv.slice(2);
const saveArg = argv.find((a) => a.startsWith('--save='));
const SAVE = saveArg ? saveArg.slice('--save='.length) : null;
const args = new Set(argv.filter((a) => a !== saveArg));
for (const a of args) {
  if (!['--json', '--markdown', '--quick', '--help', '-h'].includes(a)) {
    process.stderr.write(`unknown option ${a}\n`);
    process.exit(2);
  }
}
if (args.has('--help') || args.has('-h')) {
  process.stdout.write('usage: npm run bench [-- --quick] [--json | --markdown] [--save=FILE.json]\n');
  process.exit(0);
}
const JSON_OUT = args.has('--json');
const MARKDOWN = args.has('--markdown');
const QUICK = args.has('--quick');

const CFG = QUICK
  ? {
      rounds: 7,
      pushesPerRound: 300,
      warmup: 500,
      createRounds: 5,
      createPerRound: 50,
      retentionPushes: 100_000,
      liveMono: 2000,
      liveStereo: 1000,
      streams: 100,
      seconds: 5,
      agentsStreams: 50,
      agentsSeconds: 5,
      agentsPairs: 1,
    }
  : {
      rounds: 21,
      pushesPerRound: 1000,
      warmup: 2000,
      createRounds: 15,
      createPerRound: 200,
      retentionPushes: 1_000_000,
      liveMono: 10_000,
      liveStereo: 5000,
      streams: 500,
      seconds: 60,
      agentsStreams: 100,
      agentsSeconds: 20,
      agentsPairs: 7,
    };

const PUSH_CASES = [
  // [inputRate, outputRate, channels]
  [48000, 16000, 1],
  [16000, 48000, 1],
  [24000, 48000, 1],
  [24000, 16000, 1],
  [8000, 16000, 1],
  [24000, 8000, 1],
  [44100, 48000, 2],
  [48000, 48000, 1],
  [24000, 24000, 1],
];
const QUALITIES = ['MEDIUM', 'QUICK'];

// ---------------------------------------------------------------- helpers

const isTTY = process.stderr.isTTY;
const started = process.hrtime.bigint();
let progressShown = false;
function progress(step, total, msg) {
  const secs = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(0);
  const line = `[${step}/${total}] ${secs}s ${msg}`;
  if (isTTY) {
    process.stderr.write(`\r\x1b[K${line}`);
    progressShown = true;
  } else {
    process.stderr.write(`${line}\n`);
  }
}
function endProgress() {
  if (isTTY && progressShown) process.stderr.write('\r\x1b[K');
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const minorGc = typeof global.gc === 'function' ? () => global.gc({ type: 'minor', execution: 'sync' }) : () => {};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const kHz = (r) => (r % 1000 === 0 ? `${r / 1000}k` : `${r / 1000}k`);
const caseName = (i, o, c) => `${c === 1 ? 'mono' : 'stereo'} ${kHz(i)}→${kHz(o)}`;

let sink = 0; // consumes outputs so nothing is optimised away

function timePushes(resampler, frames, start, count) {
  const n = frames.length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const out = resampler.push(frames[(start + i) % n]);
    sink += out.length;
  }
  return Number(process.hrtime.bigint() - t0) / count / 1000; // µs per push
}

function timeCreate(lib, frame, inputRate, outputRate, channels, count, withPush = true) {
  const q = lib.Quality.MEDIUM;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const r = new lib.AudioResampler(inputRate, outputRate, channels, q);
    if (withPush) sink += r.push(frame).length;
    r.close();
  }
  return Number(process.hrtime.bigint() - t0) / count / 1000;
}

/** µs per call over `count` calls of `call(k)`, starting with an empty young generation. */
function timeLoop(call, count) {
  minorGc();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < count; k++) call(k);
  return Number(process.hrtime.bigint() - t0) / count / 1000;
}

/**
 * The engine's time per push, measured in this process between the rounds of
 * `AudioResampler#push`: `PcmResampler#pushInto` into a preallocated array (the
 * engine writing straight into JS memory) minus `pushInto` of an empty array
 * (the same call doing no work). `AudioResampler#push` minus this is what the
 * binding and the JS layer add (the call, the checks, the new output array, the
 * frame), read from one process instead of from two runs' medians. Also timed:
 * `new Int16Array(n)` of one push's output in plain JS, the part of that which
 * no binding can avoid (frames must own their buffer at `byteOffset` 0, for
 * rtc-node's `AudioFrame.protoInfo`).
 */
function engineProbe(quality, inputRate, outputRate, channels, frames) {
  const { PcmResampler, AudioResamplerQuality } = require('..');
  const pr = new PcmResampler({ inputRate, outputRate, channels, quality: AudioResamplerQuality[quality] });
  const chunks = frames.map((f) => f.data);
  const dst = new Int16Array(pr.maxOutputFrames(chunks[0].length / channels) * channels);
  const empty = new Int16Array(0);
  const outSamples = Math.round(((chunks[0].length / channels) * outputRate) / inputRate) * channels;
  const kept = new Array(16);
  const work = [];
  const idle = [];
  const alloc = [];
  let at = 0;
  const time = (call) => timeLoop(call, CFG.pushesPerRound);
  time((k) => pr.pushInto(chunks[k % chunks.length], dst)); // warm-up
  return {
    round() {
      work.push(time((k) => pr.pushInto(chunks[(at + k) % chunks.length], dst)));
      at += CFG.pushesPerRound;
      idle.push(time(() => pr.pushInto(empty, dst)));
      alloc.push(
        time((k) => {
          kept[k & 15] = new Int16Array(outSamples);
        }),
      );
    },
    us: () => median(work) - median(idle),
    allocUs: () => median(alloc),
    close: () => pr.close(),
  };
}

/** The agents-app scenario in a fresh process, with or without the register. */
function runAgentsApp(withRegister, params) {
  const res = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      ...(withRegister ? ['--import', 'rtc-resampler/register'] : []),
      path.join(__dirname, 'agents_app.mjs'),
      JSON.stringify(params),
    ],
    // cwd: the package root, where `rtc-resampler/register` resolves to this checkout.
    {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  if (res.status !== 0) {
    const last = (res.stderr || '').trim().split('\n').pop();
    return { error: `agents app exited with ${res.status ?? res.signal}: ${last}` };
  }
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

/**
 * The agents-app scenario `pairs` times with and without the register, the
 * order alternating from pair to pair (this host's speed drifts over
 * minutes): each side's medians, and the median of the pairs' CPU ratios.
 */
function runAgentsPairs(params, pairs) {
  const runs = { rtcNode: [], register: [] };
  for (let i = 0; i < pairs; i++) {
    for (const withRegister of i % 2 === 0 ? [false, true] : [true, false]) {
      const r = runAgentsApp(withRegister, params);
      if (r.error) return { rtcNode: r, register: r };
      runs[withRegister ? 'register' : 'rtcNode'].push(r);
    }
  }
  const summary = (xs) => ({
    ...xs[0],
    cpuMs: median(xs.map((x) => x.cpuMs)),
    wallMs: median(xs.map((x) => x.wallMs)),
    rssStart: median(xs.map((x) => x.rssStart)),
    peakRss: median(xs.map((x) => x.peakRss)),
  });
  return {
    pairs,
    rtcNode: summary(runs.rtcNode),
    register: summary(runs.register),
    cpuRatio: median(runs.rtcNode.map((x, i) => x.cpuMs / runs.register[i].cpuMs)),
  };
}

function agentsVersion() {
  try {
    const dir = path.dirname(require.resolve('@livekit/agents'));
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
      const p = path.join(d, 'package.json');
      if (fs.existsSync(p)) {
        const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
        if (pkg.name === '@livekit/agents') return pkg.version;
      }
    }
  } catch {
    // not installed
  }
  return null;
}

function runChild(scenario, libName, params) {
  const res = spawnSync(
    process.execPath,
    ['--expose-gc', path.join(__dirname, 'child.js'), scenario, libName, JSON.stringify(params)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (res.status !== 0) {
    return {
      error: `${scenario}/${libName} exited with ${res.status ?? res.signal}: ${(res.stderr || '').trim().split('\n').pop()}`,
    };
  }
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

// ---------------------------------------------------------------- raw PCM

/**
 * Median µs per call of each entry of `fns` (name → () => void, one call per
 * 20 ms or 10 ms chunk), interleaved round by round like the push cases.
 */
async function timeCalls(fns, calls) {
  const names = Object.keys(fns);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) for (let i = 0; i < CFG.warmup; i++) fns[n]();
  await tick();
  for (let round = 0; round < CFG.rounds; round++) {
    const order = round % 2 ? [...names].reverse() : names;
    for (const n of order) samples[n].push(timeLoop(fns[n], calls));
    await tick();
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** `count` distinct chunks of `ms` of band-limited noise + tone, as Int16Arrays. */
function pcmChunks(rate, ms, count) {
  return makeFrames(
    {
      AudioFrame: class {
        constructor(d) {
          this.data = d;
        }
      },
    },
    rate,
    1,
    count,
    ms,
  ).map((f) => f.data);
}

async function pcmBench(rtc) {
  const lib = require('..');
  let alawmulaw = null;
  try {
    alawmulaw = require('alawmulaw');
  } catch {
    // devDependency not installed: the recipe rows are skipped
  }
  const out = { calls: CFG.pushesPerRound };
  const n = CFG.pushesPerRound;

  // pushInto at MEDIUM 48k→16k mono, 10 ms pushes: what the binding + JS add.
  {
    const chunks = pcmChunks(48000, 10, 100);
    const pr = new lib.PcmResampler({ inputRate: 48000, outputRate: 16000 });
    const dst = new Int16Array(pr.maxOutputFrames(480) + 3).subarray(3);
    const empty = new Int16Array(0);
    const ar = new lib.AudioResampler(48000, 16000);
    const frames = chunks.map((d) => new lib.AudioFrame(d, 48000, 1, 480));
    let i = 0;
    const t = await timeCalls(
      {
        pushInto: () => {
          sink += pr.pushInto(chunks[i++ % 100], dst);
        },
        push: () => {
          sink += pr.push(chunks[i++ % 100]).length;
        },
        audioResamplerPush: () => {
          sink += ar.push(frames[i++ % 100]).length;
        },
        emptyPushInto: () => {
          sink += pr.pushInto(empty, dst);
        },
      },
      n,
    );
    pr.close();
    ar.close();
    // The engine's time, in this process, as in engineProbe().
    const engineUs = t.pushInto - t.emptyPushInto;
    out.pushInto = { ...t, engineUs, overheadUs: t.emptyPushInto };
    // Heap allocated per pushInto: the slope of the used-heap growth (no GC in
    // between) from calls/10 to calls; a fixed amount (V8's own bookkeeping
    // after a gc()) cancels out.
    const r2 = new lib.PcmResampler({ inputRate: 48000, outputRate: 16000 });
    const calls = CFG.retentionPushes;
    const v8 = require('node:v8');
    const grow = (count) => {
      global.gc?.();
      const before = v8.getHeapStatistics().used_heap_size;
      for (let k = 0; k < count; k++) r2.pushInto(chunks[k % 100], dst);
      return v8.getHeapStatistics().used_heap_size - before;
    };
    grow(10_000); // compile the loop first
    const small = grow(calls / 10);
    const large = grow(calls);
    out.pushInto.heapBytesPerCall = Math.max(0, large - small) / (calls - calls / 10);
    out.pushInto.heapFixedBytes = small;
    out.pushInto.heapCalls = calls;
    r2.close();
  }

  // G.711 telephony per 20 ms chunk: ours against alawmulaw + rtc-node's AudioResampler.
  const g711 = [];
  for (const [inRate, outRate, dir] of [
    [8000, 16000, 'decode'],
    [24000, 8000, 'encode'],
  ]) {
    const pcm = pcmChunks(inRate, 20, 100);
    const mu = alawmulaw
      ? pcm.map((x) => alawmulaw.mulaw.encode(x))
      : pcm.map((x) => Uint8Array.from(x, (v) => v & 0xff));
    const input = dir === 'decode' ? 'mulaw' : 's16';
    const output = dir === 'decode' ? 's16' : 'mulaw';
    const src = dir === 'decode' ? mu : pcm;
    const ours = new lib.PcmResampler({ inputRate: inRate, outputRate: outRate, input, output });
    const dst = new (output === 's16' ? Int16Array : Uint8Array)(ours.maxOutputFrames(pcm[0].length));
    let i = 0;
    const fns = {
      oursPush: () => {
        sink += ours.push(src[i++ % 100]).length;
      },
      oursPushInto: () => {
        sink += ours.pushInto(src[i++ % 100], dst);
      },
    };
    let rtcR = null;
    if (rtc && alawmulaw) {
      rtcR = new rtc.AudioResampler(inRate, outRate, 1, rtc.Quality.MEDIUM);
      fns.recipe =
        dir === 'decode'
          ? () => {
              const d = alawmulaw.mulaw.decode(mu[i++ % 100]);
              for (const f of rtcR.push(new rtc.AudioFrame(d, inRate, 1, d.length))) sink += f.data.length;
            }
          : () => {
              const d = pcm[i++ % 100];
              for (const f of rtcR.push(new rtc.AudioFrame(d, inRate, 1, d.length))) {
                sink += alawmulaw.mulaw.encode(f.data).length;
              }
            };
    }
    const t = await timeCalls(fns, n);
    ours.close();
    rtcR?.close();
    g711.push({ case: `μ-law ${kHz(inRate)} → s16 ${kHz(outRate)}`, dir, ...t });
  }
  g711[1].case = 's16 24k → μ-law 8k';
  out.g711 = g711;

  // f32 against s16, MEDIUM 48k→16k mono, 10 ms pushes (push and pushInto).
  {
    const s16 = pcmChunks(48000, 10, 100);
    const f32 = s16.map((x) => Float32Array.from(x, (v) => v / 32768));
    const a = new lib.PcmResampler({ inputRate: 48000, outputRate: 16000, input: 's16' });
    const b = new lib.PcmResampler({ inputRate: 48000, outputRate: 16000, input: 'f32' });
    const da = new Int16Array(a.maxOutputFrames(480));
    const db = new Float32Array(b.maxOutputFrames(480));
    let i = 0;
    out.f32 = await timeCalls(
      {
        s16Push: () => {
          sink += a.push(s16[i++ % 100]).length;
        },
        f32Push: () => {
          sink += b.push(f32[i++ % 100]).length;
        },
        s16PushInto: () => {
          sink += a.pushInto(s16[i++ % 100], da);
        },
        f32PushInto: () => {
          sink += b.pushInto(f32[i++ % 100], db);
        },
      },
      n,
    );
    a.close();
    b.close();
  }

  // resampleAsync against resample: 60 s stereo 44.1k→48k, MEDIUM.
  {
    const frames = 60 * 44100;
    const x = new Int16Array(frames * 2);
    const tone = pcmChunks(44100, 1000, 1)[0];
    for (let k = 0; k < x.length; k++) x[k] = tone[(k >> 1) % tone.length];
    const opts = { inputRate: 44100, outputRate: 48000, channels: 2 };
    const syncMs = [];
    const asyncMs = [];
    let maxLagMs = 0;
    const runs = QUICK ? 3 : 5;
    for (let k = 0; k < runs; k++) {
      let t0 = performance.now();
      sink += lib.resample(x, opts).length;
      syncMs.push(performance.now() - t0);
      await tick();
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLagMs = Math.max(maxLagMs, now - last - 5);
        last = now;
      }, 5);
      t0 = performance.now();
      sink += (await lib.resampleAsync(x, opts)).length;
      asyncMs.push(performance.now() - t0);
      clearInterval(timer);
      await tick();
    }
    out.async = { syncMs: median(syncMs), asyncMs: median(asyncMs), maxLagMs, runs };
  }
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  const ours = loadOurs();
  const { lib: rtc, reason: rtcMissing } = loadRtcNode();
  const libs = rtc ? [ours, rtc] : [ours];
  if (!rtc) process.stderr.write(`NOTICE: ${rtcMissing}; benchmarking this library alone.\n`);
  if (typeof global.gc !== 'function') {
    process.stderr.write('NOTICE: run with node --expose-gc (npm run bench does) for fair per-push rounds.\n');
  }

  const cpus = os.cpus();
  const report = {
    machine: {
      cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
      cores: cpus.length,
      memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    },
    date: new Date().toISOString(),
    quick: QUICK,
    config: CFG,
    versions: { ours: ours.version, rtcNode: rtc ? rtc.version : null },
    rtcNodeMissing: rtc ? null : rtcMissing,
    push: [],
    create: [],
    retention: [],
    live: [],
    manyCalls: [],
    agentsApp: null,
    pcm: null,
  };

  const pushJobs = [];
  for (const q of QUALITIES) for (const c of PUSH_CASES) pushJobs.push([q, ...c]);
  const createJobs = [
    [48000, 16000, 1],
    [44100, 48000, 2],
  ];
  const childJobs = [];
  for (const [i, o] of [
    [48000, 48000],
    [48000, 16000],
  ]) {
    childJobs.push(['retention', { inputRate: i, outputRate: o, pushes: CFG.retentionPushes }]);
  }
  childJobs.push(['live', { inputRate: 48000, outputRate: 16000, channels: 1, count: CFG.liveMono }]);
  childJobs.push(['live', { inputRate: 44100, outputRate: 48000, channels: 2, count: CFG.liveStereo }]);
  childJobs.push(['manyCalls', { streams: CFG.streams, seconds: CFG.seconds }]);
  const agents = rtc ? agentsVersion() : null;
  if (rtc && !agents) {
    process.stderr.write('NOTICE: @livekit/agents is not installed; skipping the agents-app scenario.\n');
  }
  const total = pushJobs.length + createJobs.length + childJobs.length * libs.length + (agents ? 2 : 0) + 1;
  let step = 0;

  // 1. Per-push cost, interleaved round by round.
  for (const [q, i, o, c] of pushJobs) {
    progress(++step, total, `push ${q} ${caseName(i, o, c)}`);
    const state = libs.map((lib) => {
      const frames = makeFrames(lib, i, c, 100);
      const r = new lib.AudioResampler(i, o, c, lib.Quality[q]);
      timePushes(r, frames, 0, CFG.warmup);
      return { lib, r, frames, at: CFG.warmup, samples: [] };
    });
    const engine = i === o ? null : engineProbe(q, i, o, c, state[0].frames);
    await tick();
    for (let round = 0; round < CFG.rounds; round++) {
      const order = round % 2 ? [...state].reverse() : state;
      for (const s of order) {
        // Start each library's round with an empty young generation, so neither
        // pays for scavenging the other's garbage (the many-calls scenario counts
        // each library's whole CPU time, GC included).
        minorGc();
        s.samples.push(timePushes(s.r, s.frames, s.at, CFG.pushesPerRound));
        s.at += CFG.pushesPerRound;
      }
      engine?.round();
      await tick(); // lets rtc-node release per-call memory, as in a real server
    }
    for (const s of state) s.r.close();
    engine?.close();
    const [a, b] = state;
    const row = {
      quality: q,
      inputRate: i,
      outputRate: o,
      channels: c,
      oursUs: median(a.samples),
      rtcNodeUs: b ? median(b.samples) : null,
    };
    row.ratio = b ? row.rtcNodeUs / row.oursUs : null;
    row.engineInProcessUs = engine ? engine.us() : null;
    row.bindingOverheadUs = engine ? row.oursUs - row.engineInProcessUs : null;
    row.newArrayUs = engine ? engine.allocUs() : null;
    report.push.push(row);
  }

  // 2. new + one push + close, and new + close alone (the filter table is
  // cached after the warm-up, as in an app that has made one before).
  for (const [i, o, c] of createJobs) {
    progress(++step, total, `create+push+close ${caseName(i, o, c)}`);
    const state = libs.map((lib) => ({ lib, frame: makeFrames(lib, i, c, 1)[0], samples: [], bare: [] }));
    for (const s of state) timeCreate(s.lib, s.frame, i, o, c, 20);
    for (let round = 0; round < CFG.createRounds; round++) {
      const order = round % 2 ? [...state].reverse() : state;
      for (const s of order) {
        minorGc();
        s.samples.push(timeCreate(s.lib, s.frame, i, o, c, CFG.createPerRound));
        minorGc();
        s.bare.push(timeCreate(s.lib, s.frame, i, o, c, CFG.createPerRound, false));
      }
      await tick();
    }
    const [a, b] = state;
    const row = {
      inputRate: i,
      outputRate: o,
      channels: c,
      quality: 'MEDIUM',
      oursUs: median(a.samples),
      rtcNodeUs: b ? median(b.samples) : null,
      oursNewCloseUs: median(a.bare),
      rtcNodeNewCloseUs: b ? median(b.bare) : null,
    };
    row.ratio = b ? row.rtcNodeUs / row.oursUs : null;
    report.create.push(row);
  }

  // 2b. Raw PCM: PcmResampler's pushInto, G.711 against the common recipe, f32
  // against s16, resampleAsync against resample.
  progress(++step, total, 'PCM: pushInto, G.711 recipes, f32 vs s16, resampleAsync');
  report.pcm = await pcmBench(rtc);

  // 3-5. Child processes, one library at a time.
  for (const [scenario, params] of childJobs) {
    const row = { ...params };
    for (const lib of libs) {
      const what =
        scenario === 'manyCalls'
          ? `many calls ${params.streams} streams × ${params.seconds} s`
          : scenario === 'live'
            ? `live resamplers ${params.count} × ${caseName(params.inputRate, params.outputRate, params.channels)}`
            : `sync-loop retention ${params.pushes} pushes ${caseName(params.inputRate, params.outputRate, 1)}`;
      progress(++step, total, `${what} (${lib.name}, child process)`);
      row[lib.name === 'ours' ? 'ours' : 'rtcNode'] = runChild(scenario, lib.name, params);
    }
    report[scenario].push(row);
  }

  // 6. Agents app: agents' resampleStream as shipped (rtc-node's resampler), then
  // the same app under `--import rtc-resampler/register`.
  if (agents) {
    const params = { streams: CFG.agentsStreams, seconds: CFG.agentsSeconds };
    const what = `agents app ${params.streams} resampleStreams × ${params.seconds} s`;
    progress(++step, total, `${what}, ${CFG.agentsPairs} alternating pairs of child processes`);
    const pairs = runAgentsPairs(params, CFG.agentsPairs);
    report.agentsApp = { agents, ...params, ...pairs };
    // 7. Startup: importing agents and its Silero plugin, with and without the register.
    progress(++step, total, 'startup: import agents + Silero plugin, with and without the register');
    try {
      startup.project();
      report.startup = [startup.measure(process.execPath, QUICK ? 3 : 11)];
    } catch (e) {
      report.startup = { error: e.message };
    }
  }
  endProgress();
  report.elapsedS = +(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
  report.sink = sink;

  if (SAVE) fs.writeFileSync(SAVE, `${JSON.stringify(report, null, 2)}\n`);
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (MARKDOWN) {
    process.stderr.write(`${renderHeader(report).join('\n')}\n`);
    process.stdout.write(renderTables(report));
  } else {
    process.stdout.write(render(report));
  }
}

// ---------------------------------------------------------------- output

const f1 = (x) =>
  x === null || x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const fx = (x) => (x === null || x === undefined ? '–' : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}×`);
const MB = (b) => (b === undefined || b === null ? '–' : `${(b / 1e6).toFixed(1)} MB`);
const KiB = (b) => (b === undefined || b === null ? '–' : `${(b / 1024).toFixed(1)} KiB`);
const err = (r) => (r?.error ? `error: ${r.error}` : null);

/** The whole report: header, tables, run time. */
function render(r) {
  return `${[...renderHeader(r), ''].join('\n')}\n${renderTables(r)}\n(${r.elapsedS} s)\n`;
}

/** What was compared, on which machine. */
function renderHeader(r) {
  const m = r.machine;
  const out = [];
  out.push(
    `rtc-resampler ${r.versions.ours} vs @livekit/rtc-node ${r.versions.rtcNode ?? '(not installed)'}${r.quick ? '  [--quick]' : ''}`,
  );
  out.push(`${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, Node ${m.node}, load ${m.loadavg.join(' ')}`);
  if (r.rtcNodeMissing) out.push(`NOTICE: ${r.rtcNodeMissing}`);
  return out;
}

/** The tables in markdown, each under its caption (`--markdown` prints only this). */
function renderTables(r) {
  const out = [];
  out.push(`Per 10 ms push, µs (median of ${r.config.rounds} interleaved rounds × ${r.config.pushesPerRound} pushes)`);
  out.push('');
  out.push(
    '| quality | case | ours | rtc-node | rtc-node / ours | engine, in process | binding + JS | `new Int16Array(out)` alone, plain JS |',
  );
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const p of r.push) {
    out.push(
      `| ${p.quality} | ${caseName(p.inputRate, p.outputRate, p.channels)} | ${f1(p.oursUs)} | ${f1(p.rtcNodeUs)} | ${fx(p.ratio)} | ${f1(p.engineInProcessUs)} | ${f1(p.bindingOverheadUs)} | ${f1(p.newArrayUs)} |`,
    );
  }
  out.push('');
  out.push(
    'ours / rtc-node: `AudioResampler#push` of each library. engine, in process: the engine alone (no JS), ' +
      'timed in this process; binding + JS: ours − engine; `new Int16Array(out)`: allocating an array of ' +
      'the output length in plain JS, most of what binding + JS costs. `–`: equal rates (nothing to resample).',
  );
  out.push('');
  out.push('new AudioResampler(…, MEDIUM) + one push + close(), and new + close() alone, µs');
  out.push('');
  out.push('| case | ours | rtc-node | rtc-node / ours | ours, new + close() | rtc-node, new + close() |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const c of r.create) {
    out.push(
      `| ${caseName(c.inputRate, c.outputRate, c.channels)} | ${f1(c.oursUs)} | ${f1(c.rtcNodeUs)} | ${fx(c.ratio)} | ${f1(c.oursNewCloseUs)} | ${f1(c.rtcNodeNewCloseUs)} |`,
    );
  }
  out.push('');
  out.push('Memory retained by a synchronous push loop (RSS after gc(), no event-loop turn; MEDIUM mono)');
  out.push('');
  out.push('| case | pushes | ours | rtc-node |');
  out.push('|---|---:|---:|---:|');
  for (const x of r.retention) {
    const cell = (v) => err(v) ?? `${MB(v.growthBytes)} (${v.bytesPerPush.toFixed(1)} B/push)`;
    out.push(
      `| ${caseName(x.inputRate, x.outputRate, 1)} | ${x.pushes} | ${x.ours ? cell(x.ours) : '–'} | ${x.rtcNode ? cell(x.rtcNode) : '–'} |`,
    );
  }
  out.push('');
  out.push('RSS per live resampler (MEDIUM, 5 pushes each, all open)');
  out.push('');
  out.push('| case | instances | ours | rtc-node |');
  out.push('|---|---:|---:|---:|');
  for (const x of r.live) {
    const cell = (v) => err(v) ?? KiB(v.bytesPerInstance);
    out.push(
      `| ${caseName(x.inputRate, x.outputRate, x.channels)} | ${x.count} | ${x.ours ? cell(x.ours) : '–'} | ${x.rtcNode ? cell(x.rtcNode) : '–'} |`,
    );
  }
  out.push('');
  out.push(
    'Many calls: concurrent 48k→16k MEDIUM mono streams, 10 ms frames round-robin, one event-loop turn per round',
  );
  out.push('');
  out.push('| streams × audio | pushes | | CPU time | wall | peak RSS |');
  out.push('|---|---:|---|---:|---:|---:|');
  for (const x of r.manyCalls) {
    for (const [name, v] of [
      ['ours', x.ours],
      ['rtc-node', x.rtcNode],
    ]) {
      if (!v) continue;
      if (v.error) {
        out.push(`| ${x.streams} × ${x.seconds} s | | ${name} | ${err(v)} | | |`);
        continue;
      }
      out.push(
        `| ${x.streams} × ${x.seconds} s | ${v.pushes} | ${name} | ${(v.cpuMs / 1000).toFixed(2)} s | ${(v.wallMs / 1000).toFixed(2)} s | ${MB(v.peakRss)} |`,
      );
    }
  }
  if (r.pcm) renderPcm(r.pcm, out);
  if (r.agentsApp) {
    const a = r.agentsApp;
    out.push('');
    out.push(
      `Agents app: ${a.streams} concurrent @livekit/agents ${a.agents} resampleStream()s, 48k→16k, ` +
        `10 ms frames, one event-loop turn per round; medians of ${a.pairs} pairs of fresh processes, ` +
        'the order alternating from pair to pair' +
        (a.cpuRatio ? ` (CPU time, stock / ours, median of the pairs' ratios: ${a.cpuRatio.toFixed(2)}×)` : ''),
    );
    out.push('');
    out.push(
      '| streams × audio | pushes | app started with | AudioResampler | CPU time | wall | RSS at start | peak RSS |',
    );
    out.push('|---|---:|---|---|---:|---:|---:|---:|');
    const rows = [
      ['node bench/agents_app.mjs', a.rtcNode],
      ['node --import rtc-resampler/register bench/agents_app.mjs', a.register],
    ];
    for (const [name, v] of rows) {
      if (v.error) {
        out.push(`| ${a.streams} × ${a.seconds} s | | ${name} | ${err(v)} | | | | |`);
        continue;
      }
      const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
      out.push(
        `| ${a.streams} × ${a.seconds} s | ${v.pushes} | \`${name}\` | ${v.resampler} | ${secs(v.cpuMs)} | ` +
          `${secs(v.wallMs)} | ${MB(v.rssStart)} | ${MB(v.peakRss)} |`,
      );
    }
  }
  if (r.startup) {
    out.push('');
    out.push(
      'Startup: a fresh process importing @livekit/agents and @livekit/agents-plugin-silero, without and with ' +
        '`--import rtc-resampler/register` (medians of alternating pairs; `node bench/startup.js` for other Node versions)',
    );
    out.push('');
    out.push(r.startup.error ? `error: ${r.startup.error}` : startup.render(r.startup));
  }
  return `${out.join('\n')}\n`;
}

/** The raw-PCM tables. */
function renderPcm(p, out) {
  const u = p.pushInto;
  out.push('');
  out.push(`PcmResampler, MEDIUM 48k→16k mono, 10 ms pushes, µs per call (median of interleaved rounds × ${p.calls})`);
  out.push('');
  out.push('| call | µs | engine (pushInto − the call alone) | binding + JS |');
  out.push('|---|---:|---:|---:|');
  const over = (x) => f1(x - u.engineUs);
  out.push(`| \`pushInto(samples, out)\` | ${f1(u.pushInto)} | ${f1(u.engineUs)} | ${over(u.pushInto)} |`);
  out.push(`| \`push(samples)\` | ${f1(u.push)} | ${f1(u.engineUs)} | ${over(u.push)} |`);
  out.push(
    `| \`AudioResampler#push(frame)\` | ${f1(u.audioResamplerPush)} | ${f1(u.engineUs)} | ${over(u.audioResamplerPush)} |`,
  );
  out.push(`| \`pushInto(empty, out)\` (the call alone) | ${f1(u.emptyPushInto)} | – | – |`);
  out.push('');
  out.push(
    `V8 heap allocated per \`pushInto\` call: ${u.heapBytesPerCall.toFixed(3)} bytes ` +
      `(growth from ${u.heapCalls / 10} to ${u.heapCalls} calls; ${KiB(u.heapFixedBytes)} fixed)`,
  );
  out.push('');
  out.push(
    'G.711 telephony at MEDIUM, µs per 20 ms chunk: ours against `alawmulaw` + `@livekit/rtc-node` AudioResampler',
  );
  out.push('');
  out.push('| case | ours `push` | ours `pushInto` | alawmulaw + rtc-node | recipe / ours `pushInto` |');
  out.push('|---|---:|---:|---:|---:|');
  for (const g of p.g711) {
    const ratio = g.recipe === undefined ? null : g.recipe / g.oursPushInto;
    out.push(`| ${g.case} | ${f1(g.oursPush)} | ${f1(g.oursPushInto)} | ${f1(g.recipe)} | ${fx(ratio)} |`);
  }
  out.push('');
  out.push('f32 against s16, MEDIUM 48k→16k mono, µs per 10 ms push');
  out.push('');
  out.push('| call | s16 | f32 | f32 / s16 |');
  out.push('|---|---:|---:|---:|');
  const f = p.f32;
  out.push(`| \`push\` | ${f1(f.s16Push)} | ${f1(f.f32Push)} | ${(f.f32Push / f.s16Push).toFixed(2)} |`);
  out.push(
    `| \`pushInto\` | ${f1(f.s16PushInto)} | ${f1(f.f32PushInto)} | ${(f.f32PushInto / f.s16PushInto).toFixed(2)} |`,
  );
  out.push('');
  const a = p.async;
  out.push(`One-shot, 60 s stereo 44.1k→48k, MEDIUM (median of ${a.runs})`);
  out.push('');
  out.push('| call | wall ms | event loop |');
  out.push('|---|---:|---|');
  out.push(`| \`resample\` | ${a.syncMs.toFixed(0)} | blocked for the whole call |`);
  out.push(
    `| \`resampleAsync\` | ${a.asyncMs.toFixed(0)} (${(a.asyncMs / a.syncMs).toFixed(2)}× sync) | free: a 5 ms timer was at most ${a.maxLagMs.toFixed(1)} ms late |`,
  );
}

main().then(
  () => process.exit(0), // rtc-node's FFI keeps the event loop alive
  (e) => {
    endProgress();
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(1);
  },
);
