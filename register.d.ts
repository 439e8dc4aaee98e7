// `rtc-resampler/register`: load it with `node --import rtc-resampler/register app.js`
// (or `-r`, or `NODE_OPTIONS`). Its exports tell whether the swap is in place.

/** True when the hooks are installed (false under `RTC_RESAMPLER_REGISTER=0`). */
export declare const active: boolean;
/** True when ESM imports are covered too (`module.register`, Node >= 20.6). */
export declare const esm: boolean;
/**
 * The class `@livekit/rtc-node` exports as `AudioResampler` while `active`:
 * rtc-resampler's `AdaptiveAudioResampler`.
 */
export declare const AudioResampler: typeof import('./index').AdaptiveAudioResampler;
/** The object `@livekit/rtc-node` exports as `AudioResamplerQuality` while `active`. */
export declare const AudioResamplerQuality: typeof import('./index').AudioResamplerQuality;
