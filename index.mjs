// ESM entry point: the same objects as the CommonJS entry.
import cjs from './index.js';

export const { AudioFrame, AudioResampler, AudioResamplerQuality, combineAudioFrames } = cjs;
export default cjs;
