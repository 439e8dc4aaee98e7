//! Key figures of every quality preset, measured through `StreamResampler` with
//! 10 ms pushes, int16 tones at -1 dBFS, coherent windows, no dither (the same
//! method as `bench/quality.js`, which prints the full table for 7 ratios).
//!
//! The bounds are the targets of issue 3 (passband -0.1 / -3 dB in % of the lower
//! Nyquist, alias/image, held-back lag at 10 ms pushes) and issue 14 (max lag)
//! except where a preset is known to fall short; those bounds carry a comment
//! with the target. `tests/latency.rs` checks lag and response at all 56 pairs
//! of the common rates.

mod common;

use rtc_resampler_engine::{Quality, StreamResampler};

#[path = "common/alloc.rs"]
mod alloc;

// ------------------------------------------------------------ measurement

const AMP: f64 = 32767.0 * 0.891_250_938_133_745_5; // -1 dBFS
/// Levels of the alias sweep, dBFS.
const ALIAS_LEVELS: [f64; 5] = [-1.0, -1.5, -2.0, -2.5, -3.0];

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The tone 2·m Hz (m coprime to 210) at or beyond `f` in direction `dir`.
fn tone(f: f64, dir: i64) -> f64 {
    let mut m = (f / 2.0).round() as i64;
    while gcd(m as u64, 210) != 1 {
        m += dir;
    }
    2.0 * m as f64
}

struct Run {
    y: Vec<i16>,
    len_ok: bool,
    lag_avg_ms: f64,
    lag_max_ms: f64,
}

/// A tone through a fresh resampler in 10 ms pushes, then flush.
fn run(q: Quality, (fin, fout): (u32, u32), f: f64, amp: f64, seconds: f64) -> Run {
    let n = (seconds * fin as f64) as usize + 7;
    let x: Vec<i16> = (0..n)
        .map(|i| (amp * (std::f64::consts::TAU * f * i as f64 / fin as f64).sin()).round() as i16)
        .collect();
    let mut r = StreamResampler::new(fin, fout, 1, q).unwrap();
    let step = fin as usize / 100;
    let mut y = Vec::new();
    let (mut lag_sum, mut lag_max, mut pushes) = (0.0, f64::MIN, 0);
    for (i, chunk) in x.chunks(step).enumerate() {
        y.extend_from_slice(r.push(chunk).unwrap());
        if chunk.len() == step {
            let frames_in = ((i + 1) * step) as f64;
            let lag =
                (frames_in * fout as f64 / fin as f64 - y.len() as f64) * 1000.0 / fout as f64;
            lag_sum += lag;
            lag_max = lag_max.max(lag);
            pushes += 1;
        }
    }
    y.extend_from_slice(r.flush().unwrap());
    Run {
        len_ok: y.len() as u64 == common::expected_len(n as u64, (fin, fout)),
        y,
        lag_avg_ms: lag_sum / pushes as f64,
        lag_max_ms: lag_max,
    }
}

/// Complex amplitude of the bin at `f` over y[k0 .. k0 + len).
fn bin(y: &[i16], f: f64, rate: f64, k0: usize, len: usize) -> (f64, f64) {
    let (mut re, mut im) = (0.0, 0.0);
    for (k, &v) in y.iter().enumerate().skip(k0).take(len) {
        let w = std::f64::consts::TAU * f * k as f64 / rate;
        re += v as f64 * w.cos();
        im -= v as f64 * w.sin();
    }
    (2.0 * re / len as f64, 2.0 * im / len as f64)
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-30).log10()
}

/// Half-second window starting 50 ms into the output (coherent for 2·m Hz tones).
fn window(fout: u32) -> (usize, usize) {
    (fout as usize / 20, fout as usize / 2)
}

fn gain_db(q: Quality, pair: (u32, u32), f: f64) -> f64 {
    let r = run(q, pair, f, AMP, 0.6);
    let (k0, len) = window(pair.1);
    let (re, im) = bin(&r.y, f, pair.1 as f64, k0, len);
    db(re.hypot(im) / AMP)
}

/// Worst alias/image of tone `f` at each of `ALIAS_LEVELS`, keeping the lowest (as the
/// benchmark does: int16 rounding artefacts change with the level, real aliases do not).
fn alias_db(q: Quality, (fin, fout): (u32, u32), f: f64) -> f64 {
    let nyq = fout as f64 / 2.0;
    let mut bins = Vec::new();
    if fout < fin {
        let mut a = f % fout as f64;
        if a > nyq {
            a = fout as f64 - a;
        }
        bins.push(a);
    } else {
        let mut k = 1.0;
        while k * fin as f64 - f < nyq {
            bins.push(k * fin as f64 - f);
            if k * fin as f64 + f < nyq {
                bins.push(k * fin as f64 + f);
            }
            k += 1.0;
        }
    }
    let (k0, len) = window(fout);
    ALIAS_LEVELS
        .iter()
        .map(|&dbfs| {
            let amp = 32767.0 * 10f64.powf(dbfs / 20.0);
            let r = run(q, (fin, fout), f, amp, 0.6);
            bins.iter()
                .filter(|&&b| b > 0.0 && b < nyq)
                .map(|&b| {
                    let (re, im) = bin(&r.y, b, fout as f64, k0, len);
                    db(re.hypot(im) / amp)
                })
                .fold(f64::MIN, f64::max)
        })
        .fold(f64::MAX, f64::min)
}

/// First frequency (% of the lower Nyquist) where the gain falls `thr` dB below 1 kHz.
fn edge_pct(q: Quality, pair: (u32, u32), thr: f64) -> f64 {
    let low = pair.0.min(pair.1) as f64 / 2.0;
    let reference = gain_db(q, pair, 998.0);
    let below = |f: f64| gain_db(q, pair, f) < reference - thr;
    // Coarse scan in 2 % steps from 50 %, then bisection on valid tones.
    let mut lo = tone(0.5 * low, 1);
    assert!(!below(lo), "{q:?} {pair:?}: already {thr} dB down at 50 %");
    let mut hi = lo;
    let mut t = 0.52;
    while t < 1.0 {
        hi = tone(t * low, -1);
        if below(hi) {
            break;
        }
        lo = hi;
        t += 0.02;
    }
    if !below(hi) {
        return 100.0;
    }
    loop {
        let mid = tone((lo + hi) / 2.0, 1);
        if mid <= lo || mid >= hi {
            break;
        }
        if below(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    100.0 * lo / low
}

fn thd_n_db(q: Quality, (fin, fout): (u32, u32)) -> f64 {
    let f = 997.0;
    let r = run(q, (fin, fout), f, AMP, 1.2);
    let (k0, len) = (fout as usize / 10, fout as usize);
    let (re, im) = bin(&r.y, f, fout as f64, k0, len);
    let (mut sig, mut res) = (0.0, 0.0);
    for k in k0..k0 + len {
        let w = std::f64::consts::TAU * f * k as f64 / fout as f64;
        let s = re * w.cos() - im * w.sin();
        sig += s * s;
        res += (r.y[k] as f64 - s).powi(2);
    }
    10.0 * (res / sig).log10()
}

/// The int16 floor of THD+N for an ideal resampler: rounding noise of the input
/// (1/12 LSB², white, cut to the lower Nyquist) plus that of the output.
fn thd_n_floor_db((fin, fout): (u32, u32)) -> f64 {
    let noise = (1.0 + (fout as f64 / fin as f64).min(1.0)) / 12.0;
    10.0 * (noise / (AMP * AMP / 2.0)).log10()
}

fn delay_ms(q: Quality, pair: (u32, u32)) -> f64 {
    let f = 22.0;
    let r = run(q, pair, f, AMP, 0.6);
    let (k0, len) = window(pair.1);
    let (re, im) = bin(&r.y, f, pair.1 as f64, k0, len);
    // Ideal output: AMP·sin(2π f k / fout), whose bin is (−i)·AMP·e^{iφ}; compare phases.
    let ideal: Vec<i16> = (0..k0 + len)
        .map(|k| (AMP * (std::f64::consts::TAU * f * k as f64 / pair.1 as f64).sin()) as i16)
        .collect();
    let (ir, ii) = bin(&ideal, f, pair.1 as f64, k0, len);
    let dphi = (im * ir - re * ii).atan2(re * ir + im * ii);
    -dphi / (std::f64::consts::TAU * f) * 1000.0
}

// ------------------------------------------------------------ targets

struct Target {
    q: Quality,
    pass01: f64,
    pass3: f64,
    alias: f64,
    lag_avg: f64,
    lag_max: f64,
    ripple: f64,
}

const TARGETS: [Target; 5] = [
    Target {
        q: Quality::Quick,
        pass01: 60.0,
        pass3: 80.0,
        alias: -40.0,
        lag_avg: 2.0,
        lag_max: 3.0,
        ripple: 0.5,
    },
    Target {
        q: Quality::Low,
        pass01: 85.0,
        pass3: 90.0,
        alias: -100.0,
        // 5.8 ms with one stage; 48k ↔ 16k runs as a cascade through 24 kHz
        // (issue #14: 1.6× fewer taps), whose wide stage adds 0.44 ms.
        lag_avg: 6.5,
        lag_max: 10.0,
        ripple: 0.1,
    },
    Target {
        q: Quality::Medium,
        pass01: 93.0,
        pass3: 95.0,
        alias: -110.0,
        lag_avg: 15.0,
        lag_max: 20.0,
        ripple: 0.1,
    },
    Target {
        q: Quality::High,
        pass01: 94.0,
        pass3: 96.0,
        alias: -120.0,
        lag_avg: 25.0,
        lag_max: 30.0,
        ripple: 0.1,
    },
    Target {
        q: Quality::VeryHigh,
        pass01: 96.0,
        pass3: 97.0,
        alias: -130.0,
        lag_avg: 30.0,
        lag_max: 40.0,
        ripple: 0.1,
    },
];

const DOWN: (u32, u32) = (48000, 16000);
const UP: (u32, u32) = (16000, 48000);

#[test]
fn passband_edges_meet_targets() {
    for t in &TARGETS {
        for pair in [DOWN, UP] {
            let p01 = edge_pct(t.q, pair, 0.1);
            let p3 = edge_pct(t.q, pair, 3.0);
            assert!(
                p01 >= t.pass01,
                "{:?} {pair:?}: −0.1 dB at {p01:.1} % < {} %",
                t.q,
                t.pass01
            );
            assert!(
                p3 >= t.pass3,
                "{:?} {pair:?}: −3 dB at {p3:.1} % < {} %",
                t.q,
                t.pass3
            );
        }
    }
}

#[test]
fn passband_gain_and_ripple() {
    let low = 8000.0;
    for t in &TARGETS {
        for pair in [DOWN, UP] {
            let g1k = gain_db(t.q, pair, 998.0);
            assert!(
                g1k.abs() <= 0.05,
                "{:?} {pair:?}: gain at 1 kHz {g1k:.3} dB",
                t.q
            );
            let gains: Vec<f64> = [
                22.0,
                998.0,
                0.2 * low,
                0.4 * low,
                0.6 * low,
                0.7 * low,
                0.8 * low,
            ]
            .iter()
            .map(|&f| gain_db(t.q, pair, tone(f, -1)))
            .collect();
            let ripple = gains.iter().cloned().fold(f64::MIN, f64::max)
                - gains.iter().cloned().fold(f64::MAX, f64::min);
            assert!(
                ripple <= t.ripple,
                "{:?} {pair:?}: ripple {ripple:.3} dB",
                t.q
            );
        }
    }
}

#[test]
fn downsampling_aliases_meet_targets() {
    // Tones just above the output Nyquist (where a filter whose stopband starts at
    // Nyquist is weakest) and across the band up to the input Nyquist.
    let tones = [
        8002.0, 8006.0, 8014.0, 8038.0, 8122.0, 8398.0, 9398.0, 12802.0, 20002.0,
    ];
    for t in &TARGETS {
        for &f in &tones {
            let a = alias_db(t.q, DOWN, tone(f, 1));
            assert!(
                a <= t.alias,
                "{:?} 48k→16k: alias of {f} Hz at {a:.1} dB > {} dB",
                t.q,
                t.alias
            );
        }
    }
}

#[test]
fn upsampling_images_bounded() {
    // Images of tones just below the input Nyquist and across the band, every
    // preset held to the target (int16 output: the engine's own images,
    // through f32, are checked at every pair in tests/latency.rs).
    let tones = [
        7998.0, 7982.0, 7958.0, 7874.0, 7598.0, 6402.0, 4002.0, 802.0,
    ];
    for t in &TARGETS {
        let bound = t.alias;
        for &f in &tones {
            let a = alias_db(t.q, UP, tone(f, -1));
            assert!(
                a <= bound,
                "{:?} 16k→48k: image of {f} Hz at {a:.1} dB > {bound} dB",
                t.q
            );
        }
    }
}

#[test]
fn lag_delay_length_and_thd() {
    for t in &TARGETS {
        for pair in [DOWN, UP, (44100, 48000), (8000, 16000)] {
            let r = run(t.q, pair, 998.0, AMP, 0.6);
            assert!(r.len_ok, "{:?} {pair:?}: length after flush", t.q);
            if pair == DOWN || pair == UP {
                assert!(
                    r.lag_avg_ms <= t.lag_avg + 1e-6 && r.lag_max_ms <= t.lag_max + 1e-6,
                    "{:?} {pair:?}: lag {:.2} / {:.2} ms",
                    t.q,
                    r.lag_avg_ms,
                    r.lag_max_ms
                );
            }
            let d = delay_ms(t.q, pair);
            assert!(
                d.abs() < 0.01,
                "{:?} {pair:?}: content delay {d:.4} ms",
                t.q
            );
            let thdn = thd_n_db(t.q, pair);
            let floor = thd_n_floor_db(pair);
            // Issue rule: within 1 dB of the int16 floor. QUICK's short filter (cutoff
            // well below Nyquist) leaves ≈ 1.6 dB at 8k→16k (documented shortfall).
            let slack = if t.q == Quality::Quick && pair == (8000, 16000) {
                2.0
            } else {
                1.0
            };
            assert!(
                thdn <= floor + slack,
                "{:?} {pair:?}: THD+N {thdn:.2} dB, int16 floor {floor:.2} dB",
                t.q
            );
        }
    }
}

#[test]
fn medium_live_state_is_small() {
    let x: Vec<i16> = (0..480)
        .map(|i| ((i * 7919) % 2000) as i16 - 1000)
        .collect();
    let before = alloc::thread_live_bytes();
    let mut r = StreamResampler::new(48000, 16000, 1, Quality::Medium).unwrap();
    for _ in 0..20 {
        r.push(&x).unwrap();
    }
    let live = alloc::thread_live_bytes() - before;
    drop(r);
    // Bytes allocated, touched or not: the 6.5 KiB history, the stream's state and
    // output, and the 3.2 KiB coefficient table, which this instance may have built
    // (it is shared with every later one; tests/latency.rs checks ≤ 8 KiB per live
    // resampler at every common pair without it).
    assert!(live < 12 * 1024, "MEDIUM 48k→16k mono holds {live} bytes");
}
