// Type test for index.d.ts, compiled by `npm run typecheck` (tsc --noEmit, never run).
// It imports the package by name, so the types are resolved through package.json
// "exports" as in a user's project. Every `@ts-expect-error` line must be an
// error: if one compiles, tsc fails with "Unused '@ts-expect-error' directive".

import {
  AudioFrame as RtcAudioFrame,
  type AudioResampler as RtcAudioResampler,
  AudioResamplerQuality as RtcQuality,
} from '@livekit/rtc-node';
import {
  AdaptiveAudioResampler,
  AudioFrame,
  type AudioFrameLike,
  AudioResampler,
  AudioResamplerQuality,
  combineAudioFrames,
  createResampleTransform,
  PcmResampleTransform,
  type PcmResampleTransformOptions,
  PcmResampler,
  type PcmResamplerOptions,
  resample,
  resampleAsync,
  type SampleFormat,
  resampleStream,
  type ResampleStreamOptions,
} from 'rtc-resampler';
import type * as ns from 'rtc-resampler';
import type { Transform } from 'node:stream';
import type * as web from 'node:stream/web';

/** Compile-time exact type equality. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

// ---- AudioResamplerQuality: rtc-node's names and values -------------------------
const q: AudioResamplerQuality = AudioResamplerQuality.HIGH;
const qualities: number[] = [
  AudioResamplerQuality.QUICK,
  AudioResamplerQuality.LOW,
  AudioResamplerQuality.MEDIUM,
  AudioResamplerQuality.HIGH,
  AudioResamplerQuality.VERY_HIGH,
];
const qualityName: string = AudioResamplerQuality[AudioResamplerQuality.LOW]; // reverse mapping
// @ts-expect-error no such preset
AudioResamplerQuality.ULTRA;
// @ts-expect-error 7 is not a preset
const badQuality: AudioResamplerQuality = 7;

// ---- AudioFrame and combineAudioFrames ------------------------------------------
const ours = new AudioFrame(new Int16Array(960), 48000, 2, 480);
const withUserdata = new AudioFrame(new Int16Array(480), 48000, 1, 480, { id: 'a' });
const silence: AudioFrame = AudioFrame.create(16000, 1, 160);
const ud: Record<string, unknown> = withUserdata.userdata;
const asLike: AudioFrameLike = ours;
// @ts-expect-error data must be an Int16Array
new AudioFrame(new Float32Array(960), 48000, 2, 480);
// @ts-expect-error samplesPerChannel is required
new AudioFrame(new Int16Array(960), 48000, 2);
// @ts-expect-error userdata is read-only (a getter)
ours.userdata = {};

const combined = combineAudioFrames([ours, ours]);
assertType<Equals<typeof combined, AudioFrame>>();
assertType<Equals<ReturnType<typeof combineAudioFrames<AudioFrame>>, AudioFrame>>();
// @ts-expect-error not a frame
combineAudioFrames([new Int16Array(4)]);

// ---- AudioResampler ------------------------------------------------------------
const r = new AudioResampler(48000, 16000);
const r2 = new AudioResampler(48000, 16000, 2);
const r3 = new AudioResampler(48000, 16000, 2, AudioResamplerQuality.VERY_HIGH);
const rates: number[] = [r.inputRate, r.outputRate, r.channels];
const quality: AudioResamplerQuality = r3.quality;
const isClosed: boolean = r.closed;

const out = r2.push(ours);
assertType<Equals<typeof out, AudioFrame[]>>();
const outData: Int16Array = out[0].data;
const tail = r2.flush();
assertType<Equals<typeof tail, AudioFrame[]>>();
r.close();

// Plain objects with the frame shape are accepted and typed as given.
const plain = { data: new Int16Array(480), sampleRate: 48000, channels: 1, samplesPerChannel: 480 };
const plainOut = r.push(plain);
assertType<Equals<typeof plainOut, (typeof plain)[]>>();

// @ts-expect-error a bare Int16Array is not a frame (rtc-node takes frames too)
r.push(new Int16Array(480));
// @ts-expect-error a Buffer is not a frame
r.push(Buffer.alloc(960));
// @ts-expect-error frame data must be Int16Array
r.push({ data: new Float32Array(480), sampleRate: 48000, channels: 1, samplesPerChannel: 480 });
// @ts-expect-error samplesPerChannel missing
r.push({ data: new Int16Array(480), sampleRate: 48000, channels: 1 });
// @ts-expect-error rates are numbers
new AudioResampler('48000', 16000);
// @ts-expect-error outputRate is required
new AudioResampler(48000);
// @ts-expect-error quality must be a preset
new AudioResampler(48000, 16000, 1, 9);
// @ts-expect-error quality is not a string
new AudioResampler(48000, 16000, 1, 'high');
// @ts-expect-error inputRate is read-only
r.inputRate = 8000;
// @ts-expect-error closed is read-only
r.closed = true;
// @ts-expect-error flush takes no frame
r.flush(ours);

// ---- @livekit/rtc-node frames go in and come back typed ----------------------------
const rtcFrame = new RtcAudioFrame(new Int16Array(480), 48000, 1, 480);
const rtcOut = r.push(rtcFrame);
assertType<Equals<typeof rtcOut, RtcAudioFrame[]>>();
const rtcFirst: RtcAudioFrame = rtcOut[0];
// The resampler's frame type can be declared so that flush() is typed too.
const rtcResampler = new AudioResampler<RtcAudioFrame>(48000, 16000, 1, AudioResamplerQuality.HIGH);
const rtcPushed: RtcAudioFrame[] = rtcResampler.push(rtcFrame);
const rtcTail: RtcAudioFrame[] = rtcResampler.flush();
const rtcCombined: RtcAudioFrame = combineAudioFrames([rtcFrame, rtcFirst]);
// Our frames can be passed to rtc-node APIs that take only the public frame shape...
const rtcLike: AudioFrameLike = rtcFrame;
// ...but an rtc-node-typed resampler only takes frames that are rtc-node frames.
// @ts-expect-error our AudioFrame lacks rtc-node's private fields
rtcResampler.flush().push(ours);
// rtc-node's quality enum has the same name and members, so TypeScript accepts it.
new AudioResampler(48000, 16000, 1, RtcQuality.HIGH);
// @ts-expect-error but not a value outside of it
new AudioResampler(48000, 16000, 1, (RtcQuality.VERY_HIGH + 1) as 5);
// Code written against rtc-node's resampler compiles unchanged against ours
// (the one-line migration): same constructor, push, flush and close shapes.
function drain(resampler: RtcAudioResampler, f: RtcAudioFrame): RtcAudioFrame[] {
  const frames = [...resampler.push(f), ...resampler.flush()];
  resampler.close();
  return frames;
}
function drainOurs(resampler: AudioResampler<RtcAudioFrame>, f: RtcAudioFrame): RtcAudioFrame[] {
  const frames = [...resampler.push(f), ...resampler.flush()];
  resampler.close();
  return frames;
}
const migrated: typeof drain = (_r, f) => drainOurs(new AudioResampler<RtcAudioFrame>(48000, 16000), f);
// The adaptive resampler has the same API and is an AudioResampler.
const adaptive: AudioResampler<RtcAudioFrame> = new AdaptiveAudioResampler<RtcAudioFrame>(24000, 48000, 1);
const adaptiveOut: RtcAudioFrame[] = adaptive.push(rtcFrame);
const migratedAdaptive: typeof drain = (_r, f) => drainOurs(new AdaptiveAudioResampler<RtcAudioFrame>(48000, 16000), f);

// ---- resampleStream / createResampleTransform (WHATWG streams) ---------------------
declare const rtcFrames: ReadableStream<RtcAudioFrame>;
declare const ourFrames: ReadableStream<AudioFrame>;
const opts: ResampleStreamOptions = { outputRate: 16000 };
const rs1 = resampleStream({ stream: rtcFrames, outputRate: 16000 });
const rs1Global: ReadableStream<RtcAudioFrame> = rs1;
const rs1Web: web.ReadableStream<RtcAudioFrame> = rs1;
const rs2 = resampleStream({ stream: ourFrames, outputRate: 24000, quality: AudioResamplerQuality.LOW, channels: 1 });
const rs2Global: ReadableStream<AudioFrame> = rs2;
// node:stream/web streams (what @livekit/agents uses) go in and come out too.
declare const webFrames: web.ReadableStream<RtcAudioFrame>;
const rs3: web.ReadableStream<RtcAudioFrame> = resampleStream({ stream: webFrames, outputRate: 16000 });
const ts1 = createResampleTransform<RtcAudioFrame>({ outputRate: 16000 });
const piped: ReadableStream<RtcAudioFrame> = rtcFrames.pipeThrough(ts1);
const pipedWeb: web.ReadableStream<RtcAudioFrame> = webFrames.pipeThrough(
  createResampleTransform({ outputRate: 16000 }),
);
const ts2 = createResampleTransform(opts);
assertType<Equals<typeof ts2, TransformStream<AudioFrame, AudioFrame>>>();
const ts2Global: TransformStream<AudioFrame, AudioFrame> = ts2;
// @ts-expect-error the output holds frames of the input's type
const rsWrong: ReadableStream<Int16Array> = rs1;
// @ts-expect-error stream is required by resampleStream
resampleStream({ outputRate: 16000 });
// @ts-expect-error outputRate is required
resampleStream({ stream: rtcFrames });
// @ts-expect-error a stream of Int16Arrays is not a stream of frames
resampleStream({ stream: new ReadableStream<Int16Array>(), outputRate: 16000 });
// @ts-expect-error outputRate is a number
createResampleTransform({ outputRate: '16000' });

// ---- PcmResampleTransform (Node byte streams) --------------------------------------
const pcmOpts: PcmResampleTransformOptions = { inputRate: 48000, outputRate: 16000 };
const pcm = new PcmResampleTransform({
  ...pcmOpts,
  channels: 2,
  quality: AudioResamplerQuality.QUICK,
  highWaterMark: 1 << 16,
});
const asTransform: Transform = pcm;
const pcmInfo: number[] = [pcm.inputRate, pcm.outputRate, pcm.channels];
const pcmQuality: AudioResamplerQuality = pcm.quality;
pcm.write(Buffer.alloc(960));
// @ts-expect-error inputRate is required
new PcmResampleTransform({ outputRate: 16000 });
// @ts-expect-error object mode is not an option
new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, objectMode: true });
// @ts-expect-error nor an encoding (output is s16le bytes)
new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, encoding: 'utf8' });
// @ts-expect-error nor a transform of its own
new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, transform: () => {} });
// @ts-expect-error strings are refused, so decodeStrings: false cannot be honoured
new PcmResampleTransform({ inputRate: 48000, outputRate: 16000, decodeStrings: false });
new PcmResampleTransform({ ...pcmOpts, allowHalfOpen: false, signal: new AbortController().signal });
// @ts-expect-error options are required
new PcmResampleTransform();

// ---- The namespace has exactly the runtime exports ----------------------------------
type Exports = keyof typeof ns;
assertType<
  Equals<
    Exports,
    | 'AdaptiveAudioResampler'
    | 'AudioFrame'
    | 'AudioResampler'
    | 'AudioResamplerQuality'
    | 'combineAudioFrames'
    | 'createResampleTransform'
    | 'PcmResampleTransform'
    | 'PcmResampler'
    | 'resample'
    | 'resampleAsync'
    | 'resampleStream'
  >
>();

export {
  q,
  qualities,
  qualityName,
  badQuality,
  silence,
  ud,
  asLike,
  rates,
  quality,
  isClosed,
  outData,
  rtcPushed,
  rtcTail,
  rtcCombined,
  rtcLike,
  migrated,
  migratedAdaptive,
  adaptiveOut,
  piped,
  pipedWeb,
  rs1Global,
  rs1Web,
  rs2Global,
  rs3,
  ts2Global,
  asTransform,
  pcmInfo,
  pcmQuality,
};

// ---- PcmResampler, resample, resampleAsync -------------------------------------

const pcmR = new PcmResampler({ inputRate: 48000, outputRate: 16000 });
const pcmOut = pcmR.push(new Int16Array(480));
assertType<Equals<typeof pcmOut, Int16Array>>();
const toF32 = new PcmResampler({ inputRate: 8000, outputRate: 16000, input: 'mulaw', output: 'f32' });
const f32Out = toF32.push(new Uint8Array(160));
assertType<Equals<typeof f32Out, Float32Array>>();
assertType<Equals<ReturnType<typeof toF32.flush>, Float32Array>>();
const written: number = toF32.pushInto(Buffer.alloc(160), new Float32Array(toF32.maxOutputFrames(160)));
const flushed: number = toF32.flushInto(new Float32Array(1024));
const fmt: SampleFormat = toF32.input;
const outFmt: 'f32' = toF32.output;
const pcmROpts: PcmResamplerOptions<'alaw', 's16'> = {
  inputRate: 8000,
  outputRate: 8000,
  input: 'alaw',
  output: 's16',
};
// @ts-expect-error mulaw input is a Uint8Array
toF32.push(new Int16Array(160));
// @ts-expect-error f32 output needs a Float32Array
toF32.pushInto(new Uint8Array(160), new Int16Array(1024));
// @ts-expect-error no such format
new PcmResampler({ inputRate: 8000, outputRate: 16000, input: 'u8' });
// @ts-expect-error rates are required
new PcmResampler({ inputRate: 8000 });

const once = resample(new Float32Array(480), { inputRate: 48000, outputRate: 16000, input: 'f32' });
assertType<Equals<typeof once, Float32Array>>();
const onceMu = resample(new Int16Array(480), { inputRate: 24000, outputRate: 8000, output: 'mulaw' });
assertType<Equals<typeof onceMu, Uint8Array>>();
const later = resampleAsync(new Int16Array(960), { inputRate: 44100, outputRate: 48000, channels: 2 });
assertType<Equals<typeof later, Promise<Int16Array>>>();
// @ts-expect-error s16 input (the default) is an Int16Array
resample(new Float32Array(480), { inputRate: 48000, outputRate: 16000 });

const telephony = new PcmResampleTransform({
  inputRate: 24000,
  outputRate: 8000,
  inputFormat: 's16le',
  outputFormat: 'mulaw',
  chunkMs: 20,
});
const chunkMs: number | undefined = telephony.chunkMs;
const outByteFormat: ns.PcmByteFormat = telephony.outputFormat;
// @ts-expect-error not a byte format (f32 is 'f32le')
new PcmResampleTransform({ inputRate: 8000, outputRate: 16000, inputFormat: 'f32' });
// @ts-expect-error chunkMs is a number
new PcmResampleTransform({ inputRate: 8000, outputRate: 16000, chunkMs: '20' });

export { pcmOut, f32Out, written, flushed, fmt, outFmt, pcmROpts, once, onceMu, later, chunkMs, outByteFormat };
