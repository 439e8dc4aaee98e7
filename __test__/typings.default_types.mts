// Compiled by TypeScript 7 with its defaults, where `types` is `[]`
// (tsconfig.ts7.json): a project that has not listed "node" in `types` must
// still compile against rtc-resampler's typings, which name Node's modules.
import { AudioResampler, AudioResamplerQuality, PcmResampleTransform, PcmResampler, resample } from 'rtc-resampler';
import register from 'rtc-resampler/register';

const r = new AudioResampler(48000, 16000, 1, AudioResamplerQuality.MEDIUM);
const p = new PcmResampler({ inputRate: 8000, outputRate: 16000, input: 'mulaw', output: 's16' });
const out: Int16Array = resample(new Int16Array(160), { inputRate: 8000, outputRate: 16000 });
const t = new PcmResampleTransform({ inputRate: 24000, outputRate: 8000, outputFormat: 'mulaw', chunkMs: 20 });
const active: boolean = register.active;

export { active, out, p, r, t };
