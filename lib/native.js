'use strict';

// The generated napi-rs loader picks the prebuilt binary for this platform
// (local build, then the `rtc-resampler-<platform>` package).
let binding;
try {
  binding = require('../binding.js');
} catch (cause) {
  const err = new Error(
    'rtc-resampler: no native binary for ' +
      `${process.platform}-${process.arch}. Reinstall with a Rust toolchain available ` +
      '(https://rustup.rs) so `npm install` can build it from source, or run `npm rebuild rtc-resampler`.',
    { cause },
  );
  throw err;
}

module.exports = binding;
