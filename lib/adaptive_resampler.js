'use strict';

// `AdaptiveAudioResampler`: the `AudioResampler` that `rtc-resampler/register`
// gives `@livekit/agents` as `@livekit/rtc-node`'s. Same constructor and API;
// it differs only for frames whose rate or channel count is not the one it was
// built for. `AudioResampler` throws a RangeError for those; rtc-node garbles
// them (it reads interleaved stereo as mono samples and ignores the frame's
// rate). This class produces correct audio in the format the caller asked for
// and emits one warning per instance:
//
// - Rate: the frame is resampled from its real rate. When the rate changes, the
//   resampler of the old rate is flushed first (its tail comes first, in order)
//   and one for the new rate takes over; output is always at `outputRate`.
// - Channels: the frame is mixed to the resampler's channel count: N -> 1
//   averages the channels, 1 -> N duplicates, and in general N -> M (N > M)
//   output channel j averages input channels j, j + M, j + 2M, ...; N -> M
//   (N < M) output channel j copies input channel j mod N.

const { AudioResampler, AudioResamplerQuality } = require('./resampler.js');
const { FrameResampler } = require('./frame_resampler.js');
const { buildFrame } = require('./audio_frame.js');
const { readFrame } = require('./validate.js');

const WARNING_TYPE = 'RtcResamplerWarning';
const WARNING_CODE = 'RTC_RESAMPLER_FRAME_FORMAT';

/** Mixes the record's interleaved samples to `channels` channels (rules above). */
function remix(rec, channels) {
  const n = rec.channels;
  const frames = rec.frames;
  const src = rec.view;
  const out = new Int16Array(frames * channels);
  if (n < channels) {
    for (let f = 0; f < frames; f++) {
      const i = f * n;
      const o = f * channels;
      for (let j = 0; j < channels; j++) out[o + j] = src[i + (j % n)];
    }
  } else {
    for (let j = 0; j < channels; j++) {
      const count = Math.ceil((n - j) / channels);
      for (let f = 0; f < frames; f++) {
        const i = f * n;
        let sum = 0;
        for (let c = j; c < n; c += channels) sum += src[i + c];
        out[f * channels + j] = Math.round(sum / count);
      }
    }
  }
  return { ...rec, frame: null, data: out, view: out, channels, samplesPerChannel: frames };
}

/** Concatenates the tail of the previous rate and the new output into one frame. */
function joinOutput(tail, out, rec, outputRate, channels) {
  if (tail.length === 0) return out;
  const parts = [...tail, ...out].map((f) => f.data);
  const total = parts.reduce((n, d) => n + d.length, 0);
  const data = new Int16Array(total);
  let offset = 0;
  for (const d of parts) {
    data.set(d, offset);
    offset += d.length;
  }
  return [buildFrame(rec.Frame, data, outputRate, channels, total / channels, rec.userdata)];
}

/**
 * An `AudioResampler` that adapts to frames of another rate or channel count
 * instead of rejecting them (see the top of this file). Used by
 * `rtc-resampler/register`; `AudioResampler` itself stays strict. Same
 * constructor and API, built on the same `FrameResampler`.
 */
class AdaptiveAudioResampler {
  /** The resampler at `inputRate`. */
  #main;
  /** The resampler for frames at a rate other than `inputRate`, while they come. */
  #other = null;
  #warned = false;

  constructor(inputRate, outputRate, channels = 1, quality = AudioResamplerQuality.MEDIUM) {
    this.#main = new FrameResampler(inputRate, outputRate, channels, quality, 'AudioResampler');
  }

  get inputRate() {
    return this.#main.inputRate;
  }

  get outputRate() {
    return this.#main.outputRate;
  }

  get channels() {
    return this.#main.channels;
  }

  get quality() {
    return this.#main.quality;
  }

  get closed() {
    return this.#main.closed;
  }

  push(frame) {
    const main = this.#main;
    main.assertOpen();
    const rec = readFrame(frame);
    main.assertOpen(); // reading the frame may have closed us
    const { inputRate, outputRate, channels } = main;
    const rate = rec.sampleRate;
    let target = this.#other ?? main;
    if (rec.frames === 0 && (rate !== target.inputRate || rec.channels !== channels)) {
      return []; // nothing to resample, nothing to switch for
    }
    if (rate !== inputRate || rec.channels !== channels) this.#warn(rec);
    const use = rec.channels === channels ? rec : remix(rec, channels);

    let tail = [];
    if (target.inputRate !== rate) {
      // Create the next resampler first: if that throws, nothing has changed.
      const next =
        rate === inputRate ? main : new FrameResampler(rate, outputRate, channels, main.quality, 'AudioResampler');
      tail = target.flush();
      if (target !== main) target.close();
      this.#other = next === main ? null : next;
      target = next;
    }
    return joinOutput(tail, target.push(use), use, outputRate, channels);
  }

  flush() {
    const other = this.#other;
    if (other === null) return this.#main.flush();
    this.#main.assertOpen();
    return other.flush();
  }

  close() {
    this.#main.close();
    const other = this.#other;
    if (other !== null) {
      this.#other = null;
      other.close();
    }
  }

  #warn(rec) {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(
      `AudioResampler(${this.inputRate} Hz -> ${this.outputRate} Hz, ${this.channels} channel(s)) was given a ` +
        `frame of ${rec.sampleRate} Hz, ${rec.channels} channel(s). rtc-resampler resamples it from its real ` +
        `rate and mixes it to ${this.channels} channel(s); @livekit/rtc-node would have garbled this audio. ` +
        'Reported once per resampler.',
      { type: WARNING_TYPE, code: WARNING_CODE },
    );
  }
}

// Instances are `AudioResampler`s to `instanceof` (and to the typings), as they
// are one in API; every method is this class's own, so no state is shared.
Object.setPrototypeOf(AdaptiveAudioResampler.prototype, AudioResampler.prototype);

module.exports = { AdaptiveAudioResampler, WARNING_TYPE, WARNING_CODE };
