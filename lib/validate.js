'use strict';

// Argument and frame validation for every entry point, and the one error policy
// (each error built by lib/errors.js, with Node's class and code):
//
//   TypeError   ERR_INVALID_ARG_TYPE: a value of the wrong type: a non-number
//               where a number is expected, a frame that is not an object,
//               `frame.data` that is not an Int16Array, a stream chunk that is
//               not bytes, a format that is not a string.
//   RangeError  ERR_OUT_OF_RANGE: a number or size outside its bounds: rate,
//               ratio and channel limits, `samplesPerChannel`, `chunkMs`, an
//               output buffer too small or sharing memory with the input.
//   RangeError  ERR_INVALID_ARG_VALUE: a value of the right type that is not
//               accepted: a quality that is not a preset, an unknown format
//               name, a frame whose format does not fit (`sampleRate` or
//               `channels` not the resampler's, data empty or not a whole
//               number of frames). An option that is not supported at all is a
//               TypeError with this code.
//   Error       ERR_INVALID_STATE: a call on a closed resampler. Other errors
//               are not the caller's arguments: an output too large to allocate
//               (ERR_MEMORY_ALLOCATION_FAILED), a byte stream ending inside a frame.
//
// Frames are read by `readFrame` only: each field once, in a fixed order, before
// anything is validated or handed to the native side; lengths come from the
// built-in TypedArray getters, which no subclass or own property can override.

const native = require('./native.js');
const { invalidType, outOfRange, invalidValue } = require('./errors.js');

/** Limits defined once, by the Rust engine (the ratio limit is checked there too). */
const { MAX_RATE, MAX_CHANNELS } = native;
/** The highest `AudioResamplerQuality` value (`VERY_HIGH`), from the engine's preset list. */
const MAX_QUALITY = Math.max(...native.qualityPresets().map((p) => p.value));

function describe(value) {
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || value === null || value === undefined) return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  const tag = typedArrayTag(value);
  if (tag !== undefined) return `a ${tag}`;
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'an object';
  }
}

/** Throws a TypeError / RangeError (ERR_OUT_OF_RANGE) naming `name` unless `value` is an integer in [min, max]. */
function checkInteger(value, name, min, max) {
  if (typeof value !== 'number') {
    throw invalidType(`${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(`${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value + 0; // -0 -> 0
}

function checkRate(value, name) {
  return checkInteger(value, name, 1, MAX_RATE);
}

function checkChannels(value, name = 'channels') {
  return checkInteger(value, name, 1, MAX_CHANNELS);
}

/** A preset value: TypeError unless a number, else ERR_INVALID_ARG_VALUE (an enum, not a range). */
function checkQuality(value, name = 'quality') {
  if (typeof value !== 'number') {
    throw invalidType(`${name} must be an AudioResamplerQuality value (0-${MAX_QUALITY}), got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_QUALITY) {
    throw invalidValue(`${name} must be an AudioResamplerQuality value (0-${MAX_QUALITY}), got ${describe(value)}`);
  }
  return value + 0; // -0 -> 0
}

// ---------------------------------------------------------------- TypedArray intrinsics

const TypedArrayPrototype = Object.getPrototypeOf(Int16Array.prototype);
const uncurryGetter = (key) => {
  const { get } = Object.getOwnPropertyDescriptor(TypedArrayPrototype, key);
  return Function.prototype.call.bind(get);
};
/**
 * The built-in `%TypedArray%.prototype` getters, uncurried. They read internal
 * slots, so they work across realms and cannot be spoofed by own properties,
 * subclasses or `Symbol.toStringTag`. `typedArrayTag` returns undefined for
 * anything that is not a TypedArray (a Proxy included); the others throw for it.
 */
const typedArrayTag = uncurryGetter(Symbol.toStringTag);
const typedArrayLength = uncurryGetter('length');
const typedArrayByteOffset = uncurryGetter('byteOffset');
const typedArrayBuffer = uncurryGetter('buffer');
const typedArrayByteLength = uncurryGetter('byteLength');

function isInt16Array(value) {
  return typedArrayTag(value) === 'Int16Array';
}

// ---------------------------------------------------------------- PCM formats

/** Sample format names, in the engine's index order (`SampleFormat::ALL`). */
const SAMPLE_FORMATS = native.sampleFormats();
/** The typed array class holding each format. */
const ARRAY_OF_FORMAT = { s16: Int16Array, f32: Float32Array, mulaw: Uint8Array, alaw: Uint8Array };

/**
 * `value` if it is one of `names` (format names); else a TypeError unless a
 * string, a RangeError (ERR_INVALID_ARG_VALUE) for an unknown name.
 */
function checkName(value, names, name) {
  if (typeof value === 'string' && names.includes(value)) return value;
  const message = `${name} must be one of ${names.map((f) => `'${f}'`).join(', ')}, got ${describe(value)}`;
  throw typeof value === 'string' ? invalidValue(message) : invalidType(message);
}

/** `value` if it is one of the sample format names (`checkName`). */
function checkSampleFormat(value, name) {
  return checkName(value, SAMPLE_FORMATS, name);
}

/** The engine's index of a format name. */
function formatIndex(format) {
  return SAMPLE_FORMATS.indexOf(format);
}

/**
 * Checks interleaved samples of `format`: a TypeError unless `value` is the
 * format's typed array (by its built-in tag: a Buffer is a Uint8Array), a
 * RangeError (ERR_INVALID_ARG_VALUE) unless its length is a whole number of
 * frames. Returns the frames.
 */
function checkSamples(value, format, channels, name) {
  const Typed = ARRAY_OF_FORMAT[format];
  if (typedArrayTag(value) !== Typed.name) {
    throw invalidType(`${name} must be a ${Typed.name} for format '${format}', got ${describe(value)}`);
  }
  const length = typedArrayLength(value);
  if (length % channels !== 0) {
    throw invalidValue(`${name} has ${length} samples, not a whole number of ${channels}-channel frames`);
  }
  return length / channels;
}

/** TypeError unless `value` is the typed array of `format`. */
function checkOut(value, format, name) {
  const Typed = ARRAY_OF_FORMAT[format];
  if (typedArrayTag(value) !== Typed.name) {
    throw invalidType(`${name} must be a ${Typed.name} for format '${format}', got ${describe(value)}`);
  }
}

/**
 * RangeError (`ERR_OUT_OF_RANGE`) if the typed arrays `samples` and `out` share
 * memory: `pushInto`'s aliasing rule on every path. The binding refuses the same
 * (by address, which also sees two SharedArrayBuffer objects of one memory)
 * before it borrows the two arrays; this check makes the rule hold where no
 * native call is made. Empty arrays share nothing.
 */
function checkDisjoint(samples, out) {
  const a = typedArrayByteOffset(samples);
  const b = typedArrayByteOffset(out);
  const aLength = typedArrayByteLength(samples);
  const bLength = typedArrayByteLength(out);
  if (
    aLength > 0 &&
    bLength > 0 &&
    typedArrayBuffer(samples) === typedArrayBuffer(out) &&
    a < b + bLength &&
    b < a + aLength
  ) {
    throw outOfRange('out must not share memory with samples');
  }
}

/** TypeError unless `options` is an object (not null). */
function checkOptionsObject(options, owner) {
  if (options === null || typeof options !== 'object') {
    throw invalidType(`${owner}: options must be an object, got ${describe(options)}`);
  }
}

/** TypeError (ERR_INVALID_ARG_VALUE) naming every own key of `options` not in `allowed`. */
function checkOptionKeys(options, allowed, owner) {
  const bad = Reflect.ownKeys(options).filter((k) => !allowed.includes(k) && options[k] !== undefined);
  if (bad.length > 0) {
    throw invalidValue(
      `${owner}: unsupported option(s) ${bad.map(String).join(', ')} (the options are ${allowed.join(', ')})`,
      TypeError,
    );
  }
}

// ---------------------------------------------------------------- frames

/**
 * What `readFrame` read from a frame. `view` holds exactly the samples to
 * resample (`frames * channels` of them); `frame` is the object read, or null for
 * a record built internally (then there is no object to pass through).
 * @typedef {{frame: object | null, data: Int16Array, view: Int16Array, sampleRate: number,
 *   channels: number, samplesPerChannel: number, frames: number, userdata: unknown,
 *   Frame: unknown}} FrameRecord
 */

/**
 * Reads a frame once and validates it: its own fields, then its format against
 * `sampleRate`/`channels` when given (a RangeError; `channelsName` names what
 * `channels` is), then its length. Fields are read in this order, each once:
 * `data`, `sampleRate`, `channels`, `samplesPerChannel`, `userdata`,
 * `constructor`. After that no user code runs until the record is used.
 *
 * Frames to read: `samplesPerChannel` when `samplesPerChannel * channels` fits
 * in `data`; otherwise the data's whole frames (as `@livekit/rtc-node`, which
 * reads `data` and ignores `samplesPerChannel`; `@livekit/agents`'
 * `AudioByteStream` labels stereo frames with the total sample count). It is a
 * RangeError if that data is empty or not a whole number of frames.
 *
 * @returns {FrameRecord}
 */
function readFrame(frame, sampleRate, channels, channelsName) {
  if (frame === null || typeof frame !== 'object') {
    throw invalidType(`frame must be an AudioFrame, got ${describe(frame)}`);
  }
  const data = frame.data;
  const rate = frame.sampleRate;
  const ch = frame.channels;
  const samplesPerChannel = frame.samplesPerChannel;
  const userdata = frame.userdata;
  const Frame = frame.constructor;
  // No user code from here on (describe() only runs on the way to a throw).
  if (!isInt16Array(data)) {
    throw invalidType(`frame.data must be an Int16Array, got ${describe(data)}`);
  }
  checkRate(rate, 'frame.sampleRate');
  checkChannels(ch, 'frame.channels');
  if (typeof samplesPerChannel !== 'number') {
    throw invalidType(`frame.samplesPerChannel must be a number, got ${describe(samplesPerChannel)}`);
  }
  if (!Number.isSafeInteger(samplesPerChannel) || samplesPerChannel < 0) {
    throw outOfRange(`frame.samplesPerChannel must be a non-negative integer, got ${describe(samplesPerChannel)}`);
  }
  checkFormat(rate, ch, sampleRate, channels, channelsName);
  const length = typedArrayLength(data); // 0 if detached or out of bounds
  let frames = samplesPerChannel + 0;
  if (frames * ch > length) {
    if (length === 0 || length % ch !== 0) {
      throw invalidValue(
        `frame.data has ${length} samples: fewer than samplesPerChannel * channels ` +
          `(${samplesPerChannel} * ${ch}), and ` +
          (length === 0 ? 'empty' : `not a whole number of ${ch}-channel frames`),
      );
    }
    frames = length / ch;
  }
  const count = frames * ch;
  const view = count === length ? data : new Int16Array(typedArrayBuffer(data), typedArrayByteOffset(data), count);
  return { frame, data, view, sampleRate: rate, channels: ch, samplesPerChannel, frames, userdata, Frame };
}

/** RangeError (ERR_INVALID_ARG_VALUE) unless `rate`/`ch` equal `sampleRate`/`channels` (each when given). */
function checkFormat(rate, ch, sampleRate, channels, channelsName = "the resampler's channels") {
  if (sampleRate !== undefined && rate !== sampleRate) {
    throw invalidValue(`frame.sampleRate (${rate}) does not match the resampler's inputRate (${sampleRate})`);
  }
  if (channels !== undefined && ch !== channels) {
    throw invalidValue(`frame.channels (${ch}) does not match ${channelsName} (${channels})`);
  }
}

/** RangeError unless the record's format is `sampleRate` Hz with `channels` channels. */
function checkFrameFormat(rec, sampleRate, channels, channelsName) {
  checkFormat(rec.sampleRate, rec.channels, sampleRate, channels, channelsName);
}

/**
 * Whether the record's view still holds its samples: right before a native read,
 * after anything (a resizable buffer shrunk, a detach) could have changed it.
 */
function checkView(rec) {
  const expected = rec.frames * rec.channels;
  if (typedArrayLength(rec.view) !== expected) {
    throw invalidValue(
      `frame.data no longer holds its ${expected} samples (its buffer was resized or detached during the call)`,
    );
  }
}

module.exports = {
  MAX_RATE,
  MAX_CHANNELS,
  MAX_QUALITY,
  SAMPLE_FORMATS,
  ARRAY_OF_FORMAT,
  checkInteger,
  checkRate,
  checkChannels,
  checkQuality,
  checkSampleFormat,
  checkSamples,
  checkOut,
  checkDisjoint,
  checkName,
  checkOptionsObject,
  checkOptionKeys,
  formatIndex,
  describe,
  isInt16Array,
  typedArrayLength,
  readFrame,
  checkFrameFormat,
  checkView,
};
