'use strict';

// Feeding a voice-activity detector: microphone audio arrives as 10 ms frames of
// 48 kHz s16, while Silero VAD (through onnxruntime) wants 16 kHz float32 in
// windows of exactly 512 samples (32 ms). The resampler converts rate and format
// in one step; the windows are cut from its output.
// Run: node examples/vad-feed.js

const { PcmResampler } = require('rtc-resampler');

const IN_RATE = 48000;
const FRAME = 480; // 10 ms at 48 kHz
const WINDOW = 512; // Silero's window at 16 kHz

// 3 s of "microphone": 1 s of silence, 1 s of a 300 Hz tone at half scale, 1 s of silence.
function microphone() {
  const frames = [];
  for (let f = 0; f < 300; f++) {
    const data = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      const n = f * FRAME + i;
      if (n >= IN_RATE && n < 2 * IN_RATE) data[i] = Math.round(16384 * Math.sin((2 * Math.PI * 300 * n) / IN_RATE));
    }
    frames.push(data);
  }
  return frames;
}

// The VAD stand-in: where Silero would return a speech probability, it takes
// the window's energy (RMS, full scale 1.0) and calls it speech above -40 dBFS.
const vad = {
  windows: 0,
  speech: [],
  maxSilenceRms: 0,
  process(window) {
    let sum = 0;
    for (const x of window) sum += x * x;
    const rms = Math.sqrt(sum / window.length);
    if (rms > 0.01) this.speech.push({ index: this.windows, rms });
    else this.maxSilenceRms = Math.max(this.maxSilenceRms, rms);
    this.windows++;
  },
};

const toVad = new PcmResampler({ inputRate: IN_RATE, outputRate: 16000, input: 's16', output: 'f32' });
// Reused for every frame and for the flush, so feeding the VAD allocates nothing per frame.
const out = new Float32Array(Math.max(toVad.maxOutputFrames(FRAME), toVad.maxOutputFrames(0)));
// A push gives about 160 samples, not a whole window: collect them until 512 are there.
const window = new Float32Array(WINDOW);
let filled = 0;
let samples = 0;

function feed(f32) {
  samples += f32.length;
  for (let i = 0; i < f32.length; ) {
    const n = Math.min(WINDOW - filled, f32.length - i);
    window.set(f32.subarray(i, i + n), filled);
    filled += n;
    i += n;
    if (filled === WINDOW) {
      vad.process(window);
      filled = 0;
    }
  }
}

const frames = microphone();
for (const frame of frames) feed(out.subarray(0, toVad.pushInto(frame, out)));
// End of the stream: flush the filter's last samples; a partial window is left over.
feed(out.subarray(0, toVad.flushInto(out)));
toVad.close();

const inMs = (frames.length * FRAME) / 48;
console.log(`input: ${frames.length} frames of ${FRAME} s16 samples at ${IN_RATE} Hz (${inMs} ms)`);
console.log(`output: ${samples} f32 samples at 16000 Hz (${samples / 16} ms)`);
console.log(`vad: ${vad.windows} windows of ${WINDOW} samples, ${filled} samples left over`);
const first = vad.speech[0];
const last = vad.speech.at(-1);
const peak = Math.max(...vad.speech.map((s) => s.rms));
console.log(
  `speech: windows ${first.index} to ${last.index} (${vad.speech.length} windows, ` +
    `${(first.index * WINDOW) / 16} ms to ${((last.index + 1) * WINDOW) / 16} ms), peak RMS ${peak.toFixed(4)}`,
);
console.log(`silence: ${vad.windows - vad.speech.length} windows, max RMS ${vad.maxSilenceRms.toExponential(2)}`);
