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
 */
export declare class AudioResampler {
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
  push<F extends AudioFrameLike>(frame: F): F[];
  /**
   * Returns the remaining output (`[]` if none), making the total since the last
   * flush exactly `round(inputFrames * outputRate / inputRate)`, and resets for reuse.
   */
  flush(): AudioFrame[];
  /** Frees the native state now; idempotent. `push`/`flush` then throw. */
  close(): void;
}
