//! Measurement tool (not a criterion bench): what block (FFT) convolution
//! would save over the polyphase FIR, side by side in one process.
//! `cargo bench -p rtc-resampler-engine --bench block_convolution_cost`.
//!
//! MEDIUM 24k→48k mono: the polyphase FIR (`StreamResampler`, 10 ms pushes)
//! against overlap-save convolution of the same two 264-tap phases with
//! `realfft`, per 10 ms of input, for several block lengths. Only the cost is
//! measured (the coefficients are placeholders of the same length): a block
//! must be complete before its outputs exist, so it adds up to its own length
//! to the lag, and outputs computed by blocks and by the FIR differ in their
//! last bits, so a hybrid's output would depend on how the input was split.

use realfft::num_complex::Complex;
use realfft::RealFftPlanner;
use rtc_resampler_engine::{Quality, StreamResampler};

/// MEDIUM's taps per phase at 24k→48k (checked against `describe()` below).
const TAPS: usize = 264;
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
    let mut blocks: Vec<OverlapSave> = [(240, 512), (120, 512), (760, 1024), (1784, 2048)]
        .iter()
        .map(|&(block, fft)| OverlapSave::new(block, fft))
        .collect();
    let mut fir_us = Vec::new();
    let mut block_us = vec![Vec::new(); blocks.len()];
    // Rounds alternate the candidates, so a noisy moment hits all of them.
    for _ in 0..ROUNDS {
        let t = std::time::Instant::now();
        for _ in 0..PUSHES {
            std::hint::black_box(fir.push(&x).unwrap().len());
        }
        fir_us.push(t.elapsed().as_secs_f64() * 1e6 / PUSHES as f64);
        for (b, us) in blocks.iter_mut().zip(&mut block_us) {
            us.push(b.time_per_push(&x));
        }
    }
    let fir_median = median(&mut fir_us);
    println!("MEDIUM 24k→48k mono, µs per 10 ms of input (median of {ROUNDS} rounds × {PUSHES})");
    println!("polyphase FIR (StreamResampler::push)   {fir_median:6.2}");
    for (b, us) in blocks.iter().zip(&mut block_us) {
        let m = median(us);
        println!(
            "overlap-save, {:4}-frame blocks, FFT {:4} {m:6.2}  (FIR / this {:.2}; adds up to {:.1} ms of lag)",
            b.block,
            b.fft,
            fir_median / m,
            b.block as f64 / 24.0
        );
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Overlap-save of two phases that share one input spectrum, s16 in and out.
struct OverlapSave {
    block: usize,
    fft: usize,
    fwd: std::sync::Arc<dyn realfft::RealToComplex<f32>>,
    inv: std::sync::Arc<dyn realfft::ComplexToReal<f32>>,
    phases: [Vec<Complex<f32>>; 2],
    hist: Vec<f32>,
    filled: usize,
    work: Vec<f32>,
    spec: Vec<Complex<f32>>,
    prod: Vec<Complex<f32>>,
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
                *c = ((k * 7 + p) % 13) as f32 * 1e-3;
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
            fwd,
            inv,
            hist: vec![0.0; fft],
            filled: 0,
            work: vec![0.0; fft],
            out: vec![0; 2 * block],
        }
    }

    /// µs per push of `x` over many pushes (whole blocks run as they complete).
    fn time_per_push(&mut self, x: &[i16]) -> f64 {
        let t = std::time::Instant::now();
        for _ in 0..PUSHES {
            self.push(x);
        }
        t.elapsed().as_secs_f64() * 1e6 / PUSHES as f64
    }

    fn push(&mut self, x: &[i16]) {
        let tail = self.fft - self.block;
        for &s in x {
            self.hist[tail + self.filled] = s as f32 / 32768.0;
            self.filled += 1;
            if self.filled == self.block {
                self.run_block();
                self.hist.copy_within(self.block.., 0);
                self.filled = 0;
            }
        }
    }

    fn run_block(&mut self) {
        self.work.copy_from_slice(&self.hist);
        self.fwd.process(&mut self.work, &mut self.spec).unwrap();
        for p in 0..2 {
            for ((o, a), b) in self.prod.iter_mut().zip(&self.spec).zip(&self.phases[p]) {
                *o = a * b;
            }
            self.inv.process(&mut self.prod, &mut self.work).unwrap();
            let valid = &self.work[self.fft - self.block..];
            for (i, &y) in valid.iter().enumerate() {
                self.out[2 * i + p] = (y * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
            }
        }
        std::hint::black_box(&self.out);
    }
}
