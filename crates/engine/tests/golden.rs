//! Golden output: a hash of every output sample and of every call's output
//! length, for a grid of configurations, checked against `golden_hashes.txt`.
//!
//! A refactoring that must not change behaviour keeps every line. A change that
//! means to alter the output re-records the file and lists, in its commit, the
//! configurations whose line changed and why:
//!
//! ```sh
//! GOLDEN_BLESS=1 cargo test -p rtc-resampler-engine --test golden
//! ```
//!
//! Each configuration (rate pair, preset, 1 or 2 channels) runs twice, `s16` in
//! and out (`push`/`flush`) and `f32` in and out (`push_as`/`flush_as`), over two
//! segments (pushes of a fixed cycle of sizes, a flush, then a shorter segment
//! and a flush, so reuse after flush is covered). The line also names the core
//! (first word of `describe()`), so a configuration that changes core shows.
//!
//! The polyphase core picks its dot-product kernel at run time (portable,
//! AVX2, AVX-512, NEON), and every kernel must give the same bits:
//! [`every_kernel_gives_the_golden_bits`] runs this test once per kernel the
//! CPU has, forced with `RTC_RESAMPLER_SIMD`. The fallback cores (rubato's
//! sinc, the FFT core) use their crates' own SIMD, whose bits may differ
//! between architectures, so the file holds one section per architecture
//! (`x86_64`, `aarch64`), each line prefixed by it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use rtc_resampler_engine::{Input, Output, Quality, SampleFormat, StreamResampler};

/// The pairs of the agents and telephony (both directions), then pairs that
/// the presets serve with a fallback core (rubato's sinc, exact or
/// interpolated, or the FFT core at high ratios).
const PAIRS: [(u32, u32); 23] = [
    (8000, 16000),
    (16000, 8000),
    (16000, 48000),
    (48000, 16000),
    (24000, 48000),
    (48000, 24000),
    (44100, 48000),
    (48000, 44100),
    (8000, 48000),
    (48000, 8000),
    (16000, 24000),
    (24000, 16000),
    (24000, 8000),
    (22050, 16000),
    (16000, 22050),
    (16000, 44099),
    (44099, 16000),
    (11025, 672),
    (96000, 8000),
    (192000, 16000),
    (11025, 192000),
    (11025, 768000),
    (768000, 48000),
];

/// Input frames per push, cycled (0 included: an empty push is a valid call).
const PUSH_FRAMES: [usize; 11] = [0, 1, 7, 160, 441, 3, 480, 1024, 2, 997, 4096];

fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= b as u64;
        *hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// `frames` frames of a sweep plus noise, different on each channel, in ±0.95.
fn signal(frames: usize, channels: usize, rate: u32, seed: u32) -> Vec<f32> {
    let mut s = seed | 1;
    let mut out = Vec::with_capacity(frames * channels);
    for n in 0..frames {
        let t = n as f64 / rate as f64;
        for c in 0..channels {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = ((s >> 8) as f64 / (1u64 << 24) as f64 - 0.5) * 0.3;
            // A sweep from 50 Hz up to the input Nyquist over the first 250 ms.
            let phase = std::f64::consts::TAU * (50.0 * t + rate as f64 * t * t);
            let tone = (phase + c as f64).sin() * 0.8;
            out.push((tone + noise) as f32);
        }
    }
    out
}

fn to_s16(x: &[f32]) -> Vec<i16> {
    x.iter().map(|&v| (v * 32767.0).round() as i16).collect()
}

/// Output length and hash, over every call, of one format.
struct Run {
    frames: usize,
    hash: u64,
}

impl Run {
    fn add(&mut self, out: Output<'_>, channels: usize) {
        fnv1a(&mut self.hash, &(out.len() as u64).to_le_bytes());
        match out {
            Output::S16(s) => s
                .iter()
                .for_each(|x| fnv1a(&mut self.hash, &x.to_le_bytes())),
            Output::F32(s) => s
                .iter()
                .for_each(|x| fnv1a(&mut self.hash, &x.to_bits().to_le_bytes())),
            _ => unreachable!("only s16 and f32 are hashed"),
        }
        self.frames += out.len() / channels;
    }
}

fn run(r: &mut StreamResampler, format: SampleFormat, segments: &[Vec<f32>]) -> Run {
    let ch = r.channels();
    let mut acc = Run {
        frames: 0,
        hash: FNV_OFFSET,
    };
    for x in segments {
        let s16 = to_s16(x);
        let frames = x.len() / ch;
        let (mut at, mut i) = (0, 0);
        while at < frames {
            let n = PUSH_FRAMES[i % PUSH_FRAMES.len()].min(frames - at);
            let (a, b) = (at * ch, (at + n) * ch);
            let input = match format {
                SampleFormat::S16 => Input::S16(&s16[a..b]),
                _ => Input::F32(&x[a..b]),
            };
            let out = r.push_as(input, format).unwrap();
            acc.add(out, ch);
            (at, i) = (at + n, i + 1);
        }
        let out = r.flush_as(format).unwrap();
        acc.add(out, ch);
    }
    acc
}

/// One line per configuration: name, core, then frames and hash of the `s16`
/// run and of the `f32` run.
fn current() -> BTreeMap<String, String> {
    let mut lines = BTreeMap::new();
    for (fin, fout) in PAIRS {
        for q in Quality::ALL {
            for ch in [1usize, 2] {
                let name = format!("{fin}->{fout}/{}/x{ch}", q.name());
                let segments = [
                    signal(fin as usize / 4, ch, fin, fin ^ fout),
                    signal(fin as usize / 20, ch, fin, 7),
                ];
                let mut r = StreamResampler::new(fin, fout, ch, q).unwrap();
                let core = r.describe();
                let core = core.split_whitespace().next().unwrap_or("").to_string();
                let s16 = run(&mut r, SampleFormat::S16, &segments);
                let mut r = StreamResampler::new(fin, fout, ch, q).unwrap();
                let f32 = run(&mut r, SampleFormat::F32, &segments);
                let line = format!(
                    "{core} s16 {} {:016x} f32 {} {:016x}",
                    s16.frames, s16.hash, f32.frames, f32.hash
                );
                lines.insert(name, line);
            }
        }
    }
    lines
}

/// The section this build checks: its architecture.
fn section() -> String {
    std::env::consts::ARCH.to_string()
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden_hashes.txt")
}

const HEADER: &str = "\
# Golden output of crates/engine/tests/golden.rs: section (architecture),
# configuration, core, then frames and FNV-1a 64 hash of the s16 run and of
# the f32 run. Regenerate (each run writes its architecture's section):
#   GOLDEN_BLESS=1 cargo test -p rtc-resampler-engine --test golden
";

/// The recorded lines of every section: `(section, configuration) → values`.
fn recorded(text: &str) -> BTreeMap<(String, String), String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut it = l.splitn(3, ' ');
            let (section, name) = (it.next().unwrap(), it.next().expect("a configuration"));
            let values = it.next().expect("values");
            ((section.to_string(), name.to_string()), values.to_string())
        })
        .collect()
}

#[test]
fn output_matches_the_golden_hashes() {
    // A forced kernel must be the one that runs (else this would test another).
    let simd = rtc_resampler_engine::simd();
    if let Some(requested) = &simd.requested {
        assert_eq!(
            simd.used, requested,
            "RTC_RESAMPLER_SIMD={requested} is not available here"
        );
    }
    let got = current();
    assert!(got.len() >= 160, "{} configurations", got.len());
    let (path, section) = (golden_path(), section());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut all = recorded(&text);
    if std::env::var_os("GOLDEN_BLESS").is_some_and(|v| v == "1") {
        all.retain(|(s, _), _| *s != section);
        for (name, line) in &got {
            all.insert((section.clone(), name.clone()), line.clone());
        }
        let mut text = HEADER.to_string();
        for ((s, name), line) in &all {
            writeln!(text, "{s} {name} {line}").unwrap();
        }
        std::fs::write(&path, text).unwrap();
        println!(
            "{section}: wrote {} configurations to {}",
            got.len(),
            path.display()
        );
        return;
    }
    let want: BTreeMap<&String, &String> = all
        .iter()
        .filter(|((s, _), _)| *s == section)
        .map(|((_, name), line)| (name, line))
        .collect();
    assert!(
        !want.is_empty(),
        "{}: no section {section}; record it from a commit whose output is known good \
         (GOLDEN_BLESS=1, see the module comment)",
        path.display()
    );
    let mut report = String::new();
    for (name, line) in &got {
        match want.get(name) {
            Some(w) if *w == line => {}
            Some(w) => writeln!(report, "{name}:\n  want {w}\n  got  {line}").unwrap(),
            None => writeln!(report, "{name}: not in the golden file (got {line})").unwrap(),
        }
    }
    for name in want.keys().filter(|n| !got.contains_key(**n)) {
        writeln!(report, "{name}: in the golden file, no longer run").unwrap();
    }
    assert!(
        report.is_empty(),
        "{section}: output differs from {}:\n{report}",
        path.display()
    );
}

/// [`output_matches_the_golden_hashes`] in a child process per kernel this CPU
/// runs (`RTC_RESAMPLER_SIMD`, read once per process): all give the same bits.
#[test]
fn every_kernel_gives_the_golden_bits() {
    if std::env::var_os("GOLDEN_BLESS").is_some()
        || std::env::var_os("RTC_RESAMPLER_SIMD").is_some()
    {
        return; // blessing records one run; a child must not start more children
    }
    let kernels = rtc_resampler_engine::simd().available;
    assert!(kernels.contains(&"portable"), "{kernels:?}");
    let exe = std::env::current_exe().unwrap();
    for kernel in kernels {
        let out = std::process::Command::new(&exe)
            .args([
                "output_matches_the_golden_hashes",
                "--exact",
                "--test-threads=1",
            ])
            .env("RTC_RESAMPLER_SIMD", kernel)
            .output()
            .unwrap();
        // Under a user-mode emulator (qemu-user, as in .ci/aarch64) the child
        // cannot start (it would need the emulator and its sysroot) and prints
        // nothing at all; there the engine's unit test
        // `every_kernel_gives_the_portable_bits` compares the kernels, and the
        // other test here checks the default kernel against the golden hashes.
        if !out.status.success() && out.stdout.is_empty() && out.stderr.is_empty() {
            println!(
                "{}: could not re-run itself (an emulator?); skipped",
                exe.display()
            );
            return;
        }
        assert!(
            out.status.success(),
            "kernel {kernel}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
