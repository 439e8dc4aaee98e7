'use strict';

const { FrameResampler } = require('./frame_resampler.js');
const { readFrame } = require('./validate.js');
const { qualityPresets } = require('./native.js');

/**
 * Resampling presets, with the names and values of `@livekit/rtc-node`'s enum
 * (including the reverse mapping a TypeScript numeric enum has). Built from the
 * binding's list, defined once in Rust (the engine's `Quality`).
 */
const AudioResamplerQuality = {};
for (const { name, value } of qualityPresets()) {
  AudioResamplerQuality[name] = value;
  AudioResamplerQuality[value] = name;
}

/**
 * Streaming resampler for interleaved 16-bit audio frames; a drop-in for
 * `@livekit/rtc-node`'s `AudioResampler`.
 */
class AudioResampler {
  /** @type {InstanceType<typeof import('./frame_resampler.js').FrameResampler>} */
  #r;

  constructor(inputRate, outputRate, channels = 1, quality = AudioResamplerQuality.MEDIUM) {
    this.#r = new FrameResampler(inputRate, outputRate, channels, quality, 'AudioResampler');
  }

  get inputRate() {
    return this.#r.inputRate;
  }

  get outputRate() {
    return this.#r.outputRate;
  }

  get channels() {
    return this.#r.channels;
  }

  get quality() {
    return this.#r.quality;
  }

  /**
   * Resamples one frame. Returns `[]` or one frame holding all output available now.
   * At equal rates the input frame itself is returned (no copy, no native call).
   */
  push(frame) {
    const r = this.#r;
    r.assertOpen();
    return r.push(readFrame(frame, r.inputRate, r.channels));
  }

  /**
   * Returns the rest of the output (`[]` if there is none) so that the total since
   * the previous flush is `round(inputFrames * outputRate / inputRate)` frames,
   * then resets the resampler for reuse.
   */
  flush() {
    return this.#r.flush();
  }

  /** Frees the native state now. Safe to call more than once. */
  close() {
    this.#r.close();
  }

  /** Whether `close()` has been called. */
  get closed() {
    return this.#r.closed;
  }
}

module.exports = { AudioResampler, AudioResamplerQuality };
