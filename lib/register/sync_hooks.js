'use strict';

// The register on Node.js with `module.registerHooks` (>= 22.15, >= 23.5): one
// synchronous load hook on the main thread, which sees `import` and `require`
// alike and appends the swap to rtc-node's CommonJS entry (rtc_node_entry.js).
// No hooks thread, so nothing is added to startup beyond a string test per module.

const fs = require('node:fs');
// `registerHooks` (Node >= 22.15) and the CommonJS loader's internals are
// not in the Node 20 typings this package is checked against.
const Module = /** @type {any} */ (require('node:module'));
const { fileURLToPath } = require('node:url');
const entry = require('./rtc_node_entry.js');
const replacement = require('./replacement.js');

// vitest's vmThreads and vmForks pools run test files and their imports in a VM
// context with a module loader of their own, which Node's hooks do not see.
const VITEST_VM_WORKER = /\/vitest\/dist\/workers\/vm(Threads|Forks)\.js$/;

/** @type {(why: string) => void} */
let onUnreachable = () => {};

function load(url, context, nextLoad) {
  const result = nextLoad(url, context);
  if (!url.startsWith('file:')) return result;
  if (VITEST_VM_WORKER.test(url)) {
    onUnreachable(
      "vitest's vmThreads/vmForks pools, which load modules in a VM context Node's module hooks do not reach",
    );
  }
  if (!url.endsWith('/index.cjs')) return result;
  const file = fileURLToPath(url);
  if (!entry.isCommonJsEntry(file)) return result;
  const source = result.source == null ? fs.readFileSync(file, 'utf8') : String(result.source);
  replacement.shared().patched.add(file);
  return { ...result, format: 'commonjs', source: entry.swapSource(source) };
}

/** `unreachable(why)` is called where the process loads modules the hook cannot see. */
function install(unreachable) {
  onUnreachable = unreachable;
  Module.registerHooks({ load });
  return { esm: true };
}

module.exports = { install };
