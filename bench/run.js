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
      agentsSeconds: 60,
    };

const PUSH_CASES = [
  // [inputRate, outputRate, channels]
  [48000, 16000, 1],
  [16000, 48000, 1],
  [24000, 48000, 1],
  [24000, 16000, 1],
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

function timeCreate(lib, frame, inputRate, outputRate, channels, count) {
  const q = lib.Quality.MEDIUM;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const r = new lib.AudioResampler(inputRate, outputRate, channels, q);
    sink += r.push(frame).length;
    r.close();
  }
  return Number(process.hrtime.bigint() - t0) / count / 1000;
}

/**
 * Median µs per push of the engine alone from the last `npm run bench:engine`
 * (criterion writes to the workspace's target/criterion), if any.
 */
function engineEstimate(quality, i, o, c) {
  const rel = ['push_10ms', `${quality.toLowerCase()}_${i}_${o}_${c}ch`, 'new', 'estimates.json'];
  const file = path.join(__dirname, '..', 'target', 'criterion', ...rel);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).median.point_estimate / 1000;
  } catch {
    return null; // not there
  }
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
  const total = pushJobs.length + createJobs.length + childJobs.length * libs.length + (agents ? 2 : 0);
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
      await tick(); // lets rtc-node release per-call memory, as in a real server
    }
    for (const s of state) s.r.close();
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
    row.engineUs = i === o ? null : engineEstimate(q, i, o, c);
    row.bindingOverheadUs = row.engineUs === null ? null : row.oursUs - row.engineUs;
    report.push.push(row);
  }

  // 2. new + one push + close.
  for (const [i, o, c] of createJobs) {
    progress(++step, total, `create+push+close ${caseName(i, o, c)}`);
    const state = libs.map((lib) => ({ lib, frame: makeFrames(lib, i, c, 1)[0], samples: [] }));
    for (const s of state) timeCreate(s.lib, s.frame, i, o, c, 20);
    for (let round = 0; round < CFG.createRounds; round++) {
      const order = round % 2 ? [...state].reverse() : state;
      for (const s of order) {
        minorGc();
        s.samples.push(timeCreate(s.lib, s.frame, i, o, c, CFG.createPerRound));
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
    };
    row.ratio = b ? row.rtcNodeUs / row.oursUs : null;
    report.create.push(row);
  }

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
    report.agentsApp = { agents, ...params };
    const what = `agents app ${params.streams} resampleStreams × ${params.seconds} s`;
    progress(++step, total, `${what} (rtc-node, child process)`);
    report.agentsApp.rtcNode = runAgentsApp(false, params);
    progress(++step, total, `${what} (--import rtc-resampler/register, child process)`);
    report.agentsApp.register = runAgentsApp(true, params);
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
  out.push('| quality | case | ours | rtc-node | rtc-node / ours | engine alone (cargo bench) | binding + JS |');
  out.push('|---|---|---:|---:|---:|---:|---:|');
  for (const p of r.push) {
    out.push(
      `| ${p.quality} | ${caseName(p.inputRate, p.outputRate, p.channels)} | ${f1(p.oursUs)} | ${f1(p.rtcNodeUs)} | ${fx(p.ratio)} | ${f1(p.engineUs)} | ${f1(p.bindingOverheadUs)} |`,
    );
  }
  out.push('');
  out.push('new AudioResampler(…, MEDIUM) + one push + close(), µs');
  out.push('');
  out.push('| case | ours | rtc-node | rtc-node / ours |');
  out.push('|---|---:|---:|---:|');
  for (const c of r.create) {
    out.push(
      `| ${caseName(c.inputRate, c.outputRate, c.channels)} | ${f1(c.oursUs)} | ${f1(c.rtcNodeUs)} | ${fx(c.ratio)} |`,
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
  if (r.agentsApp) {
    const a = r.agentsApp;
    out.push('');
    out.push(
      `Agents app: ${a.streams} concurrent @livekit/agents ${a.agents} resampleStream()s, 48k→16k, ` +
        '10 ms frames, one event-loop turn per round',
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
  return `${out.join('\n')}\n`;
}

main().then(
  () => process.exit(0), // rtc-node's FFI keeps the event loop alive
  (e) => {
    endProgress();
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(1);
  },
);
