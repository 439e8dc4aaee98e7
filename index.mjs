// ESM entry point: the same objects as the CommonJS entry.
import cjs from './index.js';

export const {
  AudioFrame,
  AudioResampler,
  AdaptiveAudioResampler,
  AudioResamplerQuality,
  combineAudioFrames,
  resampleStream,
  createResampleTransform,
  PcmResampleTransform,
  PcmResampler,
  resample,
  resampleAsync,
} = cjs;
export default cjs;
