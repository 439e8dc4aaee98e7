//! Dot products of history windows with phases, one module per instruction
//! set, each behind one `cfg`; [`Isa`] picks one at run time and runs a
//! [`Job`] (the feed loop) compiled for it. Every kernel gives the same bits
//! (the same fused multiply-adds in the same order), so the choice changes
//! speed only. `RTC_RESAMPLER_SIMD` (read once) forces one, for tests and
//! benchmarks.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "aarch64")]
mod neon;
mod portable;

use std::sync::OnceLock;

pub use portable::Portable;

/// Dot products of history windows with one phase, per instruction set.
///
/// Every window is reduced by the same sequence of operations whichever
/// function computes it (one window, two channels, or up to six windows at once), so
/// an output's bits do not depend on how outputs were grouped, hence on the
/// push sizes. Windows and phases are `K` long, `K` a multiple of 8.
pub trait Kernel {
    /// The most outputs of one phase computed together (2 to 8), and the
    /// most windows computed against two phases ([`Kernel::dot2p`]): enough
    /// independent accumulator chains to hide the fused multiply-add latency.
    /// A 16-lane kernel keeps one chain per window where an 8-lane one keeps
    /// two, so it needs twice the windows.
    const GROUP: usize = 4;
    /// Whether [`Kernel::dot_run`] computes outputs side by side in vector
    /// lanes (else it is one [`Kernel::dot`] per output, and the schedule
    /// keeps its other groupings).
    const RUNS: bool = false;
    /// Whether the outputs of one long phase in decimation are computed in
    /// lagged pairs, two per window load ([`Kernel::dot2p`] against the
    /// phase padded with zeros; `Table::lagged`). It pays where window loads
    /// bound [`Kernel::dot`] (AVX-512: 1.2–1.5× at 24k → 8k and 48k → 24k);
    /// with AVX2 the zeros cost what the pairs save (0.83–1.13×).
    const LAGGED: bool = false;
    /// `N` windows against one phase.
    fn dot<const N: usize>(w: [&[f32]; N], c: &[f32]) -> [f32; N];
    /// Two windows, each with its own phase (two outputs of a mono stream):
    /// interleaving them hides the latency of each one's accumulator chain.
    fn dot1x2(w: [&[f32]; 2], c: [&[f32]; 2]) -> [f32; 2];
    /// `N` windows, each against two phases (in upsampling, consecutive
    /// outputs often read the same window): each window is loaded once for
    /// both, which is what makes it faster than [`Kernel::dot`] twice.
    fn dot2p<const N: usize>(w: [&[f32]; N], c: [&[f32]; 2]) -> [[f32; 2]; N];

    /// Windows one frame apart against one phase, the history given as `S`
    /// streams (`S` divides 8): tap `j` of output `o` is `x[j % S][o + j / S]`,
    /// and `out[o]` has [`Kernel::dot`]'s bits for that window. With `S = 1`
    /// the windows are `x[0][o..o + K]` (`K = c.len()`): in integer upsampling
    /// (M = 1) the outputs of one phase are such a run. With `S = M` and one
    /// phase (L = 1), frame `S·t + r` of the history in stream `r`, they are
    /// the outputs of decimation by `M`, whose windows are `M` frames apart.
    /// A SIMD kernel computes one output per lane: each of the 16 partial sums
    /// is then a vector over outputs, so the horizontal sums and most of the
    /// per-output work of short phases go away, and the order of every
    /// addition stays the same.
    ///
    /// This default, for kernels without runs (the schedule never asks
    /// them), is [`dot_each`].
    #[inline(always)]
    fn dot_run<const S: usize>(x: [&[f32]; S], c: &[f32], out: &mut [f32]) {
        dot_each::<Self, S>(x, c, out)
    }
}

/// Longest window of `S > 1` streams [`dot_each`] gathers (runs are for
/// short phases).
const GATHER_MAX: usize = 64;

/// [`Kernel::dot_run`] one output at a time with [`Kernel::dot`], a window of
/// `S > 1` streams (at most [`GATHER_MAX`] taps) gathered on the stack: the
/// default, and the outputs left after a SIMD kernel's whole vectors.
#[inline(always)]
fn dot_each<K: Kernel + ?Sized, const S: usize>(x: [&[f32]; S], c: &[f32], out: &mut [f32]) {
    let k = c.len();
    for (o, y) in out.iter_mut().enumerate() {
        *y = if S == 1 {
            K::dot::<1>([&x[0][o..o + k]], c)[0]
        } else {
            assert!(k <= GATHER_MAX);
            let mut w = [0.0f32; GATHER_MAX];
            for (j, w) in w[..k].iter_mut().enumerate() {
                *w = x[j % S][o + j / S];
            }
            K::dot::<1>([&w[..k]], c)[0]
        };
    }
}

/// Where output `o`'s window starts in each of the `S` streams `x`: the
/// base the SIMD kernels' [`Kernel::dot_run`] loads tap `j` from (stream
/// `j % S`, `j / S` on).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn starts<const S: usize>(x: [&[f32]; S], o: usize) -> [*const f32; S] {
    x.map(|x| x[o..].as_ptr())
}

/// Whether the `S` streams `x` hold the `n` windows of `k` taps that
/// [`Kernel::dot_run`] reads, `k` a multiple of 8 and `S` a divisor of 8:
/// what the SIMD kernels' unchecked loads rely on.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn run_fits<const S: usize>(x: [&[f32]; S], k: usize, n: usize) -> bool {
    k.is_multiple_of(8) && 8 % S == 0 && x.iter().all(|x| x.len() + 1 >= n + k / S)
}

/// Work generic over the kernel, run by [`Isa::run`] with the kernel's
/// instruction set enabled: `run` must be `#[inline(always)]`, so that it is
/// compiled within the target-feature entry point (a closure would not be).
pub trait Job {
    fn run<K: Kernel>(self);
}

/// The instruction set a core's kernels use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "aarch64")]
    Neon,
}

/// What `RTC_RESAMPLER_SIMD` asked for and what runs.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The variable's value, when set and not empty.
    pub requested: Option<String>,
    /// The kernel every polyphase core of this process uses.
    pub used: Isa,
}

impl Isa {
    /// Every kernel this build has, fastest last.
    pub const ALL: &'static [Isa] = &[
        Isa::Portable,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma,
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512,
        #[cfg(target_arch = "aarch64")]
        Isa::Neon,
    ];

    /// The name `RTC_RESAMPLER_SIMD` takes.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => "avx2",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => "avx512",
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => "neon",
        }
    }

    /// Whether this CPU can run it.
    pub fn available(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => avx2::detected(),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => avx512::detected(),
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => true,
        }
    }

    /// The fastest kernel this CPU can run.
    fn best() -> Isa {
        *Isa::ALL
            .iter()
            .rev()
            .find(|isa| isa.available())
            .unwrap_or(&Isa::Portable)
    }

    /// The process's choice: `RTC_RESAMPLER_SIMD` when it names a kernel the
    /// CPU has, else the fastest it has.
    pub fn selection() -> &'static Selection {
        static SELECTION: OnceLock<Selection> = OnceLock::new();
        SELECTION.get_or_init(|| {
            let requested = std::env::var("RTC_RESAMPLER_SIMD")
                .ok()
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| !v.is_empty());
            let forced = Isa::ALL
                .iter()
                .copied()
                .find(|isa| requested.as_deref() == Some(isa.name()) && isa.available());
            Selection {
                requested,
                used: forced.unwrap_or_else(Isa::best),
            }
        })
    }

    /// The kernel a new core uses: [`Isa::selection`]'s, except that where
    /// AVX-512 was not asked for by name, only cores where it measured faster
    /// than AVX2 take it (`PolyCore::avx512_pays`: phases of 64 taps or more).
    /// The bits are the same either way.
    pub fn for_core(avx512_pays: bool) -> Isa {
        let s = Isa::selection();
        #[cfg(target_arch = "x86_64")]
        if s.used == Isa::Avx512 && !avx512_pays && s.requested.as_deref() != Some("avx512") {
            return Isa::Avx2Fma;
        }
        let _ = avx512_pays;
        s.used
    }

    /// Runs `job` with this instruction set's kernel.
    #[inline(always)]
    pub fn run<J: Job>(self, job: J) {
        match self {
            Isa::Portable => job.run::<Portable>(),
            // SAFETY: the variants below are only chosen when `available`.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => unsafe { avx2::run(job) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { avx512::run(job) },
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => neon::run(job),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No SIMD work inside a closure in the x86 kernels: a closure does not
    /// inherit `run`'s target features, so the intrinsics in it compile to
    /// calls. The output stays right and only the speed shows it (AVX-512
    /// measured up to 6× slower than AVX2 that way).
    #[test]
    fn no_intrinsic_inside_a_closure() {
        let files = [
            ("avx2.rs", include_str!("avx2.rs")),
            ("avx512.rs", include_str!("avx512.rs")),
        ];
        for (name, src) in files {
            for (i, line) in src.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let Some(at) = code.find('|') else { continue };
                for simd in ["_mm", "hsum", "halves", "added(", "tap("] {
                    assert!(
                        !code[at..].contains(simd),
                        "{name}:{}: `{simd}` inside a closure",
                        i + 1
                    );
                }
            }
        }
    }

    /// Every kernel this CPU runs gives the portable kernel's bits, for every
    /// length shape (whole 16-tap blocks, a last half block) and grouping.
    #[test]
    fn every_kernel_gives_the_portable_bits() {
        let w: Vec<f32> = (0..700)
            .map(|i| ((i * 7919 % 2003) as f32 - 1001.0) / 977.0)
            .collect();
        let c: Vec<f32> = (0..600)
            .map(|i| ((i * 104729 % 1009) as f32 - 504.0) / 1999.0)
            .collect();
        fn all<K: Kernel>(w: &[f32], c: &[f32]) -> Vec<u32> {
            let mut out = Vec::new();
            for n in [8usize, 16, 24, 40, 56, 64, 72, 520, 528, 600] {
                let c = &c[..n];
                let win = |o: usize| &w[o..o + n];
                out.extend(K::dot::<1>([win(1)], c).map(f32::to_bits));
                out.extend(
                    K::dot::<6>([win(0), win(5), win(9), win(17), win(33), win(99)], c)
                        .map(f32::to_bits),
                );
                out.extend(K::dot1x2([win(2), win(7)], [c, &c[..n]]).map(f32::to_bits));
                // Runs of every length up to two vectors and a tail.
                for runs in [1usize, 7, 8, 9, 16, 17, 40] {
                    let mut y = vec![0.0f32; runs];
                    K::dot_run([&w[3..3 + runs - 1 + n]], c, &mut y);
                    out.extend(y.iter().map(|x| x.to_bits()));
                    // Windows two frames apart, as two streams (short phases).
                    if n > GATHER_MAX {
                        continue;
                    }
                    let span = &w[3..3 + 2 * (runs - 1) + n];
                    let even: Vec<f32> = span.iter().step_by(2).copied().collect();
                    let odd: Vec<f32> = span[1..].iter().step_by(2).copied().collect();
                    K::dot_run([&even, &odd], c, &mut y);
                    out.extend(y.iter().map(|x| x.to_bits()));
                }
                let r: Vec<f32> = c.iter().rev().copied().collect();
                out.extend(
                    K::dot2p::<4>([win(0), win(3), win(50), win(77)], [c, &r])
                        .as_flattened()
                        .iter()
                        .map(|x| x.to_bits()),
                );
                let eight = [0, 1, 3, 8, 21, 50, 77, 99].map(win);
                out.extend(
                    K::dot2p::<8>(eight, [c, &r])
                        .as_flattened()
                        .iter()
                        .map(|x| x.to_bits()),
                );
            }
            out
        }
        let want = all::<Portable>(&w, &c);
        #[cfg(target_arch = "x86_64")]
        {
            if avx2::detected() {
                assert_eq!(all::<avx2::Avx2>(&w, &c), want, "avx2");
            }
            if avx512::detected() {
                assert_eq!(all::<avx512::Avx512>(&w, &c), want, "avx512");
            }
        }
        #[cfg(target_arch = "aarch64")]
        assert_eq!(all::<neon::Neon>(&w, &c), want, "neon");
    }

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
                let mut run = vec![0.0f32; 10];
                K::dot_run([&w[..9 + n]], c, &mut run);
                let each: Vec<f32> = (0..10).map(|o| K::dot::<1>([win(o)], c)[0]).collect();
                assert_eq!(bits(&run), bits(&each), "run, n {n}");
                if n > GATHER_MAX {
                    continue;
                }
                let span = &w[..18 + n];
                let even: Vec<f32> = span.iter().step_by(2).copied().collect();
                let odd: Vec<f32> = span[1..].iter().step_by(2).copied().collect();
                K::dot_run([&even, &odd], c, &mut run);
                let each: Vec<f32> = (0..10).map(|o| K::dot::<1>([win(2 * o)], c)[0]).collect();
                assert_eq!(bits(&run), bits(&each), "run of stride 2, n {n}");
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
        #[cfg(target_arch = "x86_64")]
        if avx512::detected() {
            check::<avx512::Avx512>(&w, &c);
        }
        #[cfg(target_arch = "aarch64")]
        check::<neon::Neon>(&w, &c);
    }
}
