//! Measurement tool (not a criterion bench): what block (FFT) convolution
//! would save over the polyphase FIR, side by side in one process.
//! `cargo bench -p rtc-resampler-engine --bench block_convolution_cost`.
//!
//! MEDIUM 24k→48k mono: the polyphase FIR (`StreamResampler`, 10 ms pushes)
//! against FFT convolution of the same two 264-tap phases with `realfft`, per
//! 10 ms of input: overlap-save with the whole filter in one block, and
//! uniformly partitioned (the filter cut into block-long pieces, their
//! spectra summed, so short blocks stay cheap), and partitioned with a
//! direct head: the first piece of each phase as a direct FIR on every
//! frame, the rest by FFT on blocks at absolute positions, which adds no lag
//! and keeps the output independent of push sizes (a block's FFT part is only
//! needed a block later). Only the cost is measured (the coefficients are
//! placeholders of the same length): otherwise a block must be complete
//! before its outputs exist, so it adds up to its own length to the lag.

use realfft::num_complex::Complex;
use realfft::RealFftPlanner;
use rtc_resampler_engine::{Quality, StreamResampler};

/// MEDIUM's taps per phase at 24k→48k (checked against `describe()` below).
const TAPS: usize = 208;
/// Input frames per 10 ms at 24 kHz.
const PUSH: usize = 240;
const ROUNDS: usize = 15;
const PUSHES: usize = 2000;

fn main() {
    let x: Vec<i16> = (0..PUSH)
        .map(|i| ((i * 7919) % 2000) as i16 - 1000)
        .collect();
    let mut fir = StreamResampler::new(24000, 48000, 1, Quality::Medium).unwrap();
    assert!(
        fir.describe().contains(&format!("taps {TAPS} ")),
        "MEDIUM 24k→48k is no longer {TAPS} taps per phase: {}",
        fir.describe()
    );
    let mut blocks: Vec<Blocked<OverlapSave>> = [(240, 512), (120, 512), (760, 1024), (1784, 2048)]
        .iter()
        .map(|&(block, fft)| Blocked::new(OverlapSave::new(block, fft), fft, block))
        .collect();
    let mut parts: Vec<Blocked<Partitioned>> = [16, 24, 32, 48]
        .iter()
        .map(|&b| Blocked::new(Partitioned::new(b), 2 * b, b))
        .collect();
    let mut heads: Vec<HeadTail> = [16, 32, 48, 64].iter().map(|&b| HeadTail::new(b)).collect();
    let mut fir_us = Vec::new();
    let mut block_us = vec![Vec::new(); blocks.len()];
    let mut part_us = vec![Vec::new(); parts.len()];
    let mut head_us = vec![Vec::new(); heads.len()];
    // Rounds alternate the candidates, so a noisy moment hits all of them.
    for _ in 0..ROUNDS {
        let t = std::time::Instant::now();
        for _ in 0..PUSHES {
            std::hint::black_box(fir.push(&x).unwrap().len());
        }
        fir_us.push(t.elapsed().as_secs_f64() * 1e6 / PUSHES as f64);
        for (b, us) in blocks.iter_mut().zip(&mut block_us) {
            us.push(time_per_push(|x| b.push(x), &x));
        }
        for (b, us) in parts.iter_mut().zip(&mut part_us) {
            us.push(time_per_push(|x| b.push(x), &x));
        }
        for (h, us) in heads.iter_mut().zip(&mut head_us) {
            us.push(time_per_push(|x| h.push(x), &x));
        }
    }
    let fir_median = median(&mut fir_us);
    println!("MEDIUM 24k→48k mono, µs per 10 ms of input (median of {ROUNDS} rounds × {PUSHES})");
    println!("polyphase FIR (StreamResampler::push)   {fir_median:6.2}");
    for (b, us) in blocks.iter().map(|b| &b.engine).zip(&mut block_us) {
        let m = median(us);
        println!(
            "overlap-save, {:4}-frame blocks, FFT {:4} {m:6.2}  (FIR / this {:.2}; adds up to {:.1} ms of lag)",
            b.block,
            b.fft,
            fir_median / m,
            b.block as f64 / 24.0
        );
    }
    for (b, us) in parts.iter().map(|b| &b.engine).zip(&mut part_us) {
        let m = median(us);
        println!(
            "uniformly partitioned, {:2}-frame blocks, FFT {:3}, {:2} parts {m:6.2}  (FIR / this {:.2}; adds up to {:.2} ms of lag)",
            b.block,
            2 * b.block,
            b.parts,
            fir_median / m,
            b.block as f64 / 24.0
        );
    }
    for (h, us) in heads.iter().zip(&mut head_us) {
        let m = median(us);
        let b = h.tail.engine.block;
        println!(
            "direct head of {b:2} taps, {:2} FFT parts of {b:2} (FFT {:3}) {m:6.2}  (FIR / this {:.2}; adds no lag; its transforms alone {:.2})",
            h.tail.engine.parts - 1,
            2 * b,
            fir_median / m,
            transforms_us(2 * b),
        );
    }
}

/// µs per 10 ms of input of the transforms alone of blocks `fft / 2` long:
/// per block one forward and two inverse (one per phase) real FFTs of `fft`
/// points, the least any FFT path at that block length costs.
fn transforms_us(fft: usize) -> f64 {
    let mut planner = RealFftPlanner::<f32>::new();
    let (fwd, inv) = (planner.plan_fft_forward(fft), planner.plan_fft_inverse(fft));
    let mut scratch = scratch(&*fwd, &*inv);
    let (mut x, mut spec) = (vec![0.5f32; fft], fwd.make_output_vec());
    let blocks = PUSH as f64 / (fft / 2) as f64;
    let runs = (PUSHES as f64 * blocks) as usize;
    let mut us = Vec::new();
    for _ in 0..ROUNDS {
        let t = std::time::Instant::now();
        for _ in 0..runs {
            fwd.process_with_scratch(&mut x, &mut spec, &mut scratch)
                .unwrap();
            for _ in 0..2 {
                spec[0].im = 0.0;
                let last = spec.len() - 1;
                spec[last].im = 0.0;
                inv.process_with_scratch(&mut spec, &mut x, &mut scratch)
                    .unwrap();
            }
        }
        us.push(t.elapsed().as_secs_f64() * 1e6 / PUSHES as f64);
    }
    median(&mut us)
}

/// µs per push of `x` over `PUSHES` pushes.
fn time_per_push(mut push: impl FnMut(&[i16]), x: &[i16]) -> f64 {
    let t = std::time::Instant::now();
    for _ in 0..PUSHES {
        push(x);
    }
    t.elapsed().as_secs_f64() * 1e6 / PUSHES as f64
}

/// `y` as s16 (half away from zero, saturated) without a call to libm's
/// `roundf`, which is not inlined here and alone cost about 1 µs per push.
fn to_i16(y: f32) -> i16 {
    let v = y * 32768.0;
    (v + 0.5f32.copysign(v)).clamp(-32768.0, 32767.0) as i16
}

/// A placeholder phase `p` of `TAPS` coefficients.
fn placeholder_tap(p: usize, k: usize) -> f32 {
    ((k * 7 + p) % 13) as f32 * 1e-3
}

/// A scratch buffer long enough for both transforms.
fn scratch(
    fwd: &dyn realfft::RealToComplex<f32>,
    inv: &dyn realfft::ComplexToReal<f32>,
) -> Vec<Complex<f32>> {
    vec![Complex::default(); fwd.get_scratch_len().max(inv.get_scratch_len())]
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// An FFT convolution that runs on whole blocks of input.
trait BlockConvolver {
    /// Computes one block's outputs from `window`, the newest input frames
    /// (the block just completed at its end, the frames before it ahead).
    fn run_block(&mut self, window: &[f32]);
}

/// Feeds s16 input to a [`BlockConvolver`] a block at a time, keeping the
/// window it reads.
struct Blocked<E> {
    engine: E,
    window: Vec<f32>,
    block: usize,
    filled: usize,
}

impl<E: BlockConvolver> Blocked<E> {
    fn new(engine: E, window: usize, block: usize) -> Blocked<E> {
        Blocked {
            engine,
            window: vec![0.0; window],
            block,
            filled: 0,
        }
    }

    fn push(&mut self, x: &[i16]) {
        let tail = self.window.len() - self.block;
        for &s in x {
            self.window[tail + self.filled] = s as f32 / 32768.0;
            self.filled += 1;
            if self.filled == self.block {
                self.engine.run_block(&self.window);
                self.window.copy_within(self.block.., 0);
                self.filled = 0;
            }
        }
    }
}

/// Overlap-save of two phases that share one input spectrum, s16 out.
struct OverlapSave {
    block: usize,
    fft: usize,
    fwd: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    inv: std::sync::Arc<dyn realfft::ComplexToReal<f32>>,
    phases: [Vec<Complex<f32>>; 2],
    work: Vec<f32>,
    spec: Vec<Complex<f32>>,
    prod: Vec<Complex<f32>>,
    /// Scratch for both transforms (`process` would allocate one per call).
    scratch: Vec<Complex<f32>>,
    out: Vec<i16>,
}

impl OverlapSave {
    fn new(block: usize, fft: usize) -> OverlapSave {
        assert!(block + TAPS - 1 <= fft);
        let mut planner = RealFftPlanner::<f32>::new();
        let (fwd, inv) = (planner.plan_fft_forward(fft), planner.plan_fft_inverse(fft));
        let phase = |p: usize| {
            let mut t = vec![0f32; fft];
            for (k, c) in t.iter_mut().take(TAPS).enumerate() {
                *c = placeholder_tap(p, k);
            }
            let mut s = fwd.make_output_vec();
            fwd.process(&mut t, &mut s).unwrap();
            s
        };
        OverlapSave {
            block,
            fft,
            phases: [phase(0), phase(1)],
            spec: fwd.make_output_vec(),
            prod: fwd.make_output_vec(),
            scratch: scratch(&*fwd, &*inv),
            fwd,
            inv,
            work: vec![0.0; fft],
            out: vec![0; 2 * block],
        }
    }
}

impl BlockConvolver for OverlapSave {
    fn run_block(&mut self, window: &[f32]) {
        self.work.copy_from_slice(window);
        self.fwd
            .process_with_scratch(&mut self.work, &mut self.spec, &mut self.scratch)
            .unwrap();
        for p in 0..2 {
            for ((o, a), b) in self.prod.iter_mut().zip(&self.spec).zip(&self.phases[p]) {
                *o = a * b;
            }
            self.inv
                .process_with_scratch(&mut self.prod, &mut self.work, &mut self.scratch)
                .unwrap();
            let valid = &self.work[self.fft - self.block..];
            for (i, &y) in valid.iter().enumerate() {
                self.out[2 * i + p] = to_i16(y);
            }
        }
        std::hint::black_box(&self.out);
    }
}

/// Uniformly partitioned overlap-save of two phases: each phase cut into
/// `parts` pieces of `block` taps, the last `parts` input spectra kept, and
/// each block's output the inverse transform of their products' sum. The
/// spectra are kept as separate real and imaginary arrays so that the
/// multiply-adds vectorise.
struct Partitioned {
    block: usize,
    parts: usize,
    /// The first part left out (a direct head computes it).
    headless: bool,
    fwd: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    inv: std::sync::Arc<dyn realfft::ComplexToReal<f32>>,
    /// `[phase][part]` spectra, real then imaginary parts.
    filter: Vec<[Vec<f32>; 2]>,
    /// The last `parts` input spectra, a ring; `newest` is the latest.
    inputs: Vec<[Vec<f32>; 2]>,
    newest: usize,
    work: Vec<f32>,
    spec: Vec<Complex<f32>>,
    /// Scratch for both transforms (`process` would allocate one per call).
    scratch: Vec<Complex<f32>>,
    sum: [Vec<f32>; 2],
    out: Vec<i16>,
}

impl Partitioned {
    fn new(block: usize) -> Partitioned {
        Partitioned::with_head(block, false)
    }

    fn with_head(block: usize, headless: bool) -> Partitioned {
        let fft = 2 * block;
        let parts = TAPS.div_ceil(block);
        let bins = block + 1;
        let mut planner = RealFftPlanner::<f32>::new();
        let (fwd, inv) = (planner.plan_fft_forward(fft), planner.plan_fft_inverse(fft));
        let mut filter = Vec::new();
        for p in 0..2 {
            for j in 0..parts {
                let mut t = vec![0f32; fft];
                for (i, c) in t.iter_mut().take(block).enumerate() {
                    let k = j * block + i;
                    *c = if k < TAPS { placeholder_tap(p, k) } else { 0.0 };
                }
                let mut s = fwd.make_output_vec();
                fwd.process(&mut t, &mut s).unwrap();
                filter.push([
                    s.iter().map(|c| c.re).collect(),
                    s.iter().map(|c| c.im).collect(),
                ]);
            }
        }
        Partitioned {
            block,
            parts,
            headless,
            filter,
            inputs: vec![[vec![0.0; bins], vec![0.0; bins]]; parts],
            newest: 0,
            work: vec![0.0; fft],
            spec: fwd.make_output_vec(),
            scratch: scratch(&*fwd, &*inv),
            sum: [vec![0.0; bins], vec![0.0; bins]],
            out: vec![0; 2 * block],
            fwd,
            inv,
        }
    }
}

impl BlockConvolver for Partitioned {
    fn run_block(&mut self, window: &[f32]) {
        let b = self.block;
        self.work.copy_from_slice(window);
        self.fwd
            .process_with_scratch(&mut self.work, &mut self.spec, &mut self.scratch)
            .unwrap();
        self.newest = (self.newest + 1) % self.parts;
        let [re, im] = &mut self.inputs[self.newest];
        for ((r, i), c) in re.iter_mut().zip(im.iter_mut()).zip(&self.spec) {
            (*r, *i) = (c.re, c.im);
        }
        for p in 0..2 {
            let [sr, si] = &mut self.sum;
            sr.fill(0.0);
            si.fill(0.0);
            for j in usize::from(self.headless)..self.parts {
                let [xr, xi] = &self.inputs[(self.newest + self.parts - j) % self.parts];
                let [hr, hi] = &self.filter[p * self.parts + j];
                let terms = xr.iter().zip(xi.iter()).zip(hr.iter().zip(hi.iter()));
                for ((r, i), ((&xr, &xi), (&hr, &hi))) in
                    sr.iter_mut().zip(si.iter_mut()).zip(terms)
                {
                    *r += xr * hr - xi * hi;
                    *i += xr * hi + xi * hr;
                }
            }
            for ((c, r), i) in self.spec.iter_mut().zip(sr.iter()).zip(si.iter()) {
                *c = Complex::new(*r, *i);
            }
            // DC and Nyquist are real for real signals; exact zeros keep realfft quiet.
            let last = self.spec.len() - 1;
            self.spec[0].im = 0.0;
            self.spec[last].im = 0.0;
            self.inv
                .process_with_scratch(&mut self.spec, &mut self.work, &mut self.scratch)
                .unwrap();
            for (i, &y) in self.work[b..].iter().enumerate() {
                self.out[2 * i + p] = to_i16(y);
            }
        }
        std::hint::black_box(&self.out);
    }
}

/// Partitioned convolution with a direct head: the first `block` taps of
/// each phase as a direct FIR over every pushed frame (vectorised across
/// outputs, with AVX-512 or AVX2 and FMA where present), the other parts by
/// [`Partitioned`] on whole blocks.
struct HeadTail {
    tail: Blocked<Partitioned>,
    /// The last `block − 1` frames before this push, then the push.
    x: Vec<f32>,
    head: [Vec<f32>; 2],
    out: [Vec<f32>; 2],
}

impl HeadTail {
    fn new(block: usize) -> HeadTail {
        HeadTail {
            tail: Blocked::new(Partitioned::with_head(block, true), 2 * block, block),
            x: vec![0.0; block - 1 + PUSH],
            head: [0, 1].map(|p| (0..block).map(|k| placeholder_tap(p, k)).collect()),
            out: [vec![0.0; PUSH], vec![0.0; PUSH]],
        }
    }

    fn push(&mut self, x: &[i16]) {
        self.tail.push(x);
        let d = self.head[0].len();
        self.x.copy_within(PUSH.., 0);
        for (to, &s) in self.x[d - 1..].iter_mut().zip(x) {
            *to = s as f32 / 32768.0;
        }
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has the features the function is compiled with.
            unsafe { head_avx512(&self.x, &self.head, &mut self.out) };
        } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            unsafe { head_avx2(&self.x, &self.head, &mut self.out) };
        } else {
            head(&self.x, &self.head, &mut self.out);
        }
        #[cfg(not(target_arch = "x86_64"))]
        head(&self.x, &self.head, &mut self.out);
        std::hint::black_box(&self.out);
    }
}

/// `out[p][n] = Σₖ head[p][k] · x[n + d − 1 − k]`, one output per lane.
#[inline(always)]
fn head(x: &[f32], head: &[Vec<f32>; 2], out: &mut [Vec<f32>; 2]) {
    let d = head[0].len();
    for (h, out) in head.iter().zip(out.iter_mut()) {
        out.fill(0.0);
        for (k, &c) in h.iter().enumerate() {
            let x = &x[d - 1 - k..][..out.len()];
            for (y, &x) in out.iter_mut().zip(x) {
                *y = c.mul_add(x, *y);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn head_avx512(x: &[f32], h: &[Vec<f32>; 2], out: &mut [Vec<f32>; 2]) {
    head(x, h, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn head_avx2(x: &[f32], h: &[Vec<f32>; 2], out: &mut [Vec<f32>; 2]) {
    head(x, h, out)
}
