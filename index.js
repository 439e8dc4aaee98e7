'use strict';

// Public entry point (CommonJS). `index.mjs` re-exports the same names for ESM.
const { AudioFrame, combineAudioFrames } = require('./lib/audio_frame.js');
const { AudioResampler, AudioResamplerQuality } = require('./lib/resampler.js');

module.exports = {
  AudioFrame,
  AudioResampler,
  AudioResamplerQuality,
  combineAudioFrames,
};
