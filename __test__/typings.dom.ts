// Type test compiled with tsconfig.dom.json (`lib: ["ES2022", "DOM"]`, as in
// @livekit/agents' tsconfig): there the global ReadableStream is the DOM's,
// which TypeScript does not accept where node:stream/web's is expected (TS2322
// both ways). resampleStream and createResampleTransform must take and give
// both flavours, so the README's one-line migration compiles in agents projects.

import type { AudioFrame as RtcAudioFrame } from '@livekit/rtc-node';
import { ReadableStream as WebReadableStream, TransformStream as WebTransformStream } from 'node:stream/web';
import { type AudioFrame, createResampleTransform, resampleStream } from 'rtc-resampler';

// agents' own resampleStream signature (utils.ts), written with node:stream/web.
type AgentsResampleStream = (options: {
  stream: WebReadableStream<RtcAudioFrame>;
  outputRate: number;
}) => WebReadableStream<RtcAudioFrame>;

// The migration: our resampleStream where agents' is expected.
const migrated: AgentsResampleStream = resampleStream;
const migratedCall: AgentsResampleStream = ({ stream, outputRate }) => resampleStream({ stream, outputRate });

// node:stream/web in, node:stream/web out.
declare const webFrames: WebReadableStream<RtcAudioFrame>;
const webOut: WebReadableStream<RtcAudioFrame> = resampleStream({ stream: webFrames, outputRate: 16000 });
// DOM in, DOM out.
declare const domFrames: ReadableStream<AudioFrame>;
const domOut: ReadableStream<AudioFrame> = resampleStream({ stream: domFrames, outputRate: 16000 });
// Either in, the other out (one class at runtime in Node).
const crossA: ReadableStream<RtcAudioFrame> = resampleStream({ stream: webFrames, outputRate: 16000 });
const crossB: WebReadableStream<AudioFrame> = resampleStream({ stream: domFrames, outputRate: 16000 });
// A stream built here with node:stream/web's constructor.
const built = resampleStream({ stream: new WebReadableStream<AudioFrame>(), outputRate: 8000 });
const builtReader = built.getReader();

// createResampleTransform takes the flavour of the stream it is piped from.
const pipedWeb: WebReadableStream<RtcAudioFrame> = webFrames.pipeThrough(
  createResampleTransform({ outputRate: 16000 }),
);
const pipedDom: ReadableStream<AudioFrame> = domFrames.pipeThrough(createResampleTransform({ outputRate: 16000 }));
const asWebTransform: WebTransformStream<AudioFrame, AudioFrame> = createResampleTransform({ outputRate: 16000 });
const asDomTransform: TransformStream<AudioFrame, AudioFrame> = createResampleTransform({ outputRate: 16000 });
// Both flavours of transform can follow resampleStream's output.
const thenWeb = resampleStream({ stream: webFrames, outputRate: 16000 }).pipeThrough(
  new WebTransformStream<RtcAudioFrame, number>(),
);
const thenDom = resampleStream({ stream: webFrames, outputRate: 16000 }).pipeThrough(
  new TransformStream<RtcAudioFrame, number>(),
);

async function consume(): Promise<number> {
  let n = 0;
  for await (const f of resampleStream({ stream: webFrames, outputRate: 16000 })) n += f.samplesPerChannel;
  return n;
}

// @ts-expect-error still a stream of frames only
resampleStream({ stream: new WebReadableStream<Int16Array>(), outputRate: 16000 });

export {
  migrated,
  migratedCall,
  webOut,
  domOut,
  crossA,
  crossB,
  builtReader,
  pipedWeb,
  pipedDom,
  asWebTransform,
  asDomTransform,
  thenWeb,
  thenDom,
  consume,
};
