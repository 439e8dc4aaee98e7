// `node --import rtc-resampler/register app.js` (ESM or CommonJS app; also
// through NODE_OPTIONS): the same installation as register.js.
import api from './register.js';

export const { AudioResampler, AudioResamplerQuality } = api;
// `active` and `esm` turn false when rtc-node turns out to have been loaded
// before the register; that check finishes in a microtask, after which these
// bindings are read again.
export let active = api.active;
export let esm = api.esm;
queueMicrotask(() => {
  active = api.active;
  esm = api.esm;
});
export default api;
