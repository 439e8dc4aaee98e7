//! The hot path allocates nothing: after the first pushes have sized the output
//! buffer, `push` (and `flush` with its re-pre-roll) make zero heap allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use rtc_resampler_engine::{Quality, StreamResampler};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

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
                let before = ALLOCATIONS.load(Ordering::Relaxed);
                for _ in 0..200 {
                    std::hint::black_box(r.push(&input).unwrap());
                }
                std::hint::black_box(r.flush().unwrap());
                for _ in 0..20 {
                    std::hint::black_box(r.push(&input).unwrap());
                }
                let after = ALLOCATIONS.load(Ordering::Relaxed);
                assert_eq!(after - before, 0, "{q:?} {fin}->{fout} x{channels}");
            }
        }
    }
}
