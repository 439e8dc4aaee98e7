#!/usr/bin/env node
'use strict';

// Startup cost of `rtc-resampler/register`: a fresh process that imports
// @livekit/agents and @livekit/agents-plugin-silero (what an agents job
// process does first), with and without `--import rtc-resampler/register`.
// Pairs alternate (A B, B A, …); medians of wall time, CPU time and RSS.
// agents starts a process per job, so every call pays this.
//
//   node bench/startup.js [--runs=N] [--node=PATH]... [--markdown]
//
// The plugin is installed once under node_modules/.cache (with
// ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's install script downloads
// GPU files from outside the npm registry; the CPU build it ships is enough).

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'node_modules', '.cache', 'rtc-resampler-startup');
const PACKAGES = ['@livekit/agents@1.9.0', '@livekit/agents-plugin-silero@1.9.0', '@livekit/rtc-node@0.13.35', 'zod@4'];

const PROBE = `const t0 = performance.now();
await import('@livekit/agents');
await import('@livekit/agents-plugin-silero');
const u = process.resourceUsage();
process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }) + '\\n');
`;

/** The project the probe runs in: agents, the Silero plugin, and this checkout as rtc-resampler. */
function project() {
  const stamp = path.join(dir, '.installed');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== PACKAGES.join(' ')) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"startup-bench","private":true}\n');
    process.stderr.write(`startup: installing ${PACKAGES.join(', ')} under ${dir} (once)\n`);
    const res = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', ...PACKAGES], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    if (res.status !== 0) throw new Error(`npm install exited with ${res.status}`);
    fs.writeFileSync(stamp, PACKAGES.join(' '));
  }
  fs.rmSync(path.join(dir, 'node_modules', 'rtc-resampler'), { force: true, recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'rtc-resampler'), 'dir');
  fs.writeFileSync(path.join(dir, 'probe.mjs'), PROBE);
  return dir;
}

function once(node, withRegister) {
  const args = [...(withRegister ? ['--import', 'rtc-resampler/register'] : []), 'probe.mjs'];
  const t = process.hrtime.bigint();
  const res = spawnSync(node, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (res.status !== 0) throw new Error(`${node} ${args.join(' ')}: ${res.stderr.trim().split('\n').pop()}`);
  return { wallMs, ...JSON.parse(res.stdout.trim().split('\n').pop()), stderr: res.stderr };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Medians for one Node binary: { node, version, without, with, warnings }. */
function measure(node, runs) {
  once(node, false); // warm the file cache
  const rows = { without: [], with: [] };
  let warnings = '';
  for (let i = 0; i < runs; i++) {
    for (const w of i % 2 ? [true, false] : [false, true]) {
      const r = once(node, w);
      rows[w ? 'with' : 'without'].push(r);
      if (w) warnings += r.stderr;
    }
  }
  const sum = (rs) => ({
    wallMs: median(rs.map((r) => r.wallMs)),
    cpuMs: median(rs.map((r) => r.cpuMs)),
    rssMiB: median(rs.map((r) => r.rss)) / 2 ** 20,
  });
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { node, version, runs, without: sum(rows.without), with: sum(rows.with), warnings: warnings.trim() };
}

function render(results) {
  const pct = (a, b) => `${b >= a ? '+' : ''}${((b / a - 1) * 100).toFixed(1)} %`;
  const lines = [
    '| Node | hook | wall without → with | CPU without → with | RSS without → with |',
    '|---|---|---|---|---|',
  ];
  for (const r of results) {
    const [major, minor] = r.version.slice(1).split('.').map(Number);
    const sync = major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 15);
    const w = r.without;
    const x = r.with;
    lines.push(
      `| ${r.version} | ${sync ? 'registerHooks (main thread)' : 'module.register (hooks thread)'} ` +
        `| ${w.wallMs.toFixed(0)} → ${x.wallMs.toFixed(0)} ms (${pct(w.wallMs, x.wallMs)}) ` +
        `| ${w.cpuMs.toFixed(0)} → ${x.cpuMs.toFixed(0)} ms (${pct(w.cpuMs, x.cpuMs)}) ` +
        `| ${w.rssMiB.toFixed(1)} → ${x.rssMiB.toFixed(1)} MiB (${x.rssMiB >= w.rssMiB ? '+' : ''}${(x.rssMiB - w.rssMiB).toFixed(1)}) |`,
    );
  }
  return lines.join('\n');
}

function main() {
  const argv = process.argv.slice(2);
  const runs = Number((argv.find((a) => a.startsWith('--runs=')) ?? '--runs=11').slice(7));
  const nodes = argv.filter((a) => a.startsWith('--node=')).map((a) => a.slice(7));
  project();
  const results = (nodes.length ? nodes : [process.execPath]).map((n) => {
    process.stderr.write(`startup: ${n}, ${runs} pairs\n`);
    return measure(n, runs);
  });
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${render(results)}\n`);
  for (const r of results)
    if (r.warnings) process.stderr.write(`${r.version} printed with the register:\n${r.warnings}\n`);
}

if (require.main === module) main();

module.exports = { project, measure, render };
