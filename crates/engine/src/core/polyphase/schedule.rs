//! The feed loop: input written into the histories in runs, then the outputs
//! due within each run computed a batch at a time, grouped by phase so that
//! outputs sharing a phase load it once.

use std::cell::RefCell;

use super::kernels::{Job, Kernel, Portable};
use super::table::{Role, Table};
use super::{PolyCore, RUN_MAX_TAPS};
use crate::core::io::{Sink, Source};

/// Interleaved samples converted per step from the source (into [`Staging`]).
const IN_CHUNK: usize = 1024;
/// Interleaved output samples handed to the sink per call (from [`Staging`]).
pub const OUT_CHUNK: usize = 2048;

/// A feed's working buffers: the source's frames as `f32`, and one batch of
/// outputs. Per thread, not per core (12 KiB would break the 8 KiB budget of a
/// live resampler), and not on the stack, where they were zeroed on every feed
/// (0.3 µs of a 3 µs QUICK push, measured with criterion). Nothing carries over
/// from one feed to the next: each feed writes before it reads.
struct Staging {
    input: [f32; IN_CHUNK],
    output: [f32; OUT_CHUNK],
}

thread_local! {
    static STAGING: RefCell<Staging> = const {
        RefCell::new(Staging { input: [0.0; IN_CHUNK], output: [0.0; OUT_CHUNK] })
    };
}

/// Feeds `source` to `core` with the kernel it detected.
pub fn feed(core: &mut PolyCore, source: Source, sink: &mut dyn Sink) {
    // The sinks (crate::stream) only convert and copy: no feed runs inside
    // another, so the staging is never borrowed twice.
    STAGING.with_borrow_mut(|staging| {
        let isa = core.isa;
        isa.run(Feed {
            core,
            source,
            sink,
            staging,
        })
    })
}

/// [`feed`] for silence into a history of zeros, its outputs not computed.
pub fn feed_silence(core: &mut PolyCore, frames: usize, sink: &mut dyn Sink) {
    let silence = Source::Silence(frames);
    STAGING.with_borrow_mut(|staging| feed_uncomputed(core, silence, sink, staging));
}

/// One call of [`feed_impl`], as a [`Job`] for the kernel's instruction set.
struct Feed<'a, 'b> {
    core: &'a mut PolyCore,
    source: Source<'b>,
    sink: &'a mut dyn Sink,
    staging: &'a mut Staging,
}

impl Job for Feed<'_, '_> {
    #[inline(always)]
    fn run<K: Kernel>(self) {
        feed_impl::<K, true>(self.core, self.source, self.sink, self.staging)
    }
}

/// [`feed_impl`] for silence into a history of zeros, its outputs not computed;
/// out of line, so the hot path's code does not change around it.
#[inline(never)]
fn feed_uncomputed(
    core: &mut PolyCore,
    source: Source,
    sink: &mut dyn Sink,
    staging: &mut Staging,
) {
    feed_impl::<Portable, false>(core, source, sink, staging)
}

/// Outputs computed per batch.
const BATCH: usize = 512;
/// The feed loop: writes input frames into the histories in runs, then computes
/// the outputs that become due within the run, a batch at a time, grouped by
/// phase: outputs `r, r+L, r+2L, r+3L` of a batch share phase `(p₀ + r·M) mod L`
/// and their windows end `M` frames apart, so the schedule is arithmetic (no
/// per-output list, no division per group). Four, three or two outputs of one
/// phase are computed together (in stereo, with both channels: up to six
/// windows per load of the phase); two phases that read the same windows are
/// computed together ([`Kernel::dot2p`]): in a paired table, every first
/// phase with its second ([`by_pairs`]), else in upsampling where consecutive
/// outputs happen to ([`by_phase_pairs`]); outputs alone in
/// their phase are paired (mono: two outputs, stereo: two channels). Without
/// `COMPUTE`, for silence into a history of zeros, each output is the exact 0.0
/// it would come to.
#[inline(always)]
fn feed_impl<K: Kernel, const COMPUTE: bool>(
    core: &mut PolyCore,
    source: Source,
    sink: &mut dyn Sink,
    staging: &mut Staging,
) {
    let ch = core.channels;
    let (k, up, down, cap) = (core.table.taps, core.table.up, core.table.down, core.cap);
    let total = source.frames(ch);
    let per_in = IN_CHUNK / ch;
    let batch = BATCH.min(OUT_CHUNK / ch);
    let Staging {
        input: inbuf,
        output: outbuf,
    } = staging;
    let mut done = 0;
    while done < total {
        let n = (total - done).min(per_in);
        source.write_f32(done, ch, &mut inbuf[..n * ch]);
        let mut f = 0;
        while f < n {
            let rest = n - f;
            // Keep the newest K − 1 frames, at the start: when the buffer is
            // full, or earlier if the rest of this chunk then fits in one run
            // (a run cut in two also cuts its batch, so fewer outputs share
            // each load of a phase).
            if core.filled == cap || (core.filled + rest > cap && k - 1 + rest <= cap) {
                let keep_from = core.filled + 1 - k;
                for c in 0..ch {
                    let base = c * cap;
                    core.hist
                        .copy_within(base + keep_from..base + core.filled, base);
                }
                core.filled = k - 1;
            }
            let run = rest.min(cap - core.filled);
            write_run(core, &inbuf[f * ch..(f + run) * ch]);
            // Window end (exclusive, in the history) of the next output.
            let mut next = core.filled + core.need;
            core.filled += run;
            f += run;
            while next <= core.filled {
                let due = core
                    .table
                    .outputs_due(core.phase, (core.filled - next) as u64);
                let count = due.min(batch as u128) as usize;
                if COMPUTE {
                    compute_batch::<K>(core, next, count, outbuf);
                } else {
                    outbuf[..count * ch].fill(0.0);
                }
                sink.accept(&outbuf[..count * ch]);
                let pos = core.phase as u64 + count as u64 * down as u64;
                next += (pos / up as u64) as usize;
                core.phase = (pos % up as u64) as usize;
            }
            core.need = next - core.filled;
        }
        done += n;
    }
}

/// Appends interleaved frames to the channel-major histories.
#[inline(always)]
fn write_run(core: &mut PolyCore, src: &[f32]) {
    let (ch, cap, at) = (core.channels, core.cap, core.filled);
    let run = src.len() / ch;
    if ch == 1 {
        core.hist[at..at + run].copy_from_slice(src);
        return;
    }
    if ch == 2 {
        // Both channels in one pass over whole frames, which the compiler
        // vectorises (a loop per channel over a runtime stride it does not).
        let (left, right) = core.hist.split_at_mut(cap);
        let pairs = left[at..at + run].iter_mut().zip(&mut right[at..at + run]);
        for ((l, r), frame) in pairs.zip(src.chunks_exact(2)) {
            (*l, *r) = (frame[0], frame[1]);
        }
        return;
    }
    for c in 0..ch {
        let dst = &mut core.hist[c * cap + at..c * cap + at + run];
        for (d, frame) in dst.iter_mut().zip(src.chunks_exact(ch)) {
            *d = frame[c];
        }
    }
}

/// What the functions computing one batch read: the histories and the table.
/// (Plain functions rather than closures: a closure would not inherit
/// the target features of `kernels::avx2::run`, and its kernels would not be inlined.)
struct BatchView<'a> {
    hist: &'a [f32],
    table: &'a Table,
    cap: usize,
    ch: usize,
    /// `M = step_q · L + step_r`.
    step_q: usize,
    step_r: usize,
    /// Whether each phase's outputs are one run ([`run_windows`]).
    runs: bool,
}

/// A mono output alone in its phase, waiting for a partner ([`Kernel::dot1x2`]):
/// its index, window end and phase.
type Pending = Option<(usize, usize, usize)>;

impl BatchView<'_> {
    /// Channel `c`'s window ending (exclusive) at `end`.
    #[inline(always)]
    fn window(&self, c: usize, end: usize) -> &[f32] {
        self.window_past(c, end, 0)
    }

    /// Channel `c`'s window ending at `end`, and the `extra` frames after it.
    #[inline(always)]
    fn window_past(&self, c: usize, end: usize, extra: usize) -> &[f32] {
        &self.hist[c * self.cap + end - self.table.taps..c * self.cap + end + extra]
    }

    #[inline(always)]
    fn phase(&self, p: usize) -> &[f32] {
        self.table.phase(p)
    }

    /// The phase and window end of the output after the one with `p` and `end`.
    #[inline(always)]
    fn next(&self, p: usize, end: usize) -> (usize, usize) {
        let (p, end) = (p + self.step_r, end + self.step_q);
        if p >= self.table.up {
            (p - self.table.up, end + 1)
        } else {
            (p, end)
        }
    }
}

/// Computes `count` outputs starting with the next one (phase `core.phase`,
/// window ending at `first_end`) into `outbuf`, interleaved.
#[inline(always)]
fn compute_batch<K: Kernel>(core: &PolyCore, first_end: usize, count: usize, outbuf: &mut [f32]) {
    let table = &*core.table;
    let v = BatchView {
        hist: &core.hist,
        table,
        cap: core.cap,
        ch: core.channels,
        step_q: core.step_q,
        step_r: core.step_r,
        runs: K::RUNS && core.runs_of_windows(),
    };
    let mut pending: Pending = None;
    if core.pairs_phases() && table.paired() {
        by_pairs::<K>(&v, core.phase, first_end, count, &mut pending, outbuf);
    } else if core.pairs_phases() && !v.runs {
        by_phase_pairs::<K>(&v, core.phase, first_end, count, &mut pending, outbuf);
    } else {
        by_phase::<K>(&v, core.phase, first_end, count, &mut pending, outbuf);
    }
    if let Some((q0, e0, p0)) = pending {
        outbuf[q0] = K::dot::<1>([v.window(0, e0)], v.phase(p0))[0];
    }
}

/// The outputs below `count` one phase at a time: output `r` (phase `p`,
/// window ending at `end`) and `r + L, r + 2L, …` with it.
#[inline(always)]
fn by_phase<K: Kernel>(
    v: &BatchView,
    mut p: usize,
    mut end: usize,
    count: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    for r in 0..v.table.up.min(count) {
        run_phase::<K>(v, r, end, p, count, pending, outbuf);
        (p, end) = v.next(p, end);
    }
}

/// [`by_phase`] for a paired table ([`Table::roles`]) in mono or stereo:
/// outputs `r + i·L` of a first's phase and `r + 1 + i·L` read the same
/// windows and are computed together. A first whose partner is not due (the
/// batch's last output) and a second whose partner was in the previous batch
/// (its first output) are computed alone, with the same bits.
#[inline(always)]
fn by_pairs<K: Kernel>(
    v: &BatchView,
    mut p: usize,
    mut end: usize,
    count: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    let (up, down) = (v.table.up, v.table.down);
    for r in 0..up.min(count) {
        let (pb, eb) = v.next(p, end);
        match v.table.role(p) {
            Role::First { ahead } => {
                debug_assert_eq!(eb, end + ahead);
                let pairs = (count - r - 1).div_ceil(up);
                if v.ch == 1 {
                    run_phase_pair::<K, 1>(v, [r, r + 1], [p, pb], eb, pairs, outbuf);
                } else {
                    run_phase_pair::<K, 2>(v, [r, r + 1], [p, pb], eb, pairs, outbuf);
                }
                let last = r + pairs * up;
                run_phase::<K>(v, last, end + pairs * down, p, count, pending, outbuf);
            }
            // Computed with the previous output's.
            Role::Second if r > 0 => {}
            Role::Second => run_phase::<K>(v, r, end, p, 1, pending, outbuf),
            Role::Alone => run_phase::<K>(v, r, end, p, count, pending, outbuf),
        }
        (p, end) = (pb, eb);
    }
}

/// [`by_phase`] for upsampling (M < L) in mono or stereo
/// ([`PolyCore::pairs_phases`]). Output r + 1 has phase p + M and reads output
/// r's window; if p + M ≥ L it has phase p + M − L and reads the next window,
/// which for M = 1 is output r + L's. Outputs r + i·L and r + 1 + i·L then
/// read the same window for every i, so the two phases are computed together,
/// each window load serving both.
#[inline(always)]
fn by_phase_pairs<K: Kernel>(
    v: &BatchView,
    mut p: usize,
    mut end: usize,
    count: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    let (up, down) = (v.table.up, v.table.down);
    let first_phases = up.min(count);
    let mut r = 0;
    while r < first_phases {
        let (pb, eb) = v.next(p, end);
        if !(r + 1 < first_phases && (eb == end || down == 1)) {
            run_phase::<K>(v, r, end, p, count, pending, outbuf);
            (p, end) = (pb, eb);
            r += 1;
            continue;
        }
        // Outputs qa + i·L (phase p) and qb + i·L (phase pb) read the window
        // ending at eb + i·M.
        let qb = r + 1;
        let qa = if eb == end {
            r
        } else {
            run_phase::<K>(v, r, end, p, r + 1, pending, outbuf);
            r + up
        };
        let both = qa.max(qb);
        let pairs = if both < count {
            (count - both).div_ceil(up)
        } else {
            0
        };
        if v.ch == 1 {
            run_phase_pair::<K, 1>(v, [qa, qb], [p, pb], eb, pairs, outbuf);
        } else {
            run_phase_pair::<K, 2>(v, [qa, qb], [p, pb], eb, pairs, outbuf);
        }
        // An output of either phase left after the last pair.
        let e = eb + pairs * down;
        run_phase::<K>(v, qa + pairs * up, e, p, count, pending, outbuf);
        run_phase::<K>(v, qb + pairs * up, e, pb, count, pending, outbuf);
        (p, end) = v.next(pb, eb);
        r += 2;
    }
}

/// Outputs `q, q + L, …` below `limit`, of phase `p`, ending `e, e + M, …`
/// (their windows, [`Table::ahead`] frames later).
#[inline(always)]
fn run_phase<K: Kernel>(
    v: &BatchView,
    mut q: usize,
    e: usize,
    p: usize,
    limit: usize,
    pending: &mut Pending,
    outbuf: &mut [f32],
) {
    let mut e = e + v.table.ahead(p);
    if v.runs {
        if v.table.down == 1 {
            run_windows::<K, 1>(v, q, e, p, limit, outbuf);
        } else {
            run_windows::<K, 2>(v, q, e, p, limit, outbuf);
        }
        return;
    }
    let (ch, up, down) = (v.ch, v.table.up, v.table.down);
    let coeffs = v.phase(p);
    let lagged = v.table.lagged().filter(|_| K::LAGGED);
    while q < limit {
        if let Some((lag, phases)) = lagged {
            if q + 2 * lag <= limit {
                run_lagged::<K>(v, q, e, lag, phases, outbuf);
                q += 2 * lag;
                e += 2 * lag * down;
                continue;
            }
        }
        let g = 1 + (1..K::GROUP).take_while(|i| q + i * up < limit).count();
        if g == 1 {
            if ch == 1 {
                match pending.take() {
                    Some((q0, e0, p0)) => {
                        let y = K::dot1x2([v.window(0, e0), v.window(0, e)], [v.phase(p0), coeffs]);
                        outbuf[q0] = y[0];
                        outbuf[q] = y[1];
                    }
                    None => *pending = Some((q, e, p)),
                }
            } else {
                let out = &mut outbuf[q * ch..(q + 1) * ch];
                let mut c = 0;
                while c + 2 <= ch {
                    let y = K::dot::<2>([v.window(c, e), v.window(c + 1, e)], coeffs);
                    out[c..c + 2].copy_from_slice(&y);
                    c += 2;
                }
                if c < ch {
                    out[c] = K::dot::<1>([v.window(c, e)], coeffs)[0];
                }
            }
        } else if ch == 2 && g <= 3 {
            // (A kernel with GROUP > 3 takes stereo groups channel by channel below.)
            // Both channels of g outputs against one load of the phase.
            let w = |i: usize, c: usize| v.window(c, e + i * down);
            let y: &[f32] = match g {
                3 => &K::dot::<6>(
                    [w(0, 0), w(0, 1), w(1, 0), w(1, 1), w(2, 0), w(2, 1)],
                    coeffs,
                ),
                _ => &K::dot::<4>([w(0, 0), w(0, 1), w(1, 0), w(1, 1)], coeffs),
            };
            for i in 0..g {
                let at = (q + i * up) * 2;
                outbuf[at..at + 2].copy_from_slice(&y[2 * i..2 * i + 2]);
            }
        } else {
            for c in 0..ch {
                let w = |i: usize| v.window(c, e + i * down);
                let y: &[f32] = match g {
                    8 => &K::dot::<8>([w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)], coeffs),
                    7 => &K::dot::<7>([w(0), w(1), w(2), w(3), w(4), w(5), w(6)], coeffs),
                    6 => &K::dot::<6>([w(0), w(1), w(2), w(3), w(4), w(5)], coeffs),
                    5 => &K::dot::<5>([w(0), w(1), w(2), w(3), w(4)], coeffs),
                    4 => &K::dot::<4>([w(0), w(1), w(2), w(3)], coeffs),
                    3 => &K::dot::<3>([w(0), w(1), w(2)], coeffs),
                    _ => &K::dot::<2>([w(0), w(1)], coeffs),
                };
                for (i, y) in y.iter().enumerate() {
                    outbuf[(q + i * up) * ch + c] = *y;
                }
            }
        }
        q += g * up;
        e += g * down;
    }
}

/// Outputs `q .. q + 2·lag` of a table with one phase ([`Table::lagged`]),
/// the first ending at `e`: output `q + i` against the phase followed by
/// zeros and output `q + lag + i` against the phase preceded by them, both
/// from the window of output `q + i` and the `lag · M` frames after it.
#[inline(always)]
fn run_lagged<K: Kernel>(
    v: &BatchView,
    q: usize,
    e: usize,
    lag: usize,
    phases: [&[f32]; 2],
    outbuf: &mut [f32],
) {
    let (ch, down) = (v.ch, v.table.down);
    // `lag` is a power of two, and so is `K::GROUP`.
    let n = lag.min(K::GROUP);
    for c in 0..ch {
        let w = |i: usize| v.window_past(c, e + i * down, lag * down);
        let mut i = 0;
        while i < lag {
            let y: &[[f32; 2]] = match n {
                8 => &K::dot2p::<8>(
                    [
                        w(i),
                        w(i + 1),
                        w(i + 2),
                        w(i + 3),
                        w(i + 4),
                        w(i + 5),
                        w(i + 6),
                        w(i + 7),
                    ],
                    phases,
                ),
                4 => &K::dot2p::<4>([w(i), w(i + 1), w(i + 2), w(i + 3)], phases),
                2 => &K::dot2p::<2>([w(i), w(i + 1)], phases),
                _ => &K::dot2p::<1>([w(i)], phases),
            };
            for (j, y) in y.iter().enumerate() {
                outbuf[(q + i + j) * ch + c] = y[0];
                outbuf[(q + lag + i + j) * ch + c] = y[1];
            }
            i += n;
        }
    }
}

/// Outputs computed per [`Kernel::dot_run`] call.
const RUN_CHUNK: usize = 64;

/// [`run_phase`] where the outputs `q, q + L, …` of one phase are runs
/// ([`PolyCore::runs_of_windows`]): their windows end `e, e + S, …` with
/// `S = M`, 1 in integer upsampling, 2 in decimation by 2 (one phase). Per
/// channel and chunk of outputs, the span their windows cover is split into
/// `S` streams for [`Kernel::dot_run`] (frame `S·t + r` in stream `r`; with
/// `S = 1`, the history itself).
#[inline(always)]
fn run_windows<K: Kernel, const S: usize>(
    v: &BatchView,
    q: usize,
    e: usize,
    p: usize,
    limit: usize,
    outbuf: &mut [f32],
) {
    if q >= limit {
        return;
    }
    let (ch, up, k) = (v.ch, v.table.up, v.table.taps);
    let n = (limit - q).div_ceil(up);
    let coeffs = v.phase(p);
    let mut y = [0.0f32; RUN_CHUNK];
    for c in 0..ch {
        let hist = &v.hist[c * v.cap..(c + 1) * v.cap];
        let mut i = 0;
        while i < n {
            let m = (n - i).min(RUN_CHUNK);
            let start = e + i * S - k;
            // Each stream's part of the span: m − 1 + K / S frames.
            let len = m - 1 + k / S;
            let span = &hist[start..start + S * len];
            if S == 1 {
                K::dot_run([span; S], coeffs, &mut y[..m]);
            } else {
                let mut split = [[0.0f32; RUN_CHUNK + RUN_MAX_TAPS]; S];
                for (t, frame) in span.chunks_exact(S).enumerate() {
                    for (stream, x) in split.iter_mut().zip(frame) {
                        stream[t] = *x;
                    }
                }
                let streams = split.each_ref().map(|s| &s[..len]);
                K::dot_run(streams, coeffs, &mut y[..m]);
            }
            let (first, stride) = ((q + i * up) * ch + c, up * ch);
            if stride == 1 {
                outbuf[first..first + m].copy_from_slice(&y[..m]);
            } else {
                for (to, y) in outbuf[first..].chunks_mut(stride).zip(&y[..m]) {
                    to[0] = *y;
                }
            }
            i += m;
        }
    }
}

/// `pairs` outputs of each of two phases that read the same windows, for
/// `CH` (1 or 2) channels: outputs `q[0] + i·L` (phase `p[0]`) and `q[1] + i·L` (phase
/// `p[1]`) both read the window ending at `e + i·M`.
#[inline(always)]
fn run_phase_pair<K: Kernel, const CH: usize>(
    v: &BatchView,
    q: [usize; 2],
    p: [usize; 2],
    e: usize,
    pairs: usize,
    outbuf: &mut [f32],
) {
    let (up, down) = (v.table.up, v.table.down);
    let c = [v.phase(p[0]), v.phase(p[1])];
    let mut put = |i: usize, c: usize, y: [f32; 2]| {
        outbuf[(q[0] + i * up) * CH + c] = y[0];
        outbuf[(q[1] + i * up) * CH + c] = y[1];
    };
    // Up to `K::GROUP` windows per call (in stereo, both channels of half as
    // many window ends): each load of the two phases then serves as many.
    let mut i = 0;
    while i < pairs {
        let n = ((pairs - i) * CH).min(K::GROUP);
        let w = |j: usize| v.window(j % CH, e + (i + j / CH) * down);
        let y: &[[f32; 2]] = match n {
            8 => &K::dot2p::<8>([w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)], c),
            7 => &K::dot2p::<7>([w(0), w(1), w(2), w(3), w(4), w(5), w(6)], c),
            6 => &K::dot2p::<6>([w(0), w(1), w(2), w(3), w(4), w(5)], c),
            5 => &K::dot2p::<5>([w(0), w(1), w(2), w(3), w(4)], c),
            4 => &K::dot2p::<4>([w(0), w(1), w(2), w(3)], c),
            3 => &K::dot2p::<3>([w(0), w(1), w(2)], c),
            2 => &K::dot2p::<2>([w(0), w(1)], c),
            _ => &K::dot2p::<1>([w(0)], c),
        };
        for (j, y) in y.iter().enumerate() {
            put(i + j / CH, j % CH, *y);
        }
        i += n / CH;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::spec::Spec;
    use crate::test_support::{same_bits, test_signal, Collect};

    /// The portable kernel, computing decimation in lagged pairs, so that
    /// the lagged schedule runs on every machine (only AVX-512 takes it).
    struct Lagging;

    impl Kernel for Lagging {
        const LAGGED: bool = true;

        fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
            Portable::dot(w, c)
        }

        fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
            Portable::dot1x2(w, c)
        }

        fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
            Portable::dot2p(w, c)
        }
    }

    /// Lagged pairs give the bits of one output at a time, for any push
    /// split, in mono and stereo, whatever `lag` (8, 16, 4).
    #[test]
    fn lagged_pairs_give_the_bits_of_one_output_at_a_time() {
        const MEDIUM: Spec = Spec::LowPass {
            pass: 0.936,
            stop: 1.0,
            atten_db: 126.0,
        };
        let frames = 3000;
        for (down, ch) in [(2u64, 1usize), (3, 2), (4, 1)] {
            let x = test_signal(frames * ch);
            let run = |lagged: bool, sizes: &[usize]| {
                let mut core = PolyCore::new(1, down, MEDIUM, ch);
                assert!(core.table.lagged().is_some(), "M {down}");
                let mut out = Collect(Vec::new());
                let mut at = 0;
                for &n in sizes.iter().cycle() {
                    if at == frames {
                        break;
                    }
                    let n = n.min(frames - at);
                    let source = Source::F32(&x[at * ch..(at + n) * ch]);
                    STAGING.with_borrow_mut(|staging| {
                        if lagged {
                            feed_impl::<Lagging, true>(&mut core, source, &mut out, staging)
                        } else {
                            feed_impl::<Portable, true>(&mut core, source, &mut out, staging)
                        }
                    });
                    at += n;
                }
                out.0
            };
            let want = run(false, &[frames]);
            assert_eq!(want.len(), frames.div_ceil(down as usize) * ch);
            for sizes in [&[frames][..], &[160], &[7, 481, 1]] {
                let got = run(true, sizes);
                assert!(same_bits(&want, &got), "M {down} x{ch} {sizes:?}");
            }
        }
    }
}
