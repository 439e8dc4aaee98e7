// ESM side of the type test (see typings.ts): named and default imports resolve
// through the "import" condition of package.json "exports".
import rtcResampler, {
  AudioFrame,
  AudioResampler,
  AudioResamplerQuality,
  combineAudioFrames,
  createResampleTransform,
  PcmResampleTransform,
  resampleStream,
} from 'rtc-resampler';

// (rtc-node frames are covered by typings.ts: loading rtc-node's ESM and CJS
// typings in one program makes its own global declarations clash.)
const r = new AudioResampler(48000, 16000, 1, AudioResamplerQuality.HIGH);
const out: AudioFrame[] = r.push(new AudioFrame(new Int16Array(480), 48000, 1, 480));
const tail: AudioFrame[] = r.flush();
const same: typeof AudioResampler = rtcResampler.AudioResampler;
const frame: AudioFrame = combineAudioFrames([AudioFrame.create(16000, 1, 160)]);
const stream: ReadableStream<AudioFrame> = resampleStream({
  stream: new ReadableStream<AudioFrame>(),
  outputRate: 8000,
});
const transform: TransformStream<AudioFrame, AudioFrame> = createResampleTransform({ outputRate: 8000 });
const pcm: PcmResampleTransform = new PcmResampleTransform({ inputRate: 8000, outputRate: 16000 });
// @ts-expect-error not an export
import('rtc-resampler').then((m) => m.NativeResampler);

export { out, tail, same, frame, stream, transform, pcm };
