// An @livekit/agents app whose resampling runs on rtc-resampler without a code
// change: started with `--import rtc-resampler/register`, every import of
// @livekit/rtc-node (here, and inside agents) gets rtc-resampler's AudioResampler.
// It resamples 1 s of 48 kHz 10 ms frames to 16 kHz with agents' resampleStream,
// as agents does before an STT.
// Run: node --import rtc-resampler/register examples/agents-app.mjs

import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import { resampleStream } from '@livekit/agents';
import { AdaptiveAudioResampler } from 'rtc-resampler';

// Checked through the main entry point: importing `rtc-resampler/register` here
// would install it too late for the imports above, with a warning.
if (AudioResampler === AdaptiveAudioResampler) {
  const register = await import('rtc-resampler/register');
  const same = AudioResampler === register.AudioResampler;
  console.log(`resampler: rtc-resampler's (register.AudioResampler: ${same}, active: ${register.active})`);
} else {
  console.log("resampler: @livekit/rtc-node's own (start with --import rtc-resampler/register to replace it)");
}

// 100 frames of 10 ms at 48 kHz, mono: a 440 Hz tone, as a microphone track gives them.
const frames = [];
for (let f = 0; f < 100; f++) {
  const data = new Int16Array(480);
  for (let i = 0; i < 480; i++) data[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (f * 480 + i)) / 48000));
  frames.push(new AudioFrame(data, 48000, 1, 480));
}
const input = new ReadableStream({
  start(controller) {
    for (const frame of frames) controller.enqueue(frame);
    controller.close();
  },
});

let framesOut = 0;
let samplesOut = 0;
const rates = new Set();
for await (const frame of resampleStream({ stream: input, outputRate: 16000 })) {
  framesOut++;
  samplesOut += frame.samplesPerChannel;
  rates.add(frame.sampleRate);
  // The output frames are rtc-node's own class, as agents and its plugins expect.
  if (!(frame instanceof AudioFrame)) throw new Error('not an rtc-node AudioFrame');
}
console.log(`input: ${frames.length} frames, ${frames.length * 480} samples at 48000 Hz (1000 ms)`);
console.log(
  `output: ${framesOut} frames, ${samplesOut} samples at ${[...rates].join(', ')} Hz (${samplesOut / 16} ms)`,
);

// rtc-node's native library keeps the event loop alive; an agent would keep running, this demo ends here.
process.exit(0);
