//! The AVX2 + FMA kernel (x86-64): two 8-lane accumulators per window.

use std::arch::x86_64::*;

use super::{dot_each, run_fits, starts, Job, Kernel};

/// Whether the CPU has AVX2 and FMA.
pub fn detected() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

/// Runs `job` with [`Avx2`], compiled with AVX2 and FMA enabled.
///
/// # Safety
///
/// The CPU must have AVX2 and FMA ([`detected`]).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn run<J: Job>(job: J) {
    job.run::<Avx2>()
}

pub struct Avx2;

/// `N` windows against one phase: two accumulators per window (taps
/// `16t..16t+8` and `16t+8..16t+16`, then a last half block into the first),
/// summed and reduced horizontally. Loading the phase once for `N` windows is
/// what makes `N > 1` faster: the single dot product is bound by loads.
#[inline(always)]
fn dot_n<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
    let n = w.iter().fold(c.len(), |n, w| n.min(w.len()));
    // SAFETY: only reached through `run` (AVX2 and FMA present); every load
    // reads 8 floats at an offset j with j + 8 ≤ n ≤ the length of each slice.
    unsafe {
        let pc = c.as_ptr();
        let pw = w.map(|w| w.as_ptr());
        let mut a0 = [_mm256_setzero_ps(); N];
        let mut a1 = [_mm256_setzero_ps(); N];
        let mut j = 0;
        while j + 16 <= n {
            let c0 = _mm256_loadu_ps(pc.add(j));
            let c1 = _mm256_loadu_ps(pc.add(j + 8));
            for k in 0..N {
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
                a1[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j + 8)), c1, a1[k]);
            }
            j += 16;
        }
        if j + 8 <= n {
            let c0 = _mm256_loadu_ps(pc.add(j));
            for k in 0..N {
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
            }
        }
        hsum_n(added(a0, a1))
    }
}

/// `a + x · c[j]` for [`dot_run`], `x` the 8 floats from tap `j` of the
/// outputs whose windows start at `x[0]`, one per lane: in stream `j % S`,
/// `j / S` on.
///
/// # Safety
///
/// The kernel's instruction set is enabled, and the load and `c[j]` are in bounds.
#[inline(always)]
unsafe fn tap<const S: usize>(a: __m256, x: [*const f32; S], c: *const f32, j: usize) -> __m256 {
    _mm256_fmadd_ps(
        _mm256_loadu_ps(x[j % S].add(j / S)),
        _mm256_set1_ps(*c.add(j)),
        a,
    )
}

/// [`Kernel::dot_run`], 8 outputs at a time: vector `lo[i]` holds lane `i`
/// of 8 consecutive outputs' accumulators (taps `i, 16 + i, …`, and `16t + i`
/// of a last half block), `hi[i]` lane `8 + i`; each half is one pass, so
/// that its 8 accumulators stay in registers. Then [`hsum_n`]'s additions in
/// its order. Outputs left over take [`super::dot_each`].
#[inline(always)]
fn dot_run<const S: usize>(x: [&[f32]; S], c: &[f32], out: &mut [f32]) {
    let k = c.len();
    let n = out.len();
    assert!(run_fits(x, k, n));
    let blocks = k / 16;
    let mut o = 0;
    // SAFETY: only reached through `run` (AVX2 and FMA present). A load of tap
    // `j` reads x[j % S][o + j / S ..][..8] with j < k and o + 8 ≤ n, so below
    // n + k / S − 1 ≤ that stream's length (`run_fits`: S divides 8 and k);
    // each coefficient index is below k.
    unsafe {
        let pc = c.as_ptr();
        while o + 8 <= n {
            let base = starts(x, o);
            let mut lo = [_mm256_setzero_ps(); 8];
            for t in 0..blocks {
                for (i, a) in lo.iter_mut().enumerate() {
                    *a = tap(*a, base, pc, 16 * t + i);
                }
            }
            if k % 16 == 8 {
                for (i, a) in lo.iter_mut().enumerate() {
                    *a = tap(*a, base, pc, 16 * blocks + i);
                }
            }
            let mut hi = [_mm256_setzero_ps(); 8];
            for t in 0..blocks {
                for (i, a) in hi.iter_mut().enumerate() {
                    *a = tap(*a, base, pc, 16 * t + 8 + i);
                }
            }
            let v = added(lo, hi);
            let w0 = _mm256_add_ps(v[0], v[4]);
            let w1 = _mm256_add_ps(v[1], v[5]);
            let w2 = _mm256_add_ps(v[2], v[6]);
            let w3 = _mm256_add_ps(v[3], v[7]);
            let r = _mm256_add_ps(_mm256_add_ps(w0, w2), _mm256_add_ps(w1, w3));
            _mm256_storeu_ps(out.as_mut_ptr().add(o), r);
            o += 8;
        }
    }
    if o < n {
        dot_each::<Avx2, S>(x.map(|x| &x[o..]), c, &mut out[o..]);
    }
}

impl Kernel for Avx2 {
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

/// [`dot_n`]'s two accumulators per output, for `N` windows × two phases: one
/// pass adds the first half of every 16-tap block (and the last half block),
/// a second pass the second halves, each in [`dot_n`]'s order, so every
/// output has its bits. In two passes, `2N` accumulators fit the registers
/// and each load of a window feeds two multiply-adds.
#[inline(always)]
fn dot_2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
    let n = w.iter().chain(&c).fold(usize::MAX, |n, s| n.min(s.len()));
    // SAFETY: only reached through `run` (AVX2 and FMA present); every load
    // reads 8 floats at an offset j with j + 8 ≤ n ≤ the length of each slice.
    unsafe {
        let pc = c.map(|c| c.as_ptr());
        let pw = w.map(|w| w.as_ptr());
        let mut acc = [[[_mm256_setzero_ps(); 2]; N]; 2];
        for (half, acc) in acc.iter_mut().enumerate() {
            let mut j = 8 * half;
            while j + 8 <= n {
                let c0 = _mm256_loadu_ps(pc[0].add(j));
                let c1 = _mm256_loadu_ps(pc[1].add(j));
                for k in 0..N {
                    let x = _mm256_loadu_ps(pw[k].add(j));
                    acc[k][0] = _mm256_fmadd_ps(x, c0, acc[k][0]);
                    acc[k][1] = _mm256_fmadd_ps(x, c1, acc[k][1]);
                }
                j += 16;
            }
        }
        let mut out = [[0.0f32; 2]; N];
        for k in 0..N {
            out[k] = hsum_n([
                _mm256_add_ps(acc[0][k][0], acc[1][k][0]),
                _mm256_add_ps(acc[0][k][1], acc[1][k][1]),
            ]);
        }
        out
    }
}

/// [`dot_n`] with one phase per window: the same operations per window.
#[inline(always)]
fn dot_sep<const N: usize>(w: [&[f32]; N], c: [&[f32]; N]) -> [f32; N] {
    let n = w.iter().chain(&c).fold(usize::MAX, |n, s| n.min(s.len()));
    // SAFETY: only reached through `run` (AVX2 and FMA present); every load
    // reads 8 floats at an offset j with j + 8 ≤ n ≤ the length of each slice.
    unsafe {
        let pc = c.map(|c| c.as_ptr());
        let pw = w.map(|w| w.as_ptr());
        let mut a0 = [_mm256_setzero_ps(); N];
        let mut a1 = [_mm256_setzero_ps(); N];
        let mut j = 0;
        while j + 16 <= n {
            for k in 0..N {
                let c0 = _mm256_loadu_ps(pc[k].add(j));
                let c1 = _mm256_loadu_ps(pc[k].add(j + 8));
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
                a1[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j + 8)), c1, a1[k]);
            }
            j += 16;
        }
        if j + 8 <= n {
            for k in 0..N {
                let c0 = _mm256_loadu_ps(pc[k].add(j));
                a0[k] = _mm256_fmadd_ps(_mm256_loadu_ps(pw[k].add(j)), c0, a0[k]);
            }
        }
        hsum_n(added(a0, a1))
    }
}

/// `a[k] + b[k]` for every `k`. A loop, not `array::from_fn`: a closure
/// does not inherit the caller's target features, so its intrinsics would be
/// calls (which made the AVX-512 kernel up to 6× slower than AVX2).
#[inline(always)]
unsafe fn added<const N: usize>(a: [__m256; N], b: [__m256; N]) -> [__m256; N] {
    let mut s = a;
    for k in 0..N {
        s[k] = _mm256_add_ps(a[k], b[k]);
    }
    s
}

/// The lanes of each vector summed as [`hsum256`] sums them, four vectors at
/// a time: the same additions of the same pairs (so the same bits), with the
/// shuffles shared. A horizontal sum per output was about a tenth of a QUICK
/// stereo push.
#[inline(always)]
pub(super) unsafe fn hsum_n<const N: usize>(v: [__m256; N]) -> [f32; N] {
    let mut out = [0.0f32; N];
    let mut k = 0;
    while k + 4 <= N {
        let ab = hsum_pair(fold_halves(v[k]), fold_halves(v[k + 1]));
        let cd = hsum_pair(fold_halves(v[k + 2]), fold_halves(v[k + 3]));
        _mm_storeu_ps(out.as_mut_ptr().add(k), hsum_final(ab, cd));
        k += 4;
    }
    if k + 2 <= N {
        let ab = hsum_pair(fold_halves(v[k]), fold_halves(v[k + 1]));
        let mut r = [0.0f32; 4];
        _mm_storeu_ps(r.as_mut_ptr(), hsum_final(ab, ab));
        out[k..k + 2].copy_from_slice(&r[..2]);
        k += 2;
    }
    if k < N {
        out[k] = hsum256(v[k]);
    }
    out
}

/// `[v₀ + v₄, v₁ + v₅, v₂ + v₆, v₃ + v₇]`: the first step of [`hsum256`].
#[inline(always)]
unsafe fn fold_halves(v: __m256) -> __m128 {
    _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
}

/// `[a₀ + a₂, a₁ + a₃, b₀ + b₂, b₁ + b₃]`: the second step of [`hsum256`], for two vectors.
#[inline(always)]
unsafe fn hsum_pair(a: __m128, b: __m128) -> __m128 {
    _mm_add_ps(
        _mm_shuffle_ps(a, b, 0b01_00_01_00),
        _mm_shuffle_ps(a, b, 0b11_10_11_10),
    )
}

/// `[p₀ + p₁, p₂ + p₃, q₀ + q₁, q₂ + q₃]`: the last step of [`hsum256`], for
/// four vectors paired by [`hsum_pair`] into `p` and `q`.
#[inline(always)]
unsafe fn hsum_final(p: __m128, q: __m128) -> __m128 {
    _mm_add_ps(
        _mm_shuffle_ps(p, q, 0b10_00_10_00),
        _mm_shuffle_ps(p, q, 0b11_01_11_01),
    )
}

#[inline(always)]
unsafe fn hsum256(v: __m256) -> f32 {
    let lo = _mm256_castps256_ps128(v);
    let hi = _mm256_extractf128_ps(v, 1);
    let s = _mm_add_ps(lo, hi);
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    _mm_cvtss_f32(s)
}
