'use strict';

// PcmResampleTransform against options and chunks it cannot honour (issue #11,
// finding 10): such options are TypeErrors naming them, non-byte chunks destroy
// the stream with a TypeError (and free the native state), and one outsized
// chunk does not leave an outsized scratch buffer behind.

const { PcmResampleTransform } = require('..');
const { nativeCounter } = require('./helpers/native_count.js');

const BASE = { inputRate: 48000, outputRate: 16000 };

describe('options', () => {
  test.each([
    ['encoding', { encoding: 'utf8' }],
    ['defaultEncoding', { defaultEncoding: 'hex' }],
    ['decodeStrings', { decodeStrings: false }],
    ['objectMode', { objectMode: true }],
    ['readableObjectMode', { readableObjectMode: true }],
    ['writableObjectMode', { writableObjectMode: true }],
    ['transform', { transform: (c, _e, cb) => cb(null, c) }],
    ['flush', { flush: (cb) => cb() }],
    ['destroy', { destroy: (err, cb) => cb(err) }],
    ['final', { final: (cb) => cb() }],
    ['construct', { construct: (cb) => cb() }],
    ['write', { write: (_c, _e, cb) => cb() }],
    ['writev', { writev: (_c, cb) => cb() }],
    ['read', { read: () => {} }],
    ['inputrate', { inputrate: 8000 }], // a typo
  ])('%s is a TypeError naming it, and no native state is created', (name, extra) => {
    const native = nativeCounter();
    let error;
    try {
      new PcmResampleTransform({ ...BASE, ...extra });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(name);
    expect(native.live()).toBe(0);
  });

  test('several unsupported options are all named', () => {
    expect(() => new PcmResampleTransform({ ...BASE, encoding: 'utf8', flush: () => {} })).toThrow(/encoding, flush/);
  });

  test('buffering and lifetime options are passed on', () => {
    const controller = new AbortController();
    const t = new PcmResampleTransform({
      ...BASE,
      readableHighWaterMark: 2000,
      writableHighWaterMark: 1000,
      allowHalfOpen: false,
      emitClose: true,
      autoDestroy: true,
      decodeStrings: true,
      signal: controller.signal,
      encoding: undefined, // an undefined option is no option
    });
    expect(t.readableHighWaterMark).toBe(2000);
    expect(t.writableHighWaterMark).toBe(1000);
    expect(t.allowHalfOpen).toBe(false);
    t.destroy();
  });
});

describe('chunks', () => {
  test.each([
    ['an Int16Array', new Int16Array(480)],
    ['a Float32Array', new Float32Array(480)],
    ['a string', 'abcd'],
    ['a Uint16Array', new Uint16Array(480)],
  ])('%s destroys the stream with a TypeError and frees the native state', async (_label, chunk) => {
    const native = nativeCounter();
    const t = new PcmResampleTransform(BASE);
    expect(native.live()).toBe(1);
    const errored = new Promise((resolve) => t.on('error', resolve));
    const called = new Promise((resolve) => t.write(chunk, resolve));
    const err = await errored;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toMatch(/chunk must be a Buffer or Uint8Array/);
    expect(await called).toBe(err);
    expect(native.live()).toBe(0);
  });

  test('end() with a non-byte chunk is refused the same way', async () => {
    const t = new PcmResampleTransform(BASE);
    const errored = new Promise((resolve) => t.on('error', resolve));
    t.end(new Float32Array(4));
    expect(await errored).toBeInstanceOf(TypeError);
  });

  test('Buffers and Uint8Arrays of any realm are bytes', async () => {
    const vm = require('node:vm');
    const foreign = vm.runInNewContext('new Uint8Array(960)');
    const t = new PcmResampleTransform(BASE);
    const out = [];
    t.on('data', (c) => out.push(c));
    const done = new Promise((resolve, reject) => {
      t.on('end', resolve);
      t.on('error', reject);
    });
    t.write(Buffer.alloc(960));
    t.end(foreign);
    await done;
    expect(Buffer.concat(out).length).toBe(2 * 320);
  });
});

describe('scratch memory', () => {
  test('an odd-aligned 100 MB chunk does not leave a 100 MB scratch buffer', async () => {
    const MB = 1024 * 1024;
    const t = new PcmResampleTransform({ ...BASE, quality: 0 });
    t.on('data', () => {}); // output is consumed and dropped
    global.gc();
    const before = process.memoryUsage().arrayBuffers;
    {
      const oddAligned = Buffer.alloc(100 * MB + 2).subarray(1, 1 + 100 * MB);
      await new Promise((resolve, reject) => t.write(oddAligned, (e) => (e ? reject(e) : resolve())));
    }
    // V8 frees ArrayBuffer backing stores on a background sweeper after a GC, so
    // give it turns to catch up before concluding anything is retained (the loop
    // ends as soon as it has; the cap only keeps a real leak from waiting long).
    let retained = Infinity;
    for (let turn = 0; turn < 300 && retained >= 10 * MB; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      global.gc();
      retained = process.memoryUsage().arrayBuffers - before;
    }
    expect(retained).toBeLessThan(10 * MB);
    // The stream is still alive and working.
    await new Promise((resolve, reject) => t.write(Buffer.alloc(961).subarray(1), (e) => (e ? reject(e) : resolve())));
    t.destroy();
  }, 60_000);
});
