'use strict';

// The lifetime of one native resampler state (an External made by `pcmNew`,
// src/resampler.rs), shared by `Int16Core` (lib/core.js) and `PcmResampler`
// (lib/pcm_resampler.js): the handle, the "closed" error, and an idempotent
// close that frees the native memory at once instead of at the next GC.

const { pcmNew, pcmClose } = require('./native.js');
const { invalidState } = require('./errors.js');

class NativeState {
  /** The External, or null: nothing to resample (no native state needed) or closed. */
  #handle = null;
  #closed = false;
  /** Name used in the "closed" error. */
  #owner;

  /**
   * @param {string} owner the class name the "closed" error names
   * @param {[number, number, number, number, number, number] | null} config `pcmNew`'s checked arguments (rates,
   *   channels, quality, input and output format indices), or null when no
   *   native state is needed (same rate and format: the caller passes input through)
   */
  constructor(owner, config) {
    this.#owner = owner;
    if (config !== null) {
      this.#handle = pcmNew(...config);
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

module.exports = { NativeState };
