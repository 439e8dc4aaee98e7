'use strict';

// Bad-input matrix: every argument of every public function and constructor gets
// wrong types and out-of-range values. Each must throw the documented error class
// with a message naming the argument, and leave the resampler exactly as it was:
// the output of a resampler that rejected bad frames is bit-identical to that of
// one that never saw them (no partial output lost, no state changed).
// The cases that crash, abort or hang @livekit/rtc-node also run in child
// processes, which must exit normally.

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { AudioResampler, AudioResamplerQuality, AudioFrame, combineAudioFrames } = require('..');
const { noise } = require('./helpers/signals.js');

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

describe('constructor rejects bad arguments', () => {
  test.each(ctorCases)('%s = %s -> %p naming it', (arg, _label, value, ErrorClass) => {
    let error;
    try {
      construct({ [arg]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.message).toContain(arg);
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
 * [label, makeFrame, expected error class, message regex].
 */
function badFrames(rate, ch) {
  const n = 160;
  const data = () => noise(n * ch, 5);
  const frame = (fields) => ({ data: data(), sampleRate: rate, channels: ch, samplesPerChannel: n, ...fields });
  const typeData = (label, value) => [`data = ${label}`, () => frame({ data: value }), TypeError, /frame\.data/];
  // Error policy: TypeError for a value of the wrong type, RangeError for a number
  // out of range or a format that does not fit the resampler.
  const cls = (value) => (typeof value === 'number' ? RangeError : TypeError);
  const rateCase = (label, value) => [
    `sampleRate = ${label}`,
    () => frame({ sampleRate: value }),
    cls(value),
    /frame\.sampleRate/,
  ];
  const chCase = (label, value) => [
    `channels = ${label}`,
    () => frame({ channels: value }),
    cls(value),
    /frame\.channels/,
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
    ],
    rateCase('another rate', rate === 16000 ? 48000 : 16000),
    rateCase('rate + 1', rate + 1),
    rateCase('a numeric string', String(rate)),
    rateCase('NaN', NaN),
    rateCase('undefined', undefined),
    rateCase('rate + 0.5', rate + 0.5),
    rateCase('0', 0),
    chCase('another count', ch + 1),
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
    ],
    spcCase('2**53 (not a safe integer)', 2 ** 53),
    ...(ch === 2
      ? [
          [
            'stereo frame with an odd sample count, short by half a frame',
            () => frame({ data: noise(2 * n - 1, 9) }),
            RangeError,
            /frame\.data has 319 samples.*not a whole number of 2-channel frames/,
          ],
        ]
      : []),
  ];
}

const pushCases = [];
for (const [name, rate, out, ch, q] of CONFIGS) {
  for (const [label, make, ErrorClass, re] of badFrames(rate, ch)) {
    pushCases.push([name, label, { rate, out, ch, q }, make, ErrorClass, re]);
  }
}

describe('push rejects bad frames and changes nothing', () => {
  test.each(pushCases)('%s: %s', (_name, _label, { rate, out, ch, q }, make, ErrorClass, re) => {
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
    expect(error).toBeInstanceOf(ErrorClass);
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
      expect(() => call(r)).toThrow(new Error('AudioResampler is closed'));
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
  test.each([
    ['[] (empty)', [], /buffer is empty/],
    ['mixed sample rates', [AudioFrame.create(48000, 1, 10), AudioFrame.create(16000, 1, 10)], /sample rate mismatch/],
    ['mixed channel counts', [AudioFrame.create(48000, 1, 10), AudioFrame.create(48000, 2, 10)], /channel mismatch/],
  ])('combineAudioFrames(%s) throws', (_label, buffer, re) => {
    expect(() => combineAudioFrames(buffer)).toThrow(re);
  });

  test.each([
    ['negative samplesPerChannel', () => AudioFrame.create(48000, 1, -1)],
    ['negative channels', () => AudioFrame.create(48000, -1, 10)],
    ['huge samplesPerChannel', () => AudioFrame.create(48000, 1, 2 ** 53)],
  ])('AudioFrame.create with %s throws a RangeError', (_label, call) => {
    expect(call).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------- the binding directly

describe('the binding re-validates (never trust the caller across FFI)', () => {
  const { nativeS16 } = require('./helpers/native_s16.js');
  test.each([
    ['NaN inputRate', [NaN, 16000, 1, 2], /inputRate/],
    ['0 outputRate', [48000, 0, 1, 2], /outputRate/],
    ['Infinity inputRate', [Infinity, 16000, 1, 2], /inputRate/],
    ['0 channels', [48000, 16000, 0, 2], /channels/],
    ['65 channels', [48000, 16000, 65, 2], /channels/],
    ['-1 channels (wraps in u32)', [48000, 16000, -1, 2], /channels/],
    ['quality 5', [48000, 16000, 1, 5], /quality/],
    ['quality 1.5', [48000, 16000, 1, 1.5], /quality/],
    ['2**32 + 48000 rate', [2 ** 32 + 48000, 16000, 1, 2], /inputRate/],
  ])('a native resampler with %s throws a RangeError', (_label, args, re) => {
    expect(() => nativeS16(...args)).toThrow(
      expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(re) }),
    );
  });

  test.each([
    ['a Float32Array', new Float32Array(480)],
    ['a Uint8Array', new Uint8Array(480)],
    ['null', null],
    ['a number', 480],
    ['a plain array', [1, 2, 3]],
  ])('push(%s) throws an Error and the state stays usable', (_label, value) => {
    const n = nativeS16(48000, 16000, 1, 0);
    expect(() => n.push(value)).toThrow();
    n.push(new Int16Array(480));
    const tail = n.flush();
    expect(Object.prototype.toString.call(tail)).toBe('[object Int16Array]');
  });

  // pcmPush and pcmPushInto are registered by hand (src/hot.rs), outside napi-rs's checks.
  test.each([
    ['a plain object', {}],
    ['undefined', undefined],
    ['a number', 1],
    ['an Int16Array', new Int16Array(4)],
  ])('pcmPush / pcmPushInto with %s as the state throw a TypeError naming it', (_label, state) => {
    const binding = require('../binding.js');
    const expected = expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/^state must be/) });
    expect(() => binding.pcmPush(state, new Int16Array(480))).toThrow(expected);
    expect(() => binding.pcmPushInto(state, new Int16Array(480), new Int16Array(480))).toThrow(expected);
  });

  test('pcmPush / pcmPushInto on a closed state throw "closed"; missing arguments are TypeErrors', () => {
    const binding = require('../binding.js');
    const state = binding.pcmNew(48000, 16000, 1, 0, 0, 0);
    expect(() => binding.pcmPush(state)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/^samples must be/) }),
    );
    expect(() => binding.pcmPushInto(state, new Int16Array(480))).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/^out must be/) }),
    );
    const input = new Int16Array(480).map((_, i) => 9000 * Math.sin(i / 7));
    const twin = binding.pcmNew(48000, 16000, 1, 0, 0, 0);
    const expected = binding.pcmPush(twin, input);
    const out = new Int16Array(480);
    expect(binding.pcmPushInto(state, input, out)).toBe(expected.length);
    expect(out.subarray(0, expected.length)).toEqual(expected);
    binding.pcmClose(twin);
    binding.pcmClose(state);
    expect(() => binding.pcmPush(state, new Int16Array(480))).toThrow(/closed/);
    expect(() => binding.pcmPushInto(state, new Int16Array(480), new Int16Array(480))).toThrow(/closed/);
  });

  test('an odd sample count on a stereo native resampler is an Error, not a silent drop', () => {
    const n = nativeS16(48000, 16000, 2, 0);
    expect(() => n.push(new Int16Array(3))).toThrow(/multiple of channels/);
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
