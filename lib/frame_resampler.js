'use strict';

// `FrameResampler`: frames (as records read by lib/validate.js) in, frames out,
// over one int16 core. Every frame-level class is built on it by composition:
// `AudioResampler`, `AdaptiveAudioResampler` and the streams.

const { Int16Core } = require('./core.js');
const { AudioFrame, buildFrame } = require('./audio_frame.js');
const { checkView } = require('./validate.js');

const FRAME_FIELDS = ['data', 'sampleRate', 'channels', 'samplesPerChannel'];
const { isProxy } = require('node:util').types;

/**
 * Whether `rec.frame` can be handed on as is: its four fields are own data
 * properties still holding what was read (so nobody downstream can read
 * different values from it), and `samplesPerChannel` was honest. Otherwise a
 * frame is rebuilt from the values read.
 */
function isStable(rec) {
  const frame = rec.frame;
  if (frame === null || rec.frames !== rec.samplesPerChannel || isProxy(frame)) return false;
  for (const key of FRAME_FIELDS) {
    const d = Object.getOwnPropertyDescriptor(frame, key);
    if (d === undefined || !('value' in d) || !Object.is(d.value, key === 'data' ? rec.data : rec[key])) {
      return false;
    }
  }
  return true;
}

/**
 * The frame itself when it is stable, else an honest frame built from the record.
 * @param {import('./validate.js').FrameRecord} rec
 */
function passFrame(rec) {
  if (isStable(rec)) return rec.frame;
  return buildFrame(rec.Frame, rec.view, rec.sampleRate, rec.channels, rec.frames, rec.userdata);
}

class FrameResampler {
  /** @type {InstanceType<typeof import('./core.js').Int16Core>} */
  #core;
  /** Class of the last pushed frame, used to build flushed frames. */
  /** @type {unknown} */
  #frameClass = AudioFrame;

  /** `owner` names the public class in errors (e.g. 'AudioResampler is closed'). */
  constructor(inputRate, outputRate, channels, quality, owner) {
    this.#core = new Int16Core(inputRate, outputRate, channels, quality, owner);
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

  get closed() {
    return this.#core.closed;
  }

  /** Throws `<owner> is closed` once closed. */
  assertOpen() {
    this.#core.assertOpen();
  }

  /**
   * Resamples a record already read (and checked against this resampler's
   * format by the caller). Returns `[]` or one frame; at equal rates the frame itself.
   * @param {import('./validate.js').FrameRecord} rec
   */
  push(rec) {
    const core = this.#core;
    core.assertOpen(); // again: reading the frame may have closed us
    if (core.passThrough) {
      return [passFrame(rec)];
    }
    if (rec.frames === 0) {
      this.#frameClass = rec.Frame;
      return [];
    }
    checkView(rec);
    const out = core.push(rec.view);
    this.#frameClass = rec.Frame;
    if (out === null) {
      return [];
    }
    return [buildFrame(rec.Frame, out, core.outputRate, core.channels, out.length / core.channels, rec.userdata)];
  }

  /** The rest of the output (`[]` if none), then a reset for reuse. */
  flush() {
    const core = this.#core;
    const out = core.flush();
    if (out === null) {
      return [];
    }
    return [buildFrame(this.#frameClass, out, core.outputRate, core.channels, out.length / core.channels, {})];
  }

  /** Frees the native state now; idempotent. */
  close() {
    this.#core.close();
  }
}

module.exports = { FrameResampler, passFrame };
