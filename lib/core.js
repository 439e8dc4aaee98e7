'use strict';

// The one int16 resampling core behind `AudioResampler` (and so the streams) and
// `PcmResampleTransform`: argument checks, the equal-rate bypass, the native
// state, and an idempotent close. Callers hand it views they have validated.

const { NativeResampler } = require('./native.js');
const { checkRate, checkChannels, checkQuality } = require('./validate.js');

class Int16Core {
  #inputRate;
  #outputRate;
  #channels;
  #quality;
  /** Native state; null at equal rates (nothing to do) and once closed. */
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
      this.#native = new NativeResampler(this.#inputRate, this.#outputRate, this.#channels, this.#quality);
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
    return this.#native.push(samples);
  }

  /** The rest of the output (or null), then resets for reuse. */
  flush() {
    this.assertOpen();
    return this.#native === null ? null : this.#native.flush();
  }

  /** Frees the native state now; idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    const n = this.#native;
    if (n !== null) {
      this.#native = null;
      n.close();
    }
  }
}

module.exports = { Int16Core };
