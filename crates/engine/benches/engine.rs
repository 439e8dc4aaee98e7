//! The engine alone: `StreamResampler::push` per 10 ms frame, at the cases of
//! `npm run bench`, so the Node binding's own cost per push can be read off
//! (bench/run.js picks these estimates up from target/criterion/).
//!
//! Run: `npm run bench:engine`, i.e.
//! `cargo bench -p rtc-resampler-engine --bench engine`
//! (append `-- --quick` for a short run).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use rtc_resampler_engine::{Quality, StreamResampler};

const CASES: [(u32, u32, usize); 5] = [
    (48000, 16000, 1),
    (16000, 48000, 1),
    (24000, 48000, 1),
    (24000, 16000, 1),
    (44100, 48000, 2),
];

/// `count` distinct 10 ms frames of noise plus a tone (as bench/libs.js makes).
fn frames(rate: u32, channels: usize, count: usize) -> Vec<Vec<i16>> {
    let per_channel = (rate / 100) as usize;
    let mut seed: u32 = 12345;
    let mut t = 0usize;
    (0..count)
        .map(|_| {
            let mut data = Vec::with_capacity(per_channel * channels);
            for _ in 0..per_channel {
                let tone = (2.0 * std::f64::consts::PI * 440.0 * t as f64 / rate as f64).sin();
                t += 1;
                for _ in 0..channels {
                    seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                    let noise = seed as f64 / 4294967296.0 - 0.5;
                    data.push((tone * 8000.0 + noise * 4000.0).round() as i16);
                }
            }
            data
        })
        .collect()
}

fn push_10ms(c: &mut Criterion) {
    let mut group = c.benchmark_group("push_10ms");
    for quality in [Quality::Medium, Quality::Quick] {
        for (input_rate, output_rate, channels) in CASES {
            let input = frames(input_rate, channels, 100);
            let mut r = StreamResampler::new(input_rate, output_rate, channels, quality).unwrap();
            let id = format!(
                "{}_{input_rate}_{output_rate}_{channels}ch",
                quality.name().to_lowercase()
            );
            let mut i = 0usize;
            group.bench_function(&id, |b| {
                b.iter(|| {
                    let out = r.push(black_box(&input[i % input.len()])).unwrap();
                    i += 1;
                    black_box(out.len())
                })
            });
        }
    }
    group.finish();
}

fn create_push_drop(c: &mut Criterion) {
    let mut group = c.benchmark_group("create_push_drop");
    for (input_rate, output_rate, channels) in [(48000, 16000, 1), (44100, 48000, 2)] {
        let input = frames(input_rate, channels, 1);
        let id = format!("medium_{input_rate}_{output_rate}_{channels}ch");
        group.bench_function(&id, |b| {
            b.iter(|| {
                let mut r =
                    StreamResampler::new(input_rate, output_rate, channels, Quality::Medium)
                        .unwrap();
                black_box(r.push(black_box(&input[0])).unwrap().len())
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = push_10ms, create_push_drop
}
criterion_main!(benches);
