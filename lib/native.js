'use strict';

// Loads the native addon through the generated napi-rs loader (`binding.js`,
// never edited by hand). Its order, for this platform's suffix (e.g.
// `linux-x64-gnu`), is:
//   1. `NAPI_RS_NATIVE_LIBRARY_PATH`, if set;
//   2. `./rtc-resampler.<suffix>.node` in the package root: a local build
//      (`npm run build`, or the cargo build of `npm install` from source);
//   3. the prebuilt `rtc-resampler-<suffix>` package (an optionalDependency);
//   4. a WASI build, which this package does not ship.
// If none loads, we rethrow with what to do, keeping the loader's error as `cause`.

const PACKAGE = 'rtc-resampler';

const { platformSuffix, prebuiltSuffixes } = require('./platform.js');

function loadError(cause) {
  const suffix = platformSuffix();
  const { version } = require('../package.json');
  const lines = [`${PACKAGE}: could not load the native addon for ${suffix}.`];
  if (prebuiltSuffixes().includes(suffix)) {
    lines.push(
      `- Prebuilt: \`${PACKAGE}-${suffix}@${version}\` is installed automatically as an optional ` +
        'dependency. Reinstall without `--omit=optional`/`--no-optional` (with npm, delete ' +
        'node_modules and package-lock.json if it was installed on another platform).',
    );
  } else {
    lines.push(`- There is no prebuilt binary for ${suffix}; build it from source.`);
  }
  lines.push(
    '- From source: install a Rust toolchain (https://rustup.rs, Rust >= 1.89), then run ' +
      `\`npm rebuild ${PACKAGE}\` (install scripts must not be disabled: no \`--ignore-scripts\`).`,
    'See `error.cause` for what the loader tried.',
  );
  return new Error(lines.join('\n'), { cause });
}

/** @type {typeof import('../binding.js')} */
let binding;
try {
  binding = require('../binding.js');
} catch (cause) {
  throw loadError(cause);
}

// RTC_RESAMPLER_SIMD naming a kernel this CPU (or build) does not have: the
// engine uses the best it has; say so once.
const simd = binding.simdInfo();
if (simd.requested != null && simd.requested !== simd.used) {
  process.emitWarning(
    `RTC_RESAMPLER_SIMD=${simd.requested}: no such kernel on this CPU (available: ` +
      `${simd.available.join(', ')}); using ${simd.used}. Every kernel gives the same output.`,
    { type: 'RtcResamplerWarning', code: 'RTC_RESAMPLER_SIMD_UNAVAILABLE' },
  );
}

module.exports = binding;
