'use strict';

// Observes the addon's native resamplers from the outside, through the binding's
// public count `liveNativeResamplers()`: native objects created and neither
// closed nor collected yet.
const { liveNativeResamplers } = require('../../binding.js');

/**
 * A counter relative to now: `live()` is the number of native resamplers
 * created since that are still open (0 once every one of them was closed).
 */
function nativeCounter() {
  const base = liveNativeResamplers();
  return { live: () => liveNativeResamplers() - base };
}

module.exports = { nativeCounter };
