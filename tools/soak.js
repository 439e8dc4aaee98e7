#!/usr/bin/env node
'use strict';

// Soak test: pushes 10M frames of 10 ms (≈ 28 h of audio) across 100 resamplers
// in one synchronous loop, as a busy agent process would, and prints RSS every 1M
// pushes. RSS must stay flat (± 10 MB after warm-up); exits 1 if it does not.
//
//   npm run soak                 # 10M pushes
//   node tools/soak.js 2e6       # fewer pushes (quick check)
//
// The 100 resamplers cover every preset and the usual rate pairs; every 1000th
// push of a resampler is followed by a flush (end of an utterance), so reuse after
// flush is soaked too. A checksum of all output is printed (it must not vary
// between runs on the same build).

const { AudioResampler, AudioFrame } = require('..');

const TOTAL = Math.round(Number(process.argv[2] ?? 10e6));
const REPORT_EVERY = Math.max(1, Math.round(Math.min(1e6, TOTAL / 10)));
const WARMUP_REPORTS = 2; // reports before the RSS baseline is taken
const TOLERANCE_MB = 10;

const PAIRS = [
  [48000, 16000],
  [16000, 48000],
  [24000, 16000],
  [48000, 24000],
  [44100, 48000],
  [48000, 44100],
  [8000, 16000],
  [16000, 8000],
  [22050, 16000],
  [32000, 48000],
];

const resamplers = [];
const frames = [];
for (let i = 0; i < 100; i++) {
  const [inputRate, outputRate] = PAIRS[i % PAIRS.length];
  const channels = 1 + (Math.floor(i / PAIRS.length) % 2);
  const quality = Math.floor(i / 20) % 5;
  resamplers.push(new AudioResampler(inputRate, outputRate, channels, quality));
  const n = Math.floor(inputRate / 100);
  const data = new Int16Array(n * channels);
  for (let k = 0; k < data.length; k++) data[k] = Math.round(12000 * Math.sin((k * (i + 3)) / 17));
  frames.push(new AudioFrame(data, inputRate, channels, n));
}

const mb = (bytes) => (bytes / 1048576).toFixed(1);
const started = process.hrtime.bigint();
let checksum = 0;
let outputSamples = 0;
let baseline = null;
let worst = 0;
const rows = [];

console.log(`soak: ${TOTAL.toLocaleString('en')} pushes of 10 ms across ${resamplers.length} resamplers`);
for (let i = 1; i <= TOTAL; i++) {
  const k = i % 100;
  const r = resamplers[k];
  const outs = r.push(frames[k]);
  if (outs.length > 0) {
    const d = outs[0].data;
    outputSamples += d.length;
    checksum = (checksum * 31 + d[d.length >> 1] + d.length) | 0;
  }
  if (i % 100_000 === k) {
    for (const f of r.flush()) outputSamples += f.data.length;
  }
  if (i % REPORT_EVERY === 0) {
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const report = rows.length + 1;
    if (report === WARMUP_REPORTS) baseline = rss;
    if (baseline !== null) worst = Math.max(worst, Math.abs(rss - baseline));
    rows.push({ pushes: i, rss });
    console.log(
      `${i.toLocaleString('en').padStart(11)} pushes  rss ${mb(rss).padStart(6)} MB  heap ${mb(heapUsed).padStart(5)} MB  ` +
        `external ${mb(external).padStart(5)} MB  arrayBuffers ${mb(arrayBuffers).padStart(5)} MB  ` +
        `${seconds.toFixed(1).padStart(6)} s  ${((seconds * 1e9) / i).toFixed(0)} ns/push`,
    );
  }
}
for (const r of resamplers) r.close();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `done: ${TOTAL.toLocaleString('en')} pushes, ${outputSamples.toLocaleString('en')} output samples, ` +
    `${seconds.toFixed(1)} s, checksum ${checksum}`,
);
if (baseline === null) {
  console.log('too few reports to judge RSS');
} else {
  console.log(
    `RSS after warm-up: baseline ${mb(baseline)} MB, largest deviation ${mb(worst)} MB (limit ${TOLERANCE_MB} MB)`,
  );
  if (worst > TOLERANCE_MB * 1048576) {
    console.error('FAIL: RSS did not stay flat');
    process.exit(1);
  }
}
