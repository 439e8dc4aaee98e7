'use strict';

// The register on Node.js without `module.registerHooks` (20.x, 22 before
// 22.15, 23 before 23.5): `module.register` hooks on Node's hooks thread for
// ESM (esm_hooks.mjs), and a wrapped CommonJS loader for `require`, which there
// bypasses those hooks.

// `registerHooks` (Node >= 22.15) and the CommonJS loader's internals are
// not in the Node 20 typings this package is checked against.
const Module = /** @type {any} */ (require('node:module'));
const { pathToFileURL } = require('node:url');
const replacement = require('./replacement.js');

/** Any require that returns rtc-node's entry exports, whatever the request (name, path). */
function hookCommonJs() {
  const load = Module._load;
  Module._load = function rtcResamplerLoad(request, ...rest) {
    const exports = Reflect.apply(load, this, [request, ...rest]);
    return replacement.isRtcNodeExports(exports) ? replacement.cjsExports(exports) : exports;
  };
}

/** Installs both; `esm` is false where Node has no `module.register` (before 20.6). */
function install() {
  hookCommonJs();
  if (typeof Module.register !== 'function') return { esm: false };
  Module.register(pathToFileURL(require.resolve('./esm_hooks.mjs')));
  return { esm: true };
}

module.exports = { install };
