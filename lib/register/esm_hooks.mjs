// Module customization hooks for Node.js without `module.registerHooks`
// (registered with `module.register` by legacy_hooks.js; they run on Node's
// hooks thread). Every ESM import that resolves to an rtc-node entry file (by
// bare name, path or URL) resolves instead to a generated wrapper module: a star
// re-export of the real module (same instance, so the same AudioFrame class and
// native library) plus explicit exports of the two resampler names, which take
// precedence over the star re-export.

import { fileURLToPath } from 'node:url';
import entry from './rtc_node_entry.js';

const WRAPPER = new URL('./rtc-node-wrapper.mjs', import.meta.url).href;
const REPLACEMENT = new URL('./replacement.js', import.meta.url).href;

/** True for a URL of rtc-node's entry that an importer outside rtc-node asked for. */
function wraps(url, parentURL) {
  if (!url.startsWith('file:')) return false;
  if (parentURL?.startsWith(WRAPPER)) return false;
  if (parentURL?.startsWith('file:') && entry.isEntry(fileURLToPath(parentURL))) return false;
  return entry.isEntry(fileURLToPath(url));
}

export async function resolve(specifier, context, nextResolve) {
  const real = await nextResolve(specifier, context);
  // A second registration of these hooks (`-r` also preloads in the hooks
  // thread) sees the first one's wrapper: leave it as it is.
  if (real.url.startsWith(WRAPPER) || !wraps(real.url, context.parentURL)) return real;
  // The wrapper imports the real module by its URL, which does not come back here.
  return { url: `${WRAPPER}?real=${encodeURIComponent(real.url)}`, format: 'module', shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith(`${WRAPPER}?real=`)) return nextLoad(url, context);
  const real = JSON.stringify(decodeURIComponent(url.slice(WRAPPER.length + '?real='.length)));
  const source =
    `import * as real from ${real};\n` +
    `import replacement from ${JSON.stringify(REPLACEMENT)};\n` +
    `export * from ${real};\n` +
    `export const { AudioResampler, AudioResamplerQuality } = replacement.forEsm(real);\n`;
  return { format: 'module', source, shortCircuit: true };
}
