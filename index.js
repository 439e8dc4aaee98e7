'use strict';

// Public entry point (CommonJS). `index.mjs` re-exports the same names for ESM.
const { AudioFrame, combineAudioFrames } = require('./lib/audio_frame.js');
const { AudioResampler, AudioResamplerQuality } = require('./lib/resampler.js');
const { AdaptiveAudioResampler } = require('./lib/adaptive_resampler.js');
const { resampleStream, createResampleTransform } = require('./lib/stream.js');
const { PcmResampleTransform } = require('./lib/pcm_transform.js');
const { PcmResampler } = require('./lib/pcm_resampler.js');
const { resample, resampleAsync } = require('./lib/resample.js');

module.exports = {
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
};
