'use strict';

// Stand-ins for what README and docs snippets take from the surrounding app:
// microphone frames, an STT client, a Twilio-style websocket, TTS audio, a VAD.
// __test__/docs.test.js loads this before each snippet; the snippet finds them
// as globals. Each records what it was given, printed at exit as one line of
// JSON so the test can check that the snippet really fed them.

const { EventEmitter } = require('node:events');
const { Readable } = require('node:stream');
const { AudioFrame } = require('../..');

const fed = {};
const count = (name, n) => {
  fed[name] = (fed[name] ?? 0) + n;
};

function tone(n, rate, hz) {
  const a = new Int16Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return a;
}

// 1 s of 10 ms frames at 48 kHz, mono: `micFrames` is what the snippets iterate.
globalThis.micFrames = Array.from({ length: 100 }, (_, i) => {
  const data = tone(480 * 100, 48000, 440).slice(i * 480, (i + 1) * 480);
  return new AudioFrame(data, 48000, 1, 480);
});

// An STT client: `send(Int16Array)` or `write(Int16Array)`.
globalThis.stt = {
  send: (data) => count('stt', data.length),
  write: (data) => count('stt', data.length),
};

// A VAD that takes Float32Array windows.
globalThis.vad = { append: (f32) => count('vad', f32.length) };

// A Twilio media-stream websocket: 50 inbound 20 ms μ-law messages, emitted
// after the snippet has subscribed; `send` records outbound media.
const ws = new EventEmitter();
ws.send = (json) => {
  const m = JSON.parse(json);
  count('wsOut', Buffer.from(m.media.payload, 'base64').length);
};
setImmediate(() => {
  for (let i = 0; i < 50; i++) {
    const payload = Buffer.alloc(160, 0x55).toString('base64');
    ws.emit('message', JSON.stringify({ event: 'media', media: { payload } }));
  }
});
globalThis.ws = ws;
globalThis.streamSid = 'MZ00000000000000000000000000000000';

// TTS audio: 1 s of 24 kHz s16le in 20 ms chunks, as a Node stream and as a buffer.
const tts = Buffer.from(tone(24000, 24000, 300).buffer);
globalThis.ttsAudio = Readable.from(Array.from({ length: 50 }, (_, i) => tts.subarray(i * 960, (i + 1) * 960)));
globalThis.cachedTts = tone(24000, 24000, 300);

// A web ReadableStream of 10 ms 48 kHz AudioFrames (agents' audio streams).
globalThis.audioStream = new ReadableStream({
  start(c) {
    for (const f of globalThis.micFrames) c.enqueue(f);
    c.close();
  },
});

process.on('exit', () => process.stdout.write(`DOCTEST ${JSON.stringify(fed)}\n`));
