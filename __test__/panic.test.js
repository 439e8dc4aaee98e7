'use strict';

// Panic safety: a panic inside the Rust engine must become a JS Error (never an
// abort), poison only the resampler it happened in, and leave others intact.
//
// A panic cannot be provoked in the real build, so this test compiles a separate
// debug build of the addon with the `test-panic` cargo feature: there, a push
// whose data starts with TRIGGER panics inside the engine's `Core::feed` (crates/engine/src/core/mod.rs). That
// build is loaded in a child process through the loader's
// NAPI_RS_NATIVE_LIBRARY_PATH override, so the whole public JS API runs on it.

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { AudioResampler, AudioFrame } = require('..');

const ROOT = path.resolve(__dirname, '..');
const TRIGGER = [-32768, 32767, 0x0bad, -0x0bad]; // kernel::TEST_PANIC_TRIGGER
const PANIC_ADDON = path.join(ROOT, 'target', 'test-panic', 'rtc-resampler.test-panic.node');

/** Builds the `test-panic` addon (debug, shares target/debug with `cargo test`). */
function buildPanicAddon() {
  const stdout = execFileSync(
    'cargo',
    ['build', '--lib', '--features', 'test-panic', '--message-format=json-render-diagnostics'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
  );
  let built = null;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (
      msg.reason === 'compiler-artifact' &&
      msg.target.name === 'rtc_resampler' &&
      msg.target.kind.includes('cdylib')
    ) {
      built = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f));
    }
  }
  if (!built) throw new Error('cargo did not report the cdylib of the test-panic build');
  fs.mkdirSync(path.dirname(PANIC_ADDON), { recursive: true });
  fs.copyFileSync(built, PANIC_ADDON); // copy now: a later default build overwrites `built`
}

// Runs in the child, on the test-panic build; prints one JSON line of observations.
const CHILD = `
const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
const TRIGGER = ${JSON.stringify(TRIGGER)};
const frame = (data, rate, ch) => new AudioFrame(Int16Array.from(data), rate, ch, data.length / ch);
const ramp = (n, ch, k) => Array.from({ length: n * ch }, (_, i) => ((i * k) % 20000) - 10000);
const errorOf = (fn) => { try { fn(); return null; } catch (e) { return { name: e.name, message: e.message, realm: e instanceof Error }; } };
const cat = (frames) => frames.flatMap((f) => Array.from(f.data));
const result = {};
for (const [label, rate, out, ch, q] of [['sinc', 48000, 16000, 1, 0], ['fft', 44100, 48000, 2, 2], ['cubic', 32000, 53569, 3, 1]]) {
  const victim = new AudioResampler(rate, out, ch, q);
  const bystander = new AudioResampler(rate, out, ch, q);
  const reference = new AudioResampler(rate, out, ch, q);
  const a = frame(ramp(480, ch, 7), rate, ch);
  const b = frame(ramp(480, ch, 13), rate, ch);
  const bad = frame([...TRIGGER, ...ramp(480, ch, 3)].slice(0, 480 * ch), rate, ch);
  victim.push(a);
  const got = [...bystander.push(a)];
  const want = [...reference.push(a)];
  const r = {
    panic: errorOf(() => victim.push(bad)),
    pushAfter: errorOf(() => victim.push(b)),
    flushAfter: errorOf(() => victim.flush()),
    closeAfter: errorOf(() => victim.close()),
  };
  got.push(...bystander.push(b), ...bystander.flush());
  want.push(...reference.push(b), ...reference.flush());
  r.bystanderLength = cat(got).length;
  r.bystanderIdentical = JSON.stringify(cat(got)) === JSON.stringify(cat(want));
  // A new resampler works after the panic.
  const fresh = new AudioResampler(rate, out, ch, q);
  r.freshLength = [...fresh.push(a), ...fresh.flush()].reduce((n, f) => n + f.samplesPerChannel, 0);
  result[label] = r;
}
process.stdout.write(JSON.stringify(result) + '\\n');
`;

describe('panic inside the engine (test-panic build)', () => {
  let child;

  beforeAll(() => {
    buildPanicAddon();
    child = spawnSync(process.execPath, ['-e', CHILD], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: PANIC_ADDON },
      timeout: 60_000,
    });
  }, 600_000);

  test('the child process exits normally (no abort) and reports', () => {
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    // Proves the panic really happened in Rust (default hook output), not a JS error.
    expect(child.stderr).toMatch(/test-panic: forced panic inside the engine/);
  });

  for (const label of ['sinc', 'fft', 'cubic']) {
    describe(label, () => {
      const r = () => JSON.parse(child.stdout.trim().split('\n').pop())[label];

      test('the panic surfaces as a JS Error naming the failure', () => {
        expect(r().panic).toEqual({
          name: 'Error',
          message: expect.stringMatching(/failed internally.*forced panic inside the engine.*closed/),
          realm: true,
        });
      });

      test('the failed resampler refuses push and flush with a clear message; close is fine', () => {
        expect(r().pushAfter.message).toMatch(/failed internally earlier and is closed; create a new one/);
        expect(r().flushAfter.message).toMatch(/failed internally earlier and is closed; create a new one/);
        expect(r().closeAfter).toBeNull();
      });

      test('another resampler of the same configuration is unaffected (bit-identical output)', () => {
        expect(r().bystanderLength).toBeGreaterThan(0);
        expect(r().bystanderIdentical).toBe(true);
        expect(r().freshLength).toBeGreaterThan(0);
      });
    });
  }
});

describe('the trigger does nothing in the real build', () => {
  test('a push starting with the trigger samples resamples normally', () => {
    const r = new AudioResampler(48000, 16000, 1, 0);
    const data = new Int16Array(480);
    data.set(TRIGGER);
    const out = [...r.push(new AudioFrame(data, 48000, 1, 480)), ...r.flush()];
    expect(out.reduce((n, f) => n + f.samplesPerChannel, 0)).toBe(160);
  });
});
