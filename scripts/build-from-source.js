#!/usr/bin/env node
'use strict';

// `npm install` hook: use a prebuilt binary when one loads, otherwise build the
// addon from source with cargo. Plain cargo (not @napi-rs/cli) so that users
// need nothing but a Rust toolchain. Set RTC_RESAMPLER_FORCE_BUILD=1 to rebuild.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const binaryName = require(path.join(root, 'package.json')).napi.binaryName;

function bindingLoads() {
  try {
    require(path.join(root, 'binding.js'));
    return true;
  } catch {
    return false;
  }
}

function platformSuffix() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function libraryFileName(crateName) {
  const base = crateName.replace(/-/g, '_');
  if (process.platform === 'win32') return `${base}.dll`;
  if (process.platform === 'darwin') return `lib${base}.dylib`;
  return `lib${base}.so`;
}

function main() {
  if (!process.env.RTC_RESAMPLER_FORCE_BUILD && bindingLoads()) {
    return;
  }
  const cargo = process.env.CARGO || 'cargo';
  console.log(
    'rtc-resampler: no prebuilt binary for this platform, building from source with cargo (about a minute)...',
  );
  try {
    execFileSync(cargo, ['build', '--release', '--locked', '--lib'], { cwd: root, stdio: 'inherit' });
  } catch (err) {
    const missing = err.code === 'ENOENT';
    console.error(
      missing
        ? `rtc-resampler: \`${cargo}\` was not found. Install a Rust toolchain (https://rustup.rs) and run \`npm rebuild rtc-resampler\`.`
        : 'rtc-resampler: the cargo build failed (see above). A Rust toolchain >= 1.87 is required (https://rustup.rs).',
    );
    process.exit(1);
  }
  const meta = JSON.parse(
    execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps'], { cwd: root, encoding: 'utf8' }),
  );
  const pkg = meta.packages.find((p) => p.manifest_path === path.join(root, 'Cargo.toml')) ?? meta.packages[0];
  const built = path.join(meta.target_directory, 'release', libraryFileName(pkg.name));
  const dest = path.join(root, `${binaryName}.${platformSuffix()}.node`);
  fs.copyFileSync(built, dest);
  if (!bindingLoads()) {
    console.error(`rtc-resampler: built ${dest} but it does not load.`);
    process.exit(1);
  }
  console.log(`rtc-resampler: built ${path.basename(dest)}`);
}

main();
