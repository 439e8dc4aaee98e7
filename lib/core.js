'use strict';

// The one int16 resampling core behind `AudioResampler` (and so the streams) and
// `PcmResampleTransform`: argument checks and the equal-rate bypass, over a
// native state (lib/native_state.js). Callers hand it views they have validated.

const { pcmPush, pcmFlush } = require('./native.js');
const { NativeState } = require('./native_state.js');
const { checkRate, checkChannels, checkQuality } = require('./validate.js');

class Int16Core {
  #inputRate;
  #outputRate;
  #channels;
  #quality;
  /** No native handle at equal rates (nothing to do). */
  #state;

  constructor(inputRate, outputRate, channels, quality, owner) {
    this.#inputRate = checkRate(inputRate, 'inputRate');
    this.#outputRate = checkRate(outputRate, 'outputRate');
    this.#channels = checkChannels(channels);
    this.#quality = checkQuality(quality);
    const needed = this.#inputRate !== this.#outputRate;
    this.#state = new NativeState(
      owner,
      needed
        ? {
            inputRate: this.#inputRate,
            outputRate: this.#outputRate,
            channels: this.#channels,
            quality: this.#quality,
            input: 's16',
            output: 's16',
          }
        : null,
    );
  }

  get inputRate() {
    return this.#inputRate;
  }

  get outputRate() {
    return this.#outputRate;
  }

  get channels() {
    return this.#channels;
  }

  get quality() {
    return this.#quality;
  }

  get closed() {
    return this.#state.closed;
  }

  /** True at equal rates: input is output, there is no native state. */
  get passThrough() {
    return this.#inputRate === this.#outputRate;
  }

  /** Throws `<owner> is closed` (an Error) once `close()` was called. */
  assertOpen() {
    this.#state.assertOpen();
  }

  /**
   * Resamples interleaved samples (a whole number of frames; the caller
   * checked the view right before this call). Returns the output now
   * available, or null. Must not be called at equal rates.
   */
  push(samples) {
    const state = this.#state;
    state.assertOpen();
    return pcmPush(state.handle, samples);
  }

  /** The rest of the output (or null), then resets for reuse. */
  flush() {
    const state = this.#state;
    state.assertOpen();
    return state.handle === null ? null : pcmFlush(state.handle);
  }

  /** Frees the native state now; idempotent. */
  close() {
    this.#state.close();
  }
}

module.exports = { Int16Core };
