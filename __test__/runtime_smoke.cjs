'use strict';

// A smoke test of the library in whatever runtime runs this file: Node.js (via
// __test__/runtime_smoke.test.js), Bun and Deno (from .ci/run):
//   bun __test__/runtime_smoke.cjs      deno run -A __test__/runtime_smoke.cjs
// It resamples through each public API, checks the output, loads the register
// and checks what it reports, then prints one line of JSON. Exit code 1 on any
// failure.

const assert = require('node:assert/strict');
const path = require('node:path');

const root = path.join(__dirname, '..');
const lib = require(root);

const warnings = [];
process.on('warning', (w) => warnings.push(`${w.code ?? w.name}: ${w.message}`));

function tone(n, rate, hz, amp = 8000) {
  const a = new Int16Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate));
  return a;
}

// AudioResampler, 10 ms frames 48k → 16k: output on every push, exact total.
const r = new lib.AudioResampler(48000, 16000);
let out = 0;
for (let i = 0; i < 100; i++) {
  const frames = r.push(new lib.AudioFrame(tone(480, 48000, 440).slice(), 48000, 1, 480));
  assert.equal(frames.length, 1);
  out += frames[0].samplesPerChannel;
}
for (const f of r.flush()) out += f.samplesPerChannel;
r.close();
assert.equal(out, 1600 * 10);

// One-shot f32 and G.711, and the PcmResampler with a format.
const f32 = lib.resample(
  Float32Array.from(tone(16000, 16000, 300), (x) => x / 32768),
  {
    inputRate: 16000,
    outputRate: 48000,
    input: 'f32',
    output: 'f32',
  },
);
assert.equal(f32.length, 48000);
assert.ok(f32.every(Number.isFinite));
const p = new lib.PcmResampler({ inputRate: 8000, outputRate: 16000, input: 'mulaw', output: 's16' });
// 20 ms of μ-law at 8 kHz is 320 samples at 16 kHz, split between push and flush.
const pcmSamples = p.push(new Uint8Array(160).fill(0x55)).length + p.flush().length;
assert.equal(pcmSamples, 320);
p.close();

// Bad input: a Node-style error, never a crash.
assert.throws(
  () => new lib.AudioResampler(0, 16000),
  (e) => e instanceof RangeError,
);

// The register: the runtime decides what it can do, and says so.
const register = require(path.join(root, 'register.js'));
const runtime = process.versions.bun ? 'bun' : process.versions.deno ? 'deno' : 'node';

setImmediate(() => {
  const unsupported = warnings.filter((w) => w.startsWith('RTC_RESAMPLER_REGISTER_UNSUPPORTED')).length;
  if (runtime === 'node') {
    assert.equal(register.active, true);
    assert.deepEqual(warnings, []);
  } else {
    // No module hook there: the register says so once and reports inactive.
    assert.equal(register.active, false);
    assert.equal(unsupported, 1);
  }
  process.stdout.write(
    `${JSON.stringify({ runtime, version: process.versions[runtime], active: register.active, warnings })}\n`,
  );
});
