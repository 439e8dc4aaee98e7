//! Measurement tool (not a criterion bench): engine cost and heap of each preset.
//! `cargo bench -p rtc-resampler-engine --bench preset_cost [-- in out [quality [channels]]]`.
//!
//! Prints, per preset, the engine time per 10 ms push, mono unless `channels`
//! is given (20,000 pushes of a fixed signal through `StreamResampler`, after
//! 10 warm-up pushes) and the heap bytes the resampler holds (counting global
//! allocator; bytes allocated, whether or not the pages are ever touched, so an
//! upper bound on its RSS), and the time its first construction took (which
//! builds the filter table).

use rtc_resampler_engine::{Quality, StreamResampler};

#[path = "../tests/common/alloc.rs"]
mod alloc;

fn main() {
    // `cargo bench` passes `--bench`; the arguments are the others.
    let a: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    let pairs: Vec<(u32, u32)> = if a.len() > 2 {
        vec![(a[1].parse().unwrap(), a[2].parse().unwrap())]
    } else {
        vec![
            (48000, 16000),
            (16000, 48000),
            (44100, 48000),
            (8000, 16000),
            (48000, 8000),
        ]
    };
    let qualities: Vec<Quality> = if a.len() > 3 {
        vec![Quality::from_index(a[3].parse().unwrap()).expect("quality 0..4")]
    } else {
        Quality::ALL.to_vec()
    };
    let channels: usize = a.get(4).map_or(1, |c| c.parse().expect("channels"));
    for &(fin, fout) in &pairs {
        let x: Vec<i16> = (0..fin as usize / 100 * channels)
            .map(|i| ((i * 7919) % 2000) as i16 - 1000)
            .collect();
        for &q in &qualities {
            let before = alloc::live_bytes();
            let t0 = std::time::Instant::now();
            let mut r = StreamResampler::new(fin, fout, channels, q).unwrap();
            // The first construction of a configuration builds its filter table.
            let build_ms = t0.elapsed().as_secs_f64() * 1e3;
            for _ in 0..10 {
                r.push(&x).unwrap();
            }
            let heap = alloc::live_bytes() - before;
            let pushes = 20_000;
            let t = std::time::Instant::now();
            let mut frames = 0usize;
            for _ in 0..pushes {
                frames += r.push(&x).unwrap().len();
            }
            let us = t.elapsed().as_secs_f64() * 1e6 / pushes as f64;
            std::hint::black_box(frames);
            println!(
                "{fin}->{fout} {:9} {us:5.2} µs/push  heap {:5.1} KiB  built in {build_ms:6.2} ms  {}",
                q.name(),
                heap as f64 / 1024.0,
                r.describe()
            );
        }
    }
}
