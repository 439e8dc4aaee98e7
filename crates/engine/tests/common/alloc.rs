//! The counting global allocator of the engine's memory tests and measurement
//! benches, one copy for all. Include it only where counting is wanted:
//! `#[path = "common/alloc.rs"] mod alloc;` in a test,
//! `#[path = "../tests/common/alloc.rs"] mod alloc;` in a bench.
//!
//! It counts, for successful allocations only: per thread (tests run in
//! parallel) the live bytes and the number of allocations, and process-wide the
//! live bytes and their peak.

#![allow(dead_code)] // each includer uses some of the counters

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

thread_local! {
    static THREAD_LIVE: Cell<isize> = const { Cell::new(0) };
    static THREAD_ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

/// Records `delta` bytes; `new_block` for an allocation or a reallocation.
fn note(delta: isize, new_block: bool) {
    // `try_with`: the thread-locals may be gone while a thread exits.
    let _ = THREAD_LIVE.try_with(|c| c.set(c.get() + delta));
    if new_block {
        let _ = THREAD_ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    }
    let now = LIVE.fetch_add(delta, Ordering::Relaxed) + delta;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            note(l.size() as isize, true);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        note(-(l.size() as isize), false);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, n) };
        if !q.is_null() {
            note(n as isize - l.size() as isize, true);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Net heap bytes allocated by this thread so far.
pub fn thread_live_bytes() -> isize {
    THREAD_LIVE.with(|c| c.get())
}

/// Allocations and reallocations made by this thread so far.
pub fn thread_allocations() -> usize {
    THREAD_ALLOCATIONS.with(|c| c.get())
}

/// Net heap bytes allocated by the whole process.
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Restarts the peak from the current live bytes and returns them.
pub fn reset_peak() -> isize {
    let base = live_bytes();
    PEAK.store(base, Ordering::Relaxed);
    base
}

/// Highest process-wide live bytes since [`reset_peak`].
pub fn peak_bytes() -> isize {
    PEAK.load(Ordering::Relaxed)
}
