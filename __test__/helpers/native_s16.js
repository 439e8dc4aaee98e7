'use strict';

// The binding's int16 resampler driven the way lib/core.js drives it (a native
// state, an External, passed to the `pcm*` functions), for tests that go around
// the JS layer's validation on purpose.

const binding = require('../../binding.js');

const S16 = binding.sampleFormats().indexOf('s16');

function nativeS16(inputRate, outputRate, channels, quality) {
  const state = binding.pcmNew({ inputRate, outputRate, channels, quality, inputFormat: S16, outputFormat: S16 });
  return {
    state,
    push: (samples) => binding.pcmPush(state, samples),
    flush: () => binding.pcmFlush(state),
    close: () => binding.pcmClose(state),
    describe: () => binding.pcmDescribe(state),
    maxOutputFrames: (inputFrames) => binding.pcmMaxOutputFrames(state, inputFrames),
    get memoryBytes() {
      return binding.pcmMemoryBytes(state);
    },
  };
}

module.exports = { nativeS16, S16 };
