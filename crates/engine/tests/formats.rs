//! Sample formats through the public API: G.711 over every input, the
//! f32/s16 rule on resampler output, `push_into`/`flush_into` against
//! `push_as`/`flush_as`, too-small outputs, equal rates and the one-shot `resample`.

mod common;
use common::Rng;
use rtc_resampler_engine::g711::{alaw_decode, alaw_encode, mulaw_decode, mulaw_encode};
use rtc_resampler_engine::{
    f32_to_s16, resample, EngineError, Input, Output, OutputMut, OwnedOutput, PcmResampler,
    Quality, SampleFormat, StreamResampler,
};

/// The code of the quantisation interval holding `x`, found by searching the
/// decode table (an interval is `[centre - half, centre + half)` in magnitude,
/// with `half` the half step of its segment), not by computing the segment as
/// the encoder does. As in ITU-T G.191, a negative input's magnitude is its
/// one's complement `-x - 1`, so negative intervals mirror positive ones.
fn search_code(
    x: i16,
    decode: fn(u8) -> i16,
    half_step: fn(u8) -> i32,
    positive: fn(u8) -> bool,
) -> u8 {
    let x = x as i32;
    let mag = if x < 0 { -x - 1 } else { x }.min(32635);
    let want_positive = x >= 0;
    let mut best: Option<(i32, u8)> = None;
    for code in 0..=255u8 {
        let d = decode(code) as i32;
        if positive(code) != want_positive {
            continue;
        }
        let lower = d.abs() - half_step(code);
        if lower <= mag && best.is_none_or(|(l, _)| lower > l) {
            best = Some((lower, code));
        }
    }
    best.expect("some interval starts at or below 0").1
}

#[test]
fn g711_encode_matches_an_interval_search_for_all_65536_inputs() {
    let mu_half = |c: u8| 4 << ((!c >> 4) & 7);
    let a_half = |c: u8| {
        let e = ((c ^ 0x55) >> 4) & 7;
        if e <= 1 {
            8
        } else {
            8 << (e - 1)
        }
    };
    for x in i16::MIN..=i16::MAX {
        let mu = search_code(x, mulaw_decode, mu_half, |c| c & 0x80 != 0);
        // μ-law has two zeros: small negative inputs get the negative one (0x7f).
        assert_eq!(mulaw_encode(x), mu, "μ-law {x}");
        let a = search_code(x, alaw_decode, a_half, |c| (c ^ 0x55) & 0x80 != 0);
        assert_eq!(alaw_encode(x), a, "A-law {x}");
    }
}

const PAIRS: &[(u32, u32)] = &[
    (48000, 16000),
    (8000, 16000),
    (24000, 8000),
    (44100, 48000),
    (16000, 16000),
];
const FORMATS: [SampleFormat; 4] = SampleFormat::ALL;

fn signal(frames: usize, channels: usize, seed: u64) -> Vec<i16> {
    let mut rng = Rng(seed | 1);
    (0..frames * channels)
        .map(|i| {
            let t = (i / channels) as f64;
            let v = 20000.0 * (t * 0.031 * (1 + i % channels) as f64).sin()
                + (rng.below(8000) as f64 - 4000.0);
            v.clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

/// `x` in `format` (f32: x / 32768; G.711: encoded).
fn encode(x: &[i16], format: SampleFormat) -> Owned {
    match format {
        SampleFormat::S16 => Owned::S16(x.to_vec()),
        SampleFormat::F32 => Owned::F32(x.iter().map(|&v| v as f32 / 32768.0).collect()),
        SampleFormat::Mulaw => Owned::U8(x.iter().map(|&v| mulaw_encode(v)).collect(), format),
        SampleFormat::Alaw => Owned::U8(x.iter().map(|&v| alaw_encode(v)).collect(), format),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Owned {
    S16(Vec<i16>),
    F32(Vec<f32>),
    U8(Vec<u8>, SampleFormat),
}

impl Owned {
    fn new(format: SampleFormat, n: usize) -> Owned {
        match format {
            SampleFormat::S16 => Owned::S16(vec![0; n]),
            SampleFormat::F32 => Owned::F32(vec![0.0; n]),
            f => Owned::U8(vec![0; n], f),
        }
    }
    fn input(&self, from: usize, to: usize) -> Input<'_> {
        match self {
            Owned::S16(v) => Input::S16(&v[from..to]),
            Owned::F32(v) => Input::F32(&v[from..to]),
            Owned::U8(v, SampleFormat::Mulaw) => Input::Mulaw(&v[from..to]),
            Owned::U8(v, _) => Input::Alaw(&v[from..to]),
        }
    }
    fn output(&mut self, from: usize) -> OutputMut<'_> {
        match self {
            Owned::S16(v) => OutputMut::S16(&mut v[from..]),
            Owned::F32(v) => OutputMut::F32(&mut v[from..]),
            Owned::U8(v, SampleFormat::Mulaw) => OutputMut::Mulaw(&mut v[from..]),
            Owned::U8(v, _) => OutputMut::Alaw(&mut v[from..]),
        }
    }
    fn extend(&mut self, out: Output<'_>) {
        match (self, out) {
            (Owned::S16(v), Output::S16(s)) => v.extend_from_slice(s),
            (Owned::F32(v), Output::F32(s)) => v.extend_from_slice(s),
            (Owned::U8(v, SampleFormat::Mulaw), Output::Mulaw(s)) => v.extend_from_slice(s),
            (Owned::U8(v, SampleFormat::Alaw), Output::Alaw(s)) => v.extend_from_slice(s),
            _ => panic!("output of another format"),
        }
    }
    fn truncate(&mut self, n: usize) {
        match self {
            Owned::S16(v) => v.truncate(n),
            Owned::F32(v) => v.truncate(n),
            Owned::U8(v, _) => v.truncate(n),
        }
    }
    fn len(&self) -> usize {
        match self {
            Owned::S16(v) => v.len(),
            Owned::F32(v) => v.len(),
            Owned::U8(v, _) => v.len(),
        }
    }
    fn from_owned(o: OwnedOutput) -> Owned {
        match o {
            OwnedOutput::S16(v) => Owned::S16(v),
            OwnedOutput::F32(v) => Owned::F32(v),
            OwnedOutput::Mulaw(v) => Owned::U8(v, SampleFormat::Mulaw),
            OwnedOutput::Alaw(v) => Owned::U8(v, SampleFormat::Alaw),
        }
    }
}

/// Push all of `input` in pieces drawn by `rng` (0..=max frames) and flush, via `push`/`flush`.
fn run_owned(
    r: &mut PcmResampler,
    input: &Owned,
    channels: usize,
    max: usize,
    rng: &mut Rng,
) -> Owned {
    let frames = input.len() / channels;
    let mut out = Owned::new(r.output_format(), 0);
    let mut pos = 0;
    while pos < frames {
        let n = (rng.below(max as u64 + 1) as usize).min(frames - pos);
        out.extend(
            r.push(input.input(pos * channels, (pos + n) * channels))
                .unwrap(),
        );
        pos += n;
    }
    out.extend(r.flush().unwrap());
    out
}

/// The same via `push_into`/`flush_into`, each into a buffer of exactly
/// `max_output_frames` frames at an odd offset of a larger one.
fn run_into(
    r: &mut PcmResampler,
    input: &Owned,
    channels: usize,
    max: usize,
    rng: &mut Rng,
) -> Owned {
    let frames = input.len() / channels;
    let room = r.max_output_frames(max) as usize * channels;
    let mut out = Owned::new(
        r.output_format(),
        room * (frames / max.max(1) + 4) + 3 * room,
    );
    let mut written = 0;
    let mut pos = 0;
    while pos < frames {
        let n = (rng.below(max as u64 + 1) as usize).min(frames - pos);
        let need = r.max_output_frames(n) as usize * channels;
        let mut dst = out.output(written);
        // Exactly the bound: a window of `need` samples.
        dst = shrink(dst, need);
        let got = r
            .push_into(input.input(pos * channels, (pos + n) * channels), dst)
            .unwrap();
        written += got * channels;
        pos += n;
    }
    let need = r.max_output_frames(0) as usize * channels;
    let got = r.flush_into(shrink(out.output(written), need)).unwrap();
    written += got * channels;
    out.truncate(written);
    out
}

fn shrink(out: OutputMut<'_>, n: usize) -> OutputMut<'_> {
    match out {
        OutputMut::S16(d) => OutputMut::S16(&mut d[..n]),
        OutputMut::F32(d) => OutputMut::F32(&mut d[..n]),
        OutputMut::Mulaw(d) => OutputMut::Mulaw(&mut d[..n]),
        OutputMut::Alaw(d) => OutputMut::Alaw(&mut d[..n]),
    }
}

fn as_s16(o: &Owned) -> Vec<i16> {
    match o {
        Owned::S16(v) => v.clone(),
        Owned::F32(v) => v.iter().map(|&x| f32_to_s16(x)).collect(),
        Owned::U8(v, SampleFormat::Mulaw) => v.iter().map(|&c| mulaw_decode(c)).collect(),
        Owned::U8(v, _) => v.iter().map(|&c| alaw_decode(c)).collect(),
    }
}

#[test]
fn every_format_pair_agrees_with_the_s16_resampler() {
    let mut rng = Rng(0xf0_u64 | 1);
    for &(fin, fout) in PAIRS {
        for channels in [1usize, 2] {
            for quality in [Quality::Medium, Quality::VeryHigh, Quality::Quick] {
                let frames = fin as usize / 7 + 3; // odd length
                let x = signal(frames, channels, fin as u64 + channels as u64);
                // Reference: the plain s16 StreamResampler (equal rates: the input itself).
                let reference_f32 = {
                    let mut r = PcmResampler::new(
                        fin,
                        fout,
                        channels,
                        quality,
                        SampleFormat::S16,
                        SampleFormat::F32,
                    )
                    .unwrap();
                    run_owned(
                        &mut r,
                        &encode(&x, SampleFormat::S16),
                        channels,
                        frames,
                        &mut rng,
                    )
                };
                let reference_s16 = if fin == fout {
                    x.clone()
                } else {
                    let mut r = StreamResampler::new(fin, fout, channels, quality).unwrap();
                    let mut y = r.push(&x).unwrap().to_vec();
                    y.extend_from_slice(r.flush().unwrap());
                    y
                };
                let expected_len = ((frames as u64 * fout as u64 + fin as u64 / 2) / fin as u64)
                    as usize
                    * channels;
                assert_eq!(reference_s16.len(), expected_len);
                // s16 output is the f32 output converted by the rule, bit for bit.
                assert_eq!(
                    as_s16(&reference_f32),
                    reference_s16,
                    "{fin}->{fout} x{channels} {quality:?}"
                );
                for input_format in FORMATS {
                    // G.711 input is the decoded s16 input.
                    let input = encode(&x, input_format);
                    let decoded: Vec<i16> = as_s16(&input);
                    let base_f32 =
                        if input_format == SampleFormat::S16 || input_format == SampleFormat::F32 {
                            reference_f32.clone()
                        } else {
                            let mut r = PcmResampler::new(
                                fin,
                                fout,
                                channels,
                                quality,
                                SampleFormat::S16,
                                SampleFormat::F32,
                            )
                            .unwrap();
                            run_owned(
                                &mut r,
                                &encode(&decoded, SampleFormat::S16),
                                channels,
                                frames,
                                &mut rng,
                            )
                        };
                    for output_format in FORMATS {
                        let ctx = format!("{fin}->{fout} x{channels} {quality:?} {input_format:?}->{output_format:?}");
                        let mut a = PcmResampler::new(
                            fin,
                            fout,
                            channels,
                            quality,
                            input_format,
                            output_format,
                        )
                        .unwrap();
                        let mut b = PcmResampler::new(
                            fin,
                            fout,
                            channels,
                            quality,
                            input_format,
                            output_format,
                        )
                        .unwrap();
                        let max = 1 + rng.below(fin as u64 / 50) as usize;
                        let owned = run_owned(&mut a, &input, channels, max, &mut rng);
                        let into = run_into(
                            &mut b,
                            &input,
                            channels,
                            1 + rng.below(500) as usize,
                            &mut rng,
                        );
                        assert_eq!(owned, into, "{ctx}: push_into differs from push");
                        let once = Owned::from_owned(
                            resample(
                                fin,
                                fout,
                                channels,
                                quality,
                                input.input(0, input.len()),
                                output_format,
                            )
                            .unwrap(),
                        );
                        assert_eq!(owned, once, "{ctx}: resample differs from push");
                        assert_eq!(owned.len(), expected_len, "{ctx}: length");
                        // Output = the f32 result of the (decoded) input, converted.
                        let want = match output_format {
                            SampleFormat::F32
                                if fin == fout && input_format == SampleFormat::F32 =>
                            {
                                encode(&x, SampleFormat::F32)
                            }
                            SampleFormat::F32 => {
                                if fin == fout {
                                    encode(&decoded, SampleFormat::F32)
                                } else {
                                    base_f32.clone()
                                }
                            }
                            f => {
                                let s = if fin == fout {
                                    decoded.clone()
                                } else {
                                    as_s16(&base_f32)
                                };
                                encode(&s, f)
                            }
                        };
                        assert_eq!(owned, want, "{ctx}: not the f32 output converted");
                        // Reused after flush == fresh.
                        assert_eq!(
                            run_owned(&mut a, &input, channels, max, &mut rng),
                            owned,
                            "{ctx}: reuse"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn f32_output_is_not_clipped_and_f32_input_is_used_as_is() {
    // A full-scale square wave overshoots (Gibbs): f32 output goes beyond ±1,
    // while s16 output saturates.
    let x: Vec<f32> = (0..4800)
        .map(|i| if (i / 40) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let y = resample(
        48000,
        16000,
        1,
        Quality::Medium,
        Input::F32(&x),
        SampleFormat::F32,
    )
    .unwrap();
    let OwnedOutput::F32(y) = y else { panic!() };
    assert!(y.iter().any(|v| v.abs() > 1.0));
    // Loud f32 input (2.0) is not clipped before resampling: the output is twice that of 1.0.
    let loud: Vec<f32> = x.iter().map(|v| v * 0.5).collect();
    let OwnedOutput::F32(z) = resample(
        48000,
        16000,
        1,
        Quality::Medium,
        Input::F32(&loud),
        SampleFormat::F32,
    )
    .unwrap() else {
        panic!()
    };
    for (a, b) in y.iter().zip(&z) {
        assert!(
            (a - 2.0 * b).abs() <= 1e-6 * a.abs().max(1.0),
            "{a} vs 2 x {b}"
        );
    }
}

#[test]
fn too_small_outputs_are_refused_before_anything_is_consumed() {
    for &(fin, fout) in PAIRS {
        for format in FORMATS {
            let channels = 2;
            let x = encode(&signal(fin as usize / 10, channels, 7), format);
            let n = x.len() / channels;
            let mut a =
                PcmResampler::new(fin, fout, channels, Quality::Medium, format, format).unwrap();
            let mut b =
                PcmResampler::new(fin, fout, channels, Quality::Medium, format, format).unwrap();
            let need = a.max_output_frames(n) as usize;
            let mut small = Owned::new(format, (need - 1) * channels + 1); // one sample short of a frame too
            let err = a
                .push_into(x.input(0, x.len()), small.output(0))
                .unwrap_err();
            assert!(matches!(err, EngineError::OutputTooSmall(_)), "{err:?}");
            assert!(
                err.to_string()
                    .contains(&format!("maxOutputFrames({n}) = {need}")),
                "{err}"
            );
            if fin != fout {
                let flush_need = a.max_output_frames(0) as usize;
                let mut tiny = Owned::new(format, flush_need * channels - 1);
                assert!(matches!(
                    a.flush_into(tiny.output(0)),
                    Err(EngineError::OutputTooSmall(_))
                ));
            }
            // Nothing consumed: `a` now gives exactly what a fresh `b` gives.
            let mut rng = Rng(3);
            assert_eq!(
                run_owned(&mut a, &x, channels, n, &mut rng),
                run_owned(&mut b, &x, channels, n, &mut rng)
            );
            // Wrong formats and partial frames are errors too, consuming nothing.
            let other = if format == SampleFormat::F32 {
                SampleFormat::S16
            } else {
                SampleFormat::F32
            };
            let wrong = encode(&[0, 0], other);
            assert!(matches!(
                a.push(wrong.input(0, 2)),
                Err(EngineError::InvalidArgument(_))
            ));
            assert!(matches!(
                a.push(x.input(0, 3)),
                Err(EngineError::InvalidArgument(_))
            ));
            let mut out = Owned::new(other, 1 << 16);
            assert!(matches!(
                a.push_into(x.input(0, 2), out.output(0)),
                Err(EngineError::InvalidArgument(_))
            ));
            assert_eq!(a.flush().unwrap().len(), 0);
        }
    }
}
