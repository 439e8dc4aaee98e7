'use strict';

// The two libraries under test, behind the same small interface:
// { name, AudioResampler, AudioFrame, Quality, version }.

const path = require('node:path');
const fs = require('node:fs');

function packageVersion(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function loadOurs() {
  const lib = require('..');
  return {
    name: 'ours',
    AudioResampler: lib.AudioResampler,
    AudioFrame: lib.AudioFrame,
    Quality: lib.AudioResamplerQuality,
    version: packageVersion(path.join(__dirname, '..')),
  };
}

/** `@livekit/rtc-node`, or `null` (with the reason) when it is not installed. */
function loadRtcNode() {
  let entry;
  try {
    entry = require.resolve('@livekit/rtc-node');
  } catch (err) {
    return { lib: null, reason: `@livekit/rtc-node is not installed (${err.code || err.message})` };
  }
  try {
    const lib = require(entry);
    let dir = path.dirname(entry);
    while (dir !== path.dirname(dir) && !fs.existsSync(path.join(dir, 'package.json'))) {
      dir = path.dirname(dir);
    }
    return {
      lib: {
        name: 'rtc-node',
        AudioResampler: lib.AudioResampler,
        AudioFrame: lib.AudioFrame,
        Quality: lib.AudioResamplerQuality,
        version: packageVersion(dir),
      },
      reason: null,
    };
  } catch (err) {
    return { lib: null, reason: `@livekit/rtc-node failed to load: ${err.message}` };
  }
}

function load(name) {
  if (name === 'ours') return loadOurs();
  if (name === 'rtc-node') {
    const { lib, reason } = loadRtcNode();
    if (!lib) throw new Error(reason);
    return lib;
  }
  throw new Error(`unknown library ${name}`);
}

/**
 * `count` distinct 10 ms frames of band-limited noise plus a tone (deterministic),
 * built with `lib.AudioFrame` so each library gets its own frame class.
 */
function makeFrames(lib, rate, channels, count, ms = 10) {
  const perChannel = Math.round((rate * ms) / 1000);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const frames = [];
  let t = 0;
  for (let f = 0; f < count; f++) {
    const data = new Int16Array(perChannel * channels);
    for (let i = 0; i < perChannel; i++, t++) {
      const tone = Math.sin((2 * Math.PI * 440 * t) / rate) * 8000;
      for (let c = 0; c < channels; c++) {
        data[i * channels + c] = Math.round(tone + rand() * 4000);
      }
    }
    frames.push(new lib.AudioFrame(data, rate, channels, perChannel));
  }
  return frames;
}

module.exports = { load, loadOurs, loadRtcNode, makeFrames };
