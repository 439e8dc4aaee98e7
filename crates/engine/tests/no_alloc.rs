//! The hot path allocates nothing: after the first pushes have sized the output
//! buffer, `push` (and `flush` with its re-pre-roll) make zero heap allocations;
//! `push_into`/`flush_into` make none at all, from the first call of a new
//! resampler, in every format (once the thread's core scratch exists).

use rtc_resampler_engine::{
    Input, OutputMut, PcmResampler, Quality, SampleFormat, StreamResampler,
};

#[path = "common/alloc.rs"]
mod alloc;
use alloc::thread_allocations as allocations;

#[test]
fn steady_state_push_and_flush_do_not_allocate() {
    let pairs = [
        (48000u32, 16000u32),
        (16000, 48000),
        (44100, 48000),
        (24000, 16000),
    ];
    for &q in &Quality::ALL {
        for &(fin, fout) in &pairs {
            for channels in [1usize, 2] {
                let frames = fin as usize / 100;
                let input: Vec<i16> = (0..frames * channels)
                    .map(|i| (i * 37 % 2000) as i16)
                    .collect();
                let mut r = StreamResampler::new(fin, fout, channels, q).unwrap();
                // Warm-up: let the output buffer reach its steady size.
                for _ in 0..10 {
                    r.push(&input).unwrap();
                }
                r.flush().unwrap();
                for _ in 0..10 {
                    r.push(&input).unwrap();
                }
                let before = allocations();
                for _ in 0..200 {
                    std::hint::black_box(r.push(&input).unwrap());
                }
                std::hint::black_box(r.flush().unwrap());
                for _ in 0..20 {
                    std::hint::black_box(r.push(&input).unwrap());
                }
                let after = allocations();
                assert_eq!(after - before, 0, "{q:?} {fin}->{fout} x{channels}");
            }
        }
    }
}

#[test]
fn push_into_and_flush_into_never_allocate() {
    let pairs = [
        (48000u32, 16000u32),
        (8000, 16000),
        (24000, 8000),
        (44100, 48000),
        (16000, 16000),
    ];
    for &q in &Quality::ALL {
        for &(fin, fout) in &pairs {
            for channels in [1usize, 2] {
                for format in SampleFormat::ALL {
                    let frames = fin as usize / 50; // 20 ms
                    let n = frames * channels;
                    let s16: Vec<i16> = (0..n).map(|i| (i * 37 % 2000) as i16).collect();
                    let f32s: Vec<f32> = s16.iter().map(|&x| x as f32 / 32768.0).collect();
                    let codes: Vec<u8> = (0..n).map(|i| (i * 7) as u8).collect();
                    let input = match format {
                        SampleFormat::S16 => Input::S16(&s16),
                        SampleFormat::F32 => Input::F32(&f32s),
                        SampleFormat::Mulaw => Input::Mulaw(&codes),
                        SampleFormat::Alaw => Input::Alaw(&codes),
                    };
                    // Warm this thread's core scratch with another resampler
                    let mut warm =
                        PcmResampler::new(fin, fout, channels, q, format, format).unwrap();
                    let room = warm.max_output_frames(frames) as usize * channels;
                    let (mut o16, mut o32, mut o8) =
                        (vec![0i16; room], vec![0f32; room], vec![0u8; room]);
                    macro_rules! out {
                        () => {
                            match format {
                                SampleFormat::S16 => OutputMut::S16(&mut o16[..]),
                                SampleFormat::F32 => OutputMut::F32(&mut o32[..]),
                                SampleFormat::Mulaw => OutputMut::Mulaw(&mut o8[..]),
                                SampleFormat::Alaw => OutputMut::Alaw(&mut o8[..]),
                            }
                        };
                    }
                    // (enough pushes for whole FFT blocks: the per-thread FFT scratch).
                    for _ in 0..20 {
                        warm.push_into(input, out!()).unwrap();
                    }
                    warm.flush_into(out!()).unwrap();
                    let before = allocations();
                    let mut r = PcmResampler::new(fin, fout, channels, q, format, format).unwrap();
                    let built = allocations();
                    let mut total = 0;
                    for _ in 0..100 {
                        total += r.push_into(input, out!()).unwrap();
                    }
                    total += r.flush_into(out!()).unwrap();
                    for _ in 0..20 {
                        total += r.push_into(input, out!()).unwrap();
                    }
                    let after = allocations();
                    std::hint::black_box(total);
                    assert!(built > before || fin == fout, "construction is counted");
                    assert_eq!(
                        after - built,
                        0,
                        "{q:?} {fin}->{fout} x{channels} {format:?}"
                    );
                }
            }
        }
    }
}
