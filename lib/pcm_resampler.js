'use strict';

// `PcmResampler`: raw interleaved samples in four formats (s16, f32, mulaw,
// alaw), with caller-owned output buffers (`pushInto`/`flushInto`). The
// conversions and the resampling are the engine's (crates/engine/src/format.rs,
// g711.rs, pcm.rs); this layer validates arguments with the package's one
// error policy (lib/validate.js) and keeps the equal-rate, equal-format case
// native-free.

const { pcmPush, pcmFlush, pcmPushInto, pcmFlushInto, pcmMaxOutputFrames } = require('./native.js');
const { NativeState } = require('./native_state.js');
const {
  checkRate,
  checkChannels,
  checkQuality,
  checkOptionKeys,
  checkSampleFormat,
  checkSamples,
  checkOut,
  checkDisjoint,
  checkInteger,
  checkOptionsObject,
  ARRAY_OF_FORMAT,
} = require('./validate.js');
const { AudioResamplerQuality } = require('./resampler.js');
const { outOfRange } = require('./errors.js');

const OPTIONS = ['inputRate', 'outputRate', 'channels', 'quality', 'input', 'output'];

/** Reads and validates `{ inputRate, outputRate, channels, quality, input, output }`. */
function readOptions(options, owner) {
  checkOptionsObject(options, owner);
  const {
    inputRate,
    outputRate,
    channels = 1,
    quality = AudioResamplerQuality.MEDIUM,
    input = 's16',
    output = input,
  } = options;
  checkOptionKeys(options, OPTIONS, owner);
  return {
    inputRate: checkRate(inputRate, 'inputRate'),
    outputRate: checkRate(outputRate, 'outputRate'),
    channels: checkChannels(channels),
    quality: checkQuality(quality),
    input: checkSampleFormat(input, 'input'),
    output: checkSampleFormat(output, 'output'),
  };
}

/**
 * Streaming resampler for raw interleaved PCM: `Int16Array` ('s16'),
 * `Float32Array` ('f32', full scale ±1.0) or `Uint8Array` ('mulaw', 'alaw',
 * ITU-T G.711) in, the output format out.
 */
class PcmResampler {
  /** No native handle when input and output are the same rate and format. */
  #state;
  #o;

  constructor(options) {
    const o = readOptions(options, 'PcmResampler');
    this.#o = o;
    const needed = o.inputRate !== o.outputRate || o.input !== o.output;
    this.#state = new NativeState('PcmResampler', needed ? o : null);
  }

  get inputRate() {
    return this.#o.inputRate;
  }

  get outputRate() {
    return this.#o.outputRate;
  }

  get channels() {
    return this.#o.channels;
  }

  get quality() {
    return this.#o.quality;
  }

  /** The input format: 's16', 'f32', 'mulaw' or 'alaw'. */
  get input() {
    return this.#o.input;
  }

  /** The output format. */
  get output() {
    return this.#o.output;
  }

  get closed() {
    return this.#state.closed;
  }

  /** A new empty array of the output format (the binding returns null rather than allocate one). */
  #empty() {
    return new ARRAY_OF_FORMAT[this.#o.output](0);
  }

  /** The native handle (null: same rate and format), after checking that this resampler is open. */
  #open() {
    const state = this.#state;
    state.assertOpen();
    return state.handle;
  }

  /**
   * Resamples interleaved samples; returns the output available now (a typed
   * array of the output format, possibly empty). Same rate and format: the
   * same array back.
   */
  push(samples) {
    const handle = this.#open();
    const o = this.#o;
    checkSamples(samples, o.input, o.channels, 'samples');
    if (handle === null) return samples;
    return pcmPush(handle, samples) ?? this.#empty();
  }

  /** The rest of the output (exact total length), then resets for reuse. */
  flush() {
    const handle = this.#open();
    return (handle !== null && pcmFlush(handle)) || this.#empty();
  }

  /**
   * Resamples into `out` (a typed array of the output format, any byteOffset);
   * returns the frames written. Allocates nothing. `out` must hold
   * `maxOutputFrames(frames)` frames and must not share memory with `samples`,
   * else a RangeError and nothing is consumed.
   */
  pushInto(samples, out) {
    const handle = this.#open();
    const o = this.#o;
    const frames = checkSamples(samples, o.input, o.channels, 'samples');
    checkOut(out, o.output, 'out');
    checkDisjoint(samples, out);
    if (handle !== null) return pcmPushInto(handle, samples, out);
    if (out.length < samples.length) {
      throw outOfRange(
        `out has room for ${Math.floor(out.length / o.channels)} frames; pushInto of ${frames} frames ` +
          `needs maxOutputFrames(${frames}) = ${frames}`,
      );
    }
    out.set(samples);
    return frames;
  }

  /** Writes the rest of the output into `out` (room for `maxOutputFrames(0)` frames) and resets. */
  flushInto(out) {
    const handle = this.#open();
    checkOut(out, this.#o.output, 'out');
    return handle === null ? 0 : pcmFlushInto(handle, out);
  }

  /** Frames of output room that always suffice for a push of `inputFrames` frames (0: a flush). */
  maxOutputFrames(inputFrames) {
    const handle = this.#open();
    checkInteger(inputFrames, 'inputFrames', 0, Number.MAX_SAFE_INTEGER);
    return handle === null ? inputFrames : pcmMaxOutputFrames(handle, inputFrames);
  }

  /** Frees the native state now; idempotent. */
  close() {
    this.#state.close();
  }
}

module.exports = { PcmResampler, readOptions };
