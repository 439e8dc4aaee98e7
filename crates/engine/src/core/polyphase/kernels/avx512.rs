//! The AVX-512F kernel (x86-64): one 16-lane accumulator per window where
//! [`super::avx2`] keeps two 8-lane ones. Lane `i` accumulates the same
//! products in the same order as AVX2's lane `i` of its first (`i < 8`) or
//! second accumulator, the last half block goes to lanes 0–7 only, and the
//! two halves are added before AVX2's horizontal sum: the same bits, in half
//! the instructions.

use std::arch::x86_64::*;

use super::avx2::hsum_n;
use super::{dot_each, run_fits, starts, Job, Kernel};

/// Whether the CPU has AVX-512F (and the AVX2 and FMA its reduction uses).
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

/// `a + b` of the two 8-lane halves: AVX2's `a0 + a1`.
#[inline(always)]
unsafe fn halves_added(a: __m512) -> __m256 {
    let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(a)));
    _mm256_add_ps(_mm512_castps512_ps256(a), hi)
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
        let mut halves = [_mm256_setzero_ps(); N];
        // A loop: in an `array::from_fn` closure these would be calls.
        for k in 0..N {
            halves[k] = halves_added(a[k]);
        }
        hsum_n(halves)
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
        hsum_n([halves_added(a[0]), halves_added(a[1])])
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
        let mut out = [[0.0f32; 2]; N];
        for k in 0..N {
            out[k] = hsum_n([halves_added(a[k][0]), halves_added(a[k][1])]);
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
/// [`hsum_n`]'s order, lane `i` with `i + 8`, then `i + 4`, then the last two
/// pairs. Outputs left over take [`super::dot_each`].
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
