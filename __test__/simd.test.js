'use strict';

// RTC_RESAMPLER_SIMD (read once per process) forces a dot-product kernel; every
// kernel gives the same output bits, and a kernel the CPU lacks gets one
// warning and the best available. Each case is a child process.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');

// Resamples a fixed signal at several pairs and presets (up, down, cascades,
// stereo) and prints a hash of the output bits, the kernel info and warnings.
const CHILD = `
  const { resample, AudioResamplerQuality: Q } = require(${JSON.stringify(root)});
  const { simdInfo } = require(${JSON.stringify(path.join(root, 'binding.js'))});
  const warnings = [];
  process.on('warning', (w) => warnings.push(w.code));
  let h = 0x811c9dc5;
  const mix = (x) => { h = Math.imul(h ^ x, 0x01000193) >>> 0; };
  for (const [i, o, ch] of [[24000, 48000, 1], [8000, 16000, 1], [48000, 16000, 1], [44100, 48000, 2], [16000, 24000, 2]]) {
    for (const q of [Q.QUICK, Q.MEDIUM, Q.VERY_HIGH]) {
      const x = new Float32Array(i * ch / 5);
      for (let n = 0; n < x.length; n++) x[n] = Math.sin(n * 0.013) * 0.5 + Math.sin(n * 0.37) * 0.25;
      const y = resample(x, { inputRate: i, outputRate: o, channels: ch, quality: q, input: 'f32', output: 'f32' });
      for (const v of new Uint32Array(y.buffer, y.byteOffset, y.length)) mix(v);
    }
  }
  setImmediate(() => process.stdout.write(JSON.stringify({ hash: h, simd: simdInfo(), warnings })));
`;

function run(simd) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  if (simd === undefined) delete env.RTC_RESAMPLER_SIMD;
  else env.RTC_RESAMPLER_SIMD = simd;
  const res = spawnSync(process.execPath, ['-e', CHILD], { encoding: 'utf8', env });
  expect({ status: res.status, stderr: res.stderr.replace(/^\(node:\d+\) .*\n|^\(Use .*\n/gm, '') }).toEqual({
    status: 0,
    stderr: '',
  });
  return JSON.parse(res.stdout);
}

const best = run(undefined);

test('without RTC_RESAMPLER_SIMD the best kernel runs, and portable is always available', () => {
  expect(best.simd.requested ?? null).toBe(null);
  expect(best.simd.available).toContain('portable');
  expect(best.simd.available.at(-1)).toBe(best.simd.used);
  expect(best.warnings).toEqual([]);
});

test.each(best.simd.available)('RTC_RESAMPLER_SIMD=%s runs that kernel, with the same output bits', (kernel) => {
  const r = run(kernel);
  expect(r.simd.used).toBe(kernel);
  expect(r.warnings).toEqual([]);
  expect(r.hash).toBe(best.hash);
});

test('a kernel this CPU lacks (or a wrong name) gets one warning and the best available', () => {
  const missing = ['avx2', 'avx512', 'neon', 'not-a-kernel'].find((k) => !best.simd.available.includes(k));
  const r = run(missing);
  expect(r.simd).toEqual({ ...best.simd, requested: missing });
  expect(r.warnings).toEqual(['RTC_RESAMPLER_SIMD_UNAVAILABLE']);
  expect(r.hash).toBe(best.hash);
});
