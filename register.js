'use strict';

// `node -r rtc-resampler/register app.js`, or `require('rtc-resampler/register')`
// as the first line of a CommonJS app: from then on every import and require of
// @livekit/rtc-node gets rtc-resampler's AudioResampler and AudioResamplerQuality.
// `node --import rtc-resampler/register` loads register.mjs, which runs this.
// Set RTC_RESAMPLER_REGISTER=0 to make it a no-op.

module.exports = require('./lib/register/install.js').install();
