'use strict';

// What `rtc-resampler/register` puts in place of @livekit/rtc-node's two
// resampler exports, and the objects that carry them to rtc-node's importers.
// Runs on the main thread (the ESM wrapper module imports this file too).

const { AdaptiveAudioResampler: AudioResampler } = require('../adaptive_resampler.js');
const { AudioResamplerQuality } = require('../resampler.js');

const REPLACED = new Set(['AudioResampler', 'AudioResamplerQuality']);

/** Per-process bookkeeping, shared by every copy of this file. */
const STATE_KEY = Symbol.for('rtc-resampler.register');

function shared() {
  let s = globalThis[STATE_KEY];
  if (s === undefined) {
    // covered: AudioFrame classes of the rtc-node copies the swap reached;
    // patched: rtc-node entry files whose source a load hook has swapped.
    s = { api: null, covered: new WeakSet(), cjsWrappers: new WeakMap(), warned: new Set(), patched: new Set() };
    Object.defineProperty(globalThis, STATE_KEY, { value: s, configurable: false, enumerable: false, writable: false });
  }
  return s;
}

/** True for the exports object (or namespace) of an @livekit/rtc-node entry module. */
function isRtcNodeExports(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    // `in` first: reading a missing name off a module that is still loading (a
    // require cycle) makes Node print a warning.
    if (!('AudioResampler' in value && 'AudioFrame' in value && 'Room' in value)) return false;
    return (
      typeof value.AudioResampler === 'function' &&
      typeof value.AudioFrame === 'function' &&
      typeof value.Room === 'function' &&
      value.AudioResampler !== AudioResampler
    );
  } catch {
    return false;
  }
}

/**
 * The object `require('@livekit/rtc-node')` returns under register: the real
 * exports, each forwarded by a getter (rtc-node's own CJS exports are
 * non-configurable getters, so they cannot be replaced in place), except the two
 * resampler names. One object per rtc-node copy.
 */
function cjsExports(real) {
  const s = shared();
  let out = s.cjsWrappers.get(real);
  if (out !== undefined) return out;
  out = {};
  for (const key of Reflect.ownKeys(real)) {
    const desc = Object.getOwnPropertyDescriptor(real, key);
    if (typeof key === 'string' && REPLACED.has(key)) continue;
    if (key === '__esModule' || !('get' in desc)) {
      Object.defineProperty(out, key, { value: real[key], enumerable: desc.enumerable, writable: false });
    } else {
      Object.defineProperty(out, key, { get: () => real[key], enumerable: desc.enumerable });
    }
  }
  const fixed = (value) => ({ value, enumerable: true, writable: false });
  Object.defineProperty(out, 'AudioResampler', fixed(AudioResampler));
  Object.defineProperty(out, 'AudioResamplerQuality', fixed(AudioResamplerQuality));
  s.cjsWrappers.set(real, out);
  markCovered(real);
  return out;
}

/**
 * Notes that the rtc-node copy behind `exportsOrNamespace` was reached by the
 * swap. A copy is known by its AudioFrame class, which its ESM namespace and
 * its CJS exports share.
 */
function markCovered(exportsOrNamespace) {
  const frame = exportsOrNamespace.AudioFrame;
  if (typeof frame === 'function') shared().covered.add(frame);
}

/** True when the swap reached the rtc-node copy with these exports. */
function isCovered(exports) {
  return shared().covered.has(exports.AudioFrame);
}

/** Called by the generated ESM wrapper module with the real rtc-node namespace. */
function forEsm(realNamespace) {
  markCovered(realNamespace);
  return { AudioResampler, AudioResamplerQuality };
}

module.exports = {
  AudioResampler,
  AudioResamplerQuality,
  shared,
  isRtcNodeExports,
  cjsExports,
  markCovered,
  isCovered,
  forEsm,
};
