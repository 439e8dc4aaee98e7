'use strict';

// The errors the package throws, each built here with Node's shape: the
// built-in class (`instanceof RangeError`, `name` 'RangeError') and a Node
// error code as an own enumerable `code`. The policy, which check throws what,
// is in lib/validate.js; the binding applies the same codes (src/errors.rs).

/** Sets `code` and drops the helper's own frame from the stack, as Node's errors do. */
function coded(err, code, helper) {
  err.code = code;
  Error.captureStackTrace(err, helper);
  return err;
}

/** TypeError `ERR_INVALID_ARG_TYPE`: a value of the wrong type. */
function invalidType(message) {
  return coded(new TypeError(message), 'ERR_INVALID_ARG_TYPE', invalidType);
}

/** RangeError `ERR_OUT_OF_RANGE`: a number or size outside its bounds (`options`: `{ cause }`). */
function outOfRange(message, options) {
  return coded(new RangeError(message, options), 'ERR_OUT_OF_RANGE', outOfRange);
}

/**
 * `ERR_INVALID_ARG_VALUE`: a value of the right type that is not one of those
 * accepted (a format name, a quality preset, a frame that does not fit). A
 * RangeError, or a TypeError for an option that is not supported at all (as
 * Node's own `ERR_INVALID_ARG_VALUE`, a TypeError by default).
 */
function invalidValue(message, ErrorClass = RangeError) {
  return coded(new ErrorClass(message), 'ERR_INVALID_ARG_VALUE', invalidValue);
}

/** Error `ERR_INVALID_STATE`: a call on a closed resampler. */
function invalidState(message) {
  return coded(new Error(message), 'ERR_INVALID_STATE', invalidState);
}

module.exports = { invalidType, outOfRange, invalidValue, invalidState };
