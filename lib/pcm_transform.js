'use strict';

// A Node `stream.Transform` that resamples raw interleaved signed 16-bit
// little-endian PCM (`Buffer` chunks split anywhere, even mid-sample).
const { Transform } = require('node:stream');
const os = require('node:os');
const { isUint8Array } = require('node:util').types;
const { Int16Core } = require('./core.js');
const { AudioResamplerQuality } = require('./resampler.js');
const { describe } = require('./validate.js');

const LITTLE_ENDIAN = os.endianness() === 'LE';
const EMPTY = Buffer.alloc(0);
/** Scratch kept between chunks, in samples (128 KiB); a larger need gets a one-off buffer. */
const SCRATCH_KEEP = 64 * 1024;

/**
 * `stream.Transform` options passed on: buffering and lifetime only. Anything
 * else (`encoding`, `objectMode`, `transform`, `destroy`, ...) would change
 * what the stream does with bytes, so it is a TypeError.
 */
const TRANSFORM_OPTIONS = new Set([
  'highWaterMark',
  'readableHighWaterMark',
  'writableHighWaterMark',
  'allowHalfOpen',
  'emitClose',
  'autoDestroy',
  'signal',
  'decodeStrings', // true only
]);

/** Reverses the bytes of every 16-bit sample in place (big-endian hosts only). */
function swap16(bytes) {
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).swap16();
}

const OBJECT_MODE = new Set(['objectMode', 'readableObjectMode', 'writableObjectMode']);

/** A TypeError naming every option in `rest` that is not a plain buffering/lifetime option. */
function checkTransformOptions(rest) {
  const bad = [];
  for (const key of Reflect.ownKeys(rest)) {
    const value = rest[key];
    if (value === undefined || (OBJECT_MODE.has(key) && value === false)) continue;
    if (!TRANSFORM_OPTIONS.has(key) || (key === 'decodeStrings' && value !== true)) bad.push(String(key));
  }
  if (bad.length > 0) {
    const objectMode = bad.some((key) => OBJECT_MODE.has(key)) ? ', and does not support object mode' : '';
    throw new TypeError(
      `PcmResampleTransform: unsupported option(s) ${bad.join(', ')} (it transforms s16le bytes${objectMode}; ` +
        `the stream options it takes are ${[...TRANSFORM_OPTIONS].join(', ')})`,
    );
  }
}

/** A TypeError unless `chunk` is bytes: a Buffer or a Uint8Array (of any realm). */
function chunkError(chunk) {
  return isUint8Array(chunk)
    ? null
    : new TypeError(`PcmResampleTransform: chunk must be a Buffer or Uint8Array, got ${describe(chunk)}`);
}

/**
 * Resamples a byte stream of interleaved s16le PCM from `inputRate` to
 * `outputRate`. Chunks may be split at any byte offset: an odd trailing byte or
 * a partial frame is carried over to the next chunk. At the end the resampler
 * is flushed so the output holds exactly `round(frames * outputRate / inputRate)`
 * frames. At equal rates the chunks are passed through untouched.
 *
 * Only `Buffer`/`Uint8Array` chunks are accepted: anything else (a string, an
 * `Int16Array`, ...) destroys the stream with a TypeError. If the input ends in
 * the middle of a frame (its length is not a multiple of `channels * 2` bytes),
 * the stream emits an Error after the resampled output.
 *
 * Options other than `inputRate`, `outputRate`, `channels` (default 1) and
 * `quality` (default MEDIUM) must be `stream.Transform` buffering/lifetime
 * options (`highWaterMark`, `signal`, `allowHalfOpen`, ...); others are a TypeError.
 */
class PcmResampleTransform extends Transform {
  /** @type {Int16Core} */
  #core;
  #frameBytes;
  /** Bytes of an incomplete frame carried to the next chunk (< frameBytes). */
  #carry = EMPTY;
  /** Total input bytes modulo frameBytes (for the pass-through end check). */
  #passPhase = 0;
  /** Scratch space for samples that cannot be viewed in place (at most SCRATCH_KEEP kept). */
  #scratch = new Int16Array(0);

  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`PcmResampleTransform: options must be an object, got ${describe(options)}`);
    }
    const { inputRate, outputRate, channels = 1, quality = AudioResamplerQuality.MEDIUM, ...rest } = options;
    checkTransformOptions(rest);
    // Arguments are checked before the Transform exists; the core checks them.
    const core = new Int16Core(inputRate, outputRate, channels, quality, 'PcmResampleTransform');
    try {
      super({ ...rest, decodeStrings: true });
    } catch (err) {
      core.close();
      throw err;
    }
    this.#core = core;
    this.#frameBytes = 2 * core.channels;
  }

  get inputRate() {
    return this.#core.inputRate;
  }

  get outputRate() {
    return this.#core.outputRate;
  }

  get channels() {
    return this.#core.channels;
  }

  get quality() {
    return this.#core.quality;
  }

  /** Like `Writable#write`, but a chunk that is not bytes destroys the stream with a TypeError. */
  write(chunk, encoding, callback) {
    const err = chunkError(chunk);
    if (err === null) return super.write(chunk, encoding, callback);
    this.#refuse(err, typeof encoding === 'function' ? encoding : callback);
    return false;
  }

  /** Like `Writable#end`; a final chunk that is not bytes is refused as in `write`. */
  end(chunk, encoding, callback) {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      const err = chunkError(chunk);
      if (err !== null) {
        this.#refuse(err, typeof encoding === 'function' ? encoding : callback);
        return this;
      }
    }
    return super.end(chunk, encoding, callback);
  }

  #refuse(err, callback) {
    this.destroy(err);
    if (typeof callback === 'function') process.nextTick(callback, err);
  }

  _transform(chunk, _encoding, callback) {
    if (!Buffer.isBuffer(chunk)) {
      // write()/end() refuse these; Writable hands _transform Buffers only.
      callback(chunkError(chunk) ?? new TypeError('PcmResampleTransform: chunk must be a Buffer'));
      return;
    }
    if (this.#core.passThrough) {
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
    const core = this.#core;
    const leftover = core.passThrough ? this.#passPhase : this.#carry.length;
    let tail = null;
    try {
      tail = core.flush();
    } catch (err) {
      core.close();
      callback(err);
      return;
    }
    core.close();
    if (tail !== null) {
      this.push(toBuffer(tail));
    }
    if (leftover !== 0) {
      callback(
        new Error(
          `PcmResampleTransform: input ended with ${leftover} byte(s) of an incomplete frame ` +
            `(a frame is ${this.#frameBytes} bytes: ${core.channels} channel(s) of s16le)`,
        ),
      );
      return;
    }
    callback();
  }

  _destroy(err, callback) {
    this.#core.close();
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
    this.#core.assertOpen();
    let samples;
    if (carry.length === 0 && chunk.byteOffset % 2 === 0 && LITTLE_ENDIAN) {
      // Zero-copy view over the chunk (the native side reads it synchronously).
      samples = new Int16Array(chunk.buffer, chunk.byteOffset, usable / 2);
    } else {
      const need = usable / 2;
      if (need > SCRATCH_KEEP) {
        samples = new Int16Array(need); // outsized chunk: not kept for the rest of the stream
      } else {
        if (this.#scratch.length < need) {
          this.#scratch = new Int16Array(Math.min(SCRATCH_KEEP, Math.max(need, 2 * this.#scratch.length)));
        }
        samples = this.#scratch.subarray(0, need);
      }
      const bytes = Buffer.from(samples.buffer, samples.byteOffset, usable);
      carry.copy(bytes, 0);
      chunk.copy(bytes, carry.length, 0, usable - carry.length);
      if (!LITTLE_ENDIAN) swap16(bytes);
    }
    const consumedFromChunk = usable - carry.length;
    // Copy the remainder so the carry does not pin the (possibly large) chunk.
    this.#carry = consumedFromChunk === chunk.length ? EMPTY : Buffer.from(chunk.subarray(consumedFromChunk));
    const out = this.#core.push(samples);
    return out === null ? undefined : toBuffer(out);
  }
}

/** Wraps the addon's fresh Int16Array output as an s16le Buffer (no copy on LE hosts). */
function toBuffer(samples) {
  const buf = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  if (!LITTLE_ENDIAN) buf.swap16();
  return buf;
}

module.exports = { PcmResampleTransform };
