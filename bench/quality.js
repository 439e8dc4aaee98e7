#!/usr/bin/env node
'use strict';

/*
 * Quality benchmark: `npm run quality` (full table) or `npm run quality -- --quick`;
 * `npm run quality -- --markdown` prints the table for docs/quality.md.
 *
 * Every figure is measured through the code path users call: the JS
 * `AudioResampler` of this package, fed `AudioFrame`s of 10 ms, then `flush()`.
 * `@livekit/rtc-node`'s `AudioResampler` (devDependency) runs side by side with
 * the same signals in the same run. A third row per ratio, "int16 floor", is an
 * ideal reference: a 150 dB Kaiser-windowed sinc evaluated in float64 on the
 * same int16 input, rounded to int16, so figures limited by int16 itself show up.
 *
 * Options: --quick (48k<->16k only, sparser alias sweep), --pairs 48000:16000,8000:16000,
 * --presets QUICK,MEDIUM, --no-rtc, --json FILE, --markdown (stdout is only the
 * markdown table, as pasted into docs/quality.md's full table; the run time goes
 * to stderr).
 *
 * `--pairs all`: every pair of 8000, 11025, 16000, 22050, 24000, 32000, 44100 and
 * 48000 Hz in both directions (56), lag only (a minute or so): per pair and
 * preset, the filter's own half-length (from the engine's `describe()`) next to
 * the measured lag avg / max with 10 ms pushes, and how many pushes of 10 ms and
 * of 5 ms returned nothing once the input was longer than the half-length plus
 * one push; then the worst pair per preset. Add --full for the whole table at
 * all 56 pairs instead (long).
 *
 * Signals: pure tones at -1 dBFS, int16, no dither. Tone frequencies are 2*m Hz
 * with m coprime to 210, so the rounding error of the int16 input and output
 * (periodic with the tone) does not pile onto the bins we measure; the THD+N tone
 * is 997 Hz. Every analysis window is 1 s long (coherent: a whole number of
 * cycles of every tone), starting 0.1 s into the output, and read with a single
 * DFT bin per frequency (rectangular window, no leakage for coherent tones).
 *
 * Columns (per ratio x engine x preset):
 *   g1k     gain of a 998 Hz tone, dB
 *   ripple  max - min gain (dB) over tones from 22 Hz to 0.8 x the lower Nyquist
 *   -0.1dB / -3dB   frequency where the gain first falls 0.1 dB / 3 dB below the
 *           1 kHz gain (Hz and % of the lower Nyquist), by scan then bisection
 *   alias   worst alias (downsampling: tones between the two Nyquists) or image
 *           (upsampling: tones whose images fall below the output Nyquist),
 *           relative to the tone, over a sweep that includes tones 2-120 Hz from
 *           the lower Nyquist
 *   THD+N   997 Hz tone at -1 dBFS: everything but the tone, relative to the tone
 *   delay   content delay of a 22 Hz tone (output vs input time), ms
 *   len     total output after flush minus round(n_in * ratio), frames
 *   lag     held back after each 10 ms push: n_in * ratio - n_out, in ms, avg / max
 *   first   input pushed before the first non-empty push, ms
 */

const path = require('node:path');
const ours = require(path.join(__dirname, '..'));
// The binding itself, for `describe()` (the engine and filter of a preset at a pair).
const binding = require(path.join(__dirname, '..', 'lib', 'native.js'));
const S16 = binding.sampleFormats().indexOf('s16');

let rtc = null;
try {
  rtc = require('@livekit/rtc-node');
} catch {
  rtc = null;
}

const args = process.argv.slice(2);

/** What each column of the table means (printed by --help and under the table). */
const LEGEND = [
  'ratio: input → output rate. engine: ours, rtc-node, or the int16 floor (an ideal resampler rounded to int16).',
  'g1k dB: gain of a 998 Hz tone. ripple dB: max − min gain from 22 Hz to 0.8 × the lower Nyquist.',
  '−0.1 dB / −3 dB Hz (%Nyq): where the gain first falls that far below the 1 kHz gain.',
  'alias/image dB: the worst alias (down) or image (up) of a swept tone, relative to the tone.',
  'THD+N dB: everything but a 997 Hz tone at −1 dBFS, relative to it. delay ms: content delay of a 22 Hz tone.',
  'len: total output after flush minus round(n_in × ratio), frames (0: exact). half ms: the filter half-length.',
  'lag avg/max ms: audio held back after each 10 ms push. first ms: input pushed before the first output.',
];
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm run quality [-- --quick] [--pairs all] [--markdown] [--no-rtc] [--json FILE]\n');
  console.log(LEGEND.join('\n'));
  process.exit(0);
}
const QUICK_RUN = args.includes('--quick');
const NO_RTC = args.includes('--no-rtc') || rtc === null;
const MARKDOWN = args.includes('--markdown');
const JSON_OUT = (() => {
  const i = args.indexOf('--json');
  return i >= 0 ? args[i + 1] : null;
})();

const COMMON_RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000];
const COMMON_PAIRS = COMMON_RATES.flatMap((a) => COMMON_RATES.filter((b) => b !== a).map((b) => [a, b]));
const ALL_PAIRS = [
  [48000, 16000],
  [16000, 48000],
  [24000, 16000],
  [24000, 48000],
  [44100, 48000],
  [48000, 44100],
  [8000, 16000],
];
const PAIRS = (() => {
  const i = args.indexOf('--pairs');
  if (i >= 0 && args[i + 1] === 'all') return COMMON_PAIRS;
  if (i >= 0) return args[i + 1].split(',').map((p) => p.split(':').map(Number));
  return QUICK_RUN ? ALL_PAIRS.slice(0, 2) : ALL_PAIRS;
})();
const LAG_ONLY = args.includes('--pairs') && args[args.indexOf('--pairs') + 1] === 'all' && !args.includes('--full');
const QUALITIES = (() => {
  const i = args.indexOf('--presets');
  return i >= 0 ? args[i + 1].split(',') : ['QUICK', 'LOW', 'MEDIUM', 'HIGH', 'VERY_HIGH'];
})();

const AMP = 32767 * 10 ** (-1 / 20); // -1 dBFS
// Further levels for the alias sweep (see `aliasDb`).
const ALIAS_AMPS = [-1, -1.5, -2, -2.5, -3].map((dbfs) => 32767 * 10 ** (dbfs / 20));
const SIGNAL_S = 1.25;
const WIN_START_S = 0.1;
const TAU = 2 * Math.PI;

// ---------------------------------------------------------------- signals

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The tone 2*m Hz (m coprime to 210) nearest to f, searching in direction dir (+1/-1). */
function tone(f, dir = 0) {
  let m = Math.round(f / 2);
  if (dir > 0) m = Math.ceil(f / 2);
  if (dir < 0) m = Math.floor(f / 2);
  if (dir === 0) {
    for (let d = 0; ; d++) {
      if (gcd(m + d, 210) === 1) return 2 * (m + d);
      if (m - d > 0 && gcd(m - d, 210) === 1) return 2 * (m - d);
    }
  }
  while (gcd(m, 210) !== 1) m += dir;
  return 2 * m;
}

const inputCache = new Map();
/** int16 tone at `rate`, n frames, plus one odd tail so lengths have a fraction. */
function toneInput(f, rate, amp = AMP) {
  const key = `${f}@${rate}@${amp}`;
  let x = inputCache.get(key);
  if (!x) {
    const n = Math.round(SIGNAL_S * rate) + 7;
    x = new Int16Array(n);
    const w = (TAU * f) / rate;
    for (let i = 0; i < n; i++) x[i] = Math.round(amp * Math.sin(w * i));
    if (inputCache.size > 64) inputCache.clear();
    inputCache.set(key, x);
  }
  return x;
}

// ---------------------------------------------------------------- engines

/**
 * Runs `x` through a streaming resampler in pushes of `pushMs` (10 ms: 110 frames
 * at 11025 Hz); returns output + lag stats. `primeMs`: pushes that end later than
 * this plus one push and return nothing are counted in `empty`.
 */
function runStream(kind, quality, fin, fout, x, pushMs = 10, primeMs = Infinity) {
  const lib = kind === 'ours' ? ours : rtc;
  const Frame = lib.AudioFrame;
  const r = new lib.AudioResampler(fin, fout, 1, lib.AudioResamplerQuality[quality]);
  const step = Math.round((fin * pushMs) / 1000);
  let empty = 0;
  const expectedLen = Math.round((x.length * fout) / fin);
  const y = new Int16Array(expectedLen + 4096);
  let nOut = 0;
  let lagSum = 0;
  let lagMax = -Infinity;
  let pushes = 0;
  let firstMs = null;
  const take = (frames) => {
    for (const fr of frames) {
      const d = fr.data.subarray(0, fr.samplesPerChannel);
      if (nOut + d.length > y.length) throw new Error('output longer than expected');
      y.set(d, nOut);
      nOut += d.length;
    }
  };
  for (let pos = 0; pos < x.length; pos += step) {
    const n = Math.min(step, x.length - pos);
    const before = nOut;
    take(r.push(new Frame(x.slice(pos, pos + n), fin, 1, n)));
    if (firstMs === null && nOut > before) firstMs = ((pos + n) * 1000) / fin;
    if (n === step && nOut === before && ((pos + n) * 1000) / fin > primeMs + pushMs) empty++;
    if (n === step) {
      const lag = ((((pos + n) * fout) / fin - nOut) * 1000) / fout;
      lagSum += lag;
      lagMax = Math.max(lagMax, lag);
      pushes++;
    }
  }
  take(r.flush());
  r.close();
  return {
    y: y.subarray(0, nOut),
    lenErr: nOut - expectedLen,
    lagAvg: lagSum / pushes,
    lagMax,
    firstMs,
    empty,
  };
}

/**
 * The filter's own half-length in ms (the least a zero-delay-aligned resampler
 * holds back), from the engine's `describe()` of our preset at this pair.
 */
function halfLengthMs(quality, fin, fout) {
  const state = binding.pcmNew({
    inputRate: fin,
    outputRate: fout,
    channels: 1,
    quality: ours.AudioResamplerQuality[quality],
    inputFormat: S16,
    outputFormat: S16,
  });
  const d = binding.pcmDescribe(state);
  binding.pcmClose(state);
  let m = d.match(/^polyphase L (\d+) M \d+ taps \d+ half (\d+)/);
  if (m) return { ms: (1000 * Number(m[2])) / (Number(m[1]) * fin), engine: d };
  m = d.match(/^cascade via \d+ Hz, delay ([\d.]+) ms/);
  if (m) return { ms: Number(m[1]), engine: d };
  m = d.match(/^fft block (\d+)/);
  if (m) return { ms: (1000 * Number(m[1])) / 2 / fin, engine: d };
  m = d.match(/^sinc len (\d+)/);
  if (m) return { ms: (1000 * Number(m[1])) / 2 / fin, engine: d };
  return { ms: null, engine: d };
}

/**
 * The engine's `describe()` in a few words: "polyphase L 3 M 1", or for a
 * cascade both stages and the rate between ("polyphase L 3 M 2 → L 2 M 1
 * via 24 kHz").
 */
function engineSummary(d) {
  const stages = [...d.matchAll(/polyphase (L \d+ M \d+)/g)].map((m) => m[1]);
  const via = d.match(/^cascade via (\d+) Hz/);
  if (via && stages.length === 2) return `polyphase ${stages[0]} → ${stages[1]} via ${Number(via[1]) / 1000} kHz`;
  return d.split(' (')[0].replace(/ taps.*/, '');
}

/**
 * Ideal reference: Kaiser-windowed sinc (150 dB, beta 14.3), float64, stopband
 * from the lower Nyquist, transition 2 % of it; output rounded to int16.
 * Only the analysis window is computed. Exact polyphase tables (L phases).
 */
const refCache = new Map();
function besselI0(x) {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 60; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}
function refFilter(fin, fout) {
  const key = `${fin}:${fout}`;
  let f = refCache.get(key);
  if (f) return f;
  const g = gcd(fin, fout);
  const L = fout / g;
  const M = fin / g;
  const low = Math.min(fin, fout) / 2;
  const trans = 0.02 * low;
  const fc = low - trans / 2; // -6 dB point, relative Hz
  const atten = 150;
  const beta = 0.1102 * (atten - 8.7);
  // Half length in input samples.
  const half = Math.ceil((atten - 7.95) / (2.285 * ((TAU * trans) / fin)) / 2);
  const taps = 2 * half;
  const i0b = besselI0(beta);
  // Phase p: output k with k*M = q*L + p has input time q + p/L.
  const table = new Float64Array(L * taps);
  for (let p = 0; p < L; p++) {
    const frac = p / L;
    for (let j = 0; j < taps; j++) {
      // tap j multiplies input sample q - half + 1 + j; t = time distance in input samples
      const t = frac + half - 1 - j;
      const u = t / half;
      const w = Math.abs(u) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - u * u)) / i0b;
      const a = (TAU * fc) / fin;
      const s = t === 0 ? a / Math.PI : Math.sin(a * t) / (Math.PI * t);
      table[p * taps + j] = s * w;
    }
  }
  f = { L, M, half, taps, table };
  refCache.set(key, f);
  return f;
}

function runReference(fin, fout, x, k0, count) {
  const { L, M, half, taps, table } = refFilter(fin, fout);
  const y = new Int16Array(k0 + count);
  for (let k = k0; k < k0 + count; k++) {
    const num = k * M;
    const q = Math.floor(num / L);
    const p = num - q * L;
    const base = q - half + 1;
    const off = p * taps;
    let acc = 0;
    const j0 = Math.max(0, -base);
    const j1 = Math.min(taps, x.length - base);
    for (let j = j0; j < j1; j++) acc += table[off + j] * x[base + j];
    y[k] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return { y, lenErr: null, lagAvg: null, lagMax: null, firstMs: null };
}

// ---------------------------------------------------------------- analysis

/** Complex DFT bin of y[k0 .. k0+n) at frequency f (Hz), normalised to amplitude. */
function dftBin(y, f, rate, k0, n) {
  const w = (TAU * f) / rate;
  let cr = Math.cos(w * k0);
  let ci = -Math.sin(w * k0);
  const sr = Math.cos(w);
  const si = -Math.sin(w);
  let re = 0;
  let im = 0;
  for (let k = k0; k < k0 + n; k++) {
    const v = y[k];
    re += v * cr;
    im += v * ci;
    const t = cr * sr - ci * si;
    ci = cr * si + ci * sr;
    cr = t;
  }
  return [(2 * re) / n, (2 * im) / n];
}

const db = (x) => 20 * Math.log10(Math.max(x, 1e-30));

class Measurer {
  constructor(kind, quality, fin, fout) {
    this.kind = kind;
    this.quality = quality;
    this.fin = fin;
    this.fout = fout;
    this.k0 = Math.round(WIN_START_S * fout);
    this.n = fout; // 1 s window
    this.cache = new Map();
  }
  run(f, amp = AMP) {
    const key = `${f}@${amp}`;
    let r = this.cache.get(key);
    if (!r) {
      const x = toneInput(f, this.fin, amp);
      r =
        this.kind === 'ref'
          ? runReference(this.fin, this.fout, x, this.k0, this.n)
          : runStream(this.kind, this.quality, this.fin, this.fout, x);
      this.cache.set(key, r);
    }
    return r;
  }
  gainDb(f) {
    const [re, im] = dftBin(this.run(f).y, f, this.fout, this.k0, this.n);
    return db(Math.hypot(re, im) / AMP);
  }
  /**
   * Worst alias/image of tone f, dB relative to the tone. Measured at -1, -1.5,
   * -2, -2.5 and -3 dBFS and the lowest kept: a real alias scales with the tone
   * and shows at every level, while the int16 rounding error of a (periodic) tone can put
   * anything from -145 to -115 dB on a given image bin, depending on the exact
   * level (rounding a float output that has no image above -150 dB, scaled by
   * 1.00001, moved one bin from -121 to -116 dB). Applied identically to every
   * engine and to the int16-floor reference.
   */
  aliasDb(f) {
    return Math.min(...ALIAS_AMPS.map((a) => this.aliasAt(f, a)));
  }
  aliasAt(f, amp) {
    const { fin, fout } = this;
    const nyq = fout / 2;
    const y = this.run(f, amp).y;
    const bins = [];
    if (fout < fin) {
      let a = f % fout;
      if (a > nyq) a = fout - a;
      bins.push(a);
    } else {
      for (let k = 1; k * fin - f < nyq; k++) {
        bins.push(k * fin - f);
        if (k * fin + f < nyq) bins.push(k * fin + f);
      }
    }
    let worst = -Infinity;
    for (const b of bins) {
      if (b <= 0 || b >= nyq) continue;
      const [re, im] = dftBin(y, b, fout, this.k0, this.n);
      worst = Math.max(worst, db(Math.hypot(re, im) / amp));
    }
    return worst;
  }
  thdN(f) {
    const y = this.run(f).y;
    const { k0, n, fout } = this;
    const [re, im] = dftBin(y, f, fout, k0, n);
    const w = (TAU * f) / fout;
    let res = 0;
    let sig = 0;
    for (let k = k0; k < k0 + n; k++) {
      const s = re * Math.cos(w * k) - im * Math.sin(w * k);
      sig += s * s;
      res += (y[k] - s) ** 2;
    }
    return 10 * Math.log10(res / sig);
  }
  /** Content delay in ms (positive: output late), from the phase of a low tone. */
  delayMs(f) {
    const { fin, fout, k0, n } = this;
    const [re, im] = dftBin(this.run(f).y, f, fout, k0, n);
    // The input tone is AMP*sin(2*pi*f*t); its ideal output has the same phase at t = k/fout.
    const ideal = new Float64Array(k0 + n);
    for (let k = k0; k < k0 + n; k++) ideal[k] = Math.sin((TAU * f * k) / fout);
    const [ir, ii] = dftBin(ideal, f, fout, k0, n);
    const dphi = Math.atan2(im * ir - re * ii, re * ir + im * ii);
    void fin;
    return (-dphi / (TAU * f)) * 1000;
  }
}

/** First frequency (Hz) where gain < ref - thr, scanning a grid then bisecting on tones. */
function edge(m, thr, refGain, grid) {
  const below = (f) => m.gainDb(f) < refGain - thr;
  let prev = null;
  for (const f of grid) {
    if (below(f)) {
      if (prev === null) return { hz: f, exact: false };
      let lo = prev;
      let hi = f;
      for (;;) {
        const mid = tone((lo + hi) / 2);
        if (mid <= lo || mid >= hi) break;
        if (below(mid)) hi = mid;
        else lo = mid;
      }
      // Interpolate the crossing in dB between the last passing and first failing tone.
      const gl = m.gainDb(lo) - refGain + thr;
      const gh = m.gainDb(hi) - refGain + thr;
      const hz = lo + ((hi - lo) * gl) / (gl - gh);
      return { hz, exact: true };
    }
    prev = f;
  }
  return null;
}

function measure(kind, quality, fin, fout) {
  const m = new Measurer(kind, quality, fin, fout);
  const low = Math.min(fin, fout) / 2;
  const nyqIn = fin / 2;
  const nyqOut = fout / 2;
  const f1k = 998;
  const g1k = m.gainDb(f1k);

  // Passband ripple grid: 22 Hz, 998 Hz, then 4 % steps up to 0.8 x Nyq.
  const rippleTones = [22, f1k];
  for (let t = 0.04; t <= 0.8 + 1e-9; t += 0.04) rippleTones.push(tone(t * low, t === 0.8 ? -1 : 0));
  const gains = rippleTones.map((f) => m.gainDb(f));
  const ripple = Math.max(...gains) - Math.min(...gains);

  // Edge scan grid: the ripple grid, then 1 % steps to just below Nyquist.
  const grid = [...new Set(rippleTones.filter((f) => f !== 22 && f !== f1k))].sort((a, b) => a - b);
  for (let t = 0.81; t < 0.995; t += 0.01) grid.push(tone(t * low));
  grid.push(tone(low - 4, -1));
  const e01 = edge(m, 0.1, g1k, grid);
  const e3 = edge(m, 3, g1k, grid);

  // Alias / image sweep.
  const sweep = [];
  const near = QUICK_RUN ? [2, 30, 120] : [2, 6, 14, 30, 60, 120];
  const fr = QUICK_RUN ? [0.05, 0.2, 0.5, 0.9] : [0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 0.98];
  if (fout < fin) {
    for (const d of near) sweep.push(tone(nyqOut + d, +1));
    for (const t of fr) sweep.push(tone(nyqOut + t * (nyqIn - nyqOut)));
  } else {
    const bottom = Math.max(0, fin - nyqOut); // tones below this have no image under nyqOut
    for (const d of near) sweep.push(tone(nyqIn - d, -1));
    for (const t of fr) sweep.push(tone(nyqIn - t * (nyqIn - bottom)));
  }
  let alias = -Infinity;
  let aliasAt = null;
  for (const f of sweep) {
    if (f <= Math.min(nyqIn, nyqOut) && fout < fin) continue;
    const a = m.aliasDb(f);
    if (a > alias) {
      alias = a;
      aliasAt = f;
    }
  }

  const thdn = m.thdN(997);
  const run = m.run(997);
  const delay = kind === 'ref' ? null : m.delayMs(22);
  return {
    half: kind === 'ours' ? halfLengthMs(quality, fin, fout).ms : null,
    kind,
    quality,
    fin,
    fout,
    g1k,
    ripple,
    e01,
    e3,
    low,
    alias,
    aliasAt,
    thdn,
    delay,
    lenErr: run.lenErr,
    lagAvg: run.lagAvg,
    lagMax: run.lagMax,
    firstMs: run.firstMs,
  };
}

// ---------------------------------------------------------------- output

function fmtEdge(e, low) {
  if (!e) return 'n/a';
  return `${Math.round(e.hz)} (${((100 * e.hz) / low).toFixed(1)}%)`;
}
const fx = (v, d) => (v === null || v === undefined ? '—' : v.toFixed(d));

function row(r) {
  const who = r.kind === 'ours' ? 'ours' : r.kind === 'rtc' ? 'rtc-node' : 'int16 floor';
  return [
    `${r.fin / 1000}k→${r.fout / 1000}k`,
    r.kind === 'ref' ? '—' : r.quality,
    who,
    fx(r.g1k, 3),
    fx(r.ripple, 3),
    fmtEdge(r.e01, r.low),
    fmtEdge(r.e3, r.low),
    fx(r.alias, 1) + (process.env.QDEBUG ? `@${r.aliasAt}` : ''),
    fx(r.thdn, 1),
    r.delay === null ? '—' : fx(r.delay, 3),
    r.lenErr === null ? '—' : String(r.lenErr),
    r.half === null || r.half === undefined ? '—' : fx(r.half, 2),
    r.lagAvg === null ? '—' : `${fx(r.lagAvg, 1)} / ${fx(r.lagMax, 1)}`,
    r.firstMs === null ? '—' : fx(r.firstMs, 0),
  ];
}

/** `--pairs all`: lag, half-length and empty pushes at every common pair. */
function lagOnly() {
  const t0 = Date.now();
  const header = [
    'ratio',
    'preset',
    'engine',
    'half ms',
    'lag avg / max ms',
    'empty 10 / 5 ms',
    'rtc-node lag avg / max ms',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const l of lines) console.log(l);
  const worst = new Map();
  for (const [fin, fout] of PAIRS) {
    const input = toneInput(998, fin);
    for (const q of QUALITIES) {
      const { ms: half, engine } = halfLengthMs(q, fin, fout);
      const p = half === null ? Infinity : half;
      const a = runStream('ours', q, fin, fout, input, 10, p);
      const b = runStream('ours', q, fin, fout, input, 5, p);
      const rt = NO_RTC ? null : runStream('rtc', q, fin, fout, input);
      const line = `| ${fin / 1000}k→${fout / 1000}k | ${q} | ${engineSummary(engine)} | ${fx(half, 2)} | ${fx(a.lagAvg, 1)} / ${fx(a.lagMax, 1)} | ${a.empty} / ${b.empty} | ${rt ? `${fx(rt.lagAvg, 1)} / ${fx(rt.lagMax, 1)}` : '—'} |`;
      lines.push(line);
      console.log(line);
      const w = worst.get(q);
      if (!w || a.lagMax > w.lagMax) worst.set(q, { lagMax: a.lagMax, lagAvg: a.lagAvg, half, fin, fout, rt });
    }
  }
  console.log('');
  console.log('| preset | worst pair | half ms | lag avg / max ms | rtc-node at that pair |');
  console.log('|---|---|---|---|---|');
  for (const q of QUALITIES) {
    const w = worst.get(q);
    console.log(
      `| ${q} | ${w.fin / 1000}k→${w.fout / 1000}k | ${fx(w.half, 2)} | ${fx(w.lagAvg, 1)} / ${fx(w.lagMax, 1)} | ${w.rt ? `${fx(w.rt.lagAvg, 1)} / ${fx(w.rt.lagMax, 1)}` : '—'} |`,
    );
  }
  console.error(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(0);
}

function main() {
  if (LAG_ONLY) lagOnly();
  const t0 = Date.now();
  const header = [
    'ratio',
    'preset',
    'engine',
    'g1k dB',
    'ripple dB',
    '−0.1 dB Hz (%Nyq)',
    '−3 dB Hz (%Nyq)',
    'alias/image dB',
    'THD+N dB',
    'delay ms',
    'len',
    'half ms',
    'lag avg/max ms',
    'first ms',
  ];
  const results = [];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const print = (r) => {
    results.push(r);
    const line = `| ${row(r).join(' | ')} |`;
    lines.push(line);
    console.log(line);
  };
  const title =
    `# rtc-resampler quality (${QUICK_RUN ? 'quick' : 'full'} run, 10 ms pushes, int16 mono, -1 dBFS tones)` +
    (NO_RTC ? ' — @livekit/rtc-node not measured' : '');
  if (MARKDOWN) {
    if (NO_RTC) console.error('@livekit/rtc-node not measured');
  } else {
    console.log(title);
  }
  console.log(lines[0]);
  console.log(lines[1]);
  for (const [fin, fout] of PAIRS) {
    print(measure('ref', null, fin, fout));
    for (const q of QUALITIES) {
      print(measure('ours', q, fin, fout));
      if (!NO_RTC) print(measure('rtc', q, fin, fout));
    }
  }
  console.log(`\n${LEGEND.join('\n')}`);
  const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  if (MARKDOWN) console.error(took);
  else console.log(`\n${took}`);
  if (JSON_OUT) {
    require('node:fs').writeFileSync(JSON_OUT, JSON.stringify(results, null, 1));
  }
  // rtc-node keeps a native worker alive; exit explicitly.
  process.exit(0);
}

main();
