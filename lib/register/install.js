'use strict';

// `rtc-resampler/register`: makes every import and require of
// `@livekit/rtc-node` see rtc-resampler's AudioResampler and
// AudioResamplerQuality. ESM through a module customization hook
// (esm_hooks.mjs), CommonJS through the CommonJS loader (below).

const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const replacement = require('./replacement.js');

const SPECIFIER = '@livekit/rtc-node';
const WARNING_TYPE = 'RtcResamplerWarning';
const HOW =
  'Load it before anything else: `node --import rtc-resampler/register app.js` (ESM or CommonJS app), ' +
  "`node -r rtc-resampler/register app.js`, or NODE_OPTIONS='--import rtc-resampler/register'. " +
  'A static `import "rtc-resampler/register"` in the entry file is too late for the other imports of that file.';

function warnOnce(code, message) {
  const s = replacement.shared();
  if (s.warned.has(code)) return;
  s.warned.add(code);
  try {
    process.emitWarning(message, { type: WARNING_TYPE, code });
  } catch {
    // never throw from register
  }
}

/** True for the path of rtc-node's CommonJS entry (dist/index.cjs of @livekit/rtc-node). */
function isRtcNodeEntryPath(filename) {
  if (path.basename(filename) !== 'index.cjs' || path.basename(path.dirname(filename)) !== 'dist') return false;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(filename), '..', 'package.json'), 'utf8'));
    return pkg.name === SPECIFIER;
  } catch {
    return false;
  }
}

/**
 * rtc-node copies in this process that the swap did not reach: loaded ones whose
 * exports never went through our hooks, and ones an ESM graph has already
 * linked but not yet run (a static import next to a static import of this
 * module).
 */
function unreachedRtcNodeCopies() {
  const found = [];
  for (const [filename, mod] of Object.entries(Module._cache)) {
    if (!mod) continue;
    const unreached = mod.loaded
      ? replacement.isRtcNodeExports(mod.exports) && !replacement.isCovered(mod.exports)
      : isRtcNodeEntryPath(filename);
    if (unreached) found.push(filename);
  }
  return found;
}

function checkLate() {
  let late;
  try {
    late = unreachedRtcNodeCopies();
  } catch {
    return;
  }
  if (late.length > 0) {
    warnOnce(
      'RTC_RESAMPLER_REGISTER_LATE',
      `@livekit/rtc-node was loaded before rtc-resampler/register took effect (${late.join(', ')}); ` +
        "modules that imported it then keep rtc-node's own AudioResampler. " +
        HOW,
    );
  }
}

function hookCommonJs() {
  const load = Module._load;
  Module._load = function rtcResamplerLoad(request, ...rest) {
    const exports = Reflect.apply(load, this, [request, ...rest]);
    if (request === SPECIFIER && replacement.isRtcNodeExports(exports)) {
      return replacement.cjsExports(exports);
    }
    return exports;
  };
}

function hookEsm() {
  if (typeof Module.register !== 'function') {
    warnOnce(
      'RTC_RESAMPLER_REGISTER_NO_ESM_HOOKS',
      `This Node.js (${process.version}) has no module.register (Node >= 20.6), so ESM imports of ` +
        '@livekit/rtc-node keep its own AudioResampler; require() is covered.',
    );
    return false;
  }
  Module.register(pathToFileURL(require.resolve('./esm_hooks.mjs')));
  return true;
}

function disabledByEnv() {
  const v = process.env.RTC_RESAMPLER_REGISTER;
  return v !== undefined && /^\s*(0|false|off|no)\s*$/i.test(v);
}

/** Installs the hooks once per process and returns the public state. */
function install() {
  const s = replacement.shared();
  if (s.api !== null) return s.api;
  let active = false;
  let esm = false;
  if (!disabledByEnv()) {
    try {
      checkLate();
      hookCommonJs();
      active = true;
      esm = hookEsm();
      // An ESM entry that imports this module statically has already linked its
      // other imports; they run right after this module, in the same pass. The
      // check above sees rtc-node's CommonJS entry linked but not run; look
      // again right after that pass too (a microtask queued now runs before any
      // later import could reach the same copy through the hooks).
      queueMicrotask(checkLate);
    } catch (err) {
      warnOnce(
        'RTC_RESAMPLER_REGISTER_FAILED',
        `rtc-resampler/register could not install its module hooks: ${err ? err.message : err}`,
      );
    }
  }
  s.api = Object.freeze({
    active,
    esm: active && esm,
    AudioResampler: replacement.AudioResampler,
    AudioResamplerQuality: replacement.AudioResamplerQuality,
  });
  return s.api;
}

module.exports = { install };
