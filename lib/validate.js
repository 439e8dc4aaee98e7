'use strict';

/** Limits shared with the Rust engine (src/engine/mod.rs). */
const MAX_RATE = 768000;
const MAX_CHANNELS = 64;

function describe(value) {
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || value === null || value === undefined) return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  return Object.prototype.toString.call(value);
}

/** Throws a TypeError / RangeError naming `name` unless `value` is an integer in [min, max]. */
function checkInteger(value, name, min, max) {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

function checkRate(value, name) {
  return checkInteger(value, name, 1, MAX_RATE);
}

function checkChannels(value, name = 'channels') {
  return checkInteger(value, name, 1, MAX_CHANNELS);
}

function checkQuality(value, name = 'quality') {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be an AudioResamplerQuality value (0-4), got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0 || value > 4) {
    throw new RangeError(`${name} must be an AudioResamplerQuality value (0-4), got ${describe(value)}`);
  }
  return value;
}

function isInt16Array(value) {
  // `instanceof` is the fast path; the tag check accepts Int16Arrays from other realms.
  return (
    ArrayBuffer.isView(value) &&
    (value instanceof Int16Array || Object.prototype.toString.call(value) === '[object Int16Array]')
  );
}

/**
 * Validates a frame for a resampler with the given format and returns the
 * samples to read (`data`, or a view trimmed to `samplesPerChannel * channels`).
 */
function frameSamples(frame, inputRate, channels) {
  if (frame === null || typeof frame !== 'object') {
    throw new TypeError(`frame must be an AudioFrame, got ${describe(frame)}`);
  }
  const { data, sampleRate, samplesPerChannel } = frame;
  if (!isInt16Array(data)) {
    throw new TypeError(`frame.data must be an Int16Array, got ${describe(data)}`);
  }
  if (sampleRate !== inputRate) {
    throw new Error(`frame.sampleRate (${describe(sampleRate)}) does not match the resampler's inputRate (${inputRate})`);
  }
  if (frame.channels !== channels) {
    throw new Error(`frame.channels (${describe(frame.channels)}) does not match the resampler's channels (${channels})`);
  }
  if (typeof samplesPerChannel !== 'number' || !Number.isInteger(samplesPerChannel) || samplesPerChannel < 0) {
    throw new Error(`frame.samplesPerChannel must be a non-negative integer, got ${describe(samplesPerChannel)}`);
  }
  const needed = samplesPerChannel * channels;
  if (data.length < needed) {
    throw new Error(
      `frame.data has ${data.length} samples, fewer than samplesPerChannel * channels (${samplesPerChannel} * ${channels} = ${needed})`,
    );
  }
  return data.length === needed ? data : data.subarray(0, needed);
}

module.exports = {
  MAX_RATE,
  MAX_CHANNELS,
  checkRate,
  checkChannels,
  checkQuality,
  frameSamples,
  describe,
};
