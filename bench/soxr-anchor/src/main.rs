//! Measurement tool: the engine against native libsoxr, side by side in one
//! process, per 10 ms push.
//!
//! `cargo run --release --manifest-path bench/soxr-anchor/Cargo.toml [-- s16|f32]`
//! (needs the system libsoxr: `apt-get install libsoxr-dev pkg-config`).
//!
//! Both sides get the same signal in 10 ms pushes and write into a caller's
//! buffer, interleaved, in each format in turn: `s16` in and out, as rtc-node
//! runs libsoxr (there with TPDF dither, here without, as the engine rounds),
//! then `f32` in and out (libsoxr's native format). libsoxr runs on one thread with
//! its linear-phase recipes MQ, HQ and VHQ. Rounds alternate the candidates, so
//! a noisy moment on a shared machine hits all of them; each time is the
//! median of the rounds, and the fastest round (the least disturbed) is printed
//! below the table. The lag is the audio held back after each push,
//! `n_in · ratio − n_out`, as in docs/quality.md, measured in steady state.

use std::hint::black_box;
use std::os::raw::{c_uint, c_ulong};
use std::time::Instant;

use libsoxr_sys as sx;
use rtc_resampler_engine::{Input, OutputMut, Quality, StreamResampler};

/// (input rate, output rate, channels, our preset); libsoxr runs all three recipes.
const CASES: [(u32, u32, usize, Quality); 7] = [
    (24000, 48000, 1, Quality::Medium),
    (48000, 16000, 1, Quality::Medium),
    (16000, 48000, 1, Quality::Medium),
    (8000, 16000, 1, Quality::Medium),
    (24000, 8000, 1, Quality::Medium),
    (44100, 48000, 2, Quality::Medium),
    (44100, 48000, 2, Quality::High),
];
const RECIPES: [(&str, u32); 3] = [
    ("MQ", sx::SOXR_MQ),
    ("HQ", sx::SOXR_HQ),
    ("VHQ", sx::SOXR_VHQ),
];
const ROUNDS: usize = 21;
const PUSHES: usize = 1000;
/// Distinct 10 ms frames cycled through.
const FRAMES: usize = 100;
/// Pushes before the lag is read (start-up), then pushes it is read over.
const LAG_SKIP: usize = 100;
const LAG_PUSHES: usize = 500;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    F32,
    S16,
}

/// One 10 ms push in both formats (the `f32` samples are the `s16` ones / 32768).
struct Frame {
    s16: Vec<i16>,
    f32: Vec<f32>,
}

/// `count` distinct 10 ms frames of noise plus a tone (as the engine bench makes).
fn frames(rate: u32, channels: usize, count: usize) -> Vec<Frame> {
    let per_channel = (rate / 100) as usize;
    let mut seed: u32 = 12345;
    let mut t = 0usize;
    (0..count)
        .map(|_| {
            let mut s16 = Vec::with_capacity(per_channel * channels);
            for _ in 0..per_channel {
                let tone = (2.0 * std::f64::consts::PI * 440.0 * t as f64 / rate as f64).sin();
                t += 1;
                for _ in 0..channels {
                    seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                    let noise = seed as f64 / 4294967296.0 - 0.5;
                    s16.push((tone * 8000.0 + noise * 4000.0).round() as i16);
                }
            }
            let f32 = s16.iter().map(|&s| s as f32 / 32768.0).collect();
            Frame { s16, f32 }
        })
        .collect()
}

/// A resampler fed one frame per call; returns the output frames of the push.
trait Candidate {
    fn push(&mut self, frame: &Frame) -> usize;
}

struct Ours {
    r: StreamResampler,
    format: Format,
    out_s16: Vec<i16>,
    out_f32: Vec<f32>,
}

impl Ours {
    fn new(input_rate: u32, output_rate: u32, channels: usize, q: Quality, format: Format) -> Ours {
        let r = StreamResampler::new(input_rate, output_rate, channels, q).unwrap();
        let room = r.max_output_frames((input_rate / 100) as usize) as usize * channels;
        Ours {
            r,
            format,
            out_s16: vec![0; room],
            out_f32: vec![0.0; room],
        }
    }
}

impl Candidate for Ours {
    fn push(&mut self, frame: &Frame) -> usize {
        match self.format {
            Format::F32 => self
                .r
                .push_into(Input::F32(&frame.f32), OutputMut::F32(&mut self.out_f32)),
            Format::S16 => self
                .r
                .push_into(Input::S16(&frame.s16), OutputMut::S16(&mut self.out_s16)),
        }
        .unwrap()
    }
}

struct Soxr {
    h: sx::soxr_t,
    channels: usize,
    format: Format,
    out_s16: Vec<i16>,
    out_f32: Vec<f32>,
}

impl Soxr {
    fn new(
        input_rate: u32,
        output_rate: u32,
        channels: usize,
        recipe: u32,
        format: Format,
    ) -> Soxr {
        let data_type = match format {
            Format::F32 => sx::SOXR_FLOAT32_I,
            Format::S16 => sx::SOXR_INT16_I,
        };
        let mut error: sx::soxr_error_t = std::ptr::null();
        // SAFETY: plain C constructors; the specs are copied by soxr_create.
        let h = unsafe {
            let mut io = sx::soxr_io_spec(data_type, data_type);
            // The engine rounds to s16; TPDF dither would add work and noise it does not.
            io.flags |= sx::SOXR_NO_DITHER as c_ulong;
            let quality = sx::soxr_quality_spec(recipe as c_ulong, 0);
            let runtime = sx::soxr_runtime_spec(1);
            sx::soxr_create(
                input_rate as f64,
                output_rate as f64,
                channels as c_uint,
                &mut error,
                &io,
                &quality,
                &runtime,
            )
        };
        assert!(error.is_null() && !h.is_null(), "soxr_create failed");
        // Room for any burst: libsoxr works in blocks of a few thousand frames.
        let room = (output_rate as usize / 100 + 16384) * channels;
        Soxr {
            h,
            channels,
            format,
            out_s16: vec![0; room],
            out_f32: vec![0.0; room],
        }
    }

    fn engine(&self) -> String {
        // SAFETY: a static C string owned by libsoxr.
        unsafe { std::ffi::CStr::from_ptr(sx::soxr_engine(self.h)) }
            .to_string_lossy()
            .into_owned()
    }

    /// `soxr_delay()`: output frames held back now.
    fn delay(&self) -> f64 {
        // SAFETY: a live handle.
        unsafe { sx::soxr_delay(self.h) }
    }
}

impl Candidate for Soxr {
    fn push(&mut self, frame: &Frame) -> usize {
        let (input, output, ilen, olen) = match self.format {
            Format::F32 => (
                frame.f32.as_ptr().cast(),
                self.out_f32.as_mut_ptr().cast(),
                frame.f32.len() / self.channels,
                self.out_f32.len() / self.channels,
            ),
            Format::S16 => (
                frame.s16.as_ptr().cast(),
                self.out_s16.as_mut_ptr().cast(),
                frame.s16.len() / self.channels,
                self.out_s16.len() / self.channels,
            ),
        };
        let (mut idone, mut odone) = (0usize, 0usize);
        // SAFETY: the buffers hold ilen and olen frames of the handle's format.
        let error =
            unsafe { sx::soxr_process(self.h, input, ilen, &mut idone, output, olen, &mut odone) };
        assert!(
            error.is_null() && idone == ilen,
            "soxr_process failed or left input"
        );
        odone
    }
}

impl Drop for Soxr {
    fn drop(&mut self) {
        // SAFETY: created by soxr_create, deleted once.
        unsafe { sx::soxr_delete(self.h) }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Lag after each push in steady state, ms: (average, max). Uses a fresh
/// resampler so the timing runs do not move its start.
fn lag_ms(c: &mut dyn Candidate, input: &[Frame], input_rate: u32, output_rate: u32) -> (f64, f64) {
    let ratio = output_rate as f64 / input_rate as f64;
    let (mut frames_in, mut frames_out) = (0u64, 0u64);
    let (mut sum, mut max) = (0.0f64, f64::MIN);
    let per_push = (input_rate / 100) as u64;
    for i in 0..LAG_SKIP + LAG_PUSHES {
        frames_out += c.push(&input[i % input.len()]) as u64;
        frames_in += per_push;
        if i >= LAG_SKIP {
            let lag = (frames_in as f64 * ratio - frames_out as f64) * 1000.0 / output_rate as f64;
            sum += lag;
            max = max.max(lag);
        }
    }
    (sum / LAG_PUSHES as f64, max)
}

/// Average of `soxr_delay()` after each push in steady state, ms.
fn soxr_delay_ms(s: &mut Soxr, input: &[Frame], output_rate: u32) -> f64 {
    let mut sum = 0.0;
    for i in 0..LAG_SKIP + LAG_PUSHES {
        s.push(&input[i % input.len()]);
        if i >= LAG_SKIP {
            sum += s.delay();
        }
    }
    sum / LAG_PUSHES as f64 * 1000.0 / output_rate as f64
}

fn main() {
    let formats: Vec<Format> = match std::env::args().nth(1).as_deref() {
        None => vec![Format::S16, Format::F32],
        Some("s16") => vec![Format::S16],
        Some("f32") => vec![Format::F32],
        Some(other) => panic!("unknown format {other:?}: s16 or f32 (default: both)"),
    };
    // SAFETY: a static C string owned by libsoxr.
    let version = unsafe { std::ffi::CStr::from_ptr(sx::soxr_version()) }.to_string_lossy();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for (input_rate, output_rate, channels, quality) in CASES {
        for &format in &formats {
            let (row, note) = measure(input_rate, output_rate, channels, quality, format);
            rows.push(row);
            notes.push(note);
        }
    }
    println!(
        "µs per 10 ms push, in and out in the format named, median of {ROUNDS} interleaved rounds × {PUSHES} pushes; \
         lag = audio held back after each push, avg / max ms over {LAG_PUSHES} pushes after {LAG_SKIP}; \
         libsoxr {version}, one thread, linear phase, no dither\n"
    );
    println!("| case | format | ours µs (preset) | ours lag ms | soxr MQ µs | lag | soxr HQ µs | lag | soxr VHQ µs | lag | ours / MQ | ours / HQ |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!();
    for note in notes {
        println!("{note}");
    }
}

/// One case in one format: its table row and its note.
fn measure(
    input_rate: u32,
    output_rate: u32,
    channels: usize,
    quality: Quality,
    format: Format,
) -> (String, String) {
    let format_name = if format == Format::F32 { "f32" } else { "s16" };
    let input = frames(input_rate, channels, FRAMES);
    let mut ours = Ours::new(input_rate, output_rate, channels, quality, format);
    let mut soxrs: Vec<Soxr> = RECIPES
        .iter()
        .map(|&(_, recipe)| Soxr::new(input_rate, output_rate, channels, recipe, format))
        .collect();
    let mut us = vec![Vec::new(); 1 + soxrs.len()];
    for round in 0..ROUNDS {
        let mut order: Vec<usize> = (0..us.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for k in order {
            let c: &mut dyn Candidate = if k == 0 { &mut ours } else { &mut soxrs[k - 1] };
            let t = Instant::now();
            for i in 0..PUSHES {
                black_box(c.push(black_box(&input[i % FRAMES])));
            }
            us[k].push(t.elapsed().as_secs_f64() * 1e6 / PUSHES as f64);
        }
    }
    let times: Vec<f64> = us.iter_mut().map(|v| median(v)).collect();
    // `median` sorted each list: the fastest round is the least disturbed one.
    let fastest: Vec<String> = us.iter().map(|v| format!("{:.2}", v[0])).collect();
    let mut lags = vec![lag_ms(
        &mut Ours::new(input_rate, output_rate, channels, quality, format),
        &input,
        input_rate,
        output_rate,
    )];
    let mut delays = Vec::new();
    for &(_, recipe) in &RECIPES {
        let mut fresh = Soxr::new(input_rate, output_rate, channels, recipe, format);
        lags.push(lag_ms(&mut fresh, &input, input_rate, output_rate));
        let mut fresh = Soxr::new(input_rate, output_rate, channels, recipe, format);
        delays.push(soxr_delay_ms(&mut fresh, &input, output_rate));
    }
    let case = format!(
        "{}k→{}k {}",
        input_rate as f64 / 1000.0,
        output_rate as f64 / 1000.0,
        if channels == 1 { "mono" } else { "stereo" }
    );
    let lag = |(avg, max): (f64, f64)| format!("{avg:.1} / {max:.1}");
    let mut row = format!(
        "| {case} | {format_name} | {:.2} ({}) | {} |",
        times[0],
        quality.name(),
        lag(lags[0])
    );
    for k in 1..times.len() {
        row += &format!(" {:.2} | {} |", times[k], lag(lags[k]));
    }
    row += &format!(" {:.2} | {:.2} |", times[0] / times[1], times[0] / times[2]);
    let engines: Vec<String> = soxrs.iter().map(|s| format!("`{}`", s.engine())).collect();
    let delays: Vec<String> = delays.iter().map(|d| format!("{d:.1}")).collect();
    let note = format!(
        "- {case} {format_name}, {}: fastest round µs, ours / MQ / HQ / VHQ: {}; libsoxr engines {}; \
         `soxr_delay()` avg ms {}",
        quality.name(),
        fastest.join(" / "),
        engines.join(" / "),
        delays.join(" / ")
    );
    (row, note)
}
