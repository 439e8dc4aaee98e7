'use strict';

// Bad-input matrix: every argument of every public function and constructor gets
// wrong types and out-of-range values. Each must throw the documented error class
// with Node's code for it (`expectCoded`) and a message naming the argument, and
// leave the resampler exactly as it was:
// the output of a resampler that rejected bad frames is bit-identical to that of
// one that never saw them (no partial output lost, no state changed).
// The cases that crash, abort or hang @livekit/rtc-node also run in child
// processes, which must exit normally.

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const {
  AudioResampler,
  AdaptiveAudioResampler,
  AudioResamplerQuality,
  AudioFrame,
  combineAudioFrames,
  PcmResampler,
  PcmResampleTransform,
  resample,
  resampleAsync,
  resampleStream,
  createResampleTransform,
} = require('..');
const { isNativeError } = require('node:util').types;
const { noise } = require('./helpers/signals.js');

// ---------------------------------------------------------------- the error policy

const TYPE = 'ERR_INVALID_ARG_TYPE';
const RANGE = 'ERR_OUT_OF_RANGE';
const VALUE = 'ERR_INVALID_ARG_VALUE';
/** The code a class carries unless a case names another. */
const DEFAULT_CODE = { TypeError: TYPE, RangeError: RANGE, Error: 'ERR_INVALID_STATE' };
/**
 * The codes each class may carry (README, "Errors"): a throw without one of
 * them fails every case below.
 */
const CODES = { TypeError: [TYPE, VALUE], RangeError: [RANGE, VALUE], Error: ['ERR_INVALID_STATE'] };

/**
 * Node's shape: the built-in class (exactly: a RangeError is not an `Error` case)
 * and its name, and `code` an own enumerable property. The class is compared by
 * name: errors made by the binding belong to Node's realm, not to jest's.
 */
function expectCoded(error, ErrorClass, code = DEFAULT_CODE[ErrorClass.name]) {
  expect(isNativeError(error)).toBe(true);
  expect(Object.getPrototypeOf(error).constructor.name).toBe(ErrorClass.name);
  expect(error.name).toBe(ErrorClass.name);
  expect(CODES[ErrorClass.name]).toContain(error.code);
  expect(Object.getOwnPropertyDescriptor(error, 'code')).toEqual({
    value: code,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** The error `call` throws (fails if it returns). */
function thrown(call) {
  try {
    call();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const ROOT = path.resolve(__dirname, '..');

function detachedInt16Array(length) {
  const a = new Int16Array(length);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a; // length is now 0
}

const samples = (frames) => frames.flatMap((f) => Array.from(f.data));

// ---------------------------------------------------------------- constructor

/** Values that are not numbers: TypeError. */
const NON_NUMBERS = [
  ['null', null],
  ['a string', '48000'],
  ['an empty string', ''],
  ['an object', {}],
  ['an array', [48000]],
  ['a bigint', 48000n],
  ['a boolean', true],
  ['a symbol', Symbol('rate')],
  ['a function', () => 48000],
  ['a Number object', new Number(48000)], // eslint-disable-line no-new-wrappers
];

/** Numbers that are never valid for a rate or channel count: RangeError. */
const BAD_NUMBERS = [
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-1', -1],
  ['-48000', -48000],
  ['0.5', 0.5],
  ['fractional 44100.5', 44100.5],
  ['Number.EPSILON', Number.EPSILON],
  ['2**32 (wraps in u32)', 2 ** 32],
  ['2**32 + 48000 (wraps to 48000 in u32)', 2 ** 32 + 48000],
  ['1e9', 1e9],
  ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ['Number.MAX_VALUE', Number.MAX_VALUE],
];

const GOOD = { inputRate: 48000, outputRate: 16000, channels: 2, quality: AudioResamplerQuality.MEDIUM };
const ARG_ORDER = ['inputRate', 'outputRate', 'channels', 'quality'];

function construct(overrides) {
  const args = { ...GOOD, ...overrides };
  return new AudioResampler(...ARG_ORDER.map((k) => args[k]));
}

const ctorCases = [];
for (const arg of ARG_ORDER) {
  for (const [label, value] of NON_NUMBERS) ctorCases.push([arg, label, value, TypeError]);
  for (const [label, value] of BAD_NUMBERS) ctorCases.push([arg, label, value, RangeError]);
  if (arg === 'inputRate' || arg === 'outputRate') {
    ctorCases.push([arg, 'undefined', undefined, TypeError]);
    ctorCases.push([arg, '0', 0, RangeError]);
    ctorCases.push([arg, '-0', -0, RangeError]);
    ctorCases.push([arg, '768001 (above the maximum)', 768001, RangeError]);
  }
  if (arg === 'channels') {
    ctorCases.push([arg, '0', 0, RangeError]);
    ctorCases.push([arg, '65 (above the maximum)', 65, RangeError]);
    ctorCases.push([arg, '1.5', 1.5, RangeError]);
  }
  if (arg === 'quality') {
    ctorCases.push([arg, '5', 5, RangeError]);
    ctorCases.push([arg, '99 (rtc-node silently accepts)', 99, RangeError]);
    ctorCases.push([arg, '2.5', 2.5, RangeError]);
    ctorCases.push([arg, "'MEDIUM' (a name, not a value)", 'MEDIUM', TypeError]);
  }
}
// A quality is a preset (an enum), not a range: a number that is not one is ERR_INVALID_ARG_VALUE.
const ctorCode = (arg, ErrorClass) =>
  arg === 'quality' && ErrorClass === RangeError ? VALUE : DEFAULT_CODE[ErrorClass.name];

describe('constructor rejects bad arguments', () => {
  test.each(ctorCases)('%s = %s -> %p naming it', (arg, _label, value, ErrorClass) => {
    const error = thrown(() => construct({ [arg]: value }));
    expectCoded(error, ErrorClass, ctorCode(arg, ErrorClass));
    expect(error.message).toContain(arg);
  });

  test.each(ctorCases)('AdaptiveAudioResampler: %s = %s -> %p with the same code', (arg, _label, value, ErrorClass) => {
    const args = { ...GOOD, [arg]: value };
    const error = thrown(() => new AdaptiveAudioResampler(...ARG_ORDER.map((k) => args[k])));
    expectCoded(error, ErrorClass, ctorCode(arg, ErrorClass));
    expect(error.message).toContain(arg);
  });

  test('a rate pair beyond MAX_RATIO is ERR_OUT_OF_RANGE (from the engine)', () => {
    expectCoded(
      thrown(() => new AudioResampler(1, 768000)),
      RangeError,
      'ERR_OUT_OF_RANGE',
    );
  });

  // Extreme rates are paired with a rate within the engine's maximum ratio.
  test.each([
    ['inputRate', 1, { outputRate: 2 }],
    ['inputRate', 768000, { outputRate: 16000 }],
    ['outputRate', 1, { inputRate: 2 }],
    ['outputRate', 768000, { inputRate: 48000 }],
    ['channels', 1, {}],
    ['channels', 64, {}],
    ['quality', 0, {}],
    ['quality', 4, {}],
  ])('boundary value %s = %p is accepted', (arg, value, others) => {
    const r = construct({ ...others, [arg]: value });
    expect(r[arg]).toBe(value);
    r.close();
  });

  test('quality -0 is accepted and reported as 0 (normalised)', () => {
    const r = construct({ quality: -0 });
    expect(Object.is(r.quality, 0)).toBe(true);
    r.close();
  });

  test('undefined channels and quality take the defaults (1, MEDIUM)', () => {
    const r = new AudioResampler(48000, 16000, undefined, undefined);
    expect([r.channels, r.quality]).toEqual([1, AudioResamplerQuality.MEDIUM]);
  });

  test('calling the constructor without new is a TypeError', () => {
    expect(() => AudioResampler(48000, 16000)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------- push

/** Resampler configurations the push cases run against. */
const CONFIGS = [
  ['48k->16k mono MEDIUM', 48000, 16000, 1, 2],
  ['44.1k->48k stereo QUICK', 44100, 48000, 2, 0],
  ['16k->16k stereo (pass-through)', 16000, 16000, 2, 2],
];

/**
 * Bad frames for a resampler of `rate` Hz and `ch` channels, as
 * [label, makeFrame, expected error class, message regex, code]. The code is the
 * class's default (`DEFAULT_CODE`) unless given: ERR_INVALID_ARG_VALUE for a
 * frame that does not fit (another format, data empty or not whole frames).
 */
function badFrames(rate, ch) {
  const n = 160;
  const data = () => noise(n * ch, 5);
  const frame = (fields) => ({ data: data(), sampleRate: rate, channels: ch, samplesPerChannel: n, ...fields });
  const typeData = (label, value) => [`data = ${label}`, () => frame({ data: value }), TypeError, /frame\.data/];
  // Error policy: TypeError for a value of the wrong type, RangeError for a number
  // out of range or a format that does not fit the resampler.
  const cls = (value) => (typeof value === 'number' ? RangeError : TypeError);
  const rateCase = (label, value, code) => [
    `sampleRate = ${label}`,
    () => frame({ sampleRate: value }),
    cls(value),
    /frame\.sampleRate/,
    code,
  ];
  const chCase = (label, value, code) => [
    `channels = ${label}`,
    () => frame({ channels: value }),
    cls(value),
    /frame\.channels/,
    code,
  ];
  const spcCase = (label, value) => [
    `samplesPerChannel = ${label}`,
    () => frame({ samplesPerChannel: value }),
    cls(value),
    /frame\.samplesPerChannel/,
  ];
  return [
    ['frame = undefined', () => undefined, TypeError, /frame/],
    ['frame = null', () => null, TypeError, /frame/],
    ['frame = a number', () => 480, TypeError, /frame/],
    ['frame = a string', () => 'frame', TypeError, /frame/],
    ['frame = a bigint', () => 1n, TypeError, /frame/],
    ['frame = a symbol', () => Symbol('f'), TypeError, /frame/],
    ['frame = a bare Int16Array', () => data(), TypeError, /frame\.data/],
    ['frame = {}', () => ({}), TypeError, /frame\.data/],
    ['frame = []', () => [], TypeError, /frame\.data/],
    typeData('undefined', undefined),
    typeData('null', null),
    typeData('a plain array', Array.from(data())),
    typeData('Float32Array', new Float32Array(n * ch)),
    typeData('Uint8Array', new Uint8Array(n * ch * 2)),
    typeData('Int32Array', new Int32Array(n * ch)),
    typeData('Uint16Array', new Uint16Array(n * ch)),
    typeData('Int8Array', new Int8Array(n * ch * 2)),
    typeData('BigInt64Array', new BigInt64Array(n * ch)),
    typeData('a Buffer', Buffer.alloc(n * ch * 2)),
    typeData('a DataView', new DataView(new ArrayBuffer(n * ch * 2))),
    typeData('an ArrayBuffer', new ArrayBuffer(n * ch * 2)),
    typeData('a string', 'x'.repeat(n)),
    typeData('an Int16Array look-alike', { length: n * ch, buffer: new ArrayBuffer(n * ch * 2), BYTES_PER_ELEMENT: 2 }),
    typeData(
      "a Uint16Array tagged 'Int16Array'",
      Object.defineProperty(new Uint16Array(n * ch), Symbol.toStringTag, { value: 'Int16Array' }),
    ),
    typeData(
      'a Uint16Array with the Int16Array prototype',
      Object.setPrototypeOf(new Uint16Array(n * ch), Int16Array.prototype),
    ),
    [
      'data = a detached Int16Array',
      () => frame({ data: detachedInt16Array(n * ch) }),
      RangeError,
      /frame\.data has 0 samples/,
      VALUE,
    ],
    rateCase('another rate', rate === 16000 ? 48000 : 16000, VALUE),
    rateCase('rate + 1', rate + 1, VALUE),
    rateCase('a numeric string', String(rate)),
    rateCase('NaN', NaN),
    rateCase('undefined', undefined),
    rateCase('rate + 0.5', rate + 0.5),
    rateCase('0', 0),
    chCase('another count', ch + 1, VALUE),
    chCase('0', 0),
    chCase('undefined', undefined),
    chCase('a numeric string', String(ch)),
    chCase('-1', -1),
    spcCase('-1', -1),
    spcCase('1.5', 1.5),
    spcCase('NaN', NaN),
    spcCase('Infinity', Infinity),
    spcCase('undefined', undefined),
    spcCase('a numeric string', String(n)),
    spcCase('null', null),
    [
      'samplesPerChannel > 0 with empty data',
      () => frame({ data: new Int16Array(0) }),
      RangeError,
      /frame\.data has 0 samples.*empty/,
      VALUE,
    ],
    spcCase('2**53 (not a safe integer)', 2 ** 53),
    ...(ch === 2
      ? [
          [
            'stereo frame with an odd sample count, short by half a frame',
            () => frame({ data: noise(2 * n - 1, 9) }),
            RangeError,
            /frame\.data has 319 samples.*not a whole number of 2-channel frames/,
            VALUE,
          ],
        ]
      : []),
  ];
}

const pushCases = [];
for (const [name, rate, out, ch, q] of CONFIGS) {
  for (const [label, make, ErrorClass, re, code] of badFrames(rate, ch)) {
    pushCases.push([name, label, { rate, out, ch, q }, make, ErrorClass, re, code]);
  }
}

describe('push rejects bad frames and changes nothing', () => {
  test.each(pushCases)('%s: %s', (_name, _label, { rate, out, ch, q }, make, ErrorClass, re, code) => {
    const r = new AudioResampler(rate, out, ch, q);
    const reference = new AudioResampler(rate, out, ch, q);
    const a = new AudioFrame(noise(480 * ch, 1), rate, ch, 480);
    const b = new AudioFrame(noise(333 * ch, 2), rate, ch, 333);
    const got = [...r.push(a)];
    const want = [...reference.push(a)];
    let error;
    try {
      r.push(make());
    } catch (e) {
      error = e;
    }
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
    // Still usable, and the rejected frame left no trace in the output.
    got.push(...r.push(b), ...r.flush());
    want.push(...reference.push(b), ...reference.flush());
    expect(samples(got)).toEqual(samples(want));
    expect(r.closed).toBe(false);
  });
});

describe('push edge cases that are valid', () => {
  test('a stereo frame with an odd data length beyond samplesPerChannel * channels reads only the whole frames', () => {
    const r = new AudioResampler(44100, 48000, 2, 1);
    const ref = new AudioResampler(44100, 48000, 2, 1);
    const data = noise(2 * 441 + 1, 3);
    const got = [...r.push(new AudioFrame(data, 44100, 2, 441)), ...r.flush()];
    const want = [...ref.push(new AudioFrame(data.slice(0, 882), 44100, 2, 441)), ...ref.flush()];
    expect(samples(got)).toEqual(samples(want));
    expect(samples(got).length).toBe(2 * 480);
  });

  test('a detached Int16Array with samplesPerChannel 0 is an empty push', () => {
    const r = new AudioResampler(48000, 16000);
    expect(r.push({ data: detachedInt16Array(480), sampleRate: 48000, channels: 1, samplesPerChannel: 0 })).toEqual([]);
    expect(r.flush()).toEqual([]);
  });

  test('a frame backed by a SharedArrayBuffer is read like any other', () => {
    const shared = new Int16Array(new SharedArrayBuffer(960));
    shared.set(noise(480, 4));
    const r = new AudioResampler(48000, 16000, 1, 0);
    const ref = new AudioResampler(48000, 16000, 1, 0);
    const got = [...r.push(new AudioFrame(shared, 48000, 1, 480)), ...r.flush()];
    const want = [...ref.push(new AudioFrame(shared.slice(), 48000, 1, 480)), ...ref.flush()];
    expect(samples(got)).toEqual(samples(want));
  });

  test('a frame object with extra or getter-based fields works', () => {
    const r = new AudioResampler(48000, 16000, 1, 0);
    const frame = {
      get data() {
        return noise(480, 6);
      },
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
      extra: 'ignored',
    };
    expect([...r.push(frame), ...r.flush()].reduce((n, f) => n + f.samplesPerChannel, 0)).toBe(160);
  });

  test('a getter that throws propagates its error and changes nothing', () => {
    const r = new AudioResampler(48000, 16000, 1, 0);
    const frame = {
      get data() {
        throw new Error('boom');
      },
      sampleRate: 48000,
      channels: 1,
      samplesPerChannel: 480,
    };
    expect(() => r.push(frame)).toThrow('boom');
    expect([...r.push(new AudioFrame(noise(480, 1), 48000, 1, 480)), ...r.flush()].length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- after close, wrong receiver

describe('methods after close()', () => {
  for (const [name, rate, out, ch, q] of CONFIGS) {
    const frame = () => new AudioFrame(noise(480 * ch, 1), rate, ch, 480);
    test.each([
      ['push(a valid frame)', (r) => r.push(frame()), false],
      ['push(null) (closed is reported first)', (r) => r.push(null), false],
      ['push(undefined)', (r) => r.push(), false],
      ['flush()', (r) => r.flush(), false],
      ['flush() after a push before close', (r) => r.flush(), true],
    ])(`${name}: %s throws 'AudioResampler is closed'`, (_label, call, pushFirst) => {
      const r = new AudioResampler(rate, out, ch, q);
      if (pushFirst) r.push(frame());
      r.close();
      const error = thrown(() => call(r));
      expectCoded(error, Error, 'ERR_INVALID_STATE');
      expect(error.message).toBe('AudioResampler is closed');
      expect(r.closed).toBe(true);
    });

    test(`${name}: close() twice is fine and getters still work`, () => {
      const r = new AudioResampler(rate, out, ch, q);
      r.close();
      expect(() => r.close()).not.toThrow();
      expect([r.inputRate, r.outputRate, r.channels, r.quality, r.closed]).toEqual([rate, out, ch, q, true]);
    });
  }

  test('closing one resampler does not affect another', () => {
    const a = new AudioResampler(48000, 16000, 1, 0);
    const b = new AudioResampler(48000, 16000, 1, 0);
    const ref = new AudioResampler(48000, 16000, 1, 0);
    const f = new AudioFrame(noise(480, 1), 48000, 1, 480);
    a.push(f);
    a.close();
    expect(samples([...b.push(f), ...b.flush()])).toEqual(samples([...ref.push(f), ...ref.flush()]));
  });
});

describe('methods on the wrong receiver', () => {
  const frame = new AudioFrame(new Int16Array(480), 48000, 1, 480);
  test.each([
    ['push on a plain object', () => AudioResampler.prototype.push.call({}, frame)],
    ['flush on a plain object', () => AudioResampler.prototype.flush.call({})],
    ['close on a plain object', () => AudioResampler.prototype.close.call({})],
    ['inputRate getter on the prototype', () => AudioResampler.prototype.inputRate],
    ['closed getter on null', () => Object.getOwnPropertyDescriptor(AudioResampler.prototype, 'closed').get.call(null)],
  ])('%s is a TypeError', (_label, call) => {
    expect(call).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------- AudioFrame and combineAudioFrames

describe('AudioFrame and combineAudioFrames bad input', () => {
  // rtc-node's messages (its Errors are plain Errors; these are RangeErrors, still Errors).
  test.each([
    ['[] (empty)', [], /^buffer is empty$/],
    [
      'mixed sample rates',
      [AudioFrame.create(48000, 1, 10), AudioFrame.create(16000, 1, 10)],
      /^sample rate mismatch: expected 48000, got 16000$/,
    ],
    [
      'mixed channel counts',
      [AudioFrame.create(48000, 1, 10), AudioFrame.create(48000, 2, 10)],
      /^channel mismatch: expected 1, got 2$/,
    ],
  ])('combineAudioFrames(%s) throws a RangeError, ERR_INVALID_ARG_VALUE', (_label, buffer, re) => {
    const error = thrown(() => combineAudioFrames(buffer));
    expectCoded(error, RangeError, VALUE);
    expect(error.message).toMatch(re);
  });

  test.each([
    ['negative samplesPerChannel', () => AudioFrame.create(48000, 1, -1)],
    ['negative channels', () => AudioFrame.create(48000, -1, 10)],
    ['huge samplesPerChannel', () => AudioFrame.create(48000, 1, 2 ** 53)],
  ])('AudioFrame.create with %s throws a RangeError, ERR_OUT_OF_RANGE', (_label, call) => {
    const error = thrown(call);
    expectCoded(error, RangeError, 'ERR_OUT_OF_RANGE');
    expect(error.message).toMatch(/^AudioFrame\.create: channels \* samplesPerChannel: /);
  });
});

// ---------------------------------------------------------------- the other entry points

const PCM = { inputRate: 48000, outputRate: 16000, channels: 2 };

/** Bad options of `PcmResampler`, `resample` and `resampleAsync`: [label, options, class, code, message regex]. */
const PCM_OPTIONS = [
  ['options = null', null, TypeError, TYPE, /options must be an object/],
  ['options = a string', 's16', TypeError, TYPE, /options must be an object/],
  ['no inputRate', { outputRate: 16000 }, TypeError, TYPE, /^inputRate/],
  ['outputRate = 0', { ...PCM, outputRate: 0 }, RangeError, RANGE, /^outputRate/],
  ['inputRate = 48000.5', { ...PCM, inputRate: 48000.5 }, RangeError, RANGE, /^inputRate/],
  ['a ratio beyond MAX_RATIO', { ...PCM, inputRate: 1, outputRate: 768000 }, RangeError, RANGE, /must be at most 96/],
  ["channels = '2'", { ...PCM, channels: '2' }, TypeError, TYPE, /^channels/],
  ['channels = 0', { ...PCM, channels: 0 }, RangeError, RANGE, /^channels/],
  ['quality = 7', { ...PCM, quality: 7 }, RangeError, VALUE, /^quality/],
  ['quality = null', { ...PCM, quality: null }, TypeError, TYPE, /^quality/],
  ["input = 'wav'", { ...PCM, input: 'wav' }, RangeError, VALUE, /^input must be one of/],
  ['input = 1', { ...PCM, input: 1 }, TypeError, TYPE, /^input must be one of/],
  ["output = 'S16'", { ...PCM, output: 'S16' }, RangeError, VALUE, /^output must be one of/],
  ['an unknown option', { ...PCM, format: 's16' }, TypeError, VALUE, /unsupported option\(s\) format/],
];

/** Bad samples for a stereo s16 resampler: [label, samples, class, code, message regex]. */
const PCM_SAMPLES = [
  ['a Float32Array', new Float32Array(8), TypeError, TYPE, /^samples must be a Int16Array/],
  ['null', null, TypeError, TYPE, /^samples must be a Int16Array/],
  ['a plain array', [1, 2], TypeError, TYPE, /^samples must be a Int16Array/],
  ['an odd length', new Int16Array(7), RangeError, VALUE, /^samples has 7 samples, not a whole number/],
];

/** The rejection of `promise` (fails if it resolves). */
function rejection(promise) {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e) => e,
  );
}

describe('PcmResampler, resample and resampleAsync: bad input carries the code of its class', () => {
  test.each(PCM_OPTIONS)('new PcmResampler(%s)', (_label, options, ErrorClass, code, re) => {
    const error = thrown(() => new PcmResampler(options));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  test.each(PCM_OPTIONS)('resample(samples, %s)', (_label, options, ErrorClass, code, re) => {
    const error = thrown(() => resample(new Int16Array(8), options));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  test.each(PCM_OPTIONS)('resampleAsync(samples, %s) rejects', async (_label, options, ErrorClass, code, re) => {
    const error = await rejection(resampleAsync(new Int16Array(8), options));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  describe.each([
    ['resampling', { ...PCM }],
    ['same rate and format (no native call)', { ...PCM, outputRate: 48000 }],
  ])('%s', (_config, options) => {
    test.each(PCM_SAMPLES)('push(%s)', (_label, samples, ErrorClass, code, re) => {
      const error = thrown(() => new PcmResampler(options).push(samples));
      expectCoded(error, ErrorClass, code);
      expect(error.message).toMatch(re);
    });

    test.each(PCM_SAMPLES)('pushInto(%s, out)', (_label, samples, ErrorClass, code, re) => {
      const error = thrown(() => new PcmResampler(options).pushInto(samples, new Int16Array(64)));
      expectCoded(error, ErrorClass, code);
      expect(error.message).toMatch(re);
    });

    test.each(PCM_SAMPLES)('resample(%s)', (_label, samples, ErrorClass, code, re) => {
      const error = thrown(() => resample(samples, options));
      expectCoded(error, ErrorClass, code);
      expect(error.message).toMatch(re);
    });

    test.each(PCM_SAMPLES)('resampleAsync(%s) rejects', async (_label, samples, ErrorClass, code, re) => {
      const error = await rejection(resampleAsync(samples, options));
      expectCoded(error, ErrorClass, code);
      expect(error.message).toMatch(re);
    });

    test.each([
      ['pushInto: out a Float32Array', (r) => r.pushInto(new Int16Array(8), new Float32Array(64)), TypeError, TYPE],
      ['pushInto: out too small', (r) => r.pushInto(new Int16Array(960), new Int16Array(2)), RangeError, RANGE],
      [
        'pushInto: out sharing memory with samples',
        (r) => {
          const a = new Int16Array(1024);
          return r.pushInto(a.subarray(0, 960), a.subarray(2));
        },
        RangeError,
        RANGE,
      ],
      ['flushInto: out a plain array', (r) => r.flushInto([]), TypeError, TYPE],
      ['maxOutputFrames(-1)', (r) => r.maxOutputFrames(-1), RangeError, RANGE],
      ["maxOutputFrames('1')", (r) => r.maxOutputFrames('1'), TypeError, TYPE],
    ])('%s', (_label, call, ErrorClass, code) => {
      expectCoded(
        thrown(() => call(new PcmResampler(options))),
        ErrorClass,
        code,
      );
    });

    test.each([
      ['push', (r) => r.push(new Int16Array(8))],
      ['flush', (r) => r.flush()],
      ['pushInto', (r) => r.pushInto(new Int16Array(8), new Int16Array(64))],
      ['flushInto', (r) => r.flushInto(new Int16Array(64))],
      ['maxOutputFrames', (r) => r.maxOutputFrames(8)],
    ])('%s after close() is an Error, ERR_INVALID_STATE', (_label, call) => {
      const r = new PcmResampler(options);
      r.close();
      const error = thrown(() => call(r));
      expectCoded(error, Error, 'ERR_INVALID_STATE');
      expect(error.message).toBe('PcmResampler is closed');
    });
  });
});

/** Bad options of `createResampleTransform` (and `resampleStream`, with a stream). */
const STREAM_OPTIONS = [
  ['options = undefined', undefined, TypeError, TYPE, /options must be an object/],
  ['no outputRate', {}, TypeError, TYPE, /^outputRate/],
  ['outputRate = -1', { outputRate: -1 }, RangeError, RANGE, /^outputRate/],
  ['quality = 9', { outputRate: 16000, quality: 9 }, RangeError, VALUE, /^quality/],
  ["quality = 'HIGH'", { outputRate: 16000, quality: 'HIGH' }, TypeError, TYPE, /^quality/],
  ['channels = 0', { outputRate: 16000, channels: 0 }, RangeError, RANGE, /^channels/],
];

/** The error a frame written to a transform of `options` errors the stream with. */
async function streamError(options, frame) {
  const transform = createResampleTransform(options);
  const writer = transform.writable.getWriter();
  const reader = transform.readable.getReader();
  writer.write(frame).catch(() => {});
  return rejection(reader.read());
}

describe('resampleStream and createResampleTransform: bad input carries the code of its class', () => {
  test.each(STREAM_OPTIONS)('createResampleTransform(%s)', (_label, options, ErrorClass, code, re) => {
    const error = thrown(() => createResampleTransform(options));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  test.each(STREAM_OPTIONS.slice(1))('resampleStream(%s)', (_label, options, ErrorClass, code, re) => {
    const error = thrown(() => resampleStream({ ...options, stream: new ReadableStream() }));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  test('resampleStream with a stream that is not a ReadableStream', () => {
    const error = thrown(() => resampleStream({ outputRate: 16000, stream: [] }));
    expectCoded(error, TypeError, TYPE);
    expect(error.message).toMatch(/^stream must be a ReadableStream/);
  });

  test.each([
    ['a frame that is not an object', { outputRate: 16000 }, 'frame', TypeError, TYPE],
    ['a frame of 0 Hz', { outputRate: 16000 }, AudioFrame.create(0, 1, 480), RangeError, RANGE],
    ['a frame beyond MAX_RATIO', { outputRate: 768000 }, AudioFrame.create(1, 1, 1), RangeError, RANGE],
    [
      'a stereo frame for channels: 1',
      { outputRate: 16000, channels: 1 },
      AudioFrame.create(48000, 2, 480),
      RangeError,
      VALUE,
    ],
  ])('%s errors the stream', async (_label, options, frame, ErrorClass, code) => {
    expectCoded(await streamError(options, frame), ErrorClass, code);
  });
});

/** Bad options of `PcmResampleTransform`: [label, options, class, code, message regex]. */
const TRANSFORM_OPTIONS = [
  ['options = null', null, TypeError, TYPE, /options must be an object/],
  ['inputRate = 0', { inputRate: 0, outputRate: 16000 }, RangeError, RANGE, /inputRate/],
  ['quality = 5', { inputRate: 48000, outputRate: 16000, quality: 5 }, RangeError, VALUE, /quality/],
  [
    "inputFormat = 'wav'",
    { inputRate: 48000, outputRate: 16000, inputFormat: 'wav' },
    RangeError,
    VALUE,
    /inputFormat/,
  ],
  [
    "outputFormat = 's16' (a sample format, not a byte format)",
    { inputRate: 48000, outputRate: 16000, outputFormat: 's16' },
    RangeError,
    VALUE,
    /outputFormat/,
  ],
  ['inputFormat = 16', { inputRate: 48000, outputRate: 16000, inputFormat: 16 }, TypeError, TYPE, /inputFormat/],
  ["chunkMs = '20'", { inputRate: 48000, outputRate: 16000, chunkMs: '20' }, TypeError, TYPE, /chunkMs/],
  ['chunkMs = 0', { inputRate: 48000, outputRate: 16000, chunkMs: 0 }, RangeError, RANGE, /chunkMs/],
  [
    'chunkMs = 0.01 (not a whole frame)',
    { inputRate: 48000, outputRate: 16000, chunkMs: 0.01 },
    RangeError,
    RANGE,
    /chunkMs/,
  ],
  ['chunkMs = 70000', { inputRate: 48000, outputRate: 16000, chunkMs: 70000 }, RangeError, RANGE, /chunkMs/],
  [
    "encoding = 'hex'",
    { inputRate: 48000, outputRate: 16000, encoding: 'hex' },
    TypeError,
    VALUE,
    /unsupported option\(s\) encoding/,
  ],
  ['objectMode = true', { inputRate: 48000, outputRate: 16000, objectMode: true }, TypeError, VALUE, /objectMode/],
];

describe('PcmResampleTransform: bad input carries the code of its class', () => {
  test.each(TRANSFORM_OPTIONS)('new PcmResampleTransform(%s)', (_label, options, ErrorClass, code, re) => {
    const error = thrown(() => new PcmResampleTransform(options));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  test.each([
    ['write', 'a string', (t) => t.write('abcd')],
    ['write', 'an Int16Array', (t) => t.write(new Int16Array(4))],
    ['end', 'a number', (t) => t.end(42)],
  ])('%s(%s) destroys the stream with a TypeError, ERR_INVALID_ARG_TYPE', async (_method, _label, call) => {
    const t = new PcmResampleTransform({ inputRate: 48000, outputRate: 16000 });
    const error = new Promise((resolve) => t.on('error', resolve));
    call(t);
    const err = await error;
    expectCoded(err, TypeError, TYPE);
    expect(err.message).toMatch(/^PcmResampleTransform: chunk must be a Buffer or Uint8Array/);
  });
});

describe('AdaptiveAudioResampler: bad frames carry the code of their class', () => {
  // The frames it adapts (another rate or channel count) are not errors for it.
  const MISMATCH = /^(sampleRate = (another rate|rate \+ 1)|channels = another count)$/;
  const cases = pushCases.filter(([name, label]) => name === CONFIGS[1][0] && !MISMATCH.test(label));
  test.each(cases)('%s: %s', (_name, _label, { rate, out, ch, q }, make, ErrorClass, re, code) => {
    const r = new AdaptiveAudioResampler(rate, out, ch, q);
    const error = thrown(() => r.push(make()));
    expectCoded(error, ErrorClass, code);
    expect(error.message).toMatch(re);
  });

  test('push and flush after close() are Errors, ERR_INVALID_STATE', () => {
    const r = new AdaptiveAudioResampler(48000, 16000);
    r.close();
    for (const call of [() => r.push(AudioFrame.create(48000, 1, 480)), () => r.flush()]) {
      const error = thrown(call);
      expectCoded(error, Error, 'ERR_INVALID_STATE');
      expect(error.message).toBe('AudioResampler is closed');
    }
  });
});

// ---------------------------------------------------------------- the binding directly

describe('the binding re-validates (never trust the caller across FFI)', () => {
  const { nativeS16 } = require('./helpers/native_s16.js');
  test.each([
    ['NaN inputRate', [NaN, 16000, 1, 2], /inputRate/, RANGE],
    ['0 outputRate', [48000, 0, 1, 2], /outputRate/, RANGE],
    ['Infinity inputRate', [Infinity, 16000, 1, 2], /inputRate/, RANGE],
    ['0 channels', [48000, 16000, 0, 2], /channels/, RANGE],
    ['65 channels', [48000, 16000, 65, 2], /channels/, RANGE],
    ['-1 channels (wraps in u32)', [48000, 16000, -1, 2], /channels/, RANGE],
    ['quality 5', [48000, 16000, 1, 5], /quality/, VALUE],
    ['quality 1.5', [48000, 16000, 1, 1.5], /quality/, VALUE],
    ['2**32 + 48000 rate', [2 ** 32 + 48000, 16000, 1, 2], /inputRate/, RANGE],
    ['a ratio beyond MAX_RATIO', [1, 768000, 1, 2], /must be at most 96/, RANGE],
  ])('a native resampler with %s throws a RangeError', (_label, args, re, code) => {
    const error = thrown(() => nativeS16(...args));
    expectCoded(error, RangeError, code);
    expect(error.message).toMatch(re);
  });

  // pcmNew, resamplePcm and resamplePcmAsync take the same options object, checked by one function.
  const OPTIONS = { inputRate: 48000, outputRate: 16000, channels: 1, quality: 2, inputFormat: 0, outputFormat: 0 };
  const BINDING_CALLS = [
    ['pcmNew', (b, options) => b.pcmNew(options)],
    ['resamplePcm', (b, options) => b.resamplePcm(new Int16Array(480), options)],
    ['resamplePcmAsync', (b, options) => b.resamplePcmAsync(new Int16Array(480), options)],
  ];
  test.each([
    ['input format 4', { inputFormat: 4 }, /^input must be/, VALUE],
    ['output format -1', { outputFormat: -1 }, /^output must be/, VALUE],
    ['output format 0.5', { outputFormat: 0.5 }, /^output must be/, VALUE],
    ['quality 5', { quality: 5 }, /^quality must be/, VALUE],
    ['NaN inputRate', { inputRate: NaN }, /^inputRate must be/, RANGE],
    ['65 channels', { channels: 65 }, /^channels must be/, RANGE],
    ['a ratio beyond MAX_RATIO', { inputRate: 1, outputRate: 768000 }, /must be at most 96/, RANGE],
  ])('the binding options with %s are a RangeError naming the option, in every call', (_label, bad, re, code) => {
    const binding = require('../binding.js');
    for (const [name, call] of BINDING_CALLS) {
      const error = thrown(() => call(binding, { ...OPTIONS, ...bad }));
      expect([name, error.message]).toEqual([name, expect.stringMatching(re)]);
      expectCoded(error, RangeError, code);
    }
  });

  test('the binding options give the same output through pcmNew and resamplePcm', async () => {
    const binding = require('../binding.js');
    const input = noise(4800, 3);
    const options = { ...OPTIONS, outputFormat: binding.sampleFormats().indexOf('f32') };
    const state = binding.pcmNew(options);
    const streamed = [binding.pcmPush(state, input), binding.pcmFlush(state)];
    binding.pcmClose(state);
    const whole = Float32Array.from(streamed.flatMap((part) => (part === null ? [] : Array.from(part))));
    expect(binding.resamplePcm(input, options)).toEqual(whole);
    expect(await binding.resamplePcmAsync(input, options)).toEqual(whole);
  });

  test.each([
    ['a Float32Array', new Float32Array(480)],
    ['a Uint8Array', new Uint8Array(480)],
    ['null', null],
    ['a number', 480],
    ['a plain array', [1, 2, 3]],
  ])('push(%s) throws an Error and the state stays usable', (_label, value) => {
    const n = nativeS16(48000, 16000, 1, 0);
    expectCoded(
      thrown(() => n.push(value)),
      TypeError,
      'ERR_INVALID_ARG_TYPE',
    );
    n.push(new Int16Array(480));
    const tail = n.flush();
    expect(Object.prototype.toString.call(tail)).toBe('[object Int16Array]');
  });

  // pcmPush and pcmPushInto are registered by hand (src/raw.rs), outside napi-rs's checks.
  test.each([
    ['a plain object', {}],
    ['undefined', undefined],
    ['a number', 1],
    ['an Int16Array', new Int16Array(4)],
  ])('pcmPush / pcmPushInto with %s as the state throw a TypeError naming it', (_label, state) => {
    const binding = require('../binding.js');
    for (const call of [
      () => binding.pcmPush(state, new Int16Array(480)),
      () => binding.pcmPushInto(state, new Int16Array(480), new Int16Array(480)),
    ]) {
      const error = thrown(call);
      expectCoded(error, TypeError, 'ERR_INVALID_ARG_TYPE');
      expect(error.message).toMatch(/^state must be/);
    }
  });

  test('pcmPush / pcmPushInto on a closed state throw "closed" (ERR_INVALID_STATE); missing arguments are TypeErrors', () => {
    const binding = require('../binding.js');
    const state = binding.pcmNew({ ...OPTIONS, quality: 0 });
    for (const [call, re] of [
      [() => binding.pcmPush(state), /^samples must be/],
      [() => binding.pcmPushInto(state, new Int16Array(480)), /^out must be/],
    ]) {
      const error = thrown(call);
      expectCoded(error, TypeError, 'ERR_INVALID_ARG_TYPE');
      expect(error.message).toMatch(re);
    }
    const input = new Int16Array(480).map((_, i) => 9000 * Math.sin(i / 7));
    const twin = binding.pcmNew({ ...OPTIONS, quality: 0 });
    const expected = binding.pcmPush(twin, input);
    const out = new Int16Array(480);
    expect(binding.pcmPushInto(state, input, out)).toBe(expected.length);
    expect(out.subarray(0, expected.length)).toEqual(expected);
    binding.pcmClose(twin);
    binding.pcmClose(state);
    for (const call of [
      () => binding.pcmPush(state, new Int16Array(480)),
      () => binding.pcmPushInto(state, new Int16Array(480), new Int16Array(480)),
      () => binding.pcmFlush(state),
      () => binding.pcmFlushInto(state, new Int16Array(480)),
      () => binding.pcmMaxOutputFrames(state, 480),
      () => binding.pcmDescribe(state),
    ]) {
      const error = thrown(call);
      expectCoded(error, Error, 'ERR_INVALID_STATE');
      expect(error.message).toBe('the resampler is closed');
    }
  });

  test('an odd sample count on a stereo native resampler is a RangeError (ERR_INVALID_ARG_VALUE), not a silent drop', () => {
    const n = nativeS16(48000, 16000, 2, 0);
    const error = thrown(() => n.push(new Int16Array(3)));
    expectCoded(error, RangeError, VALUE);
    expect(error.message).toMatch(/multiple of channels/);
    expect(Object.prototype.toString.call(n.push(new Int16Array(960)))).toBe('[object Int16Array]'); // the main realm's
  });
});

// ---------------------------------------------------------------- child processes

// The inputs that hang, abort or segfault @livekit/rtc-node 1.1.0, and a few more
// extreme ones, each run in its own child process through both the public API and
// the binding's functions. The child must exit normally (status 0, no signal).
const NASTY = [
  ['rates 0/0 (rtc-node: SIGSEGV on push)', 'new AudioResampler(0, 0)'],
  ['rate NaN (rtc-node: constructor hangs)', 'new AudioResampler(NaN, 16000)'],
  ['rate Infinity (rtc-node: constructor hangs)', 'new AudioResampler(Infinity, 16000)'],
  ['channels 0 (rtc-node: abort in push)', 'new AudioResampler(48000, 16000, 0)'],
  ['native rates 0/0 then push', 'nativeS16(0, 0, 1, 2).push(new Int16Array(480))'],
  ['native NaN rate', 'nativeS16(NaN, 16000, 1, 2)'],
  ['native channels 0 then push', 'nativeS16(48000, 16000, 0, 2).push(new Int16Array(480))'],
  [
    'native push of a detached array',
    'const n = nativeS16(48000, 16000, 1, 2); const a = new Int16Array(480); structuredClone(a.buffer, { transfer: [a.buffer] }); n.push(a); n.flush()',
  ],
  ['native push after close', 'const n = nativeS16(48000, 16000, 1, 2); n.close(); n.push(new Int16Array(480))'],
  ['native push with a plain object as state', 'binding.pcmPush({}, new Int16Array(480))'],
  ['native push with no state', 'binding.pcmPush(undefined, new Int16Array(480))'],
  ['native functions without arguments', 'binding.pcmNew(); binding.pcmPush(); binding.pcmFlush()'],
  [
    '1 Hz -> 96 kHz (96000 output frames per input frame), push and flush',
    'const r = new AudioResampler(1, 96000, 1, 4); r.push(new AudioFrame(new Int16Array(3).fill(32767), 1, 1, 3)); r.flush()',
  ],
  [
    '64 channels at 96 kHz -> 44.1 kHz, odd push sizes',
    'const r = new AudioResampler(96000, 44100, 64, 3); for (const n of [0, 1, 7, 960, 4801]) r.push(new AudioFrame(new Int16Array(64 * n).fill(-32768), 96000, 64, n)); r.flush()',
  ],
  [
    '768 kHz -> 1 Hz, stereo, 1 s push',
    'const r = new AudioResampler(768000, 1, 2, 0); r.push(new AudioFrame(new Int16Array(2 * 768000).fill(-32768), 768000, 2, 768000)); r.flush()',
  ],
  [
    '1-frame pushes at a prime rate pair',
    'const r = new AudioResampler(7919, 104729, 3, 2); for (let i = 0; i < 2000; i++) r.push(new AudioFrame(new Int16Array([i, -i, 32767]), 7919, 3, 1)); r.flush()',
  ],
  [
    'flush storm',
    'const r = new AudioResampler(44100, 48000, 2, 4); for (let i = 0; i < 2000; i++) { r.push(new AudioFrame(new Int16Array(2 * (i % 7)), 44100, 2, i % 7)); r.flush(); }',
  ],
];

describe('nastiest cases in child processes exit normally', () => {
  test.each(NASTY)(
    '%s',
    (_label, code) => {
      const script = `
      const { AudioResampler, AudioFrame } = require(${JSON.stringify(ROOT)});
      const binding = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
      const { nativeS16 } = require(${JSON.stringify(path.join(__dirname, 'helpers', 'native_s16.js'))});
      let outcome = 'ok';
      try { ${code}; } catch (e) { outcome = e.name + ': ' + e.message; }
      process.stdout.write(JSON.stringify({ outcome }) + '\\n');
    `;
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      expect(child.error).toBeUndefined(); // includes the timeout (a hang)
      expect(child.signal).toBeNull();
      expect(child.status).toBe(0);
      expect(child.stderr).toBe('');
      const { outcome } = JSON.parse(child.stdout);
      expect(typeof outcome).toBe('string');
    },
    90_000,
  );
});
