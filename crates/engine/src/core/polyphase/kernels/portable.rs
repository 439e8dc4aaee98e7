//! The portable kernel: 16 independent lanes. Each product is added with one
//! rounding (`mul_add`, a fused multiply-add), as the SIMD kernels do, so that
//! every kernel gives the same bits. Where the CPU has no FMA instruction
//! (x86-64 without FMA) `mul_add` is a slower library call; such CPUs are rare
//! and still get exact, if slower, output.

use super::Kernel;

pub struct Portable;

impl Portable {
    /// 16 lanes (two 8-tap halves), then the lanes summed pairwise.
    #[inline(always)]
    fn dot1(w: &[f32], c: &[f32]) -> f32 {
        const W: usize = 16;
        let n = w.len().min(c.len());
        let mut acc = [0.0f32; W];
        let mut j = 0;
        while j + W <= n {
            let (x, y) = (&w[j..j + W], &c[j..j + W]);
            for i in 0..W {
                acc[i] = x[i].mul_add(y[i], acc[i]);
            }
            j += W;
        }
        if j + 8 <= n {
            let (x, y) = (&w[j..j + 8], &c[j..j + 8]);
            for i in 0..8 {
                acc[i] = x[i].mul_add(y[i], acc[i]);
            }
        }
        let mut v = [0.0f32; 8];
        for i in 0..8 {
            v[i] = acc[i] + acc[i + 8];
        }
        let v4 = [v[0] + v[4], v[1] + v[5], v[2] + v[6], v[3] + v[7]];
        (v4[0] + v4[2]) + (v4[1] + v4[3])
    }
}

impl Kernel for Portable {
    #[inline(always)]
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N] {
        w.map(|w| Portable::dot1(w, c))
    }

    #[inline(always)]
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2] {
        [Portable::dot1(w[0], c[0]), Portable::dot1(w[1], c[1])]
    }

    #[inline(always)]
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N] {
        w.map(|w| [Portable::dot1(w, c[0]), Portable::dot1(w, c[1])])
    }
}
