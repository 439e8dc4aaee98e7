//! Issue 14: latency at the physical limit at every pair of the common rates
//! (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000 Hz, both directions),
//! for every preset, with the response of the preset at each pair.
//!
//! * Lag (audio held back after each 10 ms push, `n_in · ratio − n_out`): max
//!   within the preset's target and within 1 ms of the filter's own half-length
//!   (read from `describe()`; for a cascade, of both stages' delay and of the
//!   preset's own filter alone), average within 25 % of the max (no bursts), and
//!   output on every push of 10 ms and of 5 ms once the filter is primed.
//! * Response, measured through `f32` input and output (so that the filter, not
//!   int16 rounding, is measured): the gain at the preset's −0.1 dB and −3 dB
//!   edges, and aliases (downsampling) or images (upsampling) of tones from the
//!   lower Nyquist on, against the preset's stopband.

use std::sync::RwLock;

use rtc_resampler_engine::{Input, Output, Quality, SampleFormat, StreamResampler};

#[path = "common/alloc.rs"]
mod alloc;

const RATES: [u32; 8] = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000];

/// The memory test counts this thread's heap, and another test creating
/// resamplers meanwhile can make it free a shared table (evicted from the cache
/// in `shared_cache.rs`) on this thread: that test runs alone, the others together.
static EXCLUSIVE: RwLock<()> = RwLock::new(());

fn pairs() -> Vec<(u32, u32)> {
    let mut v = Vec::new();
    for a in RATES {
        for b in RATES {
            if a != b {
                v.push((a, b));
            }
        }
    }
    v
}

/// Max lag with 10 ms pushes (issue 14), ms.
fn lag_target(q: Quality) -> f64 {
    match q {
        Quality::Quick => 3.0,
        Quality::Low => 15.0,
        Quality::Medium => 20.0,
        Quality::High => 30.0,
        Quality::VeryHigh => 40.0,
    }
}

/// (−0.1 dB edge, −3 dB edge) in % of the lower Nyquist, and the stopband in dB,
/// that each preset keeps at every pair: at least what the FFT recipes measured
/// at their worst listed pair before issue 14 (docs/quality.md history).
fn response_target(q: Quality) -> (f64, f64, f64) {
    match q {
        // QUICK keeps its filter (the 40-tap Hann sinc): its first sidelobe, 2 %
        // of the lower Nyquist past it, is at −44.2 dB (−44.0 measured at 44.1k ↔ 48k
        // in docs/quality.md before issue 14).
        Quality::Quick => (84.0, 89.0, -44.0),
        Quality::Low => (92.0, 94.0, -112.0),
        Quality::Medium => (93.6, 95.2, -126.0),
        Quality::High => (94.9, 96.2, -135.0),
        Quality::VeryHigh => (96.0, 97.0, -135.0),
    }
}

/// Filter half-length in ms, from `describe()`: `H / (L · input_rate)` for one
/// polyphase stage ("polyphase L <L> M <M> taps <K> half <H> …"), the
/// delay of both stages for a cascade ("cascade via <mid> Hz, delay <ms> ms: …").
fn half_length_ms(r: &StreamResampler, fin: u32) -> f64 {
    let d = r.describe();
    let words: Vec<&str> = d.split_whitespace().collect();
    let field = |name: &str| -> f64 {
        let i = words.iter().position(|w| *w == name).unwrap();
        words[i + 1].parse().unwrap()
    };
    match words.first() {
        Some(&"polyphase") => field("half") / (field("L") * fin as f64) * 1000.0,
        Some(&"cascade") => field("delay"),
        _ => panic!("not a polyphase core: {d}"),
    }
}

/// The half-length in ms of the preset's own filter: the whole filter for one
/// stage; for a cascade, the stage whose response is the preset's (the one
/// without a `stop` edge), at the rate it runs at (the input rate for the
/// first stage, the rate between for the second).
fn preset_half_ms(r: &StreamResampler, fin: u32) -> f64 {
    let d = r.describe();
    let Some(rest) = d.strip_prefix("cascade via ") else {
        return half_length_ms(r, fin);
    };
    let mid: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
    let stages: Vec<&str> = rest.split_once(": ").unwrap().1.split(" | ").collect();
    let own = stages
        .iter()
        .position(|s| !s.contains(" stop "))
        .unwrap_or_else(|| panic!("no stage with the preset's response: {d}"));
    let words: Vec<&str> = stages[own].split_whitespace().collect();
    let field = |name: &str| -> f64 {
        let i = words.iter().position(|w| *w == name).unwrap();
        words[i + 1].parse().unwrap()
    };
    let rate = if own == 0 { fin as f64 } else { mid };
    field("half") / (field("L") * rate) * 1000.0
}

struct Lag {
    avg: f64,
    max: f64,
    /// Pushes after the filter was primed that returned nothing.
    empty_after_primed: usize,
}

/// Noise through a fresh mono resampler in pushes of `push_ms`.
fn lag(q: Quality, (fin, fout): (u32, u32), push_ms: usize, prime_ms: f64) -> Lag {
    let step = fin as usize * push_ms / 1000;
    let pushes = 40;
    let mut seed = 12345u32;
    let x: Vec<i16> = (0..step * pushes)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 20) as i16 - 2048
        })
        .collect();
    let mut r = StreamResampler::new(fin, fout, 1, q).unwrap();
    let (mut out, mut sum, mut max, mut n, mut empty) = (0usize, 0.0, 0.0f64, 0, 0);
    for (i, chunk) in x.chunks(step).enumerate() {
        let got = r.push(chunk).unwrap().len();
        out += got;
        let t_in = ((i + 1) * step) as f64 / fin as f64 * 1000.0;
        if t_in > prime_ms + push_ms as f64 && got == 0 {
            empty += 1;
        }
        let frames_in = ((i + 1) * step) as f64;
        let held = (frames_in * fout as f64 / fin as f64 - out as f64) * 1000.0 / fout as f64;
        sum += held;
        max = max.max(held);
        n += 1;
    }
    Lag {
        avg: sum / n as f64,
        max,
        empty_after_primed: empty,
    }
}

#[test]
fn lag_is_the_filter_half_length_at_every_pair() {
    let _shared = EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner());
    let mut worst = vec![(0.0f64, 0.0f64, (0u32, 0u32)); Quality::ALL.len()];
    for (fin, fout) in pairs() {
        for q in Quality::ALL {
            let ctx = format!("{q:?} {fin}->{fout}");
            let r = StreamResampler::new(fin, fout, 1, q).unwrap();
            let half = half_length_ms(&r, fin);
            let l10 = lag(q, (fin, fout), 10, half);
            assert!(
                l10.max <= lag_target(q),
                "{ctx}: max lag {:.2} ms > {} ms",
                l10.max,
                lag_target(q)
            );
            assert!(
                l10.max <= half + 1.0,
                "{ctx}: max lag {:.2} ms, half-length {half:.2} ms",
                l10.max
            );
            // A cascade's second filter adds to the lag; issue 14's rule is
            // against the preset's own filter.
            let own = preset_half_ms(&r, fin);
            assert!(
                l10.max <= own + 1.0,
                "{ctx}: max lag {:.2} ms, the preset's filter {own:.2} ms",
                l10.max
            );
            assert!(
                l10.avg >= 0.75 * l10.max,
                "{ctx}: lag avg {:.2} / max {:.2} ms (bursty)",
                l10.avg,
                l10.max
            );
            assert_eq!(l10.empty_after_primed, 0, "{ctx}: empty 10 ms pushes");
            let l5 = lag(q, (fin, fout), 5, half);
            assert_eq!(l5.empty_after_primed, 0, "{ctx}: empty 5 ms pushes");
            let w = &mut worst[q as usize];
            if l10.max > w.0 {
                *w = (l10.max, half, (fin, fout));
            }
        }
    }
    for q in Quality::ALL {
        let (max, half, pair) = worst[q as usize];
        println!("{q:?}: max lag {max:.2} ms at {pair:?} (half-length {half:.2} ms)");
    }
}

// ------------------------------------------------------------ response

/// The tone 2·m Hz (m coprime to 210) at or beyond `f` in direction `dir`.
fn tone(f: f64, dir: i64) -> f64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let mut m = (f / 2.0).round() as i64;
    while gcd(m as u64, 210) != 1 {
        m += dir;
    }
    2.0 * m as f64
}

/// A tone of amplitude 0.5 through a fresh resampler (f32 in and out, 10 ms
/// pushes); the output's amplitude at each of `bins` (Hz) relative to 0.5, dB,
/// over the second from 50 ms into the output (coherent for integer Hz at every
/// rate, 11025 included).
fn through(q: Quality, (fin, fout): (u32, u32), f: f64, bins: &[f64]) -> Vec<f64> {
    let n = (fin as f64 * 1.1) as usize;
    let x: Vec<f32> = (0..n)
        .map(|i| (0.5 * (std::f64::consts::TAU * f * i as f64 / fin as f64).sin()) as f32)
        .collect();
    let mut r = StreamResampler::new(fin, fout, 1, q).unwrap();
    let mut y = Vec::with_capacity(n * fout as usize / fin as usize + 16);
    for chunk in x.chunks(fin as usize / 100) {
        let Output::F32(out) = r.push_as(Input::F32(chunk), SampleFormat::F32).unwrap() else {
            unreachable!()
        };
        y.extend_from_slice(out);
    }
    let (k0, len) = (fout as usize / 20, fout as usize);
    bins.iter()
        .map(|&b| {
            let (mut re, mut im) = (0.0, 0.0);
            for (k, &v) in y.iter().enumerate().skip(k0).take(len) {
                let w = std::f64::consts::TAU * b * k as f64 / fout as f64;
                re += v as f64 * w.cos();
                im -= v as f64 * w.sin();
            }
            20.0 * (2.0 * re.hypot(im) / len as f64 / 0.5).max(1e-30).log10()
        })
        .collect()
}

#[test]
fn response_holds_at_every_pair() {
    let _shared = EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner());
    // Every shortfall is listed before the test fails.
    let mut failures = Vec::new();
    let mut check = |ok: bool, msg: String| {
        if !ok {
            failures.push(msg);
        }
    };
    for (fin, fout) in pairs() {
        let low = fin.min(fout) as f64 / 2.0;
        for q in Quality::ALL {
            let ctx = format!("{q:?} {fin}->{fout}");
            let (p01, p3, stop) = response_target(q);
            let reference = through(q, (fin, fout), 998.0, &[998.0])[0];
            check(
                reference.abs() < 0.01,
                format!("{ctx}: gain at 1 kHz {reference:.4} dB"),
            );
            let f01 = tone(p01 / 100.0 * low, -1);
            let g01 = through(q, (fin, fout), f01, &[f01])[0] - reference;
            check(
                g01 >= -0.1,
                format!("{ctx}: {g01:.3} dB at {f01} Hz ({p01} %)"),
            );
            let f3 = tone(p3 / 100.0 * low, -1);
            let g3 = through(q, (fin, fout), f3, &[f3])[0] - reference;
            check(g3 >= -3.0, format!("{ctx}: {g3:.3} dB at {f3} Hz ({p3} %)"));
            // Tones from just past the lower Nyquist (the stopband edge) to the
            // input Nyquist (downsampling), or their mirrors below the input
            // Nyquist whose images land there (upsampling).
            for off in [
                2.0,
                30.0,
                0.02 * low,
                0.05 * low,
                0.1 * low,
                0.2 * low,
                0.5 * low,
            ] {
                let (f, image) = if fout < fin {
                    let f = tone(low + off, 1);
                    if f >= fin as f64 / 2.0 {
                        continue;
                    }
                    (f, fout as f64 - f)
                } else {
                    let f = tone(low - off, -1);
                    (f, fin as f64 - f)
                };
                let a = through(q, (fin, fout), f, &[image])[0];
                check(
                    a <= stop,
                    format!(
                        "{ctx}: tone {f} Hz leaves {a:.1} dB at {image} Hz (stopband {stop} dB)"
                    ),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 14: ≤ 8 KiB per live MEDIUM mono resampler at every pair. Measured as
/// the heap that 50 more live resamplers of the pair take (after 10 pushes each),
/// divided by 50: the shared coefficient table is built by the first one, before
/// the measurement. `memory_bytes()` must agree with it.
#[test]
fn a_live_medium_mono_resampler_takes_at_most_8_kib() {
    let _alone = EXCLUSIVE.write().unwrap_or_else(|e| e.into_inner());
    let live = alloc::thread_live_bytes;
    let mut worst = (0.0f64, (0u32, 0u32));
    for (fin, fout) in pairs() {
        let x: Vec<i16> = (0..fin as usize / 100)
            .map(|i| ((i * 7919) % 2000) as i16 - 1000)
            .collect();
        let first = StreamResampler::new(fin, fout, 1, Quality::Medium).unwrap();
        let before = live();
        let many: Vec<StreamResampler> = (0..50)
            .map(|_| {
                let mut r = StreamResampler::new(fin, fout, 1, Quality::Medium).unwrap();
                for _ in 0..10 {
                    r.push(&x).unwrap();
                }
                r
            })
            .collect();
        // The Vec holds the 50 structs themselves: the heap counts them too.
        let per = (live() - before) as f64 / 50.0;
        let reported = many[0].memory_bytes();
        assert!(
            per <= 8192.0,
            "MEDIUM {fin}->{fout}: {per:.0} bytes per live resampler ({})",
            first.describe()
        );
        assert!(
            (reported as f64 - per).abs() <= 0.1 * per + 64.0,
            "MEDIUM {fin}->{fout}: memory_bytes {reported} vs {per:.0} measured"
        );
        drop(many);
        if per > worst.0 {
            worst = (per, (fin, fout));
        }
    }
    println!(
        "largest: {:.0} bytes per live MEDIUM mono resampler at {:?}",
        worst.0, worst.1
    );
}
