'use strict';

// At any memory limit, a call whose output cannot be allocated must end in a
// catchable Error (code ERR_MEMORY_ALLOCATION_FAILED) or a rejected promise,
// never abort the process (`FATAL ERROR: v8::ArrayBuffer::New Allocation
// failed`) or leave an uncaught exception. Each case runs in a child process
// under `ulimit -v` (helpers/memory_limit.js); Linux only (`/proc`, `ulimit -v`).

const { FILLED_KB, underLimit, inBatches } = require('./helpers/memory_limit.js');

const MB = 1000; // kB
const MODES = ['resample', 'push', 'async'];
/** Input frames of each call: 12 MB of output. */
const FRAMES = 500_000;
/** Room (kB) below which V8 itself cannot go on: no limit tried is lower. */
const V8_ROOM = 8 * MB;

/** A child ended normally: with an output, or having caught the package's error. */
function normal(r) {
  const settled =
    r.result !== null &&
    (r.result.length > 0 || (r.result.error && r.result.error.code === 'ERR_MEMORY_ALLOCATION_FAILED'));
  return r.status === 0 && r.signal === null && r.stderr === '' && settled;
}

function describeRun(r) {
  const { mode, limitKb, leaveKb, status, signal, result } = r;
  return { mode, limitKb, leaveKb, status, signal, result, stderr: r.stderr.split('\n').slice(0, 3).join(' | ') };
}

const linux = process.platform === 'linux' ? describe : describe.skip;

linux('at a memory limit', () => {
  test('resample, push and resampleAsync end normally at every limit around the one where the call starts to fit', async () => {
    const seen = [];
    const run = async (mode, limitKb) => {
      const r = await underLimit(mode, FRAMES, limitKb);
      seen.push(r);
      return r;
    };
    // Lowest limit (to 1 MB) at which each call succeeds, the three searched
    // side by side. The call fits well within FILLED_KB + 256 MB.
    const lowest = await Promise.all(
      MODES.map(async (mode) => {
        let [lo, hi] = [FILLED_KB + V8_ROOM, FILLED_KB + 256 * MB];
        while (hi - lo > MB) {
          const mid = Math.round((lo + hi) / 2);
          const r = await run(mode, mid);
          if (r.result && r.result.length > 0) hi = mid;
          else lo = mid;
        }
        return hi;
      }),
    );
    // Limits spread over ±30 MB, and finer just below the threshold, where an
    // output that passed the up-front check used to abort when made.
    const offsets = [-30, -20, -10, -4, -2.5, -1.5, -0.5, 0, 10, 20, 30].map((d) => d * MB);
    const jobs = MODES.flatMap((mode, i) =>
      offsets.map((d) => () => run(mode, Math.max(FILLED_KB + V8_ROOM, lowest[i] + d))),
    );
    await inBatches(jobs, 3);

    expect(seen.filter((r) => !normal(r)).map(describeRun)).toEqual([]);
    // The range really straddles the limit: each call both failed cleanly and succeeded.
    for (const mode of MODES) {
      const own = seen.filter((r) => r.mode === mode);
      expect({
        mode,
        failed: own.some((r) => r.result.error),
        succeeded: own.some((r) => r.result.length > 0),
      }).toEqual({ mode, failed: true, succeeded: true });
    }
  }, 120_000);

  test('resampleAsync settles (result or rejection) when the process takes the memory while it runs', async () => {
    // A limit at which the call fits, then the child takes all but `leave`
    // of what is left before the work completes: from a bit more than the
    // 20.4 MB output to ample. The JS copy made when the promise settles used
    // to be checked only then (an uncaught exception in the range up to three
    // times the output, the promise left pending).
    const limitKb = FILLED_KB + 256 * MB;
    const leaves = [22, 28, 34, 40, 48, 56, 72].map((m) => m * MB);
    const runs = await inBatches(
      leaves.map((leave) => () => underLimit('async', FRAMES, limitKb, leave)),
      3,
    );
    expect(runs.filter((r) => !normal(r)).map(describeRun)).toEqual([]);
  }, 120_000);
});
