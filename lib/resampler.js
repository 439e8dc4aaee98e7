'use strict';

const { NativeResampler } = require('./native.js');
const { AudioFrame, frameClassOf } = require('./audio_frame.js');
const { checkRate, checkChannels, checkQuality, frameSamples } = require('./validate.js');

/**
 * Resampling presets, with the names and values of `@livekit/rtc-node`'s enum
 * (including the reverse mapping a TypeScript numeric enum has).
 */
const AudioResamplerQuality = {};
for (const [name, value] of [
  ['QUICK', 0],
  ['LOW', 1],
  ['MEDIUM', 2],
  ['HIGH', 3],
  ['VERY_HIGH', 4],
]) {
  AudioResamplerQuality[(AudioResamplerQuality[name] = value)] = name;
}

/**
 * Streaming resampler for interleaved 16-bit audio frames; a drop-in for
 * `@livekit/rtc-node`'s `AudioResampler`.
 */
class AudioResampler {
  #inputRate;
  #outputRate;
  #channels;
  #quality;
  /** Native state; `null` when the rates are equal (pass-through needs none). */
  #native;
  #closed = false;
  /** Class of the last pushed frame, used to build flushed frames. */
  #frameClass = AudioFrame;

  constructor(inputRate, outputRate, channels = 1, quality = AudioResamplerQuality.MEDIUM) {
    this.#inputRate = checkRate(inputRate, 'inputRate');
    this.#outputRate = checkRate(outputRate, 'outputRate');
    this.#channels = checkChannels(channels);
    this.#quality = checkQuality(quality);
    this.#native =
      inputRate === outputRate ? null : new NativeResampler(inputRate, outputRate, channels, quality);
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

  /**
   * Resamples one frame. Returns `[]` or one frame holding all output available now.
   * At equal rates the input frame itself is returned (no copy, no native call).
   */
  push(frame) {
    this.#assertOpen();
    const samples = frameSamples(frame, this.#inputRate, this.#channels);
    const native = this.#native;
    if (native === null) {
      return [frame];
    }
    const Frame = frameClassOf(frame);
    this.#frameClass = Frame;
    if (samples.length === 0) {
      return [];
    }
    const out = native.push(samples);
    if (out === null) {
      return [];
    }
    return [new Frame(out, this.#outputRate, this.#channels, out.length / this.#channels, frame.userdata)];
  }

  /**
   * Returns the rest of the output (`[]` if there is none) so that the total since
   * the previous flush is `round(inputFrames * outputRate / inputRate)` frames,
   * then resets the resampler for reuse.
   */
  flush() {
    this.#assertOpen();
    if (this.#native === null) {
      return [];
    }
    const out = this.#native.flush();
    if (out === null) {
      return [];
    }
    const Frame = this.#frameClass;
    return [new Frame(out, this.#outputRate, this.#channels, out.length / this.#channels, {})];
  }

  /** Frees the native state now. Safe to call more than once. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#native !== null) {
      this.#native.close();
      this.#native = null;
    }
  }

  /** Whether `close()` has been called. */
  get closed() {
    return this.#closed;
  }

  #assertOpen() {
    if (this.#closed) {
      throw new Error('AudioResampler is closed');
    }
  }
}

module.exports = { AudioResampler, AudioResamplerQuality };
