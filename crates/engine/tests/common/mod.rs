//! Helpers shared by the engine integration tests.
#![allow(dead_code)]

use rtc_resampler_engine::{Quality, StreamResampler};

pub const PAIRS: &[(u32, u32)] = &[
    (48000, 16000),
    (16000, 48000),
    (24000, 16000),
    (24000, 48000),
    (44100, 48000),
    (48000, 44100),
    (8000, 16000),
    (16000, 8000),
    (22050, 16000),
    (48000, 24000),
    (32000, 48000),
    (16000, 24000),
];

/// Runs `input` through a fresh resampler in pushes of the given sizes (cycled), then flushes.
pub fn run_chunked(
    input: &[i16],
    channels: usize,
    (fin, fout): (u32, u32),
    quality: Quality,
    push_frames: &[usize],
) -> Vec<i16> {
    let mut r = StreamResampler::new(fin, fout, channels, quality).unwrap();
    let mut out = Vec::new();
    let frames = input.len() / channels;
    let mut pos = 0;
    let mut i = 0;
    while pos < frames {
        let n = push_frames[i % push_frames.len()].min(frames - pos);
        out.extend_from_slice(
            r.push(&input[pos * channels..(pos + n) * channels])
                .unwrap(),
        );
        pos += n;
        i += 1;
    }
    out.extend_from_slice(r.flush().unwrap());
    out
}

pub fn expected_len(frames_in: u64, (fin, fout): (u32, u32)) -> u64 {
    (frames_in * fout as u64 + fin as u64 / 2) / fin as u64
}

/// A sine at `freq` Hz, amplitude `amp` (of full scale), `frames` long, interleaved
/// with the same signal on every channel scaled by (1 + ch) / channels.
pub fn sine(freq: f64, rate: u32, frames: usize, channels: usize, amp: f64) -> Vec<i16> {
    let mut v = Vec::with_capacity(frames * channels);
    for n in 0..frames {
        let x = (2.0 * std::f64::consts::PI * freq * n as f64 / rate as f64).sin();
        for ch in 0..channels {
            let scale = (1 + ch) as f64 / channels as f64;
            v.push((x * amp * scale * 32767.0).round() as i16);
        }
    }
    v
}

/// Deterministic pseudo-random generator (xorshift) for tests.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Least-squares fit of `a·sin(wt) + b·cos(wt)` over `x[start..end]`; returns (amplitude, phase).
pub fn fit_sine(x: &[f64], freq: f64, rate: f64, start: usize, end: usize) -> (f64, f64) {
    let (mut ss, mut sc, mut cc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (n, &v) in x.iter().enumerate().take(end).skip(start) {
        let w = 2.0 * std::f64::consts::PI * freq * n as f64 / rate;
        let (s, c) = w.sin_cos();
        ss += s * s;
        sc += s * c;
        cc += c * c;
        xs += v * s;
        xc += v * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    ((a * a + b * b).sqrt(), b.atan2(a))
}
