'use strict';

// A Node `stream.Transform` that resamples raw interleaved signed 16-bit
// little-endian PCM (`Buffer` chunks split anywhere, even mid-sample).
const { Transform } = require('node:stream');
const os = require('node:os');
// Looked up on the module object at construction so tests can spy on creations.
const native = require('./native.js');
const { AudioResamplerQuality } = require('./resampler.js');
const { checkRate, checkChannels, checkQuality, describe } = require('./validate.js');

const LITTLE_ENDIAN = os.endianness() === 'LE';
const EMPTY = Buffer.alloc(0);

/** Reverses the bytes of every 16-bit sample in place (big-endian hosts only). */
function swap16(bytes) {
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).swap16();
}

/**
 * Resamples a byte stream of interleaved s16le PCM from `inputRate` to
 * `outputRate`. Chunks may be split at any byte offset: an odd trailing byte or
 * a partial frame is carried over to the next chunk. At the end the resampler
 * is flushed so the output holds exactly `round(frames * outputRate / inputRate)`
 * frames. At equal rates the chunks are passed through untouched.
 *
 * If the input ends in the middle of a frame (its length is not a multiple of
 * `channels * 2` bytes), the stream emits an Error after the resampled output.
 *
 * Options other than `inputRate`, `outputRate`, `channels` (default 1) and
 * `quality` (default MEDIUM) are passed to `stream.Transform` (e.g.
 * `highWaterMark`); object mode is not supported.
 */
class PcmResampleTransform extends Transform {
  #inputRate;
  #outputRate;
  #channels;
  #quality;
  #frameBytes;
  /** @type {import('../binding.js').NativeResampler | null} null at equal rates, or once closed */
  #native = null;
  /** Bytes of an incomplete frame carried to the next chunk (< frameBytes). */
  #carry = EMPTY;
  /** Total input bytes modulo frameBytes (for the pass-through end check). */
  #passPhase = 0;
  /** Scratch space for samples that cannot be viewed in place. */
  #scratch = new Int16Array(0);

  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`PcmResampleTransform: options must be an object, got ${describe(options)}`);
    }
    const { inputRate, outputRate, channels = 1, quality = AudioResamplerQuality.MEDIUM, ...rest } = options;
    checkRate(inputRate, 'inputRate');
    checkRate(outputRate, 'outputRate');
    checkChannels(channels);
    checkQuality(quality);
    if (rest.objectMode || rest.readableObjectMode || rest.writableObjectMode) {
      throw new TypeError('PcmResampleTransform does not support object mode (it transforms bytes)');
    }
    super({ ...rest, decodeStrings: true });
    this.#inputRate = inputRate;
    this.#outputRate = outputRate;
    this.#channels = channels;
    this.#quality = quality;
    this.#frameBytes = 2 * channels;
    if (inputRate !== outputRate) {
      this.#native = new native.NativeResampler(inputRate, outputRate, channels, quality);
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

  _transform(chunk, encoding, callback) {
    if (!Buffer.isBuffer(chunk)) {
      callback(new TypeError(`PcmResampleTransform: chunk must be a Buffer, got ${describe(chunk)}`));
      return;
    }
    if (this.#inputRate === this.#outputRate) {
      this.#passPhase = (this.#passPhase + chunk.length) % this.#frameBytes;
      callback(null, chunk);
      return;
    }
    let out;
    try {
      out = this.#pushBytes(chunk);
    } catch (err) {
      callback(err);
      return;
    }
    callback(null, out);
  }

  _flush(callback) {
    const leftover = this.#inputRate === this.#outputRate ? this.#passPhase : this.#carry.length;
    let tail = null;
    try {
      if (this.#native !== null) {
        tail = this.#native.flush();
      }
    } catch (err) {
      this.#close();
      callback(err);
      return;
    }
    this.#close();
    if (tail !== null) {
      this.push(toBuffer(tail));
    }
    if (leftover !== 0) {
      callback(
        new Error(
          `PcmResampleTransform: input ended with ${leftover} byte(s) of an incomplete frame ` +
            `(a frame is ${this.#frameBytes} bytes: ${this.#channels} channel(s) of s16le)`,
        ),
      );
      return;
    }
    callback();
  }

  _destroy(err, callback) {
    this.#close();
    callback(err);
  }

  /** Resamples the whole frames available in carry + chunk; returns a Buffer or undefined. */
  #pushBytes(chunk) {
    const frameBytes = this.#frameBytes;
    const carry = this.#carry;
    const total = carry.length + chunk.length;
    const usable = total - (total % frameBytes);
    if (usable === 0) {
      this.#carry = Buffer.concat([carry, chunk]);
      return undefined;
    }
    if (this.#native === null) {
      throw new Error('PcmResampleTransform is closed');
    }
    let samples;
    if (carry.length === 0 && chunk.byteOffset % 2 === 0 && LITTLE_ENDIAN) {
      // Zero-copy view over the chunk (the native side reads it synchronously).
      samples = new Int16Array(chunk.buffer, chunk.byteOffset, usable / 2);
    } else {
      if (this.#scratch.length < usable / 2) {
        this.#scratch = new Int16Array(Math.max(usable / 2, 2 * this.#scratch.length));
      }
      samples = this.#scratch.subarray(0, usable / 2);
      const bytes = Buffer.from(samples.buffer, samples.byteOffset, usable);
      carry.copy(bytes, 0);
      chunk.copy(bytes, carry.length, 0, usable - carry.length);
      if (!LITTLE_ENDIAN) swap16(bytes);
    }
    const consumedFromChunk = usable - carry.length;
    // Copy the remainder so the carry does not pin the (possibly large) chunk.
    this.#carry = consumedFromChunk === chunk.length ? EMPTY : Buffer.from(chunk.subarray(consumedFromChunk));
    const out = this.#native.push(samples);
    return out === null ? undefined : toBuffer(out);
  }

  #close() {
    const native = this.#native;
    if (native !== null) {
      this.#native = null;
      native.close();
    }
  }
}

/** Wraps the addon's fresh Int16Array output as an s16le Buffer (no copy on LE hosts). */
function toBuffer(samples) {
  const buf = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  if (!LITTLE_ENDIAN) buf.swap16();
  return buf;
}

module.exports = { PcmResampleTransform };
