'use strict';

// The quality presets are defined once, in Rust (the engine's `Quality`), and
// exported by the binding (`qualityPresets()`); `AudioResamplerQuality` is built
// from that list. The hand-written typings (`index.d.ts`) must say the same.

const fs = require('node:fs');
const path = require('node:path');

const binding = require('../binding.js');
const { AudioResamplerQuality } = require('../index.js');

const presets = binding.qualityPresets();

/** `{ NAME: value }` of `export declare enum AudioResamplerQuality { ... }` in index.d.ts. */
function typedEnum() {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  const body = /export declare enum AudioResamplerQuality \{([^}]*)\}/.exec(dts);
  expect(body).not.toBeNull();
  const members = {};
  for (const m of body[1].matchAll(/^\s*([A-Z_]+)\s*=\s*(\d+)\s*,?\s*$/gm)) members[m[1]] = Number(m[2]);
  return members;
}

describe('AudioResamplerQuality has one source', () => {
  test('the binding lists the presets in order of value', () => {
    expect(presets.map((p) => p.name)).toEqual(['QUICK', 'LOW', 'MEDIUM', 'HIGH', 'VERY_HIGH']);
    expect(presets.map((p) => p.value)).toEqual(presets.map((_, i) => i));
  });

  test('the JS enum is exactly the binding list plus the reverse mapping', () => {
    const expected = {};
    for (const { name, value } of presets) {
      expected[name] = value;
      expected[value] = name;
    }
    expect({ ...AudioResamplerQuality }).toEqual(expected);
    expect(Object.keys(AudioResamplerQuality)).toHaveLength(2 * presets.length);
  });

  test('index.d.ts declares the same names and values', () => {
    expect(typedEnum()).toEqual(Object.fromEntries(presets.map((p) => [p.name, p.value])));
  });

  test('the binding rejects the first value past the list', () => {
    const { nativeS16 } = require('./helpers/native_s16.js');
    // Thrown by the addon, so a RangeError of the main realm, not of jest's sandbox: compare names.
    let error = null;
    try {
      nativeS16(48000, 16000, 1, presets.length);
    } catch (e) {
      error = e;
    }
    expect(error && { name: error.name, code: error.code }).toEqual({
      name: 'RangeError',
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(() => nativeS16(48000, 16000, 1, presets.length - 1).close()).not.toThrow();
  });
});
