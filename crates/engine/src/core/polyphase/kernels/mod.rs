//! Dot products of history windows with phases, one module per instruction
//! set, each behind one `cfg`; [`Isa`] picks one at run time and runs a
//! [`Job`] (the feed loop) compiled for it.

#[cfg(target_arch = "x86_64")]
mod avx2;
mod portable;

pub use portable::Portable;

/// Dot products of history windows with one phase, per instruction set.
///
/// Every window is reduced by the same sequence of operations whichever
/// function computes it (one window, two channels, or up to six windows at once), so
/// an output's bits do not depend on how outputs were grouped, hence on the
/// push sizes. Windows and phases are `K` long, `K` a multiple of 8.
pub trait Kernel {
    /// `N` windows against one phase.
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N];
    /// Two windows, each with its own phase (two outputs of a mono stream):
    /// interleaving them hides the latency of each one's accumulator chain.
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2];
    /// `N` windows, each against two phases (in upsampling, consecutive
    /// outputs often read the same window): each window is loaded once for
    /// both, which is what makes it faster than [`Kernel::dot`] twice.
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N];
}

/// Work generic over the kernel, run by [`Isa::run`] with the kernel's
/// instruction set enabled: `run` must be `#[inline(always)]`, so that it is
/// compiled within the target-feature entry point (a closure would not be).
pub trait Job {
    fn run<K: Kernel>(self);
}

/// The instruction set a core's kernels use, detected once per core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
}

impl Isa {
    /// The fastest the CPU has; the cargo feature `portable-kernel` (test
    /// builds) forces [`Isa::Portable`].
    pub fn detect() -> Isa {
        if cfg!(feature = "portable-kernel") {
            return Isa::Portable;
        }
        #[cfg(target_arch = "x86_64")]
        if avx2::detected() {
            return Isa::Avx2Fma;
        }
        Isa::Portable
    }

    /// Runs `job` with this instruction set's kernel.
    #[inline(always)]
    pub fn run<J: Job>(self, job: J) {
        match self {
            Isa::Portable => job.run::<Portable>(),
            // SAFETY: `detect` chose it, so the CPU has AVX2 and FMA.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => unsafe { avx2::run(job) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kernel computes a window with the same bits alone, beside another
    /// channel or among four outputs (so grouping never changes the output), and
    /// close to the exact dot product.
    #[test]
    fn kernels_are_accurate_and_grouping_invariant() {
        let w: Vec<f32> = (0..400)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let c: Vec<f32> = (0..304)
            .map(|i| ((i * 53 % 97) as f32 - 48.0) / 97.0)
            .collect();
        fn check<K: Kernel>(w: &[f32], c: &[f32]) {
            for n in [0usize, 8, 16, 24, 32, 40, 296, 304] {
                let c = &c[..n];
                let win = |o: usize| &w[o..o + n];
                let exact = |o: usize| -> f64 {
                    win(o)
                        .iter()
                        .zip(c)
                        .map(|(a, b)| *a as f64 * *b as f64)
                        .sum()
                };
                let one: Vec<f32> = (0..4).map(|o| K::dot::<1>([win(o * 3)], c)[0]).collect();
                for (o, y) in one.iter().enumerate() {
                    assert!((*y as f64 - exact(o * 3)).abs() < 1e-4, "n {n} o {o}");
                }
                let six = K::dot::<6>([win(0), win(0), win(3), win(3), win(6), win(6)], c);
                let four = K::dot::<4>([win(0), win(3), win(6), win(9)], c);
                let three = K::dot::<3>([win(3), win(6), win(9)], c);
                let two = K::dot::<2>([win(6), win(9)], c);
                let sep = K::dot1x2([win(3), win(6)], [c, c]);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                // Against two phases: the second is the first reversed.
                let r: Vec<f32> = c.iter().rev().copied().collect();
                let one_r: Vec<f32> = (0..4).map(|o| K::dot::<1>([win(o * 3)], &r)[0]).collect();
                let both: Vec<f32> = one.iter().zip(&one_r).flat_map(|(a, b)| [*a, *b]).collect();
                let two_p = K::dot2p::<4>([win(0), win(3), win(6), win(9)], [c, &r]);
                assert_eq!(bits(two_p.as_flattened()), bits(&both), "n {n}");
                let three_p = K::dot2p::<3>([win(3), win(6), win(9)], [c, &r]);
                assert_eq!(bits(three_p.as_flattened()), bits(&both[2..]), "n {n}");
                let one_p = K::dot2p::<1>([win(9)], [c, &r]);
                assert_eq!(bits(one_p.as_flattened()), bits(&both[6..]), "n {n}");
                assert_eq!(bits(&four), bits(&one), "n {n}");
                let pairs: Vec<f32> = one[..3].iter().flat_map(|y| [*y, *y]).collect();
                assert_eq!(bits(&six), bits(&pairs), "n {n}");
                assert_eq!(bits(&three), bits(&one[1..]), "n {n}");
                assert_eq!(bits(&two), bits(&one[2..]), "n {n}");
                assert_eq!(bits(&sep), bits(&one[1..3]), "n {n}");
            }
        }
        check::<Portable>(&w, &c);
        #[cfg(target_arch = "x86_64")]
        if avx2::detected() {
            check::<avx2::Avx2>(&w, &c);
        }
    }
}
