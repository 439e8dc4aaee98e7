// `node --import rtc-resampler/register app.js` (ESM or CommonJS app; also
// through NODE_OPTIONS): the same installation as register.js.
import api from './register.js';

export const { active, esm, AudioResampler, AudioResamplerQuality } = api;
export default api;
