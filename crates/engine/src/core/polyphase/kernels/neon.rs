//! The NEON kernel (aarch64): 16 lanes as four 4-lane fused multiply-add
//! accumulators per window, reduced in the portable kernel's order, so the
//! same bits as every other kernel.

use std::arch::aarch64::*;

use super::{Job, Kernel};

/// Runs `job` with [`Neon`] (every aarch64 CPU has NEON).
#[inline(always)]
pub fn run<J: Job>(job: J) {
    job.run::<Neon>()
}

pub struct Neon;

/// One window against one phase.
#[inline(always)]
fn dot1(w: &[f32], c: &[f32]) -> f32 {
    let n = w.len().min(c.len());
    // SAFETY: NEON is part of aarch64; every load reads 4 floats at an offset
    // below j + 16 ≤ n (or j + 8 ≤ n in the tail), n ≤ both slices' lengths.
    unsafe {
        let (pw, pc) = (w.as_ptr(), c.as_ptr());
        let mut a = [vdupq_n_f32(0.0); 4];
        let mut j = 0;
        while j + 16 <= n {
            for (q, a) in a.iter_mut().enumerate() {
                *a = vfmaq_f32(
                    *a,
                    vld1q_f32(pw.add(j + 4 * q)),
                    vld1q_f32(pc.add(j + 4 * q)),
                );
            }
            j += 16;
        }
        if j + 8 <= n {
            for (q, a) in a.iter_mut().take(2).enumerate() {
                *a = vfmaq_f32(
                    *a,
                    vld1q_f32(pw.add(j + 4 * q)),
                    vld1q_f32(pc.add(j + 4 * q)),
                );
            }
        }
        // Lanes i and i + 8 (i < 8), then the halves, then pairwise.
        let v = vaddq_f32(vaddq_f32(a[0], a[2]), vaddq_f32(a[1], a[3]));
        (vgetq_lane_f32::<0>(v) + vgetq_lane_f32::<2>(v))
            + (vgetq_lane_f32::<1>(v) + vgetq_lane_f32::<3>(v))
    }
}

impl Kernel for Neon {
    #[inline(always)]
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
        w.map(|w| dot1(w, c))
    }

    #[inline(always)]
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
        [dot1(w[0], c[0]), dot1(w[1], c[1])]
    }

    #[inline(always)]
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
        w.map(|w| [dot1(w, c[0]), dot1(w, c[1])])
    }
}
