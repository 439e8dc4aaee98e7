'use strict';

// A Node `stream.Transform` that resamples raw interleaved PCM bytes (s16le,
// f32le, G.711 μ-law or A-law; `Buffer` chunks split anywhere, even
// mid-sample), optionally re-cut into chunks of an exact duration (`chunkMs`).
const { Transform } = require('node:stream');
const os = require('node:os');
const { isUint8Array } = require('node:util').types;
const { PcmResampler } = require('./pcm_resampler.js');
const { AudioResamplerQuality } = require('./resampler.js');
const { describe, checkName, checkOptionsObject, ARRAY_OF_FORMAT } = require('./validate.js');
const { invalidType, outOfRange, invalidValue } = require('./errors.js');

/** Byte formats of the stream → sample formats of `PcmResampler`. */
const BYTE_FORMATS = { s16le: 's16', f32le: 'f32', mulaw: 'mulaw', alaw: 'alaw' };

/** The sample format of a byte format name (`checkName`'s errors). */
function checkByteFormat(value, name) {
  return BYTE_FORMATS[checkName(value, Object.keys(BYTE_FORMATS), `PcmResampleTransform: ${name}`)];
}

/**
 * The longest `chunkMs`: one minute. A chunk is held in memory until it is
 * complete, so a longer one is a mistake rather than a stream of chunks.
 */
const MAX_CHUNK_MS = 60000;

/**
 * Frames per output chunk for `chunkMs` at `outputRate`: a TypeError unless a
 * number, a RangeError unless positive, at most `MAX_CHUNK_MS` and a whole
 * number of frames (so that every chunk lasts exactly `chunkMs`).
 */
function chunkFrames(chunkMs, outputRate) {
  if (chunkMs === undefined) return 0;
  if (typeof chunkMs !== 'number') {
    throw invalidType(`PcmResampleTransform: chunkMs must be a number, got ${describe(chunkMs)}`);
  }
  if (chunkMs > MAX_CHUNK_MS) {
    throw outOfRange(`PcmResampleTransform: chunkMs must be at most ${MAX_CHUNK_MS}, got ${describe(chunkMs)}`);
  }
  const frames = (chunkMs * outputRate) / 1000;
  const whole = Math.round(frames);
  if (!(chunkMs > 0) || !Number.isFinite(chunkMs) || whole < 1 || Math.abs(frames - whole) > 1e-9 * whole) {
    throw outOfRange(
      `PcmResampleTransform: chunkMs must be a positive duration of a whole number of frames at ` +
        `outputRate ${outputRate} (chunkMs * outputRate / 1000 an integer >= 1), got ${describe(chunkMs)}`,
    );
  }
  return whole;
}

const LITTLE_ENDIAN = os.endianness() === 'LE';
const EMPTY = Buffer.alloc(0);
/** Scratch kept between chunks, in bytes (128 KiB); a larger need gets a one-off buffer. */
const SCRATCH_KEEP = 128 * 1024;

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

/** Reverses the bytes of every sample in place (big-endian hosts only; G.711 has one byte). */
function swapBytes(bytes, size) {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
}

const OBJECT_MODE = new Set(['objectMode', 'readableObjectMode', 'writableObjectMode']);

/** A TypeError (ERR_INVALID_ARG_VALUE) naming every option in `rest` that is not a plain buffering/lifetime option. */
function checkTransformOptions(rest) {
  const bad = [];
  for (const key of Reflect.ownKeys(rest)) {
    const value = rest[key];
    const name = String(key);
    if (value === undefined || (OBJECT_MODE.has(name) && value === false)) continue;
    if (!TRANSFORM_OPTIONS.has(name) || (key === 'decodeStrings' && value !== true)) bad.push(String(key));
  }
  if (bad.length > 0) {
    const objectMode = bad.some((key) => OBJECT_MODE.has(key)) ? ', and does not support object mode' : '';
    throw invalidValue(
      `PcmResampleTransform: unsupported option(s) ${bad.join(', ')} (it transforms PCM bytes${objectMode}; ` +
        `the stream options it takes are ${[...TRANSFORM_OPTIONS].join(', ')})`,
      TypeError,
    );
  }
}

/** A TypeError unless `chunk` is bytes: a Buffer or a Uint8Array (of any realm). */
function chunkError(chunk) {
  return isUint8Array(chunk)
    ? null
    : invalidType(`PcmResampleTransform: chunk must be a Buffer or Uint8Array, got ${describe(chunk)}`);
}

/**
 * Resamples a byte stream of interleaved PCM from `inputRate` to `outputRate`,
 * and from `inputFormat` to `outputFormat` ('s16le', 'f32le', 'mulaw',
 * 'alaw'; default s16le, output default the input's). Chunks may be split at
 * any byte offset: a partial sample or frame is carried over to the next
 * chunk. At the end the resampler is flushed so the output holds exactly
 * `round(frames * outputRate / inputRate)` frames. At equal rates and formats
 * the chunks are passed through untouched.
 *
 * With `chunkMs`, output comes in chunks of exactly `chunkMs` of audio
 * (`chunkMs * outputRate / 1000` frames, which must be whole): only the last
 * chunk at the end of the stream may be shorter.
 *
 * Only `Buffer`/`Uint8Array` chunks are accepted: anything else (a string, an
 * `Int16Array`, ...) destroys the stream with a TypeError. If the input ends in
 * the middle of a frame, the stream emits an Error after the resampled output.
 *
 * Options other than `inputRate`, `outputRate`, `channels` (default 1),
 * `quality` (default MEDIUM), `inputFormat`, `outputFormat` and `chunkMs` must
 * be `stream.Transform` buffering/lifetime options (`highWaterMark`, `signal`,
 * `allowHalfOpen`, ...); others are a TypeError.
 */
class PcmResampleTransform extends Transform {
  /** @type {InstanceType<typeof import('./pcm_resampler.js').PcmResampler>} */
  #core;
  #passThrough;
  #frameBytes;
  #sampleBytes;
  #outputFormat;
  /** Bytes of an incomplete frame carried to the next chunk (< frameBytes). */
  #carry = EMPTY;
  /** Total input bytes modulo frameBytes (for the pass-through end check). */
  #passPhase = 0;
  /** Scratch space for samples that cannot be viewed in place (at most SCRATCH_KEEP bytes kept). */
  #scratch = new ArrayBuffer(0);
  /** Bytes per output chunk with `chunkMs` (0: output as it comes). */
  #chunkBytes = 0;
  /**
   * Output bytes waiting for a whole chunk, in pieces of our own (never views of
   * an input chunk), concatenated once when the chunk is complete: re-joining
   * them on every write would copy the pending bytes again each time.
   */
  #pending = [];
  /** Bytes in `#pending` (< chunkBytes). */
  #pendingBytes = 0;

  constructor(options) {
    checkOptionsObject(options, 'PcmResampleTransform');
    const {
      inputRate,
      outputRate,
      channels = 1,
      quality = AudioResamplerQuality.MEDIUM,
      inputFormat = 's16le',
      outputFormat = inputFormat,
      chunkMs,
      ...rest
    } = options;
    checkTransformOptions(rest);
    const input = checkByteFormat(inputFormat, 'inputFormat');
    const output = checkByteFormat(outputFormat, 'outputFormat');
    // Arguments are checked before the Transform exists; the resampler checks the rest.
    const core = new PcmResampler({ inputRate, outputRate, channels, quality, input, output });
    let frames;
    try {
      frames = chunkFrames(chunkMs, core.outputRate);
      // With chunkMs the readable side is in object mode, so that each chunk
      // stays whole however it is read: a byte-mode reader (`for await`,
      // `read()`) would get every buffered chunk joined into one.
      super({ ...rest, decodeStrings: true, readableObjectMode: frames > 0 });
    } catch (err) {
      core.close();
      throw err;
    }
    this.#core = core;
    this.#passThrough = core.inputRate === core.outputRate && input === output;
    this.#sampleBytes = ARRAY_OF_FORMAT[input].BYTES_PER_ELEMENT;
    this.#frameBytes = this.#sampleBytes * core.channels;
    this.#outputFormat = outputFormat;
    this.#chunkBytes = frames * ARRAY_OF_FORMAT[output].BYTES_PER_ELEMENT * core.channels;
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

  /** The input byte format ('s16le', 'f32le', 'mulaw' or 'alaw'). */
  get inputFormat() {
    return Object.keys(BYTE_FORMATS).find((k) => BYTE_FORMATS[k] === this.#core.input);
  }

  /** The output byte format. */
  get outputFormat() {
    return this.#outputFormat;
  }

  /** The output chunk duration in ms, or undefined. */
  get chunkMs() {
    if (this.#chunkBytes === 0) return undefined;
    const frameOut = ARRAY_OF_FORMAT[this.#core.output].BYTES_PER_ELEMENT * this.#core.channels;
    return ((this.#chunkBytes / frameOut) * 1000) / this.#core.outputRate;
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
      callback(chunkError(chunk) ?? invalidType('PcmResampleTransform: chunk must be a Buffer'));
      return;
    }
    if (this.#passThrough) {
      this.#passPhase = (this.#passPhase + chunk.length) % this.#frameBytes;
      if (this.#chunkBytes === 0) {
        callback(null, chunk);
      } else {
        this.#emit(chunk, false);
        callback();
      }
      return;
    }
    let out;
    try {
      out = this.#pushBytes(chunk);
    } catch (err) {
      callback(err);
      return;
    }
    if (out !== undefined) this.#emit(out, true);
    callback();
  }

  _flush(callback) {
    const core = this.#core;
    const leftover = this.#passThrough ? this.#passPhase : this.#carry.length;
    let tail = null;
    try {
      tail = core.flush();
    } catch (err) {
      core.close();
      callback(err);
      return;
    }
    core.close();
    if (tail.length > 0) this.#emit(toBuffer(tail), true);
    if (this.#pendingBytes > 0) {
      // The last chunk: the only one that may be shorter than chunkMs.
      this.push(this.#takePending(this.#pendingBytes));
    }
    if (leftover !== 0) {
      callback(
        new Error(
          `PcmResampleTransform: input ended with ${leftover} byte(s) of an incomplete frame ` +
            `(a frame is ${this.#frameBytes} bytes: ${core.channels} channel(s) of ${this.inputFormat})`,
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

  /**
   * Pushes output bytes downstream: as they are, or cut into whole `chunkMs`
   * chunks. `owned`: the bytes are this stream's (fresh resampler output), not
   * an input chunk that its writer may reuse, so they can be kept without a copy.
   * Every byte is copied once into its chunk (twice when an input chunk's bytes
   * wait for the next write).
   */
  #emit(bytes, owned) {
    const size = this.#chunkBytes;
    if (size === 0) {
      if (bytes.length > 0) this.push(bytes);
      return;
    }
    let at = 0;
    if (this.#pendingBytes > 0) {
      const need = size - this.#pendingBytes;
      if (bytes.length < need) {
        this.#keep(bytes, owned);
        return;
      }
      this.#pending.push(bytes.subarray(0, need));
      this.push(this.#takePending(size));
      at = need;
    }
    // Whole chunks are copies: a pass-through input chunk may be reused by its writer.
    for (; at + size <= bytes.length; at += size) {
      this.push(Buffer.from(bytes.subarray(at, at + size)));
    }
    if (at < bytes.length) this.#keep(bytes.subarray(at), owned);
  }

  /** Adds bytes to the pending chunk (a copy unless they are `owned`). */
  #keep(bytes, owned) {
    this.#pending.push(owned ? bytes : Buffer.from(bytes));
    this.#pendingBytes += bytes.length;
  }

  /** The pending pieces joined into one new Buffer of `length` bytes; empties the list. */
  #takePending(length) {
    const chunk = Buffer.concat(this.#pending, length);
    this.#pending = [];
    this.#pendingBytes = 0;
    return chunk;
  }

  /** Resamples the whole frames available in carry + chunk; returns a Buffer or undefined. */
  #pushBytes(chunk) {
    const frameBytes = this.#frameBytes;
    const size = this.#sampleBytes;
    const carry = this.#carry;
    const total = carry.length + chunk.length;
    const usable = total - (total % frameBytes);
    if (usable === 0) {
      this.#carry = Buffer.concat([carry, chunk]);
      return undefined;
    }
    const Typed = ARRAY_OF_FORMAT[this.#core.input];
    let samples;
    if (carry.length === 0 && chunk.byteOffset % size === 0 && (LITTLE_ENDIAN || size === 1)) {
      // Zero-copy view over the chunk (the native side reads it synchronously).
      samples = new Typed(chunk.buffer, chunk.byteOffset, usable / size);
    } else {
      let buffer;
      if (usable > SCRATCH_KEEP) {
        buffer = new ArrayBuffer(usable); // outsized chunk: not kept for the rest of the stream
      } else {
        if (this.#scratch.byteLength < usable) {
          this.#scratch = new ArrayBuffer(Math.min(SCRATCH_KEEP, Math.max(usable, 2 * this.#scratch.byteLength)));
        }
        buffer = this.#scratch;
      }
      samples = new Typed(buffer, 0, usable / size);
      const bytes = Buffer.from(buffer, 0, usable);
      carry.copy(bytes, 0);
      chunk.copy(bytes, carry.length, 0, usable - carry.length);
      if (!LITTLE_ENDIAN) swapBytes(bytes, size);
    }
    const consumedFromChunk = usable - carry.length;
    // Copy the remainder so the carry does not pin the (possibly large) chunk.
    this.#carry = consumedFromChunk === chunk.length ? EMPTY : Buffer.from(chunk.subarray(consumedFromChunk));
    const out = this.#core.push(samples);
    return out.length === 0 ? undefined : toBuffer(out);
  }
}

/** Wraps the addon's fresh output array as little-endian bytes (no copy on LE hosts). */
function toBuffer(samples) {
  const buf = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  if (!LITTLE_ENDIAN) swapBytes(buf, samples.BYTES_PER_ELEMENT);
  return buf;
}

module.exports = { PcmResampleTransform };
