'use strict';

// The lifetime of one native resampler state (an External made by `pcmNew`,
// src/resampler.rs), shared by `Int16Core` (lib/core.js) and `PcmResampler`
// (lib/pcm_resampler.js): the handle, the "closed" error, and an idempotent
// close that frees the native memory at once instead of at the next GC.

const { pcmNew, pcmClose } = require('./native.js');
const { invalidState } = require('./errors.js');
const { formatIndex } = require('./validate.js');

/**
 * @typedef {object} CheckedConfig a configuration the JS layer has checked
 * @property {number} inputRate
 * @property {number} outputRate
 * @property {number} channels
 * @property {number} quality
 * @property {string} input the input format's name
 * @property {string} output the output format's name
 */

/**
 * The binding's options (`pcmNew`, `resamplePcm`, `resamplePcmAsync`) for a
 * checked configuration: the formats become their indices in `sampleFormats()`.
 * @param {CheckedConfig} config
 * @returns {import('../binding.js').PcmOptions}
 */
function pcmOptions(config) {
  return {
    inputRate: config.inputRate,
    outputRate: config.outputRate,
    channels: config.channels,
    quality: config.quality,
    inputFormat: formatIndex(config.input),
    outputFormat: formatIndex(config.output),
  };
}

class NativeState {
  /** The External, or null: nothing to resample (no native state needed) or closed. */
  #handle = null;
  #closed = false;
  /** Name used in the "closed" error. */
  #owner;

  /**
   * @param {string} owner the class name the "closed" error names
   * @param {CheckedConfig | null} config the checked configuration, or null when
   *   no native state is needed (same rate and format: the caller passes input through)
   */
  constructor(owner, config) {
    this.#owner = owner;
    if (config !== null) {
      this.#handle = pcmNew(pcmOptions(config));
    }
  }

  /** The External for the `pcm*` functions, or null (none needed, or closed). */
  get handle() {
    return this.#handle;
  }

  get closed() {
    return this.#closed;
  }

  /** Throws `<owner> is closed` (an Error, `ERR_INVALID_STATE`) once `close()` was called. */
  assertOpen() {
    if (this.#closed) {
      throw invalidState(`${this.#owner} is closed`);
    }
  }

  /** Frees the native state now; idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    const handle = this.#handle;
    if (handle !== null) {
      this.#handle = null;
      pcmClose(handle);
    }
  }
}

module.exports = { NativeState, pcmOptions };
