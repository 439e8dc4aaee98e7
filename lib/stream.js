'use strict';

// `resampleStream` / `createResampleTransform`: WHATWG-stream resampling of audio
// frames, a drop-in for `@livekit/agents`' `resampleStream`.
const { AudioResamplerQuality } = require('./resampler.js');
const { FrameResampler, passFrame } = require('./frame_resampler.js');
const {
  checkRate,
  checkChannels,
  checkQuality,
  checkOptionsObject,
  describe,
  readFrame,
  checkFrameFormat,
} = require('./validate.js');
const { invalidType } = require('./errors.js');

const MEDIUM = AudioResamplerQuality.MEDIUM;

function checkOptions(options, fnName) {
  checkOptionsObject(options, fnName);
  const outputRate = checkRate(options.outputRate, 'outputRate');
  const quality = options.quality === undefined ? MEDIUM : checkQuality(options.quality);
  const channels = options.channels === undefined ? undefined : checkChannels(options.channels);
  return { outputRate, quality, channels };
}

/**
 * The transformer behind `createResampleTransform`. It holds at most one
 * `AudioResampler`, created lazily for the current (input rate, channels).
 */
class ResampleTransformer {
  #outputRate;
  #quality;
  #channels;
  /** @type {InstanceType<typeof import('./frame_resampler.js').FrameResampler> | null} */
  #resampler = null;

  constructor(outputRate, quality, channels) {
    this.#outputRate = outputRate;
    this.#quality = quality;
    this.#channels = channels;
  }

  transform(frame, controller) {
    try {
      // Every frame, passed through or not, is read once and validated.
      const rec = readFrame(frame, undefined, this.#channels, 'the channels option');
      if (rec.frames === 0) {
        // Nothing to resample: pass it on, keep the resampler as is.
        controller.enqueue(passFrame(rec));
        return;
      }
      if (rec.sampleRate === this.#outputRate) {
        this.#finish(controller);
        controller.enqueue(passFrame(rec));
        return;
      }
      let r = this.#resampler;
      if (r !== null && (r.inputRate !== rec.sampleRate || r.channels !== rec.channels)) {
        this.#finish(controller);
        r = null;
      }
      if (r === null) {
        r = new FrameResampler(rec.sampleRate, this.#outputRate, rec.channels, this.#quality, 'AudioResampler');
        this.#resampler = r;
      }
      checkFrameFormat(rec, r.inputRate, r.channels);
      for (const out of r.push(rec)) {
        controller.enqueue(out);
      }
    } catch (err) {
      // The stream errors: free the native state now rather than at GC time.
      this.#close();
      throw err;
    }
  }

  flush(controller) {
    try {
      this.#finish(controller);
    } catch (err) {
      this.#close();
      throw err;
    }
  }

  /** Consumer cancelled the readable side, or the writable side was aborted. */
  cancel() {
    this.#close();
  }

  /** Flushes the current resampler (enqueueing its tail), then closes it. */
  #finish(controller) {
    const r = this.#resampler;
    if (r === null) return;
    const tail = r.flush();
    this.#close();
    for (const out of tail) {
      controller.enqueue(out);
    }
  }

  #close() {
    const r = this.#resampler;
    if (r !== null) {
      this.#resampler = null;
      r.close();
    }
  }
}

/**
 * Returns a `TransformStream` that resamples `AudioFrame`s to `outputRate`
 * (for `readable.pipeThrough(...)`). See `resampleStream` for the behaviour.
 *
 * @param {{outputRate: number, quality?: number, channels?: number}} options
 * @returns {TransformStream}
 */
function createResampleTransform(options) {
  const { outputRate, quality, channels } = checkOptions(options, 'createResampleTransform');
  return new TransformStream(new ResampleTransformer(outputRate, quality, channels));
}

/**
 * Resamples a `ReadableStream` of `AudioFrame`s to `outputRate`; a drop-in for
 * `@livekit/agents`' `resampleStream`.
 *
 * - Every frame is read once (each field one time) and validated, including
 *   frames passed on. Frames already at `outputRate` and frames with 0 samples
 *   are passed on as the same objects (no copy, no resampler created) when their
 *   fields are plain data properties; a frame with getters (or a mislabelled
 *   `samplesPerChannel`) is passed on as an equivalent frame built from the
 *   values read, so nothing downstream can read other values from it.
 * - One `AudioResampler` is created lazily for the first frame's rate and
 *   channel count; when either changes it is flushed (tail first, order kept),
 *   closed and replaced. At the end it is flushed and closed.
 * - Cancel, abort and source errors close it immediately and propagate.
 * - If `channels` is given, a frame with another channel count errors the
 *   stream with a RangeError (no silent up/down-mixing).
 *
 * @param {{stream: ReadableStream, outputRate: number, quality?: number, channels?: number}} options
 * @returns {ReadableStream}
 */
function resampleStream(options) {
  const checked = checkOptions(options, 'resampleStream');
  const { stream } = options;
  if (stream === null || typeof stream !== 'object' || typeof stream.pipeThrough !== 'function') {
    throw invalidType(`stream must be a ReadableStream, got ${describe(stream)}`);
  }
  return stream.pipeThrough(
    new TransformStream(new ResampleTransformer(checked.outputRate, checked.quality, checked.channels)),
  );
}

module.exports = { resampleStream, createResampleTransform };
