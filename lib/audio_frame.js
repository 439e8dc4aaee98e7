'use strict';

const { outOfRange, invalidValue } = require('./errors.js');

/**
 * An audio frame with the shape of `@livekit/rtc-node`'s `AudioFrame`:
 * interleaved signed 16-bit samples plus their format.
 */
class AudioFrame {
  /**
   * @param {Int16Array} data interleaved samples
   * @param {number} sampleRate
   * @param {number} channels
   * @param {number} samplesPerChannel
   * @param {Record<string, unknown>} [userdata]
   */
  constructor(data, sampleRate, channels, samplesPerChannel, userdata = {}) {
    this.data = data;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.samplesPerChannel = samplesPerChannel;
    this._userdata = userdata;
  }

  /**
   * Creates a frame of silence. Its length is whatever `new Int16Array` makes of
   * `channels * samplesPerChannel`, as in rtc-node; a length it refuses is a
   * RangeError with `ERR_OUT_OF_RANGE`.
   */
  static create(sampleRate, channels, samplesPerChannel, userdata) {
    const length = channels * samplesPerChannel;
    let data;
    try {
      data = new Int16Array(length);
    } catch (cause) {
      if (!(cause instanceof RangeError)) throw cause;
      throw outOfRange(`AudioFrame.create: channels * samplesPerChannel: ${cause.message}`, { cause });
    }
    return new AudioFrame(data, sampleRate, channels, samplesPerChannel, userdata ?? {});
  }

  get userdata() {
    return this._userdata;
  }
}

/**
 * Concatenates frames of the same format into one (like rtc-node's helper,
 * which compares formats with `!=`). A single frame (not an array) is returned
 * as is. rtc-node's messages, as RangeErrors with `ERR_INVALID_ARG_VALUE`
 * (rtc-node throws plain Errors, which these still are).
 */
function combineAudioFrames(buffer) {
  if (!Array.isArray(buffer)) {
    return buffer;
  }
  if (buffer.length === 0) {
    throw invalidValue('buffer is empty');
  }
  const { sampleRate, channels } = buffer[0];
  let totalSamples = 0;
  let totalPerChannel = 0;
  for (const frame of buffer) {
    // biome-ignore lint/suspicious/noDoubleEquals: rtc-node's comparison: 16000 and '16000' are one format
    if (frame.sampleRate != sampleRate) {
      throw invalidValue(`sample rate mismatch: expected ${sampleRate}, got ${frame.sampleRate}`);
    }
    // biome-ignore lint/suspicious/noDoubleEquals: as above
    if (frame.channels != channels) {
      throw invalidValue(`channel mismatch: expected ${channels}, got ${frame.channels}`);
    }
    totalSamples += frame.data.length;
    totalPerChannel += frame.samplesPerChannel;
  }
  const data = new Int16Array(totalSamples);
  const userdata = {};
  let offset = 0;
  for (const frame of buffer) {
    data.set(frame.data, offset);
    offset += frame.data.length;
    Object.assign(userdata, frame.userdata);
  }
  const first = buffer[0];
  return buildFrame(first.constructor, data, sampleRate, channels, totalPerChannel, userdata);
}

/**
 * Builds an output frame with `Frame` (the class of the frame it came from, so
 * rtc-node frames in give rtc-node frames out), falling back to our `AudioFrame`
 * when `Frame` is not a frame class: not a constructor, a plain `Object` (of any
 * realm), a constructor that throws, or one that returns something other than a
 * frame holding `data` (an options-object constructor, `Array`, ...). It never
 * throws because of `Frame`.
 */
function buildFrame(Frame, data, sampleRate, channels, samplesPerChannel, userdata) {
  if (Frame !== AudioFrame && Frame !== Object && typeof Frame === 'function') {
    try {
      const frame = new Frame(data, sampleRate, channels, samplesPerChannel, userdata);
      if (frame !== null && typeof frame === 'object' && frame !== data && frame.data === data) {
        return frame;
      }
    } catch {
      // not a frame class: use ours
    }
  }
  return new AudioFrame(data, sampleRate, channels, samplesPerChannel, userdata);
}

module.exports = { AudioFrame, combineAudioFrames, buildFrame };
