'use strict';

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

  /** Creates a frame of silence. */
  static create(sampleRate, channels, samplesPerChannel, userdata) {
    const data = new Int16Array(channels * samplesPerChannel);
    return new AudioFrame(data, sampleRate, channels, samplesPerChannel, userdata ?? {});
  }

  get userdata() {
    return this._userdata;
  }
}

/**
 * Concatenates frames of the same format into one (like rtc-node's helper).
 * A single frame (not an array) is returned as is.
 */
function combineAudioFrames(buffer) {
  if (!Array.isArray(buffer)) {
    return buffer;
  }
  if (buffer.length === 0) {
    throw new Error('buffer is empty');
  }
  const { sampleRate, channels } = buffer[0];
  let totalSamples = 0;
  let totalPerChannel = 0;
  for (const frame of buffer) {
    if (frame.sampleRate !== sampleRate) {
      throw new Error(`sample rate mismatch: expected ${sampleRate}, got ${frame.sampleRate}`);
    }
    if (frame.channels !== channels) {
      throw new Error(`channel mismatch: expected ${channels}, got ${frame.channels}`);
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
  const Frame = frameClassOf(buffer[0]);
  return new Frame(data, sampleRate, channels, totalPerChannel, userdata);
}

/**
 * The class used to build output frames for `frame`: its own constructor when it
 * is a frame class (so rtc-node frames come back as rtc-node frames), else ours.
 */
function frameClassOf(frame) {
  const Ctor = frame !== null && typeof frame === 'object' ? frame.constructor : undefined;
  return typeof Ctor === 'function' && Ctor !== Object ? Ctor : AudioFrame;
}

module.exports = { AudioFrame, combineAudioFrames, frameClassOf };
