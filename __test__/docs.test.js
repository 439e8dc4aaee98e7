'use strict';

// Docs that are run. Every JavaScript or TypeScript code block in README.md and
// docs/*.md is either run here or marked, on the line before its fence, with
//   <!-- doc-test: skip (why it cannot run) -->
// JavaScript blocks run in a fresh Node process (ESM when they use `import` or
// top-level `await`, CommonJS otherwise), with the stand-ins of
// __test__/docs/stand_ins.js (microphone frames, an STT client, a websocket…)
// as globals; they must exit cleanly and feed whatever stand-in they use.
// TypeScript blocks are type-checked (strict) against the shipped typings.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const FILES = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).map((f) => path.join('docs', f))].filter((f) =>
  f.endsWith('.md'),
);
const LANGS = { js: 'js', javascript: 'js', mjs: 'js', cjs: 'js', ts: 'ts', typescript: 'ts' };
const SKIP = /^<!--\s*doc-test:\s*skip\s*\((.+)\)\s*-->$/;

/** Every fenced code block of a runnable language in `file`: { file, line, lang, code, skip }. */
function blocks(file) {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    const lang = LANGS[open[1]];
    if (lang) {
      let prev = i - 1;
      while (prev >= 0 && lines[prev].trim() === '') prev--;
      const skip = prev >= 0 ? SKIP.exec(lines[prev].trim()) : null;
      out.push({ file, line: i + 1, lang, code: lines.slice(i + 1, end).join('\n'), skip: skip ? skip[1] : null });
    }
    i = end;
  }
  return out;
}

const all = FILES.flatMap(blocks);
const work = path.join(root, 'node_modules', '.cache', 'rtc-resampler-docs');

beforeAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
  fs.symlinkSync(root, path.join(work, 'node_modules', 'rtc-resampler'), 'dir');
});

const name = (b) => `${b.file}:${b.line}`;
const isEsm = (code) =>
  /^\s*import\s/m.test(code) || /^\s*(for\s+)?await\s/m.test(code) || /^const .*= await /m.test(code);

test('the docs have code blocks, and every skipped one says why', () => {
  expect(all.filter((b) => b.lang === 'js' && !b.skip).length).toBeGreaterThanOrEqual(5);
  for (const b of all.filter((x) => x.skip)) expect(b.skip.trim().length).toBeGreaterThan(10);
});

const js = all.filter((b) => b.lang === 'js' && !b.skip);
test.each(js.map((b) => [name(b), b]))('%s runs', (_, b) => {
  const esm = isEsm(b.code);
  const file = path.join(work, `${b.file.replace(/[/.]/g, '_')}_${b.line}.${esm ? 'mjs' : 'cjs'}`);
  const standIns = JSON.stringify(path.join(__dirname, 'docs', 'stand_ins.js'));
  fs.writeFileSync(file, `${esm ? `import ${standIns};` : `require(${standIns});`}\n${b.code}\n`);
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const res = spawnSync(process.execPath, [file], { cwd: work, encoding: 'utf8', env, timeout: 60_000 });
  expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
  const fed = JSON.parse(
    res.stdout
      .split('\n')
      .find((l) => l.startsWith('DOCTEST '))
      .slice(8),
  );
  // A stand-in the snippet names must have been given audio.
  for (const used of ['stt', 'vad', 'ws']) {
    if (new RegExp(`\\b${used}\\.(send|write|append)`).test(b.code)) {
      expect({ [used]: fed[used === 'ws' ? 'wsOut' : used] > 0 }).toEqual({ [used]: true });
    }
  }
});

const ts = all.filter((b) => b.lang === 'ts' && !b.skip);
test('the TypeScript blocks type-check against the shipped typings', () => {
  expect(ts.length).toBeGreaterThan(0);
  const dir = path.join(work, 'ts');
  fs.mkdirSync(dir, { recursive: true });
  for (const b of ts)
    fs.writeFileSync(path.join(dir, `${b.file.replace(/[/.]/g, '_')}_${b.line}.mts`), `${b.code}\nexport {};\n`);
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        target: 'es2022',
        types: ['node'],
        skipLibCheck: true,
        typeRoots: [path.join(root, 'node_modules', '@types')],
      },
      include: ['*.mts'],
    }),
  );
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  expect(res.stdout + res.stderr).toBe('');
  expect(res.status).toBe(0);
}, 120_000);
