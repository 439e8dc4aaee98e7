/// <reference types="node" />
import type { TransformOptions } from 'node:stream';
import { Transform } from 'node:stream';
import type * as web from 'node:stream/web';

/**
 * rtc-resampler: a fast, exact, allocation-free audio resampler for Node.js,
 * API-compatible with `@livekit/rtc-node`'s `AudioResampler`.
 *
 * Errors have Node's shape, the built-in class and a Node code in `code`:
 * `TypeError` `ERR_INVALID_ARG_TYPE` for a value of the wrong type (a non-number
 * argument, a frame that is not an object, `frame.data` that is not an
 * `Int16Array`, a chunk that is not bytes); `RangeError` `ERR_OUT_OF_RANGE` for a
 * number or size out of range (rates, channels, `chunkMs`, an `out` too small);
 * `ERR_INVALID_ARG_VALUE` for a value that is not accepted (a `RangeError`: a
 * quality that is not a preset, an unknown format, a frame whose format does not
 * fit; a `TypeError`: an unsupported option); `Error` `ERR_INVALID_STATE` for a
 * closed resampler. A byte stream ending inside a frame is an `Error` without a code.
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
 * Concatenates frames of one format (compared with `!=`, as rtc-node does). A
 * single frame is returned as is.
 * @throws RangeError (`ERR_INVALID_ARG_VALUE`) `buffer is empty`, `sample rate mismatch…`, `channel mismatch…`
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
   * @param outputRate integer Hz in [1, 768000]; the larger rate at most 96 × the smaller (`MAX_RATIO`)
   * @param channels integer in [1, 64], default 1
   * @param quality default `AudioResamplerQuality.MEDIUM`
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for a non-number argument,
   *   RangeError for one out of range (`ERR_OUT_OF_RANGE`, including a rate pair
   *   beyond the engine's maximum ratio) or a quality that is not a preset
   *   (`ERR_INVALID_ARG_VALUE`)
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
   * At equal rates returns `[frame]` itself (or, if its fields are getters or its
   * `samplesPerChannel` was wrong, an equal frame built from the values read).
   *
   * The frame is read once: `samplesPerChannel` frames when
   * `samplesPerChannel * channels` fits in `data`, otherwise all of `data`'s whole
   * frames (as rtc-node does). Output frames are built with the frame's class when
   * it builds a frame, else with this package's `AudioFrame`.
   * @throws TypeError (`ERR_INVALID_ARG_TYPE`) if `frame` is not a frame,
   *   `frame.data` not an Int16Array or a field not a number; RangeError if a field
   *   is out of range (`ERR_OUT_OF_RANGE`), or its sampleRate/channels differ from
   *   the resampler's or its data is not a whole number of frames (or empty while
   *   `samplesPerChannel` is not 0) (`ERR_INVALID_ARG_VALUE`); Error
   *   (`ERR_INVALID_STATE`) if the resampler is closed. A push that throws changes
   *   nothing.
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

/**
 * An `AudioResampler` that adapts instead of throwing when a frame's rate or
 * channel count is not the resampler's (what `@livekit/agents` does in places,
 * and `@livekit/rtc-node` silently garbles): the frame is resampled from its real
 * rate (the previous rate's tail is flushed first, in order) and mixed to the
 * resampler's channel count (N -> 1 averages, 1 -> N duplicates; N -> M with
 * N > M averages input channels j, j + M, ... into output j, N < M copies input
 * j mod N). Output is always at `outputRate` with `channels` channels. The first
 * such frame emits one `process` warning per instance (type
 * `RtcResamplerWarning`, code `RTC_RESAMPLER_FRAME_FORMAT`).
 * `rtc-resampler/register` installs this class as rtc-node's `AudioResampler`.
 */
export declare class AdaptiveAudioResampler<F extends AudioFrameLike = AudioFrame> extends AudioResampler<F> {}

/**
 * A `ReadableStream` of either flavour: the global one (the DOM lib's type when
 * a project includes `"dom"`) or `node:stream/web`'s. In Node both are one class.
 */
export type AnyReadableStream<R> = ReadableStream<R> | web.ReadableStream<R>;

/** A `ReadableStream` usable as either flavour (global/DOM and `node:stream/web`). */
export type ReadableStreamOf<R> = ReadableStream<R> & web.ReadableStream<R>;

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
 *
 * `T` is the stream flavour returned: inferred from where the result goes (so
 * `webStream.pipeThrough(createResampleTransform(opts))` types as
 * `node:stream/web`'s and `domStream.pipeThrough(...)` as the DOM's), else the
 * global `TransformStream`. At runtime it is Node's one `TransformStream` class.
 * @throws TypeError / RangeError for bad options, with the codes of the README's "Errors"
 */
export declare function createResampleTransform<
  F extends AudioFrameLike = AudioFrame,
  T extends TransformStream<F, F> | web.TransformStream<F, F> = TransformStream<F, F>,
>(options: ResampleStreamOptions): T;

/**
 * Resamples a stream of frames to `outputRate`; a drop-in for `@livekit/agents`'
 * `resampleStream`. Frames at `outputRate` and 0-sample frames come out as the
 * same objects (or, if their fields are getters or `samplesPerChannel` was
 * wrong, as equal frames built from the values read once); one resampler is
 * created lazily per (input rate, channels) run,
 * flushed (tail first) and closed when either changes or the input ends; cancel,
 * abort and source errors close it at once and propagate. Output frames are of
 * the input frame's class and carry its userdata (flushed tails get `{}`).
 * Every frame is read once and validated, passed-on ones too. Takes and returns
 * streams of either flavour (global/DOM or `node:stream/web`).
 * @throws TypeError / RangeError for bad options, with the codes of the README's "Errors"
 */
export declare function resampleStream<F extends AudioFrameLike = AudioFrame>(
  options: ResampleStreamOptions & { stream: AnyReadableStream<F> },
): ReadableStreamOf<F>;

/**
 * Options of `PcmResampleTransform`. The `stream.Transform` buffering and
 * lifetime options listed here are passed on; any other option (`encoding`,
 * `objectMode`, `transform`, `destroy`, ...) is a TypeError at runtime.
 */
export interface PcmResampleTransformOptions
  extends Pick<
    TransformOptions,
    | 'highWaterMark'
    | 'readableHighWaterMark'
    | 'writableHighWaterMark'
    | 'allowHalfOpen'
    | 'emitClose'
    | 'autoDestroy'
    | 'signal'
  > {
  /** Only `true` (the default): strings are refused anyway. */
  decodeStrings?: true;
  /** Integer Hz in [1, 768000]. */
  inputRate: number;
  /** Integer Hz in [1, 768000]. */
  outputRate: number;
  /** Integer in [1, 64], default 1. */
  channels?: number;
  /** Default `AudioResamplerQuality.MEDIUM`. */
  quality?: AudioResamplerQuality;
  /** Byte format of the input, default `'s16le'`. */
  inputFormat?: PcmByteFormat;
  /** Byte format of the output, default `inputFormat`. */
  outputFormat?: PcmByteFormat;
  /**
   * Output in chunks of exactly this duration (`chunkMs * outputRate / 1000`
   * frames, which must be a whole number), at most 60000 ms (else a RangeError,
   * `ERR_OUT_OF_RANGE`); only the last chunk may be shorter.
   */
  chunkMs?: number;
}

/** Byte formats of `PcmResampleTransform`: little-endian int16 / float32, G.711 μ-law / A-law. */
export type PcmByteFormat = 's16le' | 'f32le' | 'mulaw' | 'alaw';

/**
 * A Node `stream.Transform` for raw interleaved PCM `Buffer`s (`inputFormat` in,
 * `outputFormat` out), split at any byte offset. Flushes at the end (exact total
 * `round(frames * out / in)`); at equal rates and formats passes chunks through
 * untouched. With `chunkMs`, output chunks last exactly `chunkMs` (the last may be
 * shorter). Emits an Error if the input ends inside a frame. A chunk that is not
 * a `Buffer`/`Uint8Array` (a string, an `Int16Array`, ...) destroys the stream
 * with a TypeError.
 * @throws TypeError / RangeError for bad options, with the codes of the README's "Errors"
 */
export declare class PcmResampleTransform extends Transform {
  constructor(options: PcmResampleTransformOptions);
  get inputRate(): number;
  get outputRate(): number;
  get channels(): number;
  get quality(): AudioResamplerQuality;
  get inputFormat(): PcmByteFormat;
  get outputFormat(): PcmByteFormat;
  get chunkMs(): number | undefined;
}

/**
 * Sample formats of `PcmResampler` and `resample`: `'s16'` (`Int16Array`),
 * `'f32'` (`Float32Array`, full scale ±1.0), `'mulaw'` / `'alaw'`
 * (`Uint8Array`, ITU-T G.711).
 */
export type SampleFormat = 's16' | 'f32' | 'mulaw' | 'alaw';

/** The typed array holding samples of format `F`. */
export type SamplesOf<F extends SampleFormat> = F extends 's16'
  ? Int16Array
  : F extends 'f32'
    ? Float32Array
    : Uint8Array;

/** Options of `PcmResampler`, `resample` and `resampleAsync`. */
export interface PcmResamplerOptions<I extends SampleFormat = SampleFormat, O extends SampleFormat = I> {
  /** Integer Hz in [1, 768000]. */
  inputRate: number;
  /** Integer Hz in [1, 768000]; the larger rate at most 96 × the smaller. */
  outputRate: number;
  /** Integer in [1, 64], default 1. */
  channels?: number;
  /** Default `AudioResamplerQuality.MEDIUM`. */
  quality?: AudioResamplerQuality;
  /** Input format, default `'s16'`. */
  input?: I;
  /** Output format, default `input`. */
  output?: O;
}

/**
 * Streaming resampler for raw interleaved samples in any `SampleFormat`. Same
 * guarantees as `AudioResampler`: exact total length `round(n * out / in)` after
 * `flush()`, zero delay, output bit-identical for any split into pushes. The
 * `s16` output equals the `f32` output converted by the documented rule
 * (× 32768, round half away from zero, saturate); `f32` output is not clipped.
 * Where a filter runs, `f32` input beyond ±1e20 (infinities too) is clamped to
 * it, so finite input gives finite output, and subnormal input is read as 0.
 *
 * @throws TypeError for a wrong option type or a typed array of the wrong type
 *   (`ERR_INVALID_ARG_TYPE`) or an unknown option (`ERR_INVALID_ARG_VALUE`);
 *   RangeError for an option out of range or an `out` smaller than
 *   `maxOutputFrames` or sharing memory with the samples (`ERR_OUT_OF_RANGE`), a
 *   quality or format that is not one of the enum's or a length that is not a
 *   whole number of frames (`ERR_INVALID_ARG_VALUE`); nothing is consumed
 */
export declare class PcmResampler<I extends SampleFormat = 's16', O extends SampleFormat = I> {
  constructor(options: PcmResamplerOptions<I, O>);
  get inputRate(): number;
  get outputRate(): number;
  get channels(): number;
  get quality(): AudioResamplerQuality;
  get input(): I;
  get output(): O;
  get closed(): boolean;
  /**
   * Resamples interleaved samples; returns the output available now (possibly
   * empty). Same rate and format: returns `samples` itself.
   */
  push(samples: SamplesOf<I>): SamplesOf<O>;
  /** The rest of the output, then resets for reuse. */
  flush(): SamplesOf<O>;
  /**
   * Writes the output into `out` (any byteOffset) and returns the frames
   * written; allocates nothing. `out` must hold `maxOutputFrames(frames)` frames
   * and must not share memory with `samples`, at any rates and formats (else a
   * RangeError, `ERR_OUT_OF_RANGE`, and nothing is consumed).
   */
  pushInto(samples: SamplesOf<I>, out: SamplesOf<O>): number;
  /** Writes the rest into `out` (room for `maxOutputFrames(0)` frames), resets, returns the frames. */
  flushInto(out: SamplesOf<O>): number;
  /** Output frames that always suffice for a push of `inputFrames` frames (0: a flush). */
  maxOutputFrames(inputFrames: number): number;
  /** Frees the native state now; idempotent. Other methods then throw. */
  close(): void;
}

/**
 * Resamples a whole signal: exactly `round(frames * outputRate / inputRate)`
 * frames of the output format in a new typed array (a copy at equal rate and
 * format, never a view of `samples`; a plain `Uint8Array` for a `Buffer` input).
 */
export declare function resample<I extends SampleFormat = 's16', O extends SampleFormat = I>(
  samples: SamplesOf<I>,
  options: PcmResamplerOptions<I, O>,
): SamplesOf<O>;

/**
 * `resample` on the libuv thread pool (the event loop keeps running); the
 * input is copied at the call. Resolves to the same samples as `resample`;
 * bad arguments reject.
 */
export declare function resampleAsync<I extends SampleFormat = 's16', O extends SampleFormat = I>(
  samples: SamplesOf<I>,
  options: PcmResamplerOptions<I, O>,
): Promise<SamplesOf<O>>;
