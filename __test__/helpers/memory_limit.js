'use strict';

// Child processes under `ulimit -v` for __test__/memory_limit.test.js. Each
// child first fills its address space up to a fixed size with an untouched
// ArrayBuffer (no resident memory), so the room left for the call under test is
// the limit minus that size, whatever Node itself needs, and the call can be
// small. It then prints one JSON line: how the call ended.

const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** Address space (kB) each child fills itself up to before the call. */
const FILLED_KB = 1_100_000;

// MODE: 'resample' | 'push' | 'async'; FRAMES: input frames (mono s16 at
// 8 kHz to f32 at 48 kHz: 24 bytes of output each). LEAVE_KB (async only, optional): after
// the call, the child takes all but this much of what is left, as a busy
// process would while the work runs on the thread pool.
const SCRIPT = `
  const { resample, resampleAsync, PcmResampler } = require(${JSON.stringify(ROOT)});
  const fs = require('node:fs');
  const { MODE, FRAMES, FILLED_KB, LIMIT_KB, LEAVE_KB } = process.env;
  const opts = { inputRate: 8000, outputRate: 48000, quality: 0, output: 'f32' };
  const samples = new Int16Array(Number(FRAMES)); // 6 samples (24 bytes) out each
  const resampler = MODE === 'push' ? new PcmResampler(opts) : null;
  const vm = () => Number(fs.readFileSync('/proc/self/status', 'utf8').match(/VmSize:\\s+(\\d+)/)[1]);
  const report = (r) => process.stdout.write(JSON.stringify(r));
  const failed = (e) => report({ error: { name: e.name, code: e.code } });
  const ended = (out) => report({ length: out === null ? 0 : out.length });
  (async () => {
    // libuv starts its thread pool on first use and aborts, silently, if it
    // cannot (any async fs call would too): start it before the memory runs out.
    await new Promise((resolve) => fs.stat('.', resolve));
    const filler = new ArrayBuffer(Math.max(0, FILLED_KB - vm()) * 1024);
    if (MODE === 'async') {
      const promise = resampleAsync(samples, opts);
      let busy = null;
      if (LEAVE_KB) {
        try { busy = new ArrayBuffer(Math.max(0, LIMIT_KB - vm() - LEAVE_KB) * 1024); } catch {}
      }
      await promise.then(ended, failed);
      void busy;
    } else {
      try { ended(MODE === 'push' ? resampler.push(samples) : resample(samples, opts)); } catch (e) { failed(e); }
    }
    void filler;
  })();
`;

/**
 * Runs the call `mode` on `frames` input frames in a child limited to `limitKb`
 * kB of address space. Resolves to { status, signal, stderr, result }
 * (`result`: the child's JSON, or null).
 */
function underLimit(mode, frames, limitKb, leaveKb = null) {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `ulimit -v ${limitKb} && exec "${process.execPath}" -e "$SCRIPT"`], {
      env: {
        ...process.env,
        // glibc gives each thread that allocates its own arena, 64 MB of
        // address space: V8's helper threads would take it at random moments
        // and leave V8 itself too little to go on.
        MALLOC_ARENA_MAX: '1',
        SCRIPT,
        MODE: mode,
        FRAMES: String(frames),
        FILLED_KB: String(FILLED_KB),
        LIMIT_KB: String(limitKb),
        LEAVE_KB: leaveKb === null ? '' : String(leaveKb),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status, signal) => {
      let result = null;
      try {
        result = JSON.parse(stdout);
      } catch {}
      resolve({ mode, limitKb, leaveKb, status, signal, stderr, result });
    });
  });
}

/** Runs `jobs` (functions returning promises) `width` at a time, in order. */
async function inBatches(jobs, width) {
  const results = [];
  for (let i = 0; i < jobs.length; i += width) {
    results.push(...(await Promise.all(jobs.slice(i, i + width).map((job) => job()))));
  }
  return results;
}

module.exports = { FILLED_KB, underLimit, inBatches };
