'use strict';

// rtc-resampler/register under vitest (4.x), with real @livekit/agents and
// rtc-node: vitest resolves `@livekit/rtc-node` itself and imports its entry
// file by path, which a hook that matches only the package name never sees.
// Each pool runs in a child process started with
// NODE_OPTIONS='--import rtc-resampler/register', as users run it.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const fixture = path.join(__dirname, 'fixtures', 'vitest');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const UNREACHABLE = 'RTC_RESAMPLER_REGISTER_UNREACHABLE';

// vitest 4 itself requires Node >= 22.12 (its package.json `engines`); on
// older Node this file has nothing it can run. CI runs it on Node 22, 24 and 26.
const [major, minor] = process.versions.node.split('.').map(Number);
const vitestRuns = major > 22 || (major === 22 && minor >= 12);

/** The vitest project, under node_modules/.cache so it resolves the root's agents and rtc-node. */
function project() {
  const dir = path.join(root, 'node_modules', '.cache', 'rtc-resampler-vitest');
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  const link = path.join(dir, 'node_modules', 'rtc-resampler');
  if (!fs.existsSync(link)) fs.symlinkSync(root, link, 'dir');
  for (const file of fs.readdirSync(fixture)) fs.copyFileSync(path.join(fixture, file), path.join(dir, file));
  return dir;
}

function runVitest(pool, files) {
  return new Promise((resolve) => {
    const env = { ...process.env, NODE_OPTIONS: '--import rtc-resampler/register', NO_COLOR: '1', CI: '1' };
    const child = spawn(process.execPath, [vitest, 'run', `--pool=${pool}`, ...files], { cwd: project(), env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, unreachable: out.split(UNREACHABLE).length - 1 }));
  });
}

(vitestRuns ? describe : describe.skip)('vitest', () => {
  test.each(['forks', 'threads'])(
    "pool %s: the test file and agents' code get rtc-resampler, with no warning",
    async (pool) => {
      const r = await runVitest(pool, ['swap.test.mjs', 'loads.test.mjs']);
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringContaining('2 passed') });
      expect(r.out).not.toMatch(/Warning/);
    },
    120_000,
  );

  test.each(['vmThreads', 'vmForks'])(
    'pool %s: the swap cannot reach it; one warning says so and nothing crashes',
    async (pool) => {
      const r = await runVitest(pool, ['loads.test.mjs']);
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringContaining('1 passed') });
      expect(r.unreachable).toBe(1);
      expect(r.out).toContain('use the `forks` or `threads` pool');
    },
    120_000,
  );
});
