'use strict';

// Packaging: `npm pack` → install the tarball into an empty project → use it
// from CommonJS and ESM. The tarball has no .node file, so installing it runs
// the package's `install` script, which builds the addon from source with cargo
// (the path of every platform without a prebuilt package). Cargo output goes to
// target/pack-test (CARGO_TARGET_DIR), so after the first run only the crate
// itself is recompiled. npm needs no network: the package has no dependencies.
// Without CARGO_TARGET_DIR the script builds in a temporary directory instead;
// that path is covered with a stub cargo (the last describe block) rather than
// by a second full build.

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = require('../package.json');
const { platformSuffix, suffixOfTriple } = require('../lib/platform.js');

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
/** What an installed package may occupy after a source build: sources, docs and the addon. */
const INSTALLED_MAX_BYTES = 5 * 1024 * 1024;
/** The install script's one line when it starts a build (it names the platform and how long it takes). */
const START_LINE = new RegExp(
  `^rtc-resampler: no prebuilt binary for ${platformSuffix()}( is installed \\(rtc-resampler-${platformSuffix()}\\))?; ` +
    'building from source with cargo \\(about \\d+ minutes? on \\d+ cores\\)\\.\\.\\.$',
  'gm',
);

/** Bytes in the files under `dir`, walked without following symlinks. */
function treeSize(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? treeSize(full) : fs.lstatSync(full).size;
  }
  return total;
}

/** The environment of a child npm: ours without the npm_* variables of `npm test`. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function npm(args, cwd, extraEnv) {
  const res = spawnSync(NPM, args, { cwd, env: childEnv(extraEnv), encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (res.error) throw res.error;
  return { code: res.status, out: `${res.stdout}\n${res.stderr}` };
}

/** A fresh empty project in `dir`. */
function makeProject(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
  );
  return dir;
}

let tmp;
let tarball;
let packedFiles;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtc-resampler-pack-'));
  const json = execFileSync(NPM, ['pack', '--json', '--pack-destination', tmp], {
    cwd: root,
    env: childEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(json);
  tarball = path.join(tmp, info.filename);
  packedFiles = info.files.map((f) => f.path).sort();
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack', () => {
  test('contains exactly what a source build and the runtime need', () => {
    // Everything the package needs at run time and to build with cargo.
    const required = [
      'package.json',
      'LICENSE',
      'CHANGELOG.md',
      'index.js',
      'index.mjs',
      'index.d.ts',
      'binding.js',
      'binding.d.ts',
      'Cargo.toml',
      'Cargo.lock',
      '.cargo/config.toml',
      'build.rs',
      'src/lib.rs',
      'scripts/build-from-source.js',
    ];
    for (const file of required) expect(packedFiles).toContain(file);
    // The README is the lead's file; npm ships it whenever it exists.
    if (fs.existsSync(path.join(root, 'README.md'))) expect(packedFiles).toContain('README.md');
    // The docs the README links to (__test__/links.test.js checks every link).
    expect(packedFiles).toContain('CONTRIBUTING.md');
    for (const file of fs.readdirSync(path.join(root, 'docs'), { recursive: true })) {
      if (fs.statSync(path.join(root, 'docs', file)).isFile()) expect(packedFiles).toContain(`docs/${file}`);
    }
    // Every JS module the entry points load is packed.
    for (const file of fs.readdirSync(path.join(root, 'lib'))) {
      if (file.endsWith('.js')) expect(packedFiles).toContain(`lib/${file}`);
    }
    // Every Rust source file of the library is packed.
    const rs = (dir) =>
      fs
        .readdirSync(path.join(root, dir), { withFileTypes: true })
        .flatMap((e) =>
          e.isDirectory() ? rs(`${dir}/${e.name}`) : e.name.endsWith('.rs') ? [`${dir}/${e.name}`] : [],
        );
    for (const file of rs('src')) expect(packedFiles).toContain(file);
    // ...and nothing else: no target/, binaries, tests, benches, examples, CI or npm/ dirs
    // (except the engine crate's bench sources: its Cargo.toml names them, and cargo
    // refuses a manifest whose [[bench]] files are missing).
    const allowed =
      /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|CONTRIBUTING\.md|docs\/([\w-]+\/)?[\w-]+\.md|index\.(js|mjs|d\.ts)|binding\.(js|d\.ts)|Cargo\.(toml|lock)|\.cargo\/config\.toml|build\.rs|lib\/[\w-]+\.js|register\.(js|mjs|d\.ts)|lib\/register\/[\w-]+\.(js|mjs)|src\/[\w/-]+\.rs|crates\/engine\/(Cargo\.toml|src\/[\w/-]+\.rs|benches\/[\w-]+\.rs)|scripts\/build-from-source\.js)$/;
    expect(packedFiles.filter((f) => !allowed.test(f))).toEqual([]);
    const forbidden = /\.node$|^target\/|test|^(?!crates\/engine\/benches\/[\w-]+\.rs$).*bench|^npm\//;
    expect(packedFiles.filter((f) => forbidden.test(f))).toEqual([]);
  });

  test('npm/ has one package per napi target, versioned with the root package', () => {
    const dirs = fs.readdirSync(path.join(root, 'npm')).sort();
    expect(dirs).toEqual(pkg.napi.targets.map(suffixOfTriple).sort());
    expect(dirs).toHaveLength(6);
    for (const dir of dirs) {
      const sub = require(path.join(root, 'npm', dir, 'package.json'));
      expect(sub.name).toBe(`${pkg.name}-${dir}`);
      expect(sub.version).toBe(pkg.version);
      expect(sub.main).toBe(`${pkg.napi.binaryName}.${dir}.node`);
      expect(sub.files).toEqual([sub.main]);
      expect(sub.os).toEqual([dir.split('-')[0]]);
    }
    // The generated loader checks the platform package's version against this
    // one (under NAPI_RS_ENFORCE_VERSION_CHECK); `npm version` regenerates it.
    const loader = fs.readFileSync(path.join(root, 'binding.js'), 'utf8');
    const versions = new Set([...loader.matchAll(/expected ([^ ]+) but got/g)].map((m) => m[1]));
    expect([...versions]).toEqual([pkg.version]);
  });
});

describe('entry points', () => {
  test('index.d.ts declares exactly the values index.js exports', () => {
    const ts = require('typescript');
    const file = path.join(root, 'index.d.ts');
    const program = ts.createProgram([file], { types: ['node'], noEmit: true });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
    const declaredValues = checker
      .getExportsOfModule(moduleSymbol)
      .filter((sym) => (sym.flags & ts.SymbolFlags.Value) !== 0)
      .map((sym) => sym.name)
      .sort();
    expect(declaredValues).toEqual(Object.keys(require('..')).sort());
  });
});

describe('installing the tarball', () => {
  test(
    'builds from source with cargo and works from CommonJS and ESM',
    () => {
      const project = makeProject(path.join(tmp, 'project'));
      const cargoTarget = path.join(root, 'target', 'pack-test');
      const install = npm(
        ['install', tarball, '--offline', '--no-audit', '--no-fund', '--foreground-scripts'],
        project,
        { CARGO_TARGET_DIR: cargoTarget },
      );
      if (install.code !== 0) throw new Error(`npm install failed:\n${install.out}`);
      // The one-line notice of the install script (visible with --foreground-scripts).
      expect(install.out.match(START_LINE)).toHaveLength(1);
      const installed = path.join(project, 'node_modules', 'rtc-resampler');
      expect(fs.existsSync(path.join(installed, `${pkg.napi.binaryName}.${platformSuffix()}.node`))).toBe(true);
      // Cargo wrote to the CARGO_TARGET_DIR it was given, which is kept, and
      // nothing of its output is left in the package.
      expect(fs.existsSync(path.join(cargoTarget, 'release'))).toBe(true);
      expect(fs.existsSync(path.join(installed, 'target'))).toBe(false);
      expect(treeSize(installed)).toBeLessThanOrEqual(INSTALLED_MAX_BYTES);

      // The same computation from CJS, from ESM, and in this process from the
      // repository: a 1 s 440 Hz tone, 48 kHz → 16 kHz in 10 ms frames, then a
      // stereo 16 kHz → 24 kHz run through resampleStream.
      const body = `
        const sine = (n, rate, channels) => {
          const a = new Int16Array(n * channels);
          for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++)
            a[i * channels + c] = Math.round(12000 * Math.sin(2 * Math.PI * 440 * (c + 1) * i / rate));
          return a;
        };
        const checksum = (frames) => {
          let h = 0, n = 0;
          for (const f of frames) for (const s of f.data) { h = (Math.imul(h, 31) + s) | 0; n++; }
          return { h, n };
        };
        const run = async (m) => {
          const r = new m.AudioResampler(48000, 16000, 1, m.AudioResamplerQuality.HIGH);
          const input = sine(48000, 48000, 1);
          const out = [];
          for (let i = 0; i < 48000; i += 480)
            out.push(...r.push(new m.AudioFrame(input.subarray(i, i + 480), 48000, 1, 480)));
          out.push(...r.flush());
          r.close();
          const combined = m.combineAudioFrames(out);
          const stereo = sine(1600, 16000, 2);
          const source = new ReadableStream({
            start(c) {
              for (let i = 0; i < 1600; i += 160)
                c.enqueue(new m.AudioFrame(stereo.slice(i * 2, (i + 160) * 2), 16000, 2, 160));
              c.close();
            },
          });
          const streamed = [];
          for await (const f of m.resampleStream({ stream: source, outputRate: 24000 })) streamed.push(f);
          return {
            exports: Object.keys(m).filter((k) => k !== 'default').sort(),
            samplesPerChannel: combined.samplesPerChannel,
            resampled: checksum(out),
            streamed: checksum(streamed),
            streamedRate: streamed.map((f) => f.sampleRate),
          };
        };`;
      fs.writeFileSync(
        path.join(project, 'main.cjs'),
        `'use strict';\nconst m = require('rtc-resampler');\n${body}\n` +
          `run(m).then((r) => console.log(JSON.stringify({ ...r, resolved: require.resolve('rtc-resampler') })));\n`,
      );
      fs.writeFileSync(
        path.join(project, 'main.mjs'),
        `import * as m from 'rtc-resampler';\nimport { AudioResampler } from 'rtc-resampler';\n` +
          `import def from 'rtc-resampler';\n${body}\n` +
          `const r = await run(m);\n` +
          `console.log(JSON.stringify({ ...r, sameClass: AudioResampler === def.AudioResampler, ` +
          `resolved: import.meta.resolve('rtc-resampler') }));\n`,
      );
      const runScript = (file) =>
        JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8', env: childEnv() }));
      const cjs = runScript('main.cjs');
      const esm = runScript('main.mjs');

      // Resolved from the temp project, not from this repository.
      expect(cjs.resolved).toBe(path.join(fs.realpathSync(installed), 'index.js'));
      expect(esm.resolved).toMatch(/\/node_modules\/rtc-resampler\/index\.mjs$/);
      expect(esm.sameClass).toBe(true);

      // Same named exports from both entry points, and the same as the repository's.
      const expectedExports = Object.keys(require('..')).sort();
      expect(cjs.exports).toEqual(expectedExports);
      expect(esm.exports).toEqual(expectedExports);
      for (const name of [
        'AudioResampler',
        'AudioResamplerQuality',
        'AudioFrame',
        'combineAudioFrames',
        'resampleStream',
      ]) {
        expect(cjs.exports).toContain(name);
      }

      // Exact length, and the same samples as the repository's own build.
      expect(cjs.samplesPerChannel).toBe(16000);
      expect(cjs.resampled.n).toBe(16000);
      expect(cjs.streamed.n).toBe(2 * 2400);
      expect(new Set(cjs.streamedRate)).toEqual(new Set([24000]));
      expect(esm.resampled).toEqual(cjs.resampled);
      expect(esm.streamed).toEqual(cjs.streamed);
      const local = new Function('m', `${body}\nreturn run(m);`)(require('..'));
      return local.then((mine) => {
        // The tarball was built from the sources in this tree; the repository's
        // own binary must give the same samples (else it is stale: `npm run build`).
        if (JSON.stringify([mine.resampled, mine.streamed]) !== JSON.stringify([cjs.resampled, cjs.streamed])) {
          throw new Error(
            'The binary built from the packed sources and the repository binary give different samples ' +
              `(${JSON.stringify([mine.resampled, mine.streamed])} vs ${JSON.stringify([cjs.resampled, cjs.streamed])}). ` +
              'If you changed Rust code, run `npm run build` first.',
          );
        }
      });
    },
    BUILD_TIMEOUT_MS,
  );

  test('without cargo, the install fails with a message saying what to install', () => {
    const project = makeProject(path.join(tmp, 'no-cargo'));
    const tmpDir = path.join(tmp, 'no-cargo-tmp');
    fs.mkdirSync(tmpDir);
    const install = npm(['install', tarball, '--offline', '--no-audit', '--no-fund'], project, {
      CARGO: path.join(tmp, 'no-such-cargo'),
      CARGO_TARGET_DIR: '',
      TMPDIR: tmpDir,
    });
    expect(install.code).not.toBe(0);
    expect(install.out).toMatch(/no-such-cargo` was not found\. Install a Rust toolchain \(https:\/\/rustup\.rs\)/);
    // The temporary target directory made for the build is gone.
    expect(fs.readdirSync(tmpDir).filter((f) => f.startsWith('rtc-resampler-build-'))).toEqual([]);
  }, 120_000);

  test('with --ignore-scripts there is no binary, and require() says what to do', () => {
    const project = makeProject(path.join(tmp, 'ignore-scripts'));
    const install = npm(['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
    if (install.code !== 0) throw new Error(`npm install failed:\n${install.out}`);
    const res = spawnSync(
      process.execPath,
      ['-e', "try { require('rtc-resampler') } catch (e) { console.log(e.message); console.log('cause:', !!e.cause) }"],
      { cwd: project, encoding: 'utf8', env: childEnv() },
    );
    const msg = res.stdout;
    expect(msg).toMatch(new RegExp(`could not load the native addon for ${platformSuffix()}`));
    expect(msg).toContain('npm rebuild rtc-resampler');
    expect(msg).toContain('https://rustup.rs');
    expect(msg).toContain('cause: true');
  }, 120_000);
});

describe('the install script, with a stub cargo', () => {
  // The script runs from a copy of the package laid out as installed (no .git,
  // no __test__/). Its binding.js is a stub that loads once the addon file holds
  // what the stub cargo "built"; the stub cargo logs each call (arguments, its
  // CARGO_TARGET_DIR, whether that directory existed) and writes the library,
  // plus 1 MB standing for cargo's intermediate output, into its target dir.
  const addon = `${pkg.napi.binaryName}.${platformSuffix()}.node`;
  const library =
    { win32: 'rtc_resampler.dll', darwin: 'librtc_resampler.dylib' }[process.platform] ?? 'librtc_resampler.so';
  const stubCargo = `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const target = process.env.CARGO_TARGET_DIR || path.join(process.cwd(), 'target');
const args = process.argv.slice(2);
const call = { args, cwd: process.cwd(), targetDir: process.env.CARGO_TARGET_DIR ?? null, existed: fs.existsSync(target) };
fs.appendFileSync(process.env.STUB_CARGO_LOG, JSON.stringify(call) + '\\n');
if (args[0] === 'metadata') {
  const manifest = path.join(process.cwd(), 'Cargo.toml');
  const packages = [{ name: 'rtc-resampler', manifest_path: manifest }];
  console.log(JSON.stringify({ packages, target_directory: path.resolve(target) }));
  process.exit(0);
}
fs.mkdirSync(path.join(target, 'release', 'deps'), { recursive: true });
fs.writeFileSync(path.join(target, 'release', 'deps', 'intermediate'), Buffer.alloc(1 << 20));
fs.writeFileSync(path.join(target, 'release', ${JSON.stringify(library)}), 'stub addon');
if (process.env.STUB_CARGO_MODE === 'fail') process.exit(101);
if (process.env.STUB_CARGO_MODE === 'interrupt') {
  // Ctrl-C in a terminal signals the whole process group: the script and cargo.
  process.kill(process.ppid, 'SIGINT');
  process.kill(process.pid, 'SIGINT');
}
`;

  let n = 0;
  /** A fresh package copy; `dev` names an entry that marks a development checkout. */
  function setUp({ dev } = {}) {
    const base = path.join(tmp, `stub-${n++}`);
    const pkgDir = path.join(base, 'rtc-resampler');
    const tmpDir = path.join(base, 'tmp');
    fs.mkdirSync(path.join(pkgDir, 'scripts'), { recursive: true });
    fs.mkdirSync(path.join(pkgDir, 'lib'));
    fs.mkdirSync(tmpDir);
    for (const file of ['package.json', 'scripts/build-from-source.js', 'lib/platform.js']) {
      fs.copyFileSync(path.join(root, file), path.join(pkgDir, file));
    }
    fs.writeFileSync(
      path.join(pkgDir, 'binding.js'),
      `if (require('node:fs').readFileSync(require('node:path').join(__dirname, ${JSON.stringify(addon)}), 'utf8') !== 'stub addon') throw new Error('not built');\n`,
    );
    if (dev) fs.mkdirSync(path.join(pkgDir, dev));
    const cargo = path.join(base, 'cargo.js');
    fs.writeFileSync(cargo, stubCargo, { mode: 0o755 });
    return { base, pkgDir, tmpDir, cargo, log: path.join(base, 'cargo.log') };
  }

  /** Runs the script with the stub cargo; returns the spawn result and the logged cargo calls. */
  function run(t, extraEnv = {}) {
    const env = childEnv({ CARGO: t.cargo, STUB_CARGO_LOG: t.log, TMPDIR: t.tmpDir, TMP: t.tmpDir, TEMP: t.tmpDir });
    for (const name of ['CARGO_TARGET_DIR', 'RTC_RESAMPLER_FORCE_BUILD', 'NAPI_RS_NATIVE_LIBRARY_PATH'])
      delete env[name];
    const res = spawnSync(process.execPath, [path.join(t.pkgDir, 'scripts', 'build-from-source.js')], {
      cwd: t.pkgDir,
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (res.error) throw res.error;
    const calls = fs.existsSync(t.log)
      ? fs
          .readFileSync(t.log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
    return { res, calls };
  }

  test('an installed package builds in a new temporary directory, which is removed afterwards', () => {
    const t = setUp();
    const { res, calls } = run(t);
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    expect(res.stdout.match(START_LINE)).toHaveLength(1);
    expect(calls.map((c) => c.args[0])).toEqual(['build', 'metadata']);
    expect(calls[0].args).toEqual(['build', '--release', '--locked', '--lib']);
    // One directory for both calls: created fresh under os.tmpdir() before the build.
    const dir = calls[0].targetDir;
    expect(calls[1].targetDir).toBe(dir);
    expect(path.dirname(dir ?? '')).toBe(t.tmpDir);
    expect(path.basename(dir ?? '')).toMatch(/^rtc-resampler-build-/);
    expect(calls[0].existed).toBe(true);
    // The addon was copied out, then the directory removed; the package has no target/.
    expect(fs.readFileSync(path.join(t.pkgDir, addon), 'utf8')).toBe('stub addon');
    expect(fs.readdirSync(t.tmpDir)).toEqual([]);
    expect(fs.existsSync(path.join(t.pkgDir, 'target'))).toBe(false);
    expect(treeSize(t.pkgDir)).toBeLessThan(1 << 20);
  });

  test('the temporary directory is removed when cargo fails', () => {
    const t = setUp();
    const { res, calls } = run(t, { STUB_CARGO_MODE: 'fail' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/the cargo build failed/);
    expect(calls.map((c) => path.dirname(c.targetDir ?? ''))).toEqual([t.tmpDir]);
    expect(fs.readdirSync(t.tmpDir)).toEqual([]);
    expect(fs.existsSync(path.join(t.pkgDir, 'target'))).toBe(false);
    expect(fs.existsSync(path.join(t.pkgDir, addon))).toBe(false);
  });

  test('the temporary directory is removed when the build is interrupted (Ctrl-C)', () => {
    const t = setUp();
    const { res, calls } = run(t, { STUB_CARGO_MODE: 'interrupt' });
    expect({ status: res.status, signal: res.signal }).toEqual({ status: 1, signal: null });
    expect(res.stderr).toMatch(/the cargo build was interrupted \(SIGINT\)/);
    expect(calls.map((c) => path.dirname(c.targetDir ?? ''))).toEqual([t.tmpDir]);
    expect(fs.readdirSync(t.tmpDir)).toEqual([]);
    expect(fs.existsSync(path.join(t.pkgDir, 'target'))).toBe(false);
  });

  test('an explicit CARGO_TARGET_DIR is used as given and kept', () => {
    const t = setUp();
    const shared = path.join(t.base, 'shared-target');
    const { res, calls } = run(t, { CARGO_TARGET_DIR: shared });
    expect(res.status).toBe(0);
    expect(calls.map((c) => c.targetDir)).toEqual([shared, shared]);
    expect(fs.readFileSync(path.join(shared, 'release', library), 'utf8')).toBe('stub addon');
    expect(fs.readFileSync(path.join(t.pkgDir, addon), 'utf8')).toBe('stub addon');
    expect(fs.readdirSync(t.tmpDir)).toEqual([]);
  });

  test.each(['.git', '__test__'])('a development checkout (with %s) keeps the incremental target/', (entry) => {
    const t = setUp({ dev: entry });
    const { res, calls } = run(t);
    expect(res.status).toBe(0);
    expect(res.stdout.match(START_LINE)).toHaveLength(1);
    expect(calls.map((c) => c.targetDir)).toEqual([null, null]);
    expect(fs.readFileSync(path.join(t.pkgDir, 'target', 'release', library), 'utf8')).toBe('stub addon');
    expect(fs.readFileSync(path.join(t.pkgDir, addon), 'utf8')).toBe('stub addon');
    expect(fs.readdirSync(t.tmpDir)).toEqual([]);
  });
});
