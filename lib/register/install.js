'use strict';

// `rtc-resampler/register`: makes every import and require of
// `@livekit/rtc-node` in this process see rtc-resampler's AudioResampler and
// AudioResamplerQuality. It picks the runtime's module hook (sync_hooks.js on
// Node >= 22.15, legacy_hooks.js on older Node), says so in one warning where
// the runtime has none it can use (Bun, Deno), and reports `active` only while
// the swap holds for this process.

// `registerHooks` (Node >= 22.15) and the CommonJS loader's internals are
// not in the Node 20 typings this package is checked against.
const Module = /** @type {any} */ (require('node:module'));
const entry = require('./rtc_node_entry.js');
const replacement = require('./replacement.js');

const WARNING_TYPE = 'RtcResamplerWarning';

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

/** How to load the register first, for this runtime. */
function how() {
  const r =
    typeof Module.registerHooks === 'function'
      ? ', `node -r rtc-resampler/register app.js`'
      : ', `node -r rtc-resampler/register app.cjs` (a CommonJS app)';
  return (
    `Load it before anything else: \`node --import rtc-resampler/register app.js\`${r}, ` +
    "or NODE_OPTIONS='--import rtc-resampler/register'. " +
    'A static `import "rtc-resampler/register"` in the entry file is too late for the other imports of that file.'
  );
}

/**
 * rtc-node copies in this process that the swap did not reach: loaded ones whose
 * exports never went through our hooks, and ones an ESM graph has already
 * linked but not yet run (a static import next to a static import of this
 * module).
 */
function unreachedRtcNodeCopies() {
  const { patched } = replacement.shared();
  const found = [];
  for (const [filename, mod] of Object.entries(Module._cache ?? {})) {
    if (!mod) continue;
    const unreached = mod.loaded
      ? replacement.isRtcNodeExports(mod.exports) && !replacement.isCovered(mod.exports)
      : entry.isCommonJsEntry(filename) && !patched.has(filename);
    if (unreached) found.push(filename);
  }
  return found;
}

function checkLate(state) {
  let late;
  try {
    late = unreachedRtcNodeCopies();
  } catch {
    return;
  }
  if (late.length === 0) return;
  state.late = true;
  warnOnce(
    'RTC_RESAMPLER_REGISTER_LATE',
    `@livekit/rtc-node was loaded before rtc-resampler/register took effect (${late.join(', ')}); ` +
      `modules that imported it then keep rtc-node's own AudioResampler. ${how()}`,
  );
}

/** The runtime that has no module hook this register can use, or null. */
function unsupportedRuntime() {
  if (process.versions.bun) return `Bun ${process.versions.bun}`;
  if (process.versions.deno) return `Deno ${process.versions.deno}`;
  if (typeof Module.registerHooks !== 'function' && typeof Module.register !== 'function') {
    return `Node.js ${process.version}`;
  }
  return null;
}

/** The runtime's hook, installed: null (with one warning) where it has none. */
function installHooks(state) {
  const unsupported = unsupportedRuntime();
  if (unsupported !== null) {
    warnOnce(
      'RTC_RESAMPLER_REGISTER_UNSUPPORTED',
      `rtc-resampler/register cannot swap @livekit/rtc-node's resampler on ${unsupported}: it has no module ` +
        'hook the register can use (module.registerHooks, or module.register on Node.js), so rtc-node keeps its ' +
        "own. Use rtc-resampler's AudioResampler directly: `import { AudioResampler } from 'rtc-resampler'`.",
    );
    return null;
  }
  if (typeof Module.registerHooks === 'function')
    return require('./sync_hooks.js').install((why) => unreachable(state, why));
  return require('./legacy_hooks.js').install();
}

/** Notes, with one warning, that this process also runs code the swap cannot reach. */
function unreachable(state, why) {
  state.unreachable = true;
  warnOnce(
    'RTC_RESAMPLER_REGISTER_UNREACHABLE',
    `rtc-resampler/register cannot reach imports of @livekit/rtc-node made through ${why}; those keep ` +
      "rtc-node's own AudioResampler. With vitest, use the `forks` or `threads` pool.",
  );
}

function disabledByEnv() {
  const v = process.env.RTC_RESAMPLER_REGISTER;
  return v !== undefined && /^\s*(0|false|off|no)\s*$/i.test(v);
}

/** Installs the hooks once per process and returns the public state. */
function install() {
  const s = replacement.shared();
  if (s.api !== null) return s.api;
  const state = { hooks: null, late: false, unreachable: false };
  if (!disabledByEnv()) {
    try {
      state.hooks = installHooks(state);
    } catch (err) {
      warnOnce(
        'RTC_RESAMPLER_REGISTER_FAILED',
        `rtc-resampler/register could not install its module hooks: ${err ? err.message : err}`,
      );
    }
    if (state.hooks !== null) {
      checkLate(state);
      // An ESM entry that imports this module statically has already linked its
      // other imports; they run right after this module, in the same pass. The
      // check above sees rtc-node's CommonJS entry linked but not run; look
      // again right after that pass too (a microtask queued now runs before any
      // later import could reach the same copy through the hooks).
      queueMicrotask(() => checkLate(state));
    }
  }
  s.api = Object.freeze({
    /** True while every import of rtc-node in this process gets rtc-resampler's resampler. */
    get active() {
      return state.hooks !== null && !state.late && !state.unreachable;
    },
    /** True when ESM imports are covered too (false only on Node < 20.6 and where `active` is false). */
    get esm() {
      return state.hooks?.esm === true && !state.late && !state.unreachable;
    },
    AudioResampler: replacement.AudioResampler,
    AudioResamplerQuality: replacement.AudioResamplerQuality,
  });
  return s.api;
}

module.exports = { install };
