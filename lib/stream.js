'use strict';

// `resampleStream` / `createResampleTransform`: WHATWG-stream resampling of audio
// frames, a drop-in for `@livekit/agents`' `resampleStream`.
//
// The resampler class is looked up on the module object (`resampler.AudioResampler`)
// each time one is created, so tests can observe creations with
// `jest.spyOn(require('./resampler.js'), 'AudioResampler')`.
const resampler = require('./resampler.js');
const { checkRate, checkChannels, checkQuality, describe } = require('./validate.js');

const MEDIUM = resampler.AudioResamplerQuality.MEDIUM;

function checkOptions(options, fnName) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fnName}: options must be an object, got ${describe(options)}`);
  }
  const outputRate = checkRate(options.outputRate, 'outputRate');
  const quality = options.quality === undefined ? MEDIUM : checkQuality(options.quality);
  const channels = options.channels === undefined ? undefined : checkChannels(options.channels);
  return { outputRate, quality, channels };
}

function checkFrame(frame, channels) {
  if (frame === null || typeof frame !== 'object') {
    throw new TypeError(`frame must be an AudioFrame, got ${describe(frame)}`);
  }
  if (channels !== undefined && frame.channels !== channels) {
    throw new RangeError(
      `frame.channels (${describe(frame.channels)}) does not match the channels option (${channels}); ` +
        'resampleStream does not up- or down-mix',
    );
  }
}

/**
 * The transformer behind `createResampleTransform`. It holds at most one
 * `AudioResampler`, created lazily for the current (input rate, channels).
 */
class ResampleTransformer {
  #outputRate;
  #quality;
  #channels;
  /** @type {import('./resampler.js').AudioResampler | null} */
  #resampler = null;

  constructor(outputRate, quality, channels) {
    this.#outputRate = outputRate;
    this.#quality = quality;
    this.#channels = channels;
  }

  transform(frame, controller) {
    try {
      checkFrame(frame, this.#channels);
      if (frame.samplesPerChannel === 0) {
        // Nothing to resample: pass it on untouched, keep the resampler as is.
        controller.enqueue(frame);
        return;
      }
      if (frame.sampleRate === this.#outputRate) {
        this.#finish(controller);
        controller.enqueue(frame);
        return;
      }
      let r = this.#resampler;
      if (r !== null && (r.inputRate !== frame.sampleRate || r.channels !== frame.channels)) {
        this.#finish(controller);
        r = null;
      }
      if (r === null) {
        const inputRate = checkRate(frame.sampleRate, 'frame.sampleRate');
        const channels = checkChannels(frame.channels, 'frame.channels');
        r = new resampler.AudioResampler(inputRate, this.#outputRate, channels, this.#quality);
        this.#resampler = r;
      }
      for (const out of r.push(frame)) {
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
 * - Frames already at `outputRate` and frames with 0 samples are passed on as
 *   the same objects (no copy, no resampler created).
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
    throw new TypeError(`stream must be a ReadableStream, got ${describe(stream)}`);
  }
  return stream.pipeThrough(
    new TransformStream(new ResampleTransformer(checked.outputRate, checked.quality, checked.channels)),
  );
}

module.exports = { resampleStream, createResampleTransform };
