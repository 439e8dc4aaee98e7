'use strict';

// One-shot resampling of a whole signal: `resample` (synchronous) and
// `resampleAsync` (computed on the libuv thread pool; the input is copied at
// the call). Same options, formats and output as `PcmResampler` push + flush.

const native = require('./native.js');
const { pcmOptions } = require('./native_state.js');
const { readOptions } = require('./pcm_resampler.js');
const { checkSamples, ARRAY_OF_FORMAT } = require('./validate.js');

function prepare(samples, options, owner) {
  const o = readOptions(options, owner);
  checkSamples(samples, o.input, o.channels, 'samples');
  return o;
}

/**
 * Equal rate and format: a copy in a new array of the format's class (`slice()`
 * would return a view for a `Buffer`, and another class for a subclass).
 */
function copy(samples, o) {
  return new ARRAY_OF_FORMAT[o.output](samples);
}

/**
 * Resamples a whole signal: exactly `round(frames * outputRate / inputRate)`
 * frames of the output format, in a new typed array (a copy at equal rate and format).
 */
function resample(samples, options) {
  const o = prepare(samples, options, 'resample');
  if (o.inputRate === o.outputRate && o.input === o.output) return copy(samples, o);
  return native.resamplePcm(samples, pcmOptions(o));
}

/**
 * `resample` on the libuv thread pool: a Promise of the same samples. The
 * input is copied before this returns, so the caller may reuse its buffer.
 * Bad arguments reject the promise.
 */
async function resampleAsync(samples, options) {
  const o = prepare(samples, options, 'resampleAsync');
  if (o.inputRate === o.outputRate && o.input === o.output) return copy(samples, o);
  return native.resamplePcmAsync(samples, pcmOptions(o));
}

module.exports = { resample, resampleAsync };
