'use strict';

const { Int16Core } = require('./core.js');
const { AudioFrame, buildFrame } = require('./audio_frame.js');
const { readFrame, checkView } = require('./validate.js');
const { qualityPresets } = require('./native.js');

/**
 * Resampling presets, with the names and values of `@livekit/rtc-node`'s enum
 * (including the reverse mapping a TypeScript numeric enum has). Built from the
 * binding's list, defined once in Rust (the engine's `Quality`).
 */
const AudioResamplerQuality = {};
for (const { name, value } of qualityPresets()) {
  AudioResamplerQuality[name] = value;
  AudioResamplerQuality[value] = name;
}

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
 * A frame-record entry point for this package's own callers (streams, the
 * adaptive resampler), which read the frame themselves; set in the class body.
 * @type {(r: AudioResampler, rec: import('./validate.js').FrameRecord) => object[]}
 */
let pushFrameRecord;
/** @type {(rec: import('./validate.js').FrameRecord) => object} the record as an honest frame */
let passFrame;
/** @type {(r: AudioResampler) => void} throws 'AudioResampler is closed' once closed */
let assertOpen;

/**
 * Streaming resampler for interleaved 16-bit audio frames; a drop-in for
 * `@livekit/rtc-node`'s `AudioResampler`.
 */
class AudioResampler {
  /** @type {Int16Core} */
  #core;
  /** Class of the last pushed frame, used to build flushed frames. */
  #frameClass = AudioFrame;

  static {
    pushFrameRecord = (r, rec) => r.#pushRecord(rec);
    passFrame = (rec) => AudioResampler.#passFrame(rec);
    assertOpen = (r) => r.#core.assertOpen();
  }

  constructor(inputRate, outputRate, channels = 1, quality = AudioResamplerQuality.MEDIUM) {
    this.#core = new Int16Core(inputRate, outputRate, channels, quality, 'AudioResampler');
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

  /**
   * Resamples one frame. Returns `[]` or one frame holding all output available now.
   * At equal rates the input frame itself is returned (no copy, no native call).
   */
  push(frame) {
    const core = this.#core;
    core.assertOpen();
    return this.#pushRecord(readFrame(frame, core.inputRate, core.channels));
  }

  /** Pushes a record already read and checked against this resampler's format. */
  #pushRecord(rec) {
    const core = this.#core;
    core.assertOpen(); // again: reading the frame may have closed us
    if (core.passThrough) {
      return [AudioResampler.#passFrame(rec)];
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

  /** The frame itself when it is stable, else an honest frame built from the record. */
  static #passFrame(rec) {
    if (isStable(rec)) return rec.frame;
    return buildFrame(rec.Frame, rec.view, rec.sampleRate, rec.channels, rec.frames, rec.userdata);
  }

  /**
   * Returns the rest of the output (`[]` if there is none) so that the total since
   * the previous flush is `round(inputFrames * outputRate / inputRate)` frames,
   * then resets the resampler for reuse.
   */
  flush() {
    const core = this.#core;
    const out = core.flush();
    if (out === null) {
      return [];
    }
    return [buildFrame(this.#frameClass, out, core.outputRate, core.channels, out.length / core.channels, {})];
  }

  /** Frees the native state now. Safe to call more than once. */
  close() {
    this.#core.close();
  }

  /** Whether `close()` has been called. */
  get closed() {
    return this.#core.closed;
  }
}

module.exports = { AudioResampler, AudioResamplerQuality, pushFrameRecord, passFrame, assertOpen };
