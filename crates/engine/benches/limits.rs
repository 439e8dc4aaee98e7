//! Measurement tool (not a criterion bench): cost of the extreme accepted
//! configurations. `cargo bench -p rtc-resampler-engine --bench limits [-- channels]`.
//!
//! For every pair of the rates 1, 7, 8000, 44100, 767999 and 768000 within
//! `MAX_RATIO` (plus the realistic pairs at the ratio limit), every preset and
//! 1 and 64 channels (or the given count), prints:
//!
//! * `new ms`: construction time (median of 3);
//! * `peak MB`: heap allocated during construction (counting global allocator);
//! * `mem MB`: `memory_bytes()` after construction, and after the pushes below;
//! * `push ms`: the slowest of 20 consecutive 10 ms pushes (at least 1 frame);
//! * `flush ms`: `flush()` after a single 1-frame push on a new resampler;
//! * `work`: output frames the core computed in that flush, per frame returned.
//!
//! Pairs beyond `MAX_RATIO` are listed with the time their rejection took.
//! `crates/engine/tests/limits.rs` asserts the bounds; this prints the figures quoted in
//! docs/reliability.md. Rows are sorted by the slowest call, worst last.

use rtc_resampler_engine::{Quality, StreamResampler, MAX_RATIO};
use std::time::Instant;

#[path = "../tests/common/alloc.rs"]
mod alloc;

const RATES: [u32; 6] = [1, 7, 8000, 44100, 767_999, 768_000];
/// Realistic pairs at (or next to) the ratio limit, and the largest sinc tables.
const EXTRA: [(u32, u32); 8] = [
    (8000, 768_000),
    (768_000, 8000),
    (7999, 767_904),
    (767_904, 7999),
    (1, 96),
    (96, 1),
    (7, 672),
    (672, 7),
];

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench` passes `--bench`; the arguments are the others.
    let channel_counts: Vec<usize> = match std::env::args().skip(1).find(|a| !a.starts_with("--")) {
        Some(c) => vec![c.parse().expect("channels")],
        None => vec![1, 64],
    };
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for &a in &RATES {
        for &b in &RATES {
            if a != b {
                pairs.push((a, b));
            }
        }
    }
    pairs.extend(EXTRA);
    let mut rows = Vec::new();
    for &(fin, fout) in &pairs {
        let (hi, lo) = (fin.max(fout) as u64, fin.min(fout) as u64);
        if hi > MAX_RATIO as u64 * lo {
            let t = Instant::now();
            let err = StreamResampler::new(fin, fout, 64, Quality::VeryHigh).err();
            println!(
                "{fin:>6} -> {fout:<6} rejected in {:.3} ms: {}",
                ms(t),
                err.map(|e| e.to_string()).unwrap_or_default()
            );
            continue;
        }
        for &ch in &channel_counts {
            for q in Quality::ALL {
                let mut new_ms = Vec::new();
                let mut peak = 0isize;
                let mut mem0 = 0;
                for _ in 0..3 {
                    let base = alloc::reset_peak();
                    let t = Instant::now();
                    let r = StreamResampler::new(fin, fout, ch, q).unwrap();
                    new_ms.push(ms(t));
                    peak = peak.max(alloc::peak_bytes() - base);
                    mem0 = r.memory_bytes();
                }
                new_ms.sort_by(f64::total_cmp);
                let mut r = StreamResampler::new(fin, fout, ch, q).unwrap();
                let frames = (fin as usize / 100).max(1);
                let input: Vec<i16> = (0..frames * ch)
                    .map(|i| ((i * 7919) % 20000) as i16 - 10000)
                    .collect();
                let mut push_ms: f64 = 0.0;
                for _ in 0..20 {
                    let t = Instant::now();
                    std::hint::black_box(r.push(&input).unwrap());
                    push_ms = push_ms.max(ms(t));
                }
                let mem1 = r.memory_bytes();
                let mut f = StreamResampler::new(fin, fout, ch, q).unwrap();
                f.push(&input[..ch]).unwrap();
                let before = f.computed_frames();
                let t = Instant::now();
                let tail = f.flush().unwrap().len() / ch;
                let flush_ms = ms(t);
                let work = f.computed_frames() - before;
                rows.push((
                    push_ms.max(flush_ms).max(new_ms[1]),
                    format!(
                        "{fin:>6} -> {fout:<6} {ch:>2} ch {:9}  new {:6.2} ms  peak {:6.2} MB  \
                         mem {:6.2} / {:6.2} MB  push {:7.2} ms  flush {:7.2} ms  \
                         work {work} for {tail}  {}",
                        q.name(),
                        new_ms[1],
                        peak as f64 / 1048576.0,
                        mem0 as f64 / 1048576.0,
                        mem1 as f64 / 1048576.0,
                        push_ms,
                        flush_ms,
                        r.describe()
                    ),
                ));
            }
        }
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, row) in rows {
        println!("{row}");
    }
}
