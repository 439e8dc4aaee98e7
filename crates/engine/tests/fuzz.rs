//! Bounded randomized testing of the engine ("fuzzing" without a fuzzer dependency).
//!
//! Each configuration draws a rate pair (common rates, random integers in
//! [1000, 384000], or the extremes: [1, 999] and [384001, 768000]), 1-8 channels
//! and a preset. Pairs beyond `MAX_RATIO` must be rejected with
//! `EngineError::OutOfRange` (checked, then another pair is drawn). Two resamplers of that
//! configuration process the same sequence of segments (each segment ends with
//! `flush()`), split into pushes of random sizes from 0 frames to 1 s, with
//! different splits. The second one first processes and flushes an unrelated
//! segment, so every comparison is also "reused after flush == fresh".
//!
//! Checked per segment: no panic and no error, every push returns whole frames,
//! the segment's total output is exactly `round(n * out / in)` frames, and the
//! two outputs are bit-identical. Before every push and flush, what the call
//! reserves is within `max_output_frames` (the bound `push_into` relies on).
//!
//! Formats: a third resampler (`PcmResampler`) of the same configuration, with
//! `s16` or `f32` input (the same samples) and a random output format, runs
//! every segment through `push_into`/`flush_into` with its own random split into
//! buffers of exactly `max_output_frames`; its output must be `a`'s converted
//! (`f32` output rounded by the s16 rule, G.711 the encoded `s16`).
//!
//! Environment:
//! * `FUZZ_SEGMENTS` — number of checked segments (default 10,000, the CI run);
//! * `FUZZ_SEED` — base seed (default fixed, so CI is reproducible);
//! * `FUZZ_WORK` — cap on a `max_ms` segment's cost in channel × tap × frame units
//!   (default 2e6); the long segments get a proportionally larger cap;
//! * `FUZZ_MAX_MS` — longest segment in ms (default 20, and 1 s for one segment in 64;
//!   the long run uses 1000).
//!
//! `tools/fuzz-long.sh` runs it with ≥ 1M pushes in release mode.

mod common;
use common::Rng;
use rtc_resampler_engine::g711::{alaw_encode, mulaw_encode};
use rtc_resampler_engine::{
    f32_to_s16, EngineError, Input, OutputMut, PcmResampler, Quality, SampleFormat,
    StreamResampler, MAX_RATE, MAX_RATIO,
};

const COMMON_RATES: &[u32] = &[
    8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192000,
];

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn pick_rate(rng: &mut Rng) -> u32 {
    match rng.below(8) {
        0..=3 => COMMON_RATES[rng.below(COMMON_RATES.len() as u64) as usize],
        4 | 5 => 1000 + rng.below(384_000 - 1000 + 1) as u32,
        6 => 1 + rng.below(999) as u32,
        _ => 384_001 + rng.below((MAX_RATE - 384_000) as u64) as u32,
    }
}

/// A rate pair within `MAX_RATIO`; every pair drawn beyond it must be rejected.
fn pick_pair(rng: &mut Rng, rejected: &mut u64) -> (u32, u32) {
    loop {
        let (fin, fout) = (pick_rate(rng), pick_rate(rng));
        if fin.max(fout) as u64 <= MAX_RATIO as u64 * fin.min(fout) as u64 {
            return (fin, fout);
        }
        let err = StreamResampler::new(fin, fout, 1, Quality::Medium).err();
        assert!(
            matches!(err, Some(EngineError::OutOfRange(_))),
            "{fin}->{fout} beyond the ratio limit: {err:?}"
        );
        *rejected += 1;
    }
}

/// Log-uniform size in [0, max] with extra weight on the edges (0, 1, max).
fn pick_size(rng: &mut Rng, max: usize) -> usize {
    match rng.below(16) {
        0 => 0,
        1 => 1.min(max),
        2 => max,
        _ => {
            let bits = 64 - (max as u64).leading_zeros() as u64;
            let b = rng.below(bits + 1);
            (rng.below(1u64 << b) as usize).min(max)
        }
    }
}

/// A random test signal: noise at a random level, a sine, silence, impulses or full-scale clipping noise.
fn make_signal(rng: &mut Rng, frames: usize, channels: usize) -> Vec<i16> {
    let n = frames * channels;
    match rng.below(5) {
        0 => vec![0; n],
        1 => {
            let mut v = vec![0i16; n];
            for _ in 0..=rng.below(4) {
                if n > 0 {
                    let i = rng.below(n as u64) as usize;
                    v[i] = if rng.below(2) == 0 {
                        i16::MAX
                    } else {
                        i16::MIN
                    };
                }
            }
            v
        }
        2 => {
            let step = 0.001 + (rng.below(1000) as f64) / 1000.0 * 3.0;
            (0..n)
                .map(|i| ((i / channels) as f64 * step).sin() * 32767.0)
                .map(|x| x.round() as i16)
                .collect()
        }
        3 => (0..n)
            .map(|_| {
                if rng.below(2) == 0 {
                    i16::MAX
                } else {
                    i16::MIN
                }
            })
            .collect(),
        _ => {
            let shift = rng.below(15) as u32;
            (0..n).map(|_| (rng.next() as i16) >> shift).collect()
        }
    }
}

/// Pushes `input` in random pieces of 0 to `max_push` frames; returns the concatenated
/// output including the flush, checking whole-frame outputs. Counts pushes.
fn run_segment(
    r: &mut StreamResampler,
    input: &[i16],
    channels: usize,
    max_push: usize,
    rng: &mut Rng,
    pushes: &mut u64,
    ctx: &dyn Fn() -> String,
) -> Vec<i16> {
    let frames = input.len() / channels;
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let n = pick_size(rng, max_push).min(frames - pos);
        let bound = r.max_output_frames(n) * channels as u64;
        let reserved = r.max_push_output_samples(n * channels);
        assert!(
            reserved <= bound,
            "push of {n} may return {reserved} samples > max_output_frames {bound} [{}]",
            ctx()
        );
        let got = r
            .push(&input[pos * channels..(pos + n) * channels])
            .unwrap_or_else(|e| panic!("push of {n} frames failed: {e} [{}]", ctx()));
        assert_eq!(
            got.len() % channels,
            0,
            "partial frame from push [{}]",
            ctx()
        );
        out.extend_from_slice(got);
        *pushes += 1;
        pos += n;
        if pos == frames && rng.below(3) != 0 {
            break;
        }
    }
    let bound = r.max_output_frames(0) * channels as u64;
    let reserved = r.max_flush_output_samples();
    assert!(
        reserved <= bound,
        "flush may return {reserved} samples > max_output_frames(0) {bound} [{}]",
        ctx()
    );
    let tail = r
        .flush()
        .unwrap_or_else(|e| panic!("flush failed: {e} [{}]", ctx()));
    assert_eq!(
        tail.len() % channels,
        0,
        "partial frame from flush [{}]",
        ctx()
    );
    out.extend_from_slice(tail);
    out
}

/// `input` through `push_into`/`flush_into` of `r` (input `s16` or `f32`),
/// in random pieces, each into a buffer of exactly `max_output_frames`;
/// returns the output as `s16` (f32 rounded by the rule, G.711 checked
/// against the encoded `s16` and returned as that `s16`).
fn run_segment_into(
    r: &mut PcmResampler,
    input: &[i16],
    channels: usize,
    max_push: usize,
    rng: &mut Rng,
    ctx: &dyn Fn() -> String,
) -> (Vec<i16>, Vec<u8>) {
    let as_f32: Vec<f32> = if r.input_format() == SampleFormat::F32 {
        input.iter().map(|&x| x as f32 / 32768.0).collect()
    } else {
        Vec::new()
    };
    let frames = input.len() / channels;
    let (mut s16, mut f32s, mut codes) = (Vec::new(), Vec::new(), Vec::new());
    let mut pos = 0;
    let mut last = false;
    loop {
        let n = if last {
            0
        } else {
            pick_size(rng, max_push).min(frames - pos)
        };
        let room = r.max_output_frames(n) as usize * channels;
        let mut b16 = vec![0i16; room];
        let mut b32 = vec![0f32; room];
        let mut b8 = vec![0u8; room];
        let out = match r.output_format() {
            SampleFormat::S16 => OutputMut::S16(&mut b16),
            SampleFormat::F32 => OutputMut::F32(&mut b32),
            SampleFormat::Mulaw => OutputMut::Mulaw(&mut b8),
            SampleFormat::Alaw => OutputMut::Alaw(&mut b8),
        };
        let got = if last {
            r.flush_into(out)
        } else {
            let (a, b) = (pos * channels, (pos + n) * channels);
            let data = if r.input_format() == SampleFormat::S16 {
                Input::S16(&input[a..b])
            } else {
                Input::F32(&as_f32[a..b])
            };
            r.push_into(data, out)
        }
        .unwrap_or_else(|e| panic!("push_into/flush_into failed: {e} [{}]", ctx()));
        let k = got * channels;
        s16.extend_from_slice(&b16[..k]);
        f32s.extend_from_slice(&b32[..k]);
        codes.extend_from_slice(&b8[..k]);
        if last {
            break;
        }
        pos += n;
        last = pos == frames && rng.below(3) != 0;
    }
    match r.output_format() {
        SampleFormat::S16 => (s16, codes),
        SampleFormat::F32 => (f32s.iter().map(|&x| f32_to_s16(x)).collect(), codes),
        _ => (Vec::new(), codes),
    }
}

#[test]
fn random_configurations_keep_length_and_chunking_invariance() {
    let segments_wanted = env_u64("FUZZ_SEGMENTS", 10_000);
    let seed = env_u64("FUZZ_SEED", 0x5eed_2026);
    let max_ms = env_u64("FUZZ_MAX_MS", 20).clamp(1, 1000);
    let work = env_u64("FUZZ_WORK", 2_000_000);
    let mut rng = Rng(seed | 1);
    let (mut segments, mut pushes, mut configs, mut frames_total) = (0u64, 0u64, 0u64, 0u64);
    let mut rejected = 0u64;
    let started = std::time::Instant::now();
    while segments < segments_wanted {
        configs += 1;
        let (fin, fout) = pick_pair(&mut rng, &mut rejected);
        let channels = 1 + rng.below(8) as usize;
        let quality = Quality::ALL[rng.below(5) as usize];
        let cfg = format!("seed {seed} config {configs}: {fin}->{fout} ch {channels} {quality:?}");
        let mut a = StreamResampler::new(fin, fout, channels, quality)
            .unwrap_or_else(|e| panic!("new failed: {e} [{cfg}]"));
        let mut b = StreamResampler::new(fin, fout, channels, quality).unwrap();
        let in_format = [SampleFormat::S16, SampleFormat::F32][rng.below(2) as usize];
        let out_format = SampleFormat::ALL[rng.below(4) as usize];
        let mut c = PcmResampler::new(fin, fout, channels, quality, in_format, out_format).unwrap();
        // Bound the run time: a configuration's cost per input frame is about
        // channels × taps × max(1, ratio). Segments are up to `max_ms` long (1 s for
        // one in 64) but shorter for expensive configurations, which also get fewer
        // segments (each flush and restart costs about a filter length of work).
        // A sinc core names its taps at the input rate ("sinc len N ..."):
        // count them at the lower rate.
        let taps = match a.describe().strip_prefix("sinc len ") {
            Some(rest) => {
                let len: f64 = rest.split_whitespace().next().unwrap().parse().unwrap();
                len / (fin as f64 / fout as f64).max(1.0)
            }
            None => 16.0,
        };
        let cost = channels as f64 * taps * (fout as f64 / fin as f64).max(1.0);
        let per_channel = |ms: u64| {
            let by_time = fin as f64 * ms as f64 / 1000.0;
            let by_work = work as f64 * ms as f64 / max_ms as f64 / cost;
            by_time.min(by_work).max(1.0) as usize
        };
        let max_push = fin as usize; // pushes may be up to 1 s

        // `b` starts with an unrelated segment, flushed and discarded.
        let junk_frames = pick_size(&mut rng, per_channel(max_ms));
        let junk = make_signal(&mut rng, junk_frames, channels);
        let mut ignored = 0;
        run_segment(
            &mut b,
            &junk,
            channels,
            max_push,
            &mut rng,
            &mut ignored,
            &|| cfg.clone(),
        );

        let per_config = 20 + rng.below(100);
        let per_config = ((per_config as f64 * (2000.0 / cost).min(1.0)) as u64).max(2);
        for seg in 0..per_config {
            if segments == segments_wanted {
                break;
            }
            let long = rng.below(64) == 0;
            let frames = pick_size(&mut rng, per_channel(if long { 1000 } else { max_ms }));
            let input = make_signal(&mut rng, frames, channels);
            let ctx = || format!("{cfg} segment {seg} of {frames} frames");
            let out_a = run_segment(
                &mut a,
                &input,
                channels,
                max_push,
                &mut rng,
                &mut pushes,
                &ctx,
            );
            let out_b = run_segment(
                &mut b,
                &input,
                channels,
                max_push,
                &mut rng,
                &mut pushes,
                &ctx,
            );
            let (out_c, codes) =
                run_segment_into(&mut c, &input, channels, max_push, &mut rng, &ctx);
            // Equal rates: `PcmResampler` converts only (StreamResampler filters).
            let want_c = if fin == fout { &input } else { &out_a };
            match out_format {
                SampleFormat::Mulaw => {
                    let want: Vec<u8> = want_c.iter().map(|&x| mulaw_encode(x)).collect();
                    assert!(codes == want, "μ-law output differs [{}]", ctx());
                }
                SampleFormat::Alaw => {
                    let want: Vec<u8> = want_c.iter().map(|&x| alaw_encode(x)).collect();
                    assert!(codes == want, "A-law output differs [{}]", ctx());
                }
                _ => assert!(
                    &out_c == want_c,
                    "{in_format:?} -> {out_format:?} push_into output differs [{}]",
                    ctx()
                ),
            }
            let expected = (frames as u64 * fout as u64 + fin as u64 / 2) / fin as u64;
            assert_eq!(
                out_a.len() as u64,
                expected * channels as u64,
                "length [{}]",
                ctx()
            );
            if out_a != out_b {
                let first = out_a
                    .iter()
                    .zip(&out_b)
                    .position(|(x, y)| x != y)
                    .unwrap_or(0);
                panic!(
                    "outputs differ for different push sizes at sample {first}: {} vs {} [{}]",
                    out_a[first],
                    out_b[first],
                    ctx()
                );
            }
            segments += 1;
            frames_total += frames as u64;
            if segments % (segments_wanted / 10).max(1) == 0 {
                eprintln!(
                    "fuzz progress: {segments} segments, {pushes} pushes, {configs} configurations, {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    println!(
        "fuzz: {segments} segments, {pushes} pushes, {configs} configurations \
         ({rejected} pairs beyond the ratio limit rejected), {frames_total} input frames, \
         seed {seed}, max {max_ms} ms, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
