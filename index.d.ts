import type { TransformOptions } from 'node:stream';
import { Transform } from 'node:stream';

/**
 * rtc-resampler: a fast, exact, allocation-free audio resampler for Node.js,
 * API-compatible with `@livekit/rtc-node`'s `AudioResampler`.
 */

/** Resampling presets; same names and values as `@livekit/rtc-node`. */
export declare enum AudioResamplerQuality {
  QUICK = 0,
  LOW = 1,
  MEDIUM = 2,
  HIGH = 3,
  VERY_HIGH = 4,
}

/**
 * The shape of a frame this library reads: `@livekit/rtc-node`'s `AudioFrame`,
 * ours, or any object with these fields.
 */
export interface AudioFrameLike {
  data: Int16Array;
  sampleRate: number;
  channels: number;
  samplesPerChannel: number;
  readonly userdata?: Record<string, unknown>;
}

/** Interleaved signed 16-bit audio with its format; the shape of rtc-node's `AudioFrame`. */
export declare class AudioFrame implements AudioFrameLike {
  data: Int16Array;
  sampleRate: number;
  channels: number;
  samplesPerChannel: number;
  constructor(
    data: Int16Array,
    sampleRate: number,
    channels: number,
    samplesPerChannel: number,
    userdata?: Record<string, unknown>,
  );
  /** A frame of silence (`channels * samplesPerChannel` zero samples). */
  static create(
    sampleRate: number,
    channels: number,
    samplesPerChannel: number,
    userdata?: Record<string, unknown>,
  ): AudioFrame;
  get userdata(): Record<string, unknown>;
}

/**
 * Concatenates frames of one format. A single frame is returned as is.
 * @throws Error `buffer is empty`, `sample rate mismatch…`, `channel mismatch…`
 */
export declare function combineAudioFrames<F extends AudioFrameLike>(buffer: F | F[]): F;

/**
 * Streaming resampler. Output frames are built with the input frame's own class,
 * so `@livekit/rtc-node` frames in give `@livekit/rtc-node` frames out.
 *
 * `F` is the frame type `flush()` returns (the class of the frames you push);
 * declare it to get rtc-node frames back typed from `flush()` too:
 * `new AudioResampler<rtc.AudioFrame>(48000, 16000)`.
 */
export declare class AudioResampler<F extends AudioFrameLike = AudioFrame> {
  /**
   * @param inputRate integer Hz in [1, 768000]
   * @param outputRate integer Hz in [1, 768000]
   * @param channels integer in [1, 64], default 1
   * @param quality default `AudioResamplerQuality.MEDIUM`
   * @throws TypeError for a non-number argument, RangeError for one out of range
   */
  constructor(inputRate: number, outputRate: number, channels?: number, quality?: AudioResamplerQuality);
  get inputRate(): number;
  get outputRate(): number;
  get channels(): number;
  get quality(): AudioResamplerQuality;
  /** Whether `close()` has been called. */
  get closed(): boolean;
  /**
   * Resamples one frame: returns `[]` or one frame with all output available now.
   * At equal rates returns `[frame]` itself.
   * @throws TypeError if `frame` is not a frame or `frame.data` not an Int16Array;
   *   Error if its sampleRate/channels differ from the resampler's, its data is
   *   shorter than `samplesPerChannel * channels`, or the resampler is closed.
   */
  push<G extends AudioFrameLike>(frame: G): G[];
  /**
   * Returns the remaining output (`[]` if none), making the total since the last
   * flush exactly `round(inputFrames * outputRate / inputRate)`, and resets for reuse.
   */
  flush(): F[];
  /** Frees the native state now; idempotent. `push`/`flush` then throw. */
  close(): void;
}

/** Options of `resampleStream` / `createResampleTransform`. */
export interface ResampleStreamOptions {
  /** Integer Hz in [1, 768000]. */
  outputRate: number;
  /** Default `AudioResamplerQuality.MEDIUM`. */
  quality?: AudioResamplerQuality;
  /**
   * If given, every frame must have this channel count; a frame with another
   * count errors the stream with a RangeError (no up/down-mixing). If omitted,
   * the output follows each frame's own channel count.
   */
  channels?: number;
}

/**
 * A `TransformStream` resampling `AudioFrame`s to `outputRate`, for
 * `readable.pipeThrough(...)`. Same behaviour as `resampleStream`.
 * @throws TypeError / RangeError for bad options
 */
export declare function createResampleTransform<F extends AudioFrameLike = AudioFrame>(
  options: ResampleStreamOptions,
): TransformStream<F, F>;

/**
 * Resamples a stream of frames to `outputRate`; a drop-in for `@livekit/agents`'
 * `resampleStream`. Frames at `outputRate` and 0-sample frames come out as the
 * same objects; one resampler is created lazily per (input rate, channels) run,
 * flushed (tail first) and closed when either changes or the input ends; cancel,
 * abort and source errors close it at once and propagate. Output frames are of
 * the input frame's class and carry its userdata (flushed tails get `{}`).
 * @throws TypeError / RangeError for bad options
 */
export declare function resampleStream<F extends AudioFrameLike = AudioFrame>(
  options: ResampleStreamOptions & { stream: ReadableStream<F> },
): ReadableStream<F>;

/** Options of `PcmResampleTransform`; other `TransformOptions` (e.g. `highWaterMark`) are passed on. */
export interface PcmResampleTransformOptions
  extends Omit<
    TransformOptions,
    'objectMode' | 'readableObjectMode' | 'writableObjectMode' | 'transform' | 'flush'
  > {
  /** Integer Hz in [1, 768000]. */
  inputRate: number;
  /** Integer Hz in [1, 768000]. */
  outputRate: number;
  /** Integer in [1, 64], default 1. */
  channels?: number;
  /** Default `AudioResamplerQuality.MEDIUM`. */
  quality?: AudioResamplerQuality;
}

/**
 * A Node `stream.Transform` for raw interleaved s16le PCM `Buffer`s, split at any
 * byte offset. Flushes at the end (exact total `round(frames * out / in)`); at
 * equal rates passes chunks through untouched. Emits an Error if the input ends
 * inside a frame.
 */
export declare class PcmResampleTransform extends Transform {
  constructor(options: PcmResampleTransformOptions);
  get inputRate(): number;
  get outputRate(): number;
  get channels(): number;
  get quality(): AudioResamplerQuality;
}
