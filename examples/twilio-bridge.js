'use strict';

// A Twilio Media Streams bridge: the caller's 8 kHz μ-law audio goes to a 16 kHz
// speech-to-text engine, and 24 kHz text-to-speech audio goes back to the caller
// as 20 ms μ-law `media` messages. The websocket is simulated in-process, so the
// program runs offline; a real server gets the same `message` events from `ws`.
// Run: node examples/twilio-bridge.js

const { EventEmitter } = require('node:events');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { PcmResampler, PcmResampleTransform, resample } = require('rtc-resampler');

const STREAM_SID = 'MZ00000000000000000000000000000001';

// Test tones stand in for voices: a pitch survives resampling, so it shows the audio is intact.
function tone(hz, rate, seconds) {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

// Counts s16 samples and measures their pitch from the upward zero crossings
// (whole cycles between the first and the last crossing, over that time).
class PitchMeter {
  samples = 0;
  last = 0;
  crossings = [];
  write(pcm) {
    for (const x of pcm) {
      if (this.last < 0 && x >= 0) this.crossings.push(this.samples);
      this.last = x;
      this.samples++;
    }
  }
  hz(rate) {
    const c = this.crossings;
    return (((c.length - 1) * rate) / (c.at(-1) - c[0])).toFixed(1);
  }
}

// Twilio's end of the websocket: it sends `start`, a `media` message per 20 ms of
// the caller's voice and `stop`, as JSON text; it plays the `media` we send back.
class FakeTwilio extends EventEmitter {
  sizes = []; // payload bytes of each media message received
  heard = new PitchMeter();
  send(json) {
    const m = JSON.parse(json);
    if (m.event !== 'media') return;
    const mulaw = Buffer.from(m.media.payload, 'base64');
    this.sizes.push(mulaw.length);
    // Equal rates: `resample` only converts the format (here G.711 μ-law to s16).
    this.heard.write(resample(mulaw, { inputRate: 8000, outputRate: 8000, input: 'mulaw', output: 's16' }));
  }
  call(seconds) {
    const msg = (event, body) => this.emit('message', JSON.stringify({ event, streamSid: STREAM_SID, ...body }));
    const mediaFormat = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 };
    msg('start', { start: { streamSid: STREAM_SID, mediaFormat } });
    const voice = resample(tone(440, 8000, seconds), { inputRate: 8000, outputRate: 8000, output: 'mulaw' });
    for (let i = 0; i < voice.length; i += 160) {
      const payload = Buffer.from(voice.subarray(i, i + 160)).toString('base64');
      msg('media', { media: { track: 'inbound', chunk: String(i / 160 + 1), payload } });
    }
    msg('stop', { stop: {} });
  }
}

// The bridge. Resolves when the call has ended and the TTS reply has been sent.
function bridge(ws, stt) {
  let fromCaller;
  let pcm16k;
  let messages = 0;
  let bytes = 0;
  let reply;
  return new Promise((resolve, reject) => {
    ws.on('message', (text) => {
      const m = JSON.parse(text);
      if (m.event === 'start') {
        const { encoding, sampleRate } = m.start.mediaFormat;
        console.log(`start: stream ${m.start.streamSid}, ${encoding} at ${sampleRate} Hz`);
        fromCaller = new PcmResampler({ inputRate: sampleRate, outputRate: 16000, input: 'mulaw', output: 's16' });
        // One buffer, sized once for any 160-byte push and for the flush: nothing is allocated per message.
        pcm16k = new Int16Array(Math.max(fromCaller.maxOutputFrames(160), fromCaller.maxOutputFrames(0)));
        reply = speak(ws, m.start.streamSid);
      } else if (m.event === 'media') {
        const mulaw = Buffer.from(m.media.payload, 'base64');
        messages++;
        bytes += mulaw.length;
        const n = fromCaller.pushInto(mulaw, pcm16k);
        // pcm16k is overwritten by the next message: a real STT client must send or copy it now.
        stt.write(pcm16k.subarray(0, n));
      } else if (m.event === 'stop') {
        // The filter keeps the last few samples until it knows what follows; flush releases them.
        stt.write(pcm16k.subarray(0, fromCaller.flushInto(pcm16k)));
        fromCaller.close();
        console.log(`inbound: ${messages} media messages, ${bytes} μ-law bytes (${bytes / 8} ms at 8000 Hz)`);
        const ms = stt.samples / 16;
        console.log(`stt: ${stt.samples} s16 samples at 16000 Hz (${ms} ms), heard a ${stt.hz(16000)} Hz tone`);
        reply.then(resolve, reject);
      }
    });
  });
}

// Plays 1.25 s of 24 kHz TTS audio to the caller. TTS engines deliver chunks of any
// size; chunkMs: 20 re-cuts the output into the 20 ms (160-byte) frames Twilio plays.
async function speak(ws, streamSid) {
  const pcm = Buffer.from(tone(300, 24000, 1.25).buffer);
  const ttsChunks = [];
  for (let i = 0; i < pcm.length; i += 4096) ttsChunks.push(pcm.subarray(i, i + 4096));
  const toCaller = new PcmResampleTransform({
    inputRate: 24000,
    outputRate: 8000,
    inputFormat: 's16le',
    outputFormat: 'mulaw',
    chunkMs: 20,
  });
  // 'data' events, not `for await`: a byte stream's async iterator joins the
  // chunks waiting in its buffer into one Buffer, which would undo the 20 ms cut.
  toCaller.on('data', (chunk) => {
    ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: chunk.toString('base64') } }));
  });
  await pipeline(Readable.from(ttsChunks), toCaller);
  const samples = pcm.length / 2;
  console.log(`tts: ${samples} s16 samples at 24000 Hz (${samples / 24} ms) in ${ttsChunks.length} chunks`);
}

async function main() {
  const twilio = new FakeTwilio();
  const done = bridge(twilio, new PitchMeter());
  twilio.call(1);
  await done;
  const { sizes, heard } = twilio;
  const full = sizes.filter((n) => n === 160).length;
  console.log(
    `outbound: ${sizes.length} media messages, ${full} of 160 bytes, last ${sizes.at(-1)} bytes, ` +
      `${heard.samples} μ-law bytes (${heard.samples / 8} ms at 8000 Hz), caller heard a ${heard.hz(8000)} Hz tone`,
  );
}

main();
