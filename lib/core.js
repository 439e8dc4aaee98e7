'use strict';

// The one int16 resampling core behind `AudioResampler` (and so the streams) and
// `PcmResampleTransform`: argument checks, the equal-rate bypass, the native
// state, and an idempotent close. Callers hand it views they have validated.

const { pcmNew, pcmPush, pcmFlush, pcmClose } = require('./native.js');
const { checkRate, checkChannels, checkQuality, formatIndex } = require('./validate.js');

/** The engine's format index of int16 samples, in and out. */
const S16 = formatIndex('s16');

class Int16Core {
  #inputRate;
  #outputRate;
  #channels;
  #quality;
  /** Native state (an External for the `pcm*` functions); null at equal rates (nothing to do) and once closed. */
  #native = null;
  #closed = false;
  /** Name used in the "closed" error. */
  #owner;

  constructor(inputRate, outputRate, channels, quality, owner) {
    this.#inputRate = checkRate(inputRate, 'inputRate');
    this.#outputRate = checkRate(outputRate, 'outputRate');
    this.#channels = checkChannels(channels);
    this.#quality = checkQuality(quality);
    this.#owner = owner;
    if (this.#inputRate !== this.#outputRate) {
      this.#native = pcmNew(this.#inputRate, this.#outputRate, this.#channels, this.#quality, S16, S16);
    }
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
    return this.#closed;
  }

  /** True at equal rates: input is output, there is no native state. */
  get passThrough() {
    return this.#inputRate === this.#outputRate;
  }

  /** Throws `<owner> is closed` (an Error) once `close()` was called. */
  assertOpen() {
    if (this.#closed) {
      throw new Error(`${this.#owner} is closed`);
    }
  }

  /**
   * Resamples interleaved samples (a whole number of frames; the caller
   * checked the view right before this call). Returns the output now
   * available, or null. Must not be called at equal rates.
   */
  push(samples) {
    this.assertOpen();
    return pcmPush(this.#native, samples);
  }

  /** The rest of the output (or null), then resets for reuse. */
  flush() {
    this.assertOpen();
    return this.#native === null ? null : pcmFlush(this.#native);
  }

  /** Frees the native state now; idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    const n = this.#native;
    if (n !== null) {
      this.#native = null;
      pcmClose(n);
    }
  }
}

module.exports = { Int16Core };
