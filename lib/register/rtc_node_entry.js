'use strict';

// Which files are @livekit/rtc-node's entry modules, and the line that swaps
// the resampler exports of its CommonJS entry. Every rtc-node release since
// 0.13 builds `dist/index.js` (ESM) as `export * from './index.cjs'`, so every
// way in (bare specifier, path, URL, ESM or CommonJS, a test runner's own
// resolution) ends in `dist/index.cjs`: patching that file's exports once
// reaches them all. One rule, used by every hook in this folder.

const fs = require('node:fs');
const path = require('node:path');

const PACKAGE = '@livekit/rtc-node';
const REPLACEMENT = require.resolve('./replacement.js');

/** Package directory → whether it is @livekit/rtc-node (read once per directory). */
const packages = new Map();

function isRtcNodePackage(dir) {
  let yes = packages.get(dir);
  if (yes === undefined) {
    try {
      yes = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === PACKAGE;
    } catch {
      yes = false;
    }
    packages.set(dir, yes);
  }
  return yes;
}

/** True for the path of rtc-node's CommonJS entry, `<package>/dist/index.cjs`. */
function isCommonJsEntry(filename) {
  if (path.basename(filename) !== 'index.cjs') return false;
  const dist = path.dirname(filename);
  return path.basename(dist) === 'dist' && isRtcNodePackage(path.dirname(dist));
}

/** True for the path of either rtc-node entry (`dist/index.cjs` or `dist/index.js`). */
function isEntry(filename) {
  const base = path.basename(filename);
  if (base !== 'index.cjs' && base !== 'index.js') return false;
  const dist = path.dirname(filename);
  return path.basename(dist) === 'dist' && isRtcNodePackage(path.dirname(dist));
}

/**
 * rtc-node's CommonJS entry with one line appended: its exports object becomes
 * the replacement's (every export forwarded, the two resampler names ours). Its
 * named exports, as Node's CommonJS lexer reads them from the source, keep
 * their names.
 */
function swapSource(source) {
  // Written so that Node's CommonJS lexer, which names a CommonJS module's ESM
  // exports from its source, does not see it: a `module.exports = …` it can
  // read would add or drop names.
  const replacement = JSON.stringify(REPLACEMENT);
  return `${source}\n;{ const r = require(${replacement}); module['exports'] = r.cjsExports(module.exports); }\n`;
}

module.exports = { PACKAGE, isCommonJsEntry, isEntry, swapSource };
