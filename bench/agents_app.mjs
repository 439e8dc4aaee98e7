// "Agents app" scenario of `npm run bench`: `streams` concurrent
// @livekit/agents resampleStream()s, 48 kHz -> 16 kHz, fed 10 ms frames
// round-robin for `seconds` of audio each, one event-loop turn per round (as
// when frames arrive from the network). bench/run.js starts it twice, with and
// without `--import rtc-resampler/register`, each in a fresh process.
// Usage: node --expose-gc [--import rtc-resampler/register] bench/agents_app.mjs '{"streams":N,"seconds":S}'
// Prints one JSON line on stdout and exits (rtc-node's FFI keeps the loop alive otherwise).

import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import { resampleStream } from '@livekit/agents';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tick = () => new Promise((resolve) => setImmediate(resolve));
const rss = () => process.memoryUsage.rss();

async function main() {
  const { streams, seconds } = JSON.parse(process.argv[2]);
  const register = globalThis[Symbol.for('rtc-resampler.register')]?.api ?? null;
  const ours = AudioResampler === require('rtc-resampler').AdaptiveAudioResampler;

  // 100 distinct 10 ms frames of a 440 Hz tone.
  const tone = new Int16Array(48000);
  for (let i = 0; i < tone.length; i++) tone[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 48000));
  const frames = [];
  for (let k = 0; k < 100; k++) frames.push(new AudioFrame(tone.slice(k * 480, (k + 1) * 480), 48000, 1, 480));

  for (let i = 0; i < 3; i++) {
    global.gc();
    await tick();
  }
  const rssStart = rss();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();

  const inputs = [];
  const consumers = [];
  let outSamples = 0;
  let outFrames = 0;
  for (let s = 0; s < streams; s++) {
    let controller;
    const stream = new ReadableStream({ start: (c) => (controller = c) });
    inputs.push(controller);
    consumers.push(
      (async () => {
        for await (const f of resampleStream({ stream, outputRate: 16000 })) {
          outSamples += f.samplesPerChannel;
          outFrames++;
        }
      })(),
    );
  }
  const rounds = seconds * 100;
  let peak = rss();
  for (let round = 0; round < rounds; round++) {
    for (let s = 0; s < streams; s++) inputs[s].enqueue(frames[(round + s) % 100]);
    if (round % 100 === 0) peak = Math.max(peak, rss());
    await tick();
  }
  for (const c of inputs) c.close();
  await Promise.all(consumers);

  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  peak = Math.max(peak, rss());
  return {
    register: register ? register.active : false,
    resampler: ours ? 'rtc-resampler' : '@livekit/rtc-node',
    streams,
    seconds,
    pushes: streams * rounds,
    outSamples,
    outFrames,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    rssStart,
    // Sampled, not `process.resourceUsage().maxRSS`: Linux keeps that
    // high-water mark across exec, so a child would report its parent's peak.
    peakRss: peak,
  };
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  },
);
