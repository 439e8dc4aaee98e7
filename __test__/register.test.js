'use strict';

// rtc-resampler/register inside @livekit/agents apps (issue #10 part 1). Each
// case runs a small agents app in a child process (Node loads hooks per
// process), against @livekit/rtc-node 0.13.x and 1.x, and asserts on the facts
// it reports (__test__/fixtures/register/scenarios.cjs).

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { project, root } = require('./fixtures/register/project.js');

const LATE = 'RTC_RESAMPLER_REGISTER_LATE';
const CHILD_TIMEOUT_MS = 60_000;

function run(cwd, args, env = {}) {
  return new Promise((resolve) => {
    const childEnv = { ...process.env, ...env };
    delete childEnv.NODE_OPTIONS;
    if (env.NODE_OPTIONS) childEnv.NODE_OPTIONS = env.NODE_OPTIONS;
    const child = spawn(process.execPath, args, { cwd, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
      const report = line ? JSON.parse(line.slice(7)) : null;
      resolve({ code, stdout, stderr, report, late: stderr.split(LATE).length - 1 });
    });
  });
}

const VERSIONS = { '1.x': '1.1.0', 0.13: '0.13.35' };
const runs = {};

beforeAll(async () => {
  const dirs = { '1.x': project('1.x'), 0.13: project('0.13') };
  const jobs = {};
  for (const v of Object.keys(VERSIONS)) {
    jobs[`esm --import ${v}`] = [dirs[v], ['--import', 'rtc-resampler/register', 'app.mjs']];
    jobs[`cjs -r ${v}`] = [dirs[v], ['-r', 'rtc-resampler/register', 'app.cjs']];
    jobs[`esm -r ${v}`] = [dirs[v], ['-r', 'rtc-resampler/register', 'app.mjs']];
  }
  jobs['by path --import'] = [dirs['1.x'], ['--import', 'rtc-resampler/register', 'by_path.mjs']];
  jobs['by path -r'] = [dirs['0.13'], ['-r', 'rtc-resampler/register', 'by_path.mjs']];
  jobs['cjs --import 1.x'] = [dirs['1.x'], ['--import', 'rtc-resampler/register', 'app.cjs']];
  jobs['cjs first line 0.13'] = [dirs['0.13'], ['first_line.cjs']];
  jobs['esm NODE_OPTIONS 0.13'] = [dirs['0.13'], ['app.mjs'], { NODE_OPTIONS: '--import rtc-resampler/register' }];
  jobs['cjs NODE_OPTIONS 1.x'] = [dirs['1.x'], ['app.cjs'], { NODE_OPTIONS: '--import rtc-resampler/register' }];
  // rtc-node loaded before the register: app.cjs/app.mjs require or import it
  // before they load rtc-resampler/register themselves.
  jobs['late cjs 0.13'] = [dirs['0.13'], ['app.cjs']];
  jobs['late esm 1.x'] = [dirs['1.x'], ['app.mjs']];
  jobs['late static import 1.x'] = [dirs['1.x'], ['static_first.mjs']];
  const off = (value) => ({ RTC_RESAMPLER_REGISTER: value });
  jobs['off esm 1.x'] = [dirs['1.x'], ['--import', 'rtc-resampler/register', 'app.mjs'], off('0')];
  jobs['off cjs 0.13'] = [dirs['0.13'], ['-r', 'rtc-resampler/register', 'app.cjs'], off('false')];
  // Two cores: run them a few at a time.
  const names = Object.keys(jobs);
  for (let i = 0; i < names.length; i += 3) {
    const batch = names.slice(i, i + 3);
    const results = await Promise.all(batch.map((n) => run(...jobs[n])));
    for (const [k, n] of batch.entries()) runs[n] = results[k];
  }
}, 240_000);

function reportOf(name) {
  const r = runs[name];
  if (r.code !== 0 || r.report === null) {
    throw new Error(`${name}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  return r.report;
}

const swapped = [
  ['esm --import 1.x', '1.x'],
  ['esm --import 0.13', '0.13'],
  ['cjs -r 1.x', '1.x'],
  ['cjs -r 0.13', '0.13'],
  ['esm -r 1.x', '1.x'],
  ['esm -r 0.13', '0.13'],
  ['cjs --import 1.x', '1.x'],
  ['cjs first line 0.13', '0.13'],
  ['esm NODE_OPTIONS 0.13', '0.13'],
  ['cjs NODE_OPTIONS 1.x', '1.x'],
];

describe.each(swapped)('%s', (name, version) => {
  test('the app and agents load the intended rtc-node, once, with the register active', () => {
    const r = reportOf(name);
    expect(r.versions).toEqual({ app: VERSIONS[version], agents: VERSIONS[version] });
    expect(r.register).toEqual({ active: true, esm: true });
    expect(r.rtcNodeInstances).toBe(1);
    expect(r.nativeLibraries).toBe(1);
    expect(runs[name].late).toBe(0);
  });

  test('nothing is printed but the one frame-format warning the scenarios provoke', () => {
    const warnings = runs[name].stderr.split('\n').filter((l) => /Warning/.test(l));
    expect(warnings.filter((l) => !l.includes('[RTC_RESAMPLER_FRAME_FORMAT]'))).toEqual([]);
  });

  test("rtc-node's AudioResampler and AudioResamplerQuality are ours, every other export is rtc-node's", () => {
    expect(reportOf(name).swap).toEqual({
      AudioResampler: true,
      AudioResamplerQuality: true,
      constructed: true,
      sameKeys: true,
      othersUnchanged: [],
      rtcNodeFrames: true,
    });
  });

  test("agents' resampleStream is bit-identical to our AudioResampler, rtc-node AudioFrames, no empty frames", () => {
    const want = {
      frames: expect.any(Number),
      samples: 16000,
      empty: 0,
      allRtcAudioFrames: true,
      rates: [16000],
      identical: true,
    };
    const r = reportOf(name);
    expect(r.resampleStream).toEqual(want);
    // The ESM app also requires agents' CommonJS build.
    if (name.startsWith('esm')) expect(r.resampleStreamCjs).toEqual(want);
  });

  test("frames agents builds are instances of the app's rtc-node AudioFrame", () => {
    expect(reportOf(name).byteStream).toEqual({ frames: 50, agentsFrameIsAppFrame: true });
  });

  test('stereo AudioByteStream frames through performAudioForwarding play the right audio', () => {
    const f = reportOf(name).forwarding;
    expect(f.error).toBeNull();
    expect(f.rates).toEqual([48000]);
    expect(f.channels).toEqual([2]);
    expect(f.samplesPerChannel).toBe(24000);
    expect(f.identicalToOurs).toBe(true);
    expect(f.left.hz).toBeGreaterThanOrEqual(438);
    expect(f.left.hz).toBeLessThanOrEqual(442);
    expect(f.right.hz).toBeGreaterThanOrEqual(657);
    expect(f.right.hz).toBeLessThanOrEqual(663);
    expect(f.left.rms).toBeGreaterThan(6000);
  });

  test('a TTS rate change mid-utterance in performAudioForwarding keeps playing the right audio', () => {
    const f = reportOf(name).forwardingRateChange;
    expect(f.error).toBeNull();
    expect(f.rates).toEqual([48000]);
    expect(f.channels).toEqual([2]);
    // 0.5 s at 24 kHz + 0.25 s at 16 kHz, all at 48 kHz.
    expect(Math.abs(f.samplesPerChannel - 36000)).toBeLessThanOrEqual(48);
    expect(Math.abs(f.secondPart.left.hz - 440)).toBeLessThanOrEqual(4);
    expect(Math.abs(f.secondPart.right.hz - 660)).toBeLessThanOrEqual(4);
    expect(f.secondPart.left.rms).toBeGreaterThan(6000);
  });

  test('an STT stream (16 kHz) fed stereo 48 kHz frames keeps running', () => {
    const s = reportOf(name).stt;
    expect(s.rates).toEqual([16000]);
    expect(s.channels).toEqual([1]);
    // 1 s in; what the resampler still holds at the end is never flushed by agents.
    expect(s.samples).toBeGreaterThan(15000);
    expect(s.samples).toBeLessThanOrEqual(16000);
    expect(Math.abs(s.tone.hz - 440)).toBeLessThanOrEqual(4);
  });
});

describe('imports of rtc-node by path or URL (test runners, bundlers)', () => {
  test.each(['by path --import', 'by path -r'])('%s: every way in gets the swap', (name) => {
    expect(reportOf(name)).toEqual({
      esmByUrl: true,
      esmByPath: true,
      cjsByPath: true,
      cjsEntryImportedByUrl: true,
      bare: true,
      active: true,
    });
    expect(runs[name].stderr).toBe('');
  });
});

describe('rtc-node loaded before the register', () => {
  test.each([
    ['late cjs 0.13', 'rtc-node-0.13'],
    ['late esm 1.x', '@livekit/rtc-node'],
    ['late static import 1.x', '@livekit/rtc-node'],
  ])('%s: exactly one warning with a code and the way to load it first', (name, dir) => {
    const r = runs[name];
    reportOf(name);
    expect(r.late).toBe(1);
    expect(r.stderr).toContain(
      `[${LATE}] RtcResamplerWarning: @livekit/rtc-node was loaded before rtc-resampler/register`,
    );
    expect(r.stderr).toContain('node --import rtc-resampler/register');
    expect(r.stderr).toContain(path.join(dir, 'dist', 'index.cjs'));
    // The app's own import kept rtc-node's class; nothing threw; `active` says
    // the swap does not hold for this process.
    expect(r.report.swap.AudioResampler).toBe(false);
    expect(r.report.register.active).toBe(false);
  });
});

describe('RTC_RESAMPLER_REGISTER=0 turns it off', () => {
  test.each(['off esm 1.x', 'off cjs 0.13'])('%s', (name) => {
    const r = reportOf(name);
    expect(r.register).toEqual({ active: false, esm: false });
    expect(r.swap.AudioResampler).toBe(false);
    expect(r.swap.AudioResamplerQuality).toBe(false);
    expect(runs[name].stderr).not.toContain('RTC_RESAMPLER_REGISTER');
  });
});

describe('without @livekit/rtc-node installed', () => {
  test('the register neither throws nor warns; imports fail as they would without it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtc-resampler-register-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'app.mjs'),
        [
          "import { createRequire } from 'node:module';",
          'const require = createRequire(import.meta.url);',
          'const reg = require(process.env.REGISTER);',
          "let esm = 'loaded', cjs = 'loaded';",
          "try { await import('@livekit/rtc-node'); } catch (e) { esm = e.code; }",
          "try { require('@livekit/rtc-node'); } catch (e) { cjs = e.code; }",
          "console.log('REPORT ' + JSON.stringify({ active: reg.active, esm, cjs }));",
        ].join('\n'),
      );
      const registerJs = path.join(root, 'register.js');
      const url = pathToFileURL(path.join(root, 'register.mjs')).href;
      const r = await run(dir, ['--import', url, 'app.mjs'], { REGISTER: registerJs });
      expect(r.code).toBe(0);
      expect(r.report).toEqual({ active: true, esm: 'ERR_MODULE_NOT_FOUND', cjs: 'MODULE_NOT_FOUND' });
      expect(r.stderr).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('packaging', () => {
  test('package.json exports ./register (import, require, types) and npm pack ships its files', () => {
    const pkg = require('../package.json');
    expect(pkg.exports['./register']).toEqual({
      types: './register.d.ts',
      import: './register.mjs',
      require: './register.js',
    });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const [info] = JSON.parse(
      execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const files = info.files.map((f) => f.path);
    const shipped = ['register.js', 'register.mjs', 'register.d.ts'];
    for (const f of fs.readdirSync(path.join(root, 'lib', 'register'))) shipped.push(`lib/register/${f}`);
    for (const f of shipped) {
      expect(files).toContain(f);
    }
  });
});

describe('typings', () => {
  test('register.d.ts declares exactly what register.js exports, and compiles from ESM and CommonJS', () => {
    const ts = require('typescript');
    const dir = fs.mkdtempSync(path.join(root, '__test__', '.register-types-'));
    try {
      const esm = path.join(dir, 'use.mts');
      const cjs = path.join(dir, 'use.cts');
      fs.writeFileSync(
        esm,
        [
          "import register, { active, esm, AudioResampler, AudioResamplerQuality } from 'rtc-resampler/register';",
          'const on: boolean = active && esm && register.active;',
          'const r = new AudioResampler(48000, 16000, 1, AudioResamplerQuality.HIGH);',
          'r.close();',
          'export { on };',
        ].join('\n'),
      );
      fs.writeFileSync(
        cjs,
        [
          "import register = require('rtc-resampler/register');",
          'const on: boolean = register.active;',
          'const rate: number = new register.AudioResampler(48000, 16000).inputRate;',
          'export = { on, rate };',
        ].join('\n'),
      );
      const options = {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        strict: true,
        noEmit: true,
        types: ['node'],
      };
      const program = ts.createProgram([esm, cjs], options);
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);

      const checker = program.getTypeChecker();
      const dts = program.getSourceFile(path.join(root, 'register.d.ts'));
      const declared = checker
        .getExportsOfModule(checker.getSymbolAtLocation(dts))
        .map((s) => s.name)
        .sort();
      // What the two entries export, from a child process (loading them here would install the hooks).
      const keys = (args) => JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }));
      const registerJs = JSON.stringify(path.join(root, 'register.js'));
      const registerMjs = JSON.stringify(pathToFileURL(path.join(root, 'register.mjs')).href);
      const actual = keys(['-p', `JSON.stringify(Object.keys(require(${registerJs})).sort())`]);
      const esmKeys = keys([
        '--input-type=module',
        '-e',
        `const m = await import(${registerMjs}); console.log(JSON.stringify(Object.keys(m).sort()));`,
      ]);
      expect(esmKeys).toEqual([...actual, 'default'].sort());
      expect(declared).toEqual(actual);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
