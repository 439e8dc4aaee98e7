//! Engine contract tests: exact length, chunking invariance, time alignment,
//! silence, channel independence, reuse after flush, argument validation.

mod common;
use common::*;
use rtc_resampler_engine::{EngineError, Quality, StreamResampler};

const PUSH_PATTERNS: &[&[usize]] = &[
    &[480],
    &[441],
    &[1],
    &[0, 37, 1000],
    &[48000],
    &[160, 1, 4801],
];

#[test]
fn total_length_is_round_of_ratio_for_all_presets_pairs_and_push_sizes() {
    let mut rng = Rng(7);
    for &q in &Quality::ALL {
        for &pair in PAIRS {
            for pattern in PUSH_PATTERNS {
                // 1-frame pushes are slow; keep them short.
                let frames = if pattern == &[1] {
                    701
                } else {
                    3000 + rng.below(9000) as usize
                };
                let input: Vec<i16> = (0..frames).map(|_| rng.next() as i16 / 4).collect();
                let out = run_chunked(&input, 1, pair, q, pattern);
                assert_eq!(
                    out.len() as u64,
                    expected_len(frames as u64, pair),
                    "{q:?} {pair:?} pushes {pattern:?} frames {frames}"
                );
            }
        }
    }
}

#[test]
fn length_rule_holds_for_short_and_odd_inputs() {
    for &q in &Quality::ALL {
        for &pair in &[
            (48000, 16000),
            (44100, 48000),
            (16000, 48000),
            (7999, 44101),
        ] {
            for frames in [0usize, 1, 2, 3, 5, 17, 146, 147, 159, 441] {
                let input = vec![1000i16; frames * 2];
                let out = run_chunked(&input, 2, pair, q, &[frames.max(1)]);
                assert_eq!(
                    out.len() as u64,
                    2 * expected_len(frames as u64, pair),
                    "{q:?} {pair:?} {frames}"
                );
            }
        }
    }
}

#[test]
fn output_is_bit_identical_whatever_the_push_sizes() {
    let mut rng = Rng(99);
    for &q in &Quality::ALL {
        for &pair in &[
            (48000, 16000),
            (16000, 48000),
            (44100, 48000),
            (24000, 16000),
            (22050, 16000),
        ] {
            for channels in [1usize, 2] {
                let frames = 12000;
                let input: Vec<i16> = (0..frames * channels)
                    .map(|_| rng.next() as i16 / 2)
                    .collect();
                let reference = run_chunked(&input, channels, pair, q, &[frames]);
                for pattern in [&[480usize][..], &[441], &[7, 1, 333, 2048], &[1]] {
                    let out = run_chunked(&input, channels, pair, q, pattern);
                    assert!(
                        out == reference,
                        "{q:?} {pair:?} ch {channels} pushes {pattern:?} differ"
                    );
                }
                // A second resampler gives the same bits.
                assert_eq!(run_chunked(&input, channels, pair, q, &[frames]), reference);
            }
        }
    }
}

#[test]
fn sine_phase_is_preserved_exactly() {
    for &q in &Quality::ALL {
        for &(fin, fout) in PAIRS {
            let freq = 440.0;
            let frames = fin as usize;
            let input = sine(freq, fin, frames, 1, 0.5);
            let out = run_chunked(&input, 1, (fin, fout), q, &[fin as usize / 100]);
            let x: Vec<f64> = out.iter().map(|&s| s as f64 / 32767.0).collect();
            let (amp, phase) = fit_sine(
                &x,
                freq,
                fout as f64,
                fout as usize / 10,
                fout as usize * 9 / 10,
            );
            let delay_ms = -phase / (2.0 * std::f64::consts::PI * freq) * 1000.0;
            assert!(
                (amp - 0.5).abs() < 0.5 * 0.006,
                "{q:?} {fin}->{fout} gain {amp}"
            );
            assert!(
                delay_ms.abs() < 0.001,
                "{q:?} {fin}->{fout} delay {delay_ms} ms"
            );
        }
    }
}

#[test]
fn impulse_peaks_at_the_matching_output_time() {
    for &q in &Quality::ALL {
        for &(fin, fout) in &[
            (48000u32, 16000u32),
            (16000, 48000),
            (24000, 16000),
            (24000, 48000),
            (8000, 16000),
        ] {
            // Impulse at t = 50 ms, an integer position in both rates.
            let frames = fin as usize / 5;
            let pos_in = fin as usize / 20;
            let mut input = vec![0i16; frames];
            input[pos_in] = 30000;
            let out = run_chunked(&input, 1, (fin, fout), q, &[fin as usize / 100]);
            let expected_pos = fout as usize / 20;
            // Centroid of |y|^2 around the peak: symmetric filters put it exactly at the impulse time.
            let (mut num, mut den) = (0.0, 0.0);
            for (k, &y) in out.iter().enumerate() {
                let e = (y as f64).powi(2);
                num += e * k as f64;
                den += e;
            }
            let centroid = num / den;
            let peak = out
                .iter()
                .enumerate()
                .max_by_key(|(_, y)| y.abs())
                .unwrap()
                .0;
            assert_eq!(peak, expected_pos, "{q:?} {fin}->{fout}");
            assert!(
                (centroid - expected_pos as f64).abs() < 0.05,
                "{q:?} {fin}->{fout} centroid {centroid}"
            );
        }
    }
}

#[test]
fn silence_in_gives_exact_silence_out() {
    for &q in &Quality::ALL {
        for &pair in PAIRS {
            let input = vec![0i16; 4000 * 2];
            let out = run_chunked(&input, 2, pair, q, &[480]);
            assert!(out.iter().all(|&s| s == 0), "{q:?} {pair:?}");
            assert_eq!(out.len() as u64, 2 * expected_len(4000, pair));
        }
    }
}

#[test]
fn channels_are_resampled_independently() {
    let pair = (44100, 48000);
    let frames = 8820;
    let left = sine(1000.0, pair.0, frames, 1, 0.4);
    let right = sine(3000.0, pair.0, frames, 1, 0.3);
    let stereo: Vec<i16> = left
        .iter()
        .zip(&right)
        .flat_map(|(&l, &r)| [l, r])
        .collect();
    for &q in &Quality::ALL {
        let mono_l = run_chunked(&left, 1, pair, q, &[441]);
        let mono_r = run_chunked(&right, 1, pair, q, &[441]);
        let out = run_chunked(&stereo, 2, pair, q, &[441]);
        let (l, r): (Vec<i16>, Vec<i16>) = out.chunks(2).map(|f| (f[0], f[1])).unzip();
        assert_eq!(l, mono_l, "{q:?} left");
        assert_eq!(r, mono_r, "{q:?} right");
    }
}

#[test]
fn flush_resets_so_a_reused_resampler_matches_a_fresh_one() {
    let mut rng = Rng(3);
    let input: Vec<i16> = (0..9600).map(|_| rng.next() as i16 / 3).collect();
    for &q in &Quality::ALL {
        let mut r = StreamResampler::new(48000, 16000, 1, q).unwrap();
        let mut first = r.push(&input).unwrap().to_vec();
        first.extend_from_slice(r.flush().unwrap());
        // A flush with nothing pending returns nothing.
        assert!(r.flush().unwrap().is_empty());
        let mut second = r.push(&input).unwrap().to_vec();
        second.extend_from_slice(r.flush().unwrap());
        assert_eq!(first, second, "{q:?}");
        assert_eq!(first.len(), 3200);
    }
}

#[test]
fn output_saturates_instead_of_wrapping() {
    // A full-scale square wave overshoots after band-limiting (Gibbs): samples must clip, not wrap.
    let input: Vec<i16> = (0..9600)
        .map(|n| if (n / 60) % 2 == 0 { 32767 } else { -32768 })
        .collect();
    for &q in &Quality::ALL {
        let out = run_chunked(&input, 1, (48000, 16000), q, &[480]);
        let max = *out.iter().max().unwrap();
        let min = *out.iter().min().unwrap();
        assert_eq!(max, i16::MAX, "{q:?}");
        assert_eq!(min, i16::MIN, "{q:?}");
        // No wrap-around: the sign of the output follows the square wave away from edges.
        let k = 50; // middle of a positive half period (20 output samples each)
        assert!(out[k] > 20000, "{q:?} {}", out[k]);
    }
}

#[test]
fn rejects_invalid_arguments_without_panicking() {
    let bad = [
        (0, 16000, 1),
        (16000, 0, 1),
        (768_001, 16000, 1),
        (48000, 16000, 0),
        (48000, 16000, 65),
        (1, 768_000, 1),
        (768_000, 1, 1),
    ];
    for (fin, fout, ch) in bad {
        let err = StreamResampler::new(fin, fout, ch, Quality::Medium)
            .err()
            .unwrap();
        assert!(
            matches!(
                err,
                EngineError::InvalidArgument(_) | EngineError::OutOfRange(_)
            ),
            "{err:?}"
        );
    }
    let mut r = StreamResampler::new(48000, 16000, 2, Quality::Low).unwrap();
    assert!(matches!(
        r.push(&[1, 2, 3]),
        Err(EngineError::InvalidArgument(_))
    ));
}

#[test]
fn extreme_rates_work() {
    // Ratios up to MAX_RATIO (96); `tests/limits.rs` covers the rejected ones.
    for &(fin, fout) in &[
        (1u32, 96u32),
        (96, 1),
        (8000, 768_000),
        (768_000, 8000),
        (767_999, 768_000),
        (1, 2),
        (3, 1),
        (7, 1),
    ] {
        for &q in &[Quality::Quick, Quality::Medium, Quality::VeryHigh] {
            let frames = (fin as usize / 10).max(3);
            let input = vec![500i16; frames];
            let out = run_chunked(&input, 1, (fin, fout), q, &[frames.div_ceil(3)]);
            assert_eq!(
                out.len() as u64,
                expected_len(frames as u64, (fin, fout)),
                "{q:?} {fin}->{fout}"
            );
        }
    }
}
