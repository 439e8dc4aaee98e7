'use strict';

// napi-rs platform naming, shared by the loader's error message and the tests.

/** The napi-rs suffix of this process's platform, e.g. `linux-x64-gnu`, `darwin-arm64`. */
function platformSuffix() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    let glibc;
    try {
      glibc = /** @type {any} */ (process.report?.getReport?.())?.header?.glibcVersionRuntime;
    } catch {
      glibc = undefined;
    }
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

const ARCH = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm', riscv64gc: 'riscv64' };

/**
 * The napi-rs suffix of a Rust target triple from `napi.targets`
 * (`x86_64-unknown-linux-gnu` → `linux-x64-gnu`), or `undefined` for others.
 */
function suffixOfTriple(triple) {
  const arch = ARCH[triple.split('-')[0]];
  if (arch === undefined) return undefined;
  if (triple.endsWith('-linux-gnu')) return `linux-${arch}-gnu`;
  if (triple.endsWith('-linux-musl')) return `linux-${arch}-musl`;
  if (triple.endsWith('-apple-darwin')) return `darwin-${arch}`;
  if (triple.endsWith('-pc-windows-msvc')) return `win32-${arch}-msvc`;
  return undefined;
}

/** Suffixes that have a prebuilt `rtc-resampler-<suffix>` package. */
function prebuiltSuffixes() {
  const { napi } = require('../package.json');
  return napi.targets.map(suffixOfTriple).filter((s) => s !== undefined);
}

module.exports = { platformSuffix, suffixOfTriple, prebuiltSuffixes };
