// Module customization hooks (registered with `module.register`; they run on
// Node's loader thread). Every ESM import of `@livekit/rtc-node` resolves to a
// generated wrapper module: a star re-export of the real module (same instance,
// so the same AudioFrame class and native library) plus explicit exports of the
// two resampler names, which take precedence over the star re-export.

const SPECIFIER = '@livekit/rtc-node';
const WRAPPER = new URL('./rtc-node-wrapper.mjs', import.meta.url).href;
const REPLACEMENT = new URL('./replacement.js', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier !== SPECIFIER) return nextResolve(specifier, context);
  const real = await nextResolve(specifier, context);
  if (!real.url.startsWith('file:')) return real;
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
