//! The AVX-512F kernel (x86-64): one 16-lane accumulator per window where
//! [`super::avx2`] keeps two 8-lane ones. Lane `i` accumulates the same
//! products in the same order as AVX2's lane `i` of its first (`i < 8`) or
//! second accumulator, the last half block goes to lanes 0–7 only, and the
//! lanes are summed in AVX2's order ([`lane_sums`]): the same bits, in half
//! the instructions.

use std::arch::x86_64::*;

use super::{dot_each, run_fits, starts, Job, Kernel};

/// Whether the CPU has AVX-512F (and the AVX2 and FMA the feed loop is compiled with).
pub fn detected() -> bool {
    is_x86_feature_detected!("avx512f") && super::avx2::detected()
}

/// Runs `job` with [`Avx512`], compiled with AVX-512F, AVX2 and FMA enabled.
///
/// # Safety
///
/// The CPU must have them ([`detected`]).
#[target_feature(enable = "avx512f,avx2,fma")]
pub unsafe fn run<J: Job>(job: J) {
    job.run::<Avx512>()
}

pub struct Avx512;

/// The last half block: lanes 0–7 only, loaded without reading past the slice.
const LOW_HALF: __mmask16 = 0x00ff;

/// The lane sums of the first `n` (at most 16) of `v`, each added as AVX2's
/// two accumulators and its `hsum_n` add them (lane `i` with `i + 8`, then
/// with `i + 4`, `i + 2`, `i + 1`), but for sixteen vectors at once: each step
/// adds the two halves of every vector, two vectors' halves side by side in
/// one. About half the shuffles of one reduction per vector.
#[inline(always)]
unsafe fn lane_sums(v: &[__m512; 16], n: usize) -> [f32; 16] {
    let z = _mm512_setzero_ps();
    // 256-bit halves: [a₀..₇ + a₈..₁₅, b₀..₇ + b₈..₁₅].
    let mut x = [z; 8];
    for k in 0..n.div_ceil(2) {
        let (a, b) = (v[2 * k], v[2 * k + 1]);
        x[k] = _mm512_add_ps(
            _mm512_shuffle_f32x4::<0b01_00_01_00>(a, b),
            _mm512_shuffle_f32x4::<0b11_10_11_10>(a, b),
        );
    }
    // 128-bit halves: four vectors' four lanes.
    let mut y = [z; 4];
    for k in 0..n.div_ceil(4) {
        let (a, b) = (x[2 * k], x[2 * k + 1]);
        y[k] = _mm512_add_ps(
            _mm512_shuffle_f32x4::<0b10_00_10_00>(a, b),
            _mm512_shuffle_f32x4::<0b11_01_11_01>(a, b),
        );
    }
    // 64-bit halves within each 128-bit lane, then the last pair.
    let mut w = [z; 2];
    for k in 0..n.div_ceil(8) {
        let (a, b) = (y[2 * k], y[2 * k + 1]);
        w[k] = _mm512_add_ps(
            _mm512_shuffle_ps::<0b01_00_01_00>(a, b),
            _mm512_shuffle_ps::<0b11_10_11_10>(a, b),
        );
    }
    let r = _mm512_add_ps(
        _mm512_shuffle_ps::<0b10_00_10_00>(w[0], w[1]),
        _mm512_shuffle_ps::<0b11_01_11_01>(w[0], w[1]),
    );
    // Element 4j + e holds vector 4e + j's sum.
    let order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    let mut out = [0.0f32; 16];
    _mm512_storeu_ps(out.as_mut_ptr(), _mm512_permutexvar_ps(order, r));
    out
}

/// `N` windows against one phase, loaded once per block for all of them.
#[inline(always)]
fn dot_n<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
    let n = w.iter().fold(c.len(), |n, w| n.min(w.len()));
    // SAFETY: only reached through `run` (AVX-512F, AVX2, FMA present); every
    // full load reads 16 floats at j with j + 16 ≤ n, the masked tail load 8
    // floats at j with j + 8 ≤ n, n ≤ the length of each slice.
    unsafe {
        let pc = c.as_ptr();
        let pw = w.map(|w| w.as_ptr());
        let mut a = [_mm512_setzero_ps(); N];
        let mut j = 0;
        while j + 16 <= n {
            let y = _mm512_loadu_ps(pc.add(j));
            for k in 0..N {
                a[k] = _mm512_fmadd_ps(_mm512_loadu_ps(pw[k].add(j)), y, a[k]);
            }
            j += 16;
        }
        if j + 8 <= n {
            let y = _mm512_maskz_loadu_ps(LOW_HALF, pc.add(j));
            for k in 0..N {
                let x = _mm512_maskz_loadu_ps(LOW_HALF, pw[k].add(j));
                a[k] = _mm512_mask3_fmadd_ps(x, y, a[k], LOW_HALF);
            }
        }
        let mut v = [_mm512_setzero_ps(); 16];
        v[..N].copy_from_slice(&a);
        let sums = lane_sums(&v, N);
        let mut out = [0.0f32; N];
        out.copy_from_slice(&sums[..N]);
        out
    }
}

/// Two windows, each against its own phase, interleaved.
#[inline(always)]
fn dot_sep(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
    let n = w.iter().chain(&c).fold(usize::MAX, |n, s| n.min(s.len()));
    // SAFETY: as in `dot_n`.
    unsafe {
        let pc = c.map(|c| c.as_ptr());
        let pw = w.map(|w| w.as_ptr());
        let mut a = [_mm512_setzero_ps(); 2];
        let mut j = 0;
        while j + 16 <= n {
            for k in 0..2 {
                let x = _mm512_loadu_ps(pw[k].add(j));
                a[k] = _mm512_fmadd_ps(x, _mm512_loadu_ps(pc[k].add(j)), a[k]);
            }
            j += 16;
        }
        if j + 8 <= n {
            for k in 0..2 {
                let x = _mm512_maskz_loadu_ps(LOW_HALF, pw[k].add(j));
                let y = _mm512_maskz_loadu_ps(LOW_HALF, pc[k].add(j));
                a[k] = _mm512_mask3_fmadd_ps(x, y, a[k], LOW_HALF);
            }
        }
        let mut v = [_mm512_setzero_ps(); 16];
        v[..2].copy_from_slice(&a);
        let sums = lane_sums(&v, 2);
        [sums[0], sums[1]]
    }
}

/// `N` windows × two phases: each window loaded once for both.
#[inline(always)]
fn dot_2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
    let n = w.iter().chain(&c).fold(usize::MAX, |n, s| n.min(s.len()));
    // SAFETY: as in `dot_n`.
    unsafe {
        let pc = c.map(|c| c.as_ptr());
        let pw = w.map(|w| w.as_ptr());
        let mut a = [[_mm512_setzero_ps(); 2]; N];
        let mut j = 0;
        while j + 16 <= n {
            let c0 = _mm512_loadu_ps(pc[0].add(j));
            let c1 = _mm512_loadu_ps(pc[1].add(j));
            for k in 0..N {
                let x = _mm512_loadu_ps(pw[k].add(j));
                a[k][0] = _mm512_fmadd_ps(x, c0, a[k][0]);
                a[k][1] = _mm512_fmadd_ps(x, c1, a[k][1]);
            }
            j += 16;
        }
        if j + 8 <= n {
            let c0 = _mm512_maskz_loadu_ps(LOW_HALF, pc[0].add(j));
            let c1 = _mm512_maskz_loadu_ps(LOW_HALF, pc[1].add(j));
            for k in 0..N {
                let x = _mm512_maskz_loadu_ps(LOW_HALF, pw[k].add(j));
                a[k][0] = _mm512_mask3_fmadd_ps(x, c0, a[k][0], LOW_HALF);
                a[k][1] = _mm512_mask3_fmadd_ps(x, c1, a[k][1], LOW_HALF);
            }
        }
        let mut v = [_mm512_setzero_ps(); 16];
        for k in 0..N {
            v[2 * k] = a[k][0];
            v[2 * k + 1] = a[k][1];
        }
        let sums = lane_sums(&v, 2 * N);
        let mut out = [[0.0f32; 2]; N];
        for k in 0..N {
            out[k] = [sums[2 * k], sums[2 * k + 1]];
        }
        out
    }
}

/// `a + x · c[j]` for [`dot_run`], `x` the 16 floats from tap `j` of the
/// outputs whose windows start at `x[0]`, one per lane: in stream `j % S`,
/// `j / S` on.
///
/// # Safety
///
/// The kernel's instruction set is enabled, and the load and `c[j]` are in bounds.
#[inline(always)]
unsafe fn tap<const S: usize>(a: __m512, x: [*const f32; S], c: *const f32, j: usize) -> __m512 {
    _mm512_fmadd_ps(
        _mm512_loadu_ps(x[j % S].add(j / S)),
        _mm512_set1_ps(*c.add(j)),
        a,
    )
}

/// [`Kernel::dot_run`], 16 outputs at a time: vector `a[i]` holds lane `i`
/// of 16 consecutive outputs' accumulators (taps `i, 16 + i, …`, and `16t + i`
/// of a last half block for `i < 8`), then they are added pairwise in
/// [`lane_sums`]'s order, lane `i` with `i + 8`, then `i + 4`, then the last
/// two pairs. Outputs left over take [`super::dot_each`].
#[inline(always)]
fn dot_run<const S: usize>(x: [&[f32]; S], c: &[f32], out: &mut [f32]) {
    let k = c.len();
    let n = out.len();
    assert!(run_fits(x, k, n));
    let blocks = k / 16;
    let mut o = 0;
    // SAFETY: only reached through `run` (AVX-512F present). A load of tap
    // `j` reads x[j % S][o + j / S ..][..16] with j < k and o + 16 ≤ n, so
    // below n + k / S − 1 ≤ that stream's length (`run_fits`: S divides 8
    // and k); each coefficient index is below k.
    unsafe {
        let pc = c.as_ptr();
        while o + 16 <= n {
            let base = starts(x, o);
            let mut a = [_mm512_setzero_ps(); 16];
            for t in 0..blocks {
                for (i, a) in a.iter_mut().enumerate() {
                    *a = tap(*a, base, pc, 16 * t + i);
                }
            }
            if k % 16 == 8 {
                for (i, a) in a.iter_mut().take(8).enumerate() {
                    *a = tap(*a, base, pc, 16 * blocks + i);
                }
            }
            let mut v = [_mm512_setzero_ps(); 8];
            for i in 0..8 {
                v[i] = _mm512_add_ps(a[i], a[i + 8]);
            }
            let w0 = _mm512_add_ps(v[0], v[4]);
            let w1 = _mm512_add_ps(v[1], v[5]);
            let w2 = _mm512_add_ps(v[2], v[6]);
            let w3 = _mm512_add_ps(v[3], v[7]);
            let r = _mm512_add_ps(_mm512_add_ps(w0, w2), _mm512_add_ps(w1, w3));
            _mm512_storeu_ps(out.as_mut_ptr().add(o), r);
            o += 16;
        }
    }
    if o < n {
        dot_each::<Avx512, S>(x.map(|x| &x[o..]), c, &mut out[o..]);
    }
}

impl Kernel for Avx512 {
    const GROUP: usize = 8;
    const RUNS: bool = true;
    const LAGGED: bool = true;

    #[inline(always)]
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
        dot_n(w, c)
    }

    #[inline(always)]
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
        dot_sep(w, c)
    }

    #[inline(always)]
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
        dot_2p(w, c)
    }

    #[inline(always)]
    fn dot_run<const S: usize>(x: [&[f32]; S], c: &[f32], out: &mut [f32]) {
        dot_run(x, c, out)
    }
}
