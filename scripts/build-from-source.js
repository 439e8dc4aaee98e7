#!/usr/bin/env node
'use strict';

// `npm install` hook: use a prebuilt binary when one loads, otherwise build the
// addon from source with cargo. Plain cargo (not @napi-rs/cli) so that users
// need nothing but a Rust toolchain. Set RTC_RESAMPLER_FORCE_BUILD=1 to rebuild.
//
// Where cargo writes: an explicit CARGO_TARGET_DIR as given; `target/` in a
// development checkout, for incremental builds; otherwise a fresh temporary
// directory that is removed afterwards, because cargo's output is over 100 MB
// and an installed package needs only the library copied out of it.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { platformSuffix, prebuiltSuffixes } = require('../lib/platform.js');

const root = path.resolve(__dirname, '..');
const binaryName = require(path.join(root, 'package.json')).napi.binaryName;

// A release build with every dependency compiled, on a 2-core machine: the
// figure docs/install.md gives.
const BUILD_TIME = 'about 2 minutes on 2 cores';

function bindingLoads() {
  try {
    require(path.join(root, 'binding.js'));
    return true;
  } catch {
    return false;
  }
}

function libraryFileName(crateName) {
  const base = crateName.replace(/-/g, '_');
  if (process.platform === 'win32') return `${base}.dll`;
  if (process.platform === 'darwin') return `lib${base}.dylib`;
  return `lib${base}.so`;
}

/** Why there is no binary to use, for the start line. */
function reason(suffix) {
  if (process.env.RTC_RESAMPLER_FORCE_BUILD) return `RTC_RESAMPLER_FORCE_BUILD is set (platform ${suffix})`;
  if (!prebuiltSuffixes().includes(suffix)) return `no prebuilt binary for ${suffix}`;
  return `no prebuilt binary for ${suffix} is installed (${binaryName}-${suffix})`;
}

/** A development checkout ships neither `.git` nor `__test__/` in the package. */
function isDevelopmentCheckout() {
  return ['.git', '__test__'].some((entry) => fs.existsSync(path.join(root, entry)));
}

/** cargo's target directory: `{ dir, temporary }`, `dir` undefined for cargo's own default. */
function chooseTargetDir() {
  if (process.env.CARGO_TARGET_DIR) return { dir: process.env.CARGO_TARGET_DIR, temporary: false };
  if (isDevelopmentCheckout()) return { dir: undefined, temporary: false };
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'rtc-resampler-build-')), temporary: true };
}

/** Builds with cargo and copies the library into the package; returns the exit code. */
function build(cargo, targetDir, suffix) {
  const env = targetDir === undefined ? process.env : { ...process.env, CARGO_TARGET_DIR: targetDir };
  try {
    execFileSync(cargo, ['build', '--release', '--locked', '--lib'], { cwd: root, env, stdio: 'inherit' });
  } catch (err) {
    let message;
    if (err.code === 'ENOENT') {
      message = `rtc-resampler: \`${cargo}\` was not found. Install a Rust toolchain (https://rustup.rs) and run \`npm rebuild rtc-resampler\`.`;
    } else if (err.signal) {
      message = `rtc-resampler: the cargo build was interrupted (${err.signal}).`;
    } else {
      message =
        'rtc-resampler: the cargo build failed (see above). A Rust toolchain >= 1.89 is required (https://rustup.rs).';
    }
    console.error(message);
    return 1;
  }
  const meta = JSON.parse(
    execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps'], { cwd: root, env, encoding: 'utf8' }),
  );
  const pkg = meta.packages.find((p) => p.manifest_path === path.join(root, 'Cargo.toml')) ?? meta.packages[0];
  const built = path.join(meta.target_directory, 'release', libraryFileName(pkg.name));
  const dest = path.join(root, `${binaryName}.${suffix}.node`);
  fs.copyFileSync(built, dest);
  if (!bindingLoads()) {
    console.error(`rtc-resampler: built ${dest} but it does not load.`);
    return 1;
  }
  console.log(`rtc-resampler: built ${path.basename(dest)}`);
  return 0;
}

function main() {
  if (!process.env.RTC_RESAMPLER_FORCE_BUILD && bindingLoads()) return 0;
  const cargo = process.env.CARGO || 'cargo';
  const suffix = platformSuffix();
  console.log(`rtc-resampler: ${reason(suffix)}; building from source with cargo (${BUILD_TIME})...`);
  const target = chooseTargetDir();
  // Ctrl-C reaches cargo too, which then fails; without a handler Node would
  // die at once and leave the temporary directory behind.
  const onSignal = () => {
    process.exitCode = 1;
  };
  const signals = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  try {
    return build(cargo, target.dir, suffix);
  } finally {
    if (target.temporary) fs.rmSync(target.dir, { recursive: true, force: true });
  }
}

const code = main();
if (code !== 0) process.exitCode = code;
